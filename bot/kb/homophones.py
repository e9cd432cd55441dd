"""Homophone typos corrected to words of the index: "工具苦有哪些" -> "工具库有哪些".

Pinyin input makes a typo sound right and read wrong: one character replaced by
another of the same syllable. jieba then cuts the question into pieces the index never
holds ("薪姿"). A question word that neither the index nor jieba's dictionary holds
(one jieba had to guess) is tried with each of its characters swapped for one of the
same syllable (toneless pinyin, `pypinyin`); if that makes a word of the index that is
also a dictionary word, it is read as that word. Only one character changes, and a real
word the user typed ("公式"), or a name the articles lack, is never "corrected" into a
word it merely sounds like unless that name is no word at all.

The syllables of the index's characters are read on the first suspect question, once
per snapshot (a few thousand characters, ~0.1 s), not at start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence

_CJK = ("\u3400", "\u9fff")
MAX_WINDOW = 4


def _cjk(ch: str) -> bool:
    return _CJK[0] <= ch <= _CJK[1]


class Homophones:
    """Same-syllable characters among those the index's words use."""

    def __init__(self, vocabulary: Collection[str]) -> None:
        self._vocabulary = vocabulary
        self._by_sound: dict[str, tuple[str, ...]] | None = None
        self._sound: dict[str, str] = {}
        self._lock = threading.Lock()

    def _tables(self) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
        with self._lock:
            if self._by_sound is None:
                from pypinyin import lazy_pinyin  # ~0.1 s: only when a question needs it

                chars = sorted({ch for word in self._vocabulary for ch in word if _cjk(ch)})
                sounds = lazy_pinyin(chars, errors="ignore") if chars else []
                by_sound: dict[str, list[str]] = {}
                for ch, sound in zip(chars, sounds, strict=False):
                    self._sound[ch] = sound
                    by_sound.setdefault(sound, []).append(ch)
                self._by_sound = {s: tuple(cs) for s, cs in by_sound.items()}
            return self._by_sound, self._sound

    def sound_of(self, ch: str) -> str:
        if ch not in self._sound:
            from pypinyin import lazy_pinyin

            found = lazy_pinyin(ch, errors="ignore")
            self._sound[ch] = found[0] if found else ""
        return self._sound[ch]

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
        by_sound, _ = self._tables()
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
        out = []
        for i, ch in enumerate(window):
            for other in by_sound.get(self.sound_of(ch), ()):
                if other != ch:
                    out.append(window[:i] + other + window[i + 1 :])
        return out
