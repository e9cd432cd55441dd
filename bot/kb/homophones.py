"""Homophone typos corrected to words of the index: "工具苦有哪些" -> "工具库有哪些".

Pinyin input makes a typo sound right and read wrong: one character replaced by
another of the same syllable. jieba then cuts the question into pieces the index never
holds ("薪姿"). A question word that neither the index nor jieba's dictionary holds
(one jieba had to guess) is tried with each of its characters swapped for one of the
same syllable (toneless pinyin, from pypinyin's data); if that makes a word of the index that is
also a dictionary word, it is read as that word. Only one character changes, and a real
word the user typed ("公式"), or a name the articles lack, is never "corrected" into a
word it merely sounds like unless that name is no word at all.

The syllables are read on the first suspect question, and the index's characters
grouped by syllable once per snapshot (a few thousand characters), not at start.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Collection, Sequence
from importlib import resources

_CJK = ("\u3400", "\u9fff")
MAX_WINDOW = 4


def _cjk(ch: str) -> bool:
    return _CJK[0] <= ch <= _CJK[1]


@functools.cache
def syllables() -> dict[str, str]:
    """Each character's toneless syllable (`syllables.txt`, written from pypinyin's data
    by `bench/make_syllables.py`): ~30 ms and a few MB, where pypinyin's own table takes
    55 MB."""
    out: dict[str, str] = {}
    text = (resources.files("bot.kb") / "syllables.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            sound, _, chars = line.partition(" ")
            out.update(dict.fromkeys(chars, sound))
    return out


class Homophones:
    """Same-syllable characters among those the index's words use."""

    def __init__(self, vocabulary: Collection[str]) -> None:
        self._vocabulary = vocabulary
        self._by_sound: dict[str, tuple[str, ...]] | None = None
        self._lock = threading.Lock()

    def _tables(self) -> dict[str, tuple[str, ...]]:
        with self._lock:
            if self._by_sound is None:
                sound = syllables()
                by_sound: dict[str, list[str]] = {}
                for ch in sorted({ch for word in self._vocabulary for ch in word if _cjk(ch)}):
                    if ch in sound:
                        by_sound.setdefault(sound[ch], []).append(ch)
                self._by_sound = {s: tuple(cs) for s, cs in by_sound.items()}
            return self._by_sound

    def correct(
        self,
        text: str,
        suspects: Sequence[tuple[int, int]],
        index_df: Callable[[str], int],
        is_word: Callable[[str], bool],
    ) -> str:
        """`text` with each homophone typo among the `suspects` (character spans of the
        question's words that neither the index nor the dictionary holds, as jieba
        guessed them) replaced by the index word it sounds like."""
        if not suspects:
            return text
        by_sound = self._tables()
        out = text
        for start, end in sorted(suspects, reverse=True):  # from the end: spans stay put
            # The longest stretch of the suspect that reads as a word once corrected.
            for size in range(min(end - start, MAX_WINDOW), 1, -1):
                found: list[tuple[int, int, str]] = []
                for left in range(start, end - size + 1):
                    window = text[left : left + size]
                    if not all(map(_cjk, window)) or is_word(window) or index_df(window):
                        continue
                    for word in self._sounding_like(window, by_sound):
                        if is_word(word) and index_df(word):
                            found.append((index_df(word), left, word))
                if found:
                    _, left, word = max(found)
                    out = out[:left] + word + out[left + size :]
                    break
        return out

    def _sounding_like(self, window: str, by_sound: dict[str, tuple[str, ...]]) -> list[str]:
        """Every stretch with one character of `window` swapped for a homophone."""
        sound = syllables()
        out = []
        for i, ch in enumerate(window):
            for other in by_sound.get(sound.get(ch, ""), ()):
                if other != ch:
                    out.append(window[:i] + other + window[i + 1 :])
        return out
