"""Keeping the results of pure functions of short request texts: clients send the same texts again."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


def keep_recent(*, max_chars: int, maxsize: int = 1024) -> Callable[[F], F]:
    """Keep the last `maxsize` results of a pure function whose text arguments (str or bytes) are
    `max_chars` long in all, at most; longer ones are computed each time, so the memory held stays small.
    Exceptions are never kept."""

    def decorate(function: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(function)

        @functools.wraps(function)
        def call(*args: Any) -> Any:
            size = sum(len(arg) for arg in args if isinstance(arg, (str, bytes)))
            return cached(*args) if size <= max_chars else function(*args)

        return cast(F, call)

    return decorate
