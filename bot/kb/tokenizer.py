"""jieba tokenisation with a domain dictionary, stopwords and English -> Chinese expansion.

Articles and questions go through the same `Tokenizer.tokens`, so BM25 compares like
with like. Questions additionally get glossary expansions (`Tokenizer.query_terms`).
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

from bot.kb.frequencies import FrozenFrequencies
from bot.kb.memo import LIMITS, Memo
from bot.kb.names import proper_names
from bot.kb.segmenter import jieba
from bot.kb.vocab import Vocabulary, normalize_text

# Bump when the tokenisation or sentence rules change, so stored articles are parsed and
# tokenised again (5: a Latin initial, "Andrew W. Mellon", no longer ends a sentence).
TOKENIZER_VERSION = "5"

_WORDLIKE = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")
_ALL_CJK = re.compile(r"[\u3400-\u9fff]+")
_SCRIPT_RUN = re.compile(r"[\u3400-\u9fff]+|[a-z0-9][a-z0-9+#.\-]*")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9+#.\-]*[a-z0-9+#]|[a-z]")

# Texts up to this long are segmented once per Tokenizer (this many kept).
_MEMO_CHARS = 300
# jieba's dictionary is ~1 s to load: share one per process, guarded for threads.
_base_lock = threading.Lock()


# Where a question's search terms come from besides its own words (weight 1): each
# origin's weight is learned (`bench/train_expansion.py` writes `expansion.json`).
EXPANSIONS = ("subword", "glossary", "synonym", "thesaurus", "dictionary", "fuzzy")
EXPANSION_FILE = "expansion.json"


@functools.cache
def shipped_weights() -> dict[str, float]:
    """The expansion weights shipped with the package (`bot/kb/expansion.json`)."""
    raw = json.loads((resources.files("bot.kb") / EXPANSION_FILE).read_text(encoding="utf-8"))
    return {origin: float(raw["weights"][origin]) for origin in EXPANSIONS}


@functools.cache
def dictionary_names() -> frozenset[str]:
    """The names of jieba's dictionary (kb/names.py), read once per process: what
    `bot.dictionary` writes as a mapped table, and what a tokenizer given none uses."""
    with jieba.get_dict_file() as dictionary:
        return frozenset(proper_names(line.decode("utf-8", "replace") for line in dictionary))


@dataclass(frozen=True)
class QueryTerm:
    """One weighted search term; `group` is the question word it stands for."""

    token: str
    weight: float
    group: str
    # "question", "subword", "glossary", "dictionary", "synonym", "thesaurus" or "fuzzy"
    origin: str


class Tokenizer:
    """Segments normalised text with jieba and drops stopwords and punctuation."""

    def __init__(
        self,
        vocab: Vocabulary,
        *,
        weights: Mapping[str, float] | None = None,
        frequencies: FrozenFrequencies | None = None,
        names: Container[str] | None = None,
    ) -> None:
        """`weights`: each expansion origin's weight (EXPANSIONS; the shipped ones if not
        given); `frequencies`: jieba's dictionary as a memory-mapped table (`bot.dictionary`),
        so that a one-question start does not load the whole dictionary; `names`: the
        dictionary's names (kb/names.py) likewise, read from jieba's dictionary when
        first needed if not given."""
        chosen = dict(shipped_weights() if weights is None else weights)
        for origin in EXPANSIONS:
            # An expansion never outweighs the user's own words.
            if not 0 < chosen.get(origin, 0.0) < 1:
                raise ValueError(f"the {origin} weight must be in (0, 1)")
        self.weights = chosen
        self.vocab = vocab
        self.signature = f"{TOKENIZER_VERSION}:{vocab.signature}"
        self._names = names
        self._jieba = jieba.Tokenizer()
        if frequencies is None:
            with _base_lock:
                self._jieba.initialize()
        else:
            # jieba reads its dictionary only through FREQ (look-ups, and writes for
            # added words) and total; "initialized" stops it loading its own.
            self._jieba.FREQ = frequencies
            self._jieba.total = frequencies.total
            self._jieba.initialized = True
        # Latin phrases with spaces ("stable diffusion") cannot be one jieba word, because
        # jieba splits on spaces first: join them with "_" before segmenting.
        phrases = sorted((t for t in vocab.terms if " " in t), key=len, reverse=True)
        self._phrase_re = (
            re.compile("|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)) if phrases else None
        )
        for term, freq in vocab.terms.items():
            self._jieba.add_word(term.replace(" ", "_"), freq)
        # Multi-word glossary keys ("market size"), longest first, compiled once.
        self._glossary_phrases = [
            (phrase, re.compile(_phrase_pattern(phrase)))
            for phrase in sorted((k for k in vocab.glossary if " " in k), key=len, reverse=True)
        ]
        # Short texts' words and glossary expansions, kept for the questions that follow
        # (the tokenizer outlives snapshots: it keeps its own, bounded the same way).
        self._memo = Memo({kind: LIMITS[kind] for kind in ("segments", "word spans", "expansions")})

    def _join_phrases(self, text: str) -> str:
        if self._phrase_re is None:
            return text
        return self._phrase_re.sub(lambda m: "_".join(m.group(0).split()), text)

    def segment(self, text: str) -> list[str]:
        """Normalised jieba words, including stopwords (punctuation and spaces dropped).
        Short texts (questions, headings, answer sentences) are memoised: they recur."""
        if len(text) > _MEMO_CHARS:
            return self._segment(text)
        return list(self._memo.get("segments", text, lambda: tuple(self._segment(text))))

    def _segment(self, text: str) -> list[str]:
        normal = self._join_phrases(normalize_text(text))
        return [w for w in self._jieba.cut(normal) if _WORDLIKE.search(w)]

    def word_spans(self, normal: str) -> tuple[tuple[int, int], ...]:
        """(start, end) of each of jieba's words in a normalised text; a short one's are
        memoised (a question's are read by the refusal and by the homophone reading)."""
        if len(normal) > _MEMO_CHARS:
            return self._word_spans(normal)
        return self._memo.get("word spans", normal, lambda: self._word_spans(normal))

    def _word_spans(self, normal: str) -> tuple[tuple[int, int], ...]:
        out: list[tuple[int, int]] = []
        at = 0
        for word in self._jieba.cut(self._join_phrases(normal).replace("_", " ")):
            start = normal.find(word, at)
            if start < 0 or not word.strip():
                continue
            out.append((start, start + len(word)))
            at = start + len(word)
        return tuple(out)

    def is_dictionary_phrase(self, text: str) -> bool:
        """Whether a Chinese text reads as ordinary vocabulary rather than a name: every
        word jieba cuts it into is in jieba's dictionary. Names are what jieba has to
        guess as new words ("赵鹏", "利嘉")."""
        freq = self._jieba.FREQ
        return bool(freq.get(text)) or all(freq.get(w) for w in self._jieba.cut(text))

    def is_dictionary_word(self, word: str) -> bool:
        """Whether jieba's dictionary (with the admins' terms) holds the word whole."""
        return bool(self._jieba.FREQ.get(word))

    def is_proper_name(self, word: str) -> bool:
        """Whether jieba's dictionary tags the word as a name (郑成功, 长崎县, 南华早报)."""
        names = self._names if self._names is not None else dictionary_names()
        return word in names

    def subwords(self, word: str) -> list[str]:
        """Dictionary words inside a long Chinese word ("学习路线" -> 学习, 路线).

        jieba's search-mode rule, extended to 4 characters: pieces that are dictionary
        words themselves. Indexing them lets a question match part of a compound.
        """
        if not _ALL_CJK.fullmatch(word):
            # A mixed dictionary word ("ai绘画") also matches its parts ("ai", "绘画").
            runs = _SCRIPT_RUN.findall(word)
            return [r for r in runs if r != word and r not in self.vocab.stopwords] if len(runs) > 1 else []
        if len(word) <= 2:
            return []
        freq = self._jieba.FREQ
        stop = self.vocab.stopwords
        out = []
        for size in (2, 3, 4):
            for start in range(len(word) - size + 1):
                piece = word[start : start + size]
                if piece != word and freq.get(piece) and piece not in stop and piece not in out:
                    out.append(piece)
        return out

    def words(self, text: str) -> list[str]:
        """Normalised words minus stopwords, without sub-words."""
        stop = self.vocab.stopwords
        return [w for w in self.segment(text) if w not in stop]

    def tokens(self, text: str) -> list[str]:
        """Index tokens of a text: each word followed by its sub-words."""
        out: list[str] = []
        for word in self.words(text):
            out.append(word)
            out.extend(self.subwords(word))
        return out

    def tokens_many(self, texts: Iterable[str]) -> list[list[str]]:
        """Tokens of many texts (articles): bulk work, so from a plain dict."""
        self.materialize()
        return [self.tokens(t) for t in texts]

    def materialize(self) -> None:
        """Swap a mapped dictionary for a plain dict (~0.5 s): a dict look-up is many times
        faster, which bulk work (articles) and a long-running bot want."""
        frequencies = self._jieba.FREQ
        if isinstance(frequencies, FrozenFrequencies):
            self._jieba.FREQ = frequencies.materialize()

    def _glossary_key(self, word: str) -> str | None:
        glossary = self.vocab.glossary
        for candidate in (word, _singular(word)):
            if candidate and candidate in glossary:
                return candidate
        return None

    def _expand(self, key: str, mapping: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
        """Tokens of the targets of `key` (glossary or synonyms), memoised."""

        def make() -> tuple[str, ...]:
            out: list[str] = []
            for target in mapping[key]:
                out.extend(t for t in self.words(target) if t not in out)
            return tuple(out)

        return self._memo.get("expansions", (id(mapping), key), make)

    def translations(self, question: str) -> list[str]:
        """Glossary targets (as written) of the English words and phrases in a question."""
        normal = normalize_text(question)
        out: list[str] = []
        for phrase, pattern in self._glossary_phrases:
            if pattern.search(normal):
                normal = pattern.sub(" ", normal)
                out.extend(self.vocab.glossary[phrase])
        for word in _LATIN_WORD.findall(normal):
            key = self._glossary_key(word)
            if key is not None:
                out.extend(self.vocab.glossary[key])
        return out

    def query_terms(self, question: str) -> list[QueryTerm]:
        """Weighted terms of a question: its own words, then glossary expansions."""
        normal = collapse_a_not_a(normalize_text(question))
        terms = _Terms()
        # Multi-word glossary keys ("market size") first, then the remaining words.
        for phrase, pattern in self._glossary_phrases:
            if pattern.search(normal):
                normal = pattern.sub(" ", normal)
                terms.add(
                    self._expand(phrase, self.vocab.glossary), self.weights["glossary"], phrase, "glossary"
                )
        words = self.words(normal)
        for word in words:
            self._word_terms(word, terms)
        # Colloquial phrases jieba did not cut out as one word ("挣钱" inside "能挣钱吗").
        synonyms = self.vocab.synonyms
        for phrase in synonyms:
            if len(phrase) > 1 and _ALL_CJK.fullmatch(phrase) and phrase in normal and phrase not in words:
                group = next((w for w in words if phrase in w or w in phrase), phrase)
                terms.add(self._expand(phrase, synonyms), self.weights["synonym"], group, "synonym")
        return terms.terms

    def _word_terms(self, word: str, terms: _Terms) -> None:
        """A question word, its sub-words, its glossary translation and its synonyms."""
        terms.add((word,), 1.0, word, "question")
        pieces = self.subwords(word)
        terms.add(pieces, self.weights["subword"], word, "subword")
        key = self._glossary_key(word) if _LATIN_WORD.fullmatch(word) else None
        if key is not None:
            terms.add(self._expand(key, self.vocab.glossary), self.weights["glossary"], word, "glossary")
        synonyms = self.vocab.synonyms
        for colloquial in (word, *pieces):
            if colloquial in synonyms:
                terms.add(self._expand(colloquial, synonyms), self.weights["synonym"], word, "synonym")


class _Terms:
    """A question's terms in order, each token once (its first origin wins)."""

    def __init__(self) -> None:
        self.terms: list[QueryTerm] = []
        self._seen: set[str] = set()

    def add(self, tokens: Iterable[str], weight: float, group: str, origin: str) -> None:
        for token in tokens:
            if token not in self._seen:
                self._seen.add(token)
                self.terms.append(QueryTerm(token, weight, group, origin))


# Spoken questions ask "A不A": 适不适合, 好不好, 能不能 -> 适合, 好, 能.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")


def collapse_a_not_a(text: str) -> str:
    return _A_NOT_A.sub(r"\1", text)


def _phrase_pattern(phrase: str) -> str:
    return r"\b" + r"\s+".join(map(re.escape, phrase.split())) + r"\b"


def _singular(word: str) -> str | None:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return None
