"""app.core.memo.keep_recent: short texts' results are kept, long ones never (so memory stays bounded)."""

from __future__ import annotations

import pytest

from app.core.memo import keep_recent


def test_short_texts_are_kept_and_long_ones_computed_each_time() -> None:
    calls: list[tuple[str, bytes]] = []

    @keep_recent(max_chars=10, maxsize=2)
    def measure(text: str, data: bytes) -> int:
        calls.append((text, data))
        return len(text) + len(data)

    assert [measure("abc", b"de") for _ in range(3)] == [5, 5, 5]
    assert calls == [("abc", b"de")]  # kept
    assert [measure("abcdefgh", b"ijk") for _ in range(2)] == [11, 11]  # 11 characters in all: over the limit
    assert len(calls) == 3
    measure("x", b""), measure("y", b"")  # the two most recent push "abc" out (maxsize=2)
    measure("abc", b"de")
    assert calls[-1] == ("abc", b"de") and len(calls) == 6


def test_exceptions_are_not_kept() -> None:
    calls: list[str] = []

    @keep_recent(max_chars=100)
    def refuse(text: str) -> str:
        calls.append(text)
        raise ValueError(text)

    for _ in range(2):
        with pytest.raises(ValueError):
            refuse("bad")
    assert calls == ["bad", "bad"]


def test_with_a_total_budget_long_texts_are_kept_until_they_would_hold_more_than_it() -> None:
    calls: list[str] = []

    @keep_recent(max_chars=1000, maxsize=100, total_chars=1500)
    def measure(text: str) -> int:
        calls.append(text)
        return len(text)

    first, second = "a" * 700, "b" * 700
    for _ in range(2):
        assert (measure(first), measure(second)) == (700, 700)
    assert calls == [first, second]  # both kept: 1,400 characters in all
    measure(first)  # used again: now the most recent of the two
    measure("c" * 700)  # 2,100 characters would be held: the least recently used ("b...") goes
    measure(first)
    assert len(calls) == 3
    measure(second)
    assert calls[-1] == second and len(calls) == 4
    assert measure("d" * 1001) == 1001 and measure("d" * 1001) == 1001  # over max_chars: never kept
    assert calls[-2:] == ["d" * 1001] * 2


def test_with_a_total_budget_exceptions_are_not_kept() -> None:
    calls: list[str] = []

    @keep_recent(max_chars=100, total_chars=1000)
    def refuse(text: str) -> str:
        calls.append(text)
        raise ValueError(text)

    for _ in range(2):
        with pytest.raises(ValueError):
            refuse("bad")
    assert calls == ["bad", "bad"]
