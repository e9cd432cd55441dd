"""Real English words, so spelling correction never turns one into an index word
("words" is not a misspelling of "Word")."""

from __future__ import annotations

import functools
import threading


@functools.cache
def _english_words() -> frozenset[str]:
    """Real English words (pyspellchecker's frequency list), loaded on first need."""
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(distance=1).word_frequency.keys())


_english_lock = threading.Lock()


def load_english_words() -> None:
    """Load the word list now (~0.2 s), so that no question waits for it."""
    with _english_lock:
        _english_words()


def is_english_word(word: str) -> bool:
    with _english_lock:
        return word in _english_words()
