"""Chinese words to their synonyms, from a whole thesaurus (同义词词林扩展版).

A question in the user's words ("会不会抢画师的饭碗") meets articles in theirs ("代替人类
某些职业"). The admins' `vocab/synonyms.txt` knows a few colloquial words of the domain;
this knows the language: HIT's extended Cilin groups 77,000 words into classes, and a
class marked "=" holds words of one meaning (饭碗 = 职业, 工作, 营生…; 画师 = 画家). The
retriever looks up only words its index lacks and keeps only the synonyms the index has,
so the folder's own words decide which of a word's senses count.

`thesaurus.txt` (shipped) holds those classes, one per line, derived by
`bench/make_thesaurus.py` from the `cilin` package's tree (MIT); it is read once per
process, when the first Chinese word the index lacks needs it (~30 ms).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import Any

# Leaf codes end in "=" (synonyms), "#" (related: same class, not the same meaning) or
# "@" (a word alone): only the first stand in for one another.
_SYNONYMS = "="


def synonym_classes(tree: Mapping[str, Any]) -> Iterator[list[str]]:
    """The words of each synonym class of a Cilin tree (nested {"sub": {code: …}} nodes
    whose leaves are lists of words under codes ending in "=", "#" or "@")."""

    def walk(node: Any, code: str) -> Iterator[list[str]]:
        if isinstance(node, list):
            if code.endswith(_SYNONYMS) and len(node) > 1:
                yield [str(w) for w in node]
            return
        for key, child in node.get("sub", {}).items():
            yield from walk(child, code + key)

    for code, node in tree.items():
        yield from walk(node, code)


class Thesaurus:
    """Synonym classes, and for each word the classes it belongs to."""

    def __init__(self, classes: Iterable[str]) -> None:
        """`classes`: one class per string, its words separated by spaces."""
        # The classes as strings and, per word, their numbers (an int for the common
        # word of one class): about half the memory of a table of synonym lists.
        self._classes: list[str] = []
        self._of: dict[str, int | tuple[int, ...]] = {}
        for line in classes:
            words = line.split()
            if len(words) < 2:
                continue
            number = len(self._classes)
            self._classes.append(" ".join(words))
            for word in words:
                had = self._of.get(word)
                if had is None:
                    self._of[word] = number
                elif had != number and not (isinstance(had, tuple) and number in had):
                    self._of[word] = (*(had if isinstance(had, tuple) else (had,)), number)

    def synonyms(self, word: str) -> tuple[str, ...]:
        """The other words of every class of `word`, in the thesaurus's order."""
        numbers = self._of.get(word)
        if numbers is None:
            return ()
        found: dict[str, None] = {}
        for number in numbers if isinstance(numbers, tuple) else (numbers,):
            for other in self._classes[number].split(" "):
                if other != word:
                    found.setdefault(other, None)
        return tuple(found)

    def __len__(self) -> int:
        return len(self._of)


@functools.cache
def shipped_thesaurus() -> Thesaurus:
    """The shipped classes (`bot/kb/thesaurus.txt`), read once per process."""
    text = (resources.files("bot.kb") / "thesaurus.txt").read_text(encoding="utf-8")
    return Thesaurus(line for line in text.splitlines() if line and not line.startswith("#"))


def synonyms(word: str) -> tuple[str, ...]:
    """Words of the same meaning as a (simplified) Chinese word, most usual first."""
    return shipped_thesaurus().synonyms(word)
