"""The one bounded cache: each kind keeps at most its limit, least recently used first out."""

from __future__ import annotations

import functools
import threading

from bot.kb.memo import LIMITS, Memo


def test_each_kind_is_bounded_and_drops_the_least_recently_used() -> None:
    memo = Memo({"a": 3, "b": 1})
    made: list[int] = []

    def make(n: int) -> int:
        made.append(n)
        return n * 10

    for n in (1, 2, 3):
        assert memo.get("a", n, functools.partial(make, n)) == n * 10
    memo.get("a", 1, lambda: make(1))  # 1 is used again: 2 is now the oldest
    memo.get("a", 4, lambda: make(4))
    assert memo.sizes()["a"] == 3
    memo.get("a", 1, lambda: make(1))
    memo.get("a", 2, lambda: make(2))  # dropped, made again
    assert made == [1, 2, 3, 4, 2]
    memo.get("b", "x", lambda: 0)
    memo.get("b", "y", lambda: 0)
    assert memo.sizes()["b"] == 1


def test_falsy_views_are_kept_too() -> None:
    memo = Memo({"a": 2})
    calls: list[int] = []

    def make() -> bool:
        calls.append(1)
        return False

    for _ in range(3):
        assert memo.get("a", "k", make) is False
    assert len(calls) == 1


def test_many_threads_never_exceed_the_bound() -> None:
    memo = Memo({"a": 50})

    def work(offset: int) -> None:
        for n in range(2000):
            key = (offset + n) % 300
            assert memo.get("a", key, functools.partial(int, key)) == key

    threads = [threading.Thread(target=work, args=(i * 37,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert memo.sizes()["a"] == 50


def test_every_kind_has_a_limit() -> None:
    assert LIMITS and all(limit > 0 for limit in LIMITS.values())
