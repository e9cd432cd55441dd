"""Admin-editable vocabulary files: user dictionary, stopwords, glossary, promo markers.

All live in one folder as plain UTF-8 text with `#` comments, so community admins can
extend them without touching code. The defaults ship in the package (`bot/vocab/`); a
`vocab/` folder in KNOWLEDGE_DIR, or VOCAB_DIR, replaces them.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

import opencc

from bot.errors import VocabularyError

USERDICT = "userdict.txt"
STOPWORDS = "stopwords.txt"
GLOSSARY = "glossary.txt"
PROMO_MARKERS = "promo_markers.txt"
SYNONYMS = "synonyms.txt"
INTENTS = "intents.txt"
COURSE_MARKERS = "course_markers.txt"
FILES = (USERDICT, STOPWORDS, GLOSSARY, PROMO_MARKERS, SYNONYMS, INTENTS, COURSE_MARKERS)


# OpenCC's character-level traditional -> simplified table: it leaves simplified text
# untouched (the Taiwan phrase tables would rewrite 程序 to 进程 in simplified articles).
_TO_SIMPLIFIED = opencc.OpenCC("t2s")


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def normalize_text(text: str) -> str:
    """The form everything is matched in: NFKC (full-width to half-width), simplified
    Chinese, lowercase. Only tokens use it; answers keep the article's own characters."""
    # Answers normalise the same sentences and headings question after question.
    return _normalize_short(text) if len(text) <= _CACHED_CHARS else _normalize(text)


_CACHED_CHARS = 300


@functools.lru_cache(maxsize=16_384)  # ~200 bytes each
def _normalize_short(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    # Lone surrogates (possible in JSON from a client) cannot be encoded for OpenCC.
    text = _LONE_SURROGATE.sub("", text)
    simplified: str = _TO_SIMPLIFIED.convert(unicodedata.normalize("NFKC", text))
    return simplified.lower()


@dataclass(frozen=True)
class Vocabulary:
    """The parsed vocabulary files, plus a signature that changes when any file does."""

    terms: dict[str, int | None] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    glossary: dict[str, tuple[str, ...]] = field(default_factory=dict)
    promo_markers: tuple[str, ...] = ()
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # intent name -> cue phrases ("definition = 是什么, 是啥, what is")
    intents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    course_markers: tuple[str, ...] = ()
    signature: str = ""


def _lines(path: Traversable) -> list[tuple[int, str]]:
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise VocabularyError(f"{path}: cannot read ({exc})") from exc
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append((number, line))
    return out


def _parse_userdict(path: Path) -> dict[str, int | None]:
    terms: dict[str, int | None] = {}
    for _, line in _lines(path):
        word, freq = line, None
        head, _, tail = line.rpartition(" ")
        if head and tail.isdigit():
            word, freq = head.strip(), int(tail)
        terms[normalize_text(word)] = freq
    return terms


def parse_mapping(path: Traversable) -> dict[str, tuple[str, ...]]:
    """`a, b = x, y` lines: each word on the left maps to all words on the right."""
    mapping: dict[str, tuple[str, ...]] = {}
    for number, line in _lines(path):
        if "=" not in line:
            raise VocabularyError(f"{path.name} line {number}: expected 'word = word, word'")
        left, right = line.split("=", 1)
        keys = [" ".join(normalize_text(k).split()) for k in left.replace("，", ",").split(",")]
        targets = tuple(normalize_text(t).strip() for t in right.replace("，", ",").split(",") if t.strip())
        if not all(keys) or not targets:
            raise VocabularyError(f"{path.name} line {number}: empty side in '{line}'")
        for key in keys:
            mapping[key] = mapping.get(key, ()) + targets
    return mapping


def load_vocabulary(folder: Path) -> Vocabulary:
    """Read the vocabulary folder; missing files count as empty."""
    digest = hashlib.sha256()
    for name in FILES:
        path = folder / name
        digest.update(name.encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return Vocabulary(
        terms=_parse_userdict(folder / USERDICT),
        stopwords=frozenset(normalize_text(w) for _, w in _lines(folder / STOPWORDS)),
        glossary=parse_mapping(folder / GLOSSARY),
        synonyms=parse_mapping(folder / SYNONYMS),
        promo_markers=tuple(normalize_text(w) for _, w in _lines(folder / PROMO_MARKERS)),
        intents=parse_mapping(folder / INTENTS),
        course_markers=tuple(normalize_text(w) for _, w in _lines(folder / COURSE_MARKERS)),
        signature=digest.hexdigest()[:16],
    )
