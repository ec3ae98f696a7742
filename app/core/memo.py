"""Keeping the results of pure functions of short request texts: clients send the same texts again."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


def keep_recent(*, max_chars: int, maxsize: int = 1024, total_chars: int | None = None) -> Callable[[F], F]:
    """Keep the results of a pure function for its recent arguments, the least recently used dropped first.

    Calls whose text arguments (str or bytes) are more than `max_chars` long in all are computed each time.
    At most `maxsize` results are kept and, when `total_chars` is given, at most that many characters of
    arguments in all, so that long texts (the named queries are several thousand characters long) can be
    kept without the memory held growing past what many short ones would hold. Exceptions are never kept.
    """

    def decorate(function: F) -> F:
        if total_chars is None:  # short texts only: the C implementation, at the least cost per call
            cached = functools.lru_cache(maxsize=maxsize)(function)

            @functools.wraps(function)
            def short(*args: Any) -> Any:
                size = sum(len(arg) for arg in args if isinstance(arg, (str, bytes)))
                return cached(*args) if size <= max_chars else function(*args)

            return cast(F, short)
        kept: OrderedDict[tuple[Any, ...], tuple[Any, int]] = OrderedDict()
        held = 0
        lock = threading.Lock()

        @functools.wraps(function)
        def call(*args: Any) -> Any:
            nonlocal held
            size = sum(len(arg) for arg in args if isinstance(arg, (str, bytes)))
            if size > max_chars:
                return function(*args)
            with lock:
                found = kept.get(args)
                if found is not None:
                    kept.move_to_end(args)
                    return found[0]
            result = function(*args)
            with lock:
                if args not in kept:
                    kept[args] = (result, size)
                    held += size
                    while kept and (len(kept) > maxsize or held > total_chars):
                        _, (_, dropped) = kept.popitem(last=False)
                        held -= dropped
            return result
        return cast(F, call)

    return decorate
