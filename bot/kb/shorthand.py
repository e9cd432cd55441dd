"""Chat shorthand read as the words it stands for: "aigc zm变现" -> "aigc 怎么变现",
"年薪多少w" -> "年薪多少万".

A general list (`shorthand.txt`, shipped with the package) of pinyin initials and
letters, and the number suffixes w (万) and k (千). A shorthand counts only where the
knowledge base does not use the same letters as a word of its own: an article about
"NB-IoT" keeps its "nb". Pure: the caller says which words the index knows.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from importlib import resources

from bot.kb.vocab import parse_mapping

_LATIN = re.compile(r"(?<![a-z0-9])[a-z]+(?![a-z0-9])")
# "50w", "3.5k", "多少w", "几k": a count with a Latin unit letter.
_COUNT_UNIT = re.compile(r"(?<=[0-9多少几])\s*([wk])(?![a-z])")
_UNITS = {"w": "万", "k": "千"}


@functools.cache
def shorthand() -> dict[str, str]:
    """The shipped list: shorthand -> word (in the vocabulary files' "a = b" form)."""
    return {
        key: words[0] for key, words in parse_mapping(resources.files("bot.kb") / "shorthand.txt").items()
    }


def expand_shorthand(normal: str, is_index_word: Callable[[str], bool]) -> str:
    """`normal` (normalised: lower case) with each shorthand the index does not know as
    a word written out."""
    table = shorthand()

    def word(found: re.Match[str]) -> str:
        letters = found.group(0)
        if letters in table and not is_index_word(letters):
            return table[letters]
        return letters

    text = _LATIN.sub(word, normal)
    return _COUNT_UNIT.sub(lambda m: m.group(0) if is_index_word(m.group(1)) else _UNITS[m.group(1)], text)
