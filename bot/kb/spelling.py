"""Real English words, so spelling correction never turns one into an index word
("words" is not a misspelling of "Word")."""

from __future__ import annotations

import functools
import threading
from collections.abc import Container


def english_word_list() -> list[str]:
    """Real English words: pyspellchecker's frequency list (~160,000 words)."""
    from spellchecker import SpellChecker

    return list(SpellChecker(distance=1).word_frequency.keys())


@functools.cache
def _english_words() -> frozenset[str]:
    """The list as a set, loaded on first need (~0.2 s) when no table is in use."""
    return frozenset(english_word_list())


_english_lock = threading.Lock()
_table: Container[str] | None = None


def use_table(table: Container[str] | None) -> None:
    """Look words up in `table` (the same list, memory-mapped by `bot.dictionary`)
    instead of loading the list: a command-line batch of questions no longer spends
    0.2 s of its start on it. None goes back to loading the list."""
    global _table
    with _english_lock:
        _table = table


def load_english_words() -> None:
    """Have the words ready now, so that no question waits for them."""
    with _english_lock:
        if _table is None:
            _english_words()


def is_english_word(word: str) -> bool:
    table = _table
    if table is not None:
        return word in table
    with _english_lock:
        return word in _english_words()
