"""Sentence evidence: which question words a text carries, how well it fits the
question's intent, and whether other articles say it too (stock phrasing). Pure, shared
by the answer composer and the list reader."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.kb.results import Analysis
from bot.kb.similarity import bigrams, jaccard
from bot.kb.vocab import normalize_text

NEAR_DUPLICATE = 0.6  # bigram Jaccard at which two sentences say the same thing
_SPACES = re.compile(r"[\W_]+", re.UNICODE)
_LATIN_NAME = re.compile(r"[A-Za-z]{2,}")
# "1、", "二.", "a)", "01 ", "Part2:": the numbering in front of a heading or item.
NUMBERING = re.compile(
    r"^\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3}|[a-z])\s*[.、:：)）]\s*|^\s*0\d\s+|^\S{1,4}\d{1,2}\s*[:：]\s*",
    re.IGNORECASE,
)
# "label：text" lines: a term and what it is.
LABEL = re.compile(r"^([^：:。，,！？!?；;]{2,16})[：:]\s*(.+)$")

# What may stand between a name and its definition: "AIGC（…），是指", "AIGC，全称", "AIGC 就是".
_DEFINE_GAP = r"^[\s，,：:—\-]*(?:[（(][^）)]{0,60}[）)])?[\s，,：:—\-]*(?:就|也|则|又)?"
_STRONG_DEFINE = re.compile(
    _DEFINE_GAP
    + r"(?:是指|指的是|是一种|是一个|是一款|是一项|是一类|是由|即|全称|(?:就是)?泛指|称为|简称"
    + r"|refers to|means|is an?\b)"
)
_WEAK_DEFINE = re.compile(_DEFINE_GAP + r"是")
_INTENT_CUES = {
    "reason": re.compile(
        r"因为|由于|原因|得益于|源于|必然|基础|推动|驱动|使得|导致|因此|所以|结果|看似|实则|依靠|依赖"
        r"|because|due to|thanks to"
    ),
    "comparison": re.compile(r"相比|比较|区别|不同|优于|不如|更|than|compared"),
    # Ways and steps: "通过…", "首先…", and the verbs of instructions ("打开…点击…").
    "how": re.compile(r"通过|利用|可以|步骤|首先|方法|帮助|用于|打开|点击|输入|选择|登录|然后|接着|第一步"),
}


class Matcher:
    """Which question words a text contains, counted once per question word (group)."""

    def __init__(self, analysis: Analysis) -> None:
        self.weights = {t: w for t, w in analysis.weights.items() if w > 0}
        self.group = {t.token: t.group for t in analysis.terms}
        self.ubiquitous = analysis.ubiquitous
        self.pervasive = analysis.pervasive
        # The question's own topical words: carried ones (from the previous turn) help
        # rank but are not the question.
        carried = {t.token for t in analysis.terms if t.origin in ("context", "answer")}
        # What the question itself says (with its expansions), not what it carried.
        self.own = frozenset(t for t in self.weights if t not in carried)
        self.wanted = {self.group.get(t, t) for t in self.weights if t not in self.pervasive | carried}
        # Latin words match whole words ("ai" is not in "said"); Chinese words anywhere.
        # (`_latin` holds every token matched by a pattern rather than a literal.)
        self._latin: list[tuple[str, re.Pattern[str]]] = []
        self._cjk: list[tuple[str, str]] = []
        for token in self.weights:
            if token in analysis.unknown:
                # A word the articles never use whole: its characters in order, with at
                # most two characters between ("写歌" in "写一首歌").
                self._latin.append((token, re.compile(".{0,2}".join(map(re.escape, token)))))
            elif token.isascii():
                words = r"[\s_-]*".join(map(re.escape, token.split("_")))
                self._latin.append((token, re.compile(rf"(?<![a-z0-9]){words}(?![a-z0-9])")))
            else:
                self._cjk.append((token, token.replace("_", " ")))

    def found(self, normal: str) -> set[str]:
        out = {token for token, pattern in self._latin if pattern.search(normal)}
        return out | {token for token, literal in self._cjk if literal in normal}

    def value(self, found: Iterable[str], exclude: set[str] | None = None) -> float:
        best: dict[str, float] = {}
        for token in found:
            group = self.group.get(token, token)
            if exclude and group in exclude:
                continue
            best[group] = max(best.get(group, 0.0), self.weights[token])
        return sum(best.values())

    def share(self, found: Iterable[str]) -> float:
        """Share of the question's topical words (groups) that a text carries."""
        if not self.wanted:
            return 1.0
        return len(self.groups(t for t in found if t not in self.pervasive) & self.wanted) / len(self.wanted)

    def groups(self, found: Iterable[str]) -> set[str]:
        return {self.group.get(t, t) for t in found}

    def topical(self, found: Iterable[str]) -> bool:
        """Carries a question word other than those in nearly every passage ("AIGC")."""
        return any(t not in self.pervasive for t in found)


def definition_strength(normal: str, found: set[str]) -> float:
    """1 when a question word opens the sentence and is defined ("X是指…", "X，全称…"),
    0.5 for a plain "X是…", else 0."""
    for token in sorted(found, key=lambda t: normal.find(t.replace("_", " "))):
        start = normal.find(token.replace("_", " "))
        if 0 <= start <= 30:
            window = normal[start + len(token) : start + len(token) + 80]
            if _STRONG_DEFINE.match(window):
                return 1.0
            if _WEAK_DEFINE.match(window):
                return 0.5
    return 0.0


def intent_cue(intent: str, normal: str) -> bool:
    """Whether a sentence says what a why-, how- or comparison question wants."""
    cue = _INTENT_CUES.get(intent)
    return cue is not None and cue.search(normal) is not None


@dataclass
class Sentence:
    """A candidate sentence of an answer, scored."""

    text: str
    score: float
    rank: int
    article: str
    line_ord: int
    position: int  # index of the sentence within its line


def near_duplicates(a: Sequence[str], b: Sequence[str]) -> frozenset[tuple[int, int]]:
    """The pairs (i, j) where a[i] and b[j] say almost the same thing, word for word: how
    stock phrasing ("AIGC技术也将与人工智能技术紧密结合…") shows between two articles."""
    left = [shingles_of(text) for text in a]
    right = [shingles_of(text) for text in b]
    # Sets this different in size cannot reach the Jaccard threshold, so each sentence
    # is compared only with those of similar size (sorted by size, found by bisection).
    order = sorted(range(len(right)), key=lambda j: len(right[j]))
    sizes = [len(right[j]) for j in order]
    out: set[tuple[int, int]] = set()
    for i, shingles in enumerate(left):
        low = bisect.bisect_left(sizes, len(shingles) * NEAR_DUPLICATE)
        high = bisect.bisect_right(sizes, len(shingles) / NEAR_DUPLICATE)
        out.update((i, j) for j in order[low:high] if jaccard(shingles, right[j]) >= NEAR_DUPLICATE)
    return frozenset(out)


@functools.lru_cache(maxsize=8192)  # ~1 KB each: a few thousand passages' sentences
def shingles_of(text: str) -> frozenset[str]:
    """A sentence's character bigrams, memoised: the same passages answer many questions."""
    return frozenset(bigrams(_SPACES.sub("", normalize_text(text))))


def with_subject(sentence: str, heading: str, is_item: bool, before: str = "") -> str:
    """ "与Midjourney相比…" under "3、Stable Diffusion" -> "Stable Diffusion：与…"."""
    name = NUMBERING.sub("", heading).strip(" ：:")
    numbered = name != heading.strip()
    if not name or len(name) > 20 or name[-1] in "？?" or LABEL.match(sentence):
        return sentence
    if not (numbered or _LATIN_NAME.search(name)):
        return sentence  # a plain heading ("详细介绍") is a topic, not a subject
    if is_item or _overlap(name, sentence) or _overlap(name, before):
        return sentence
    return f"{name}：{sentence}"


def _overlap(name: str, sentence: str) -> bool:
    """Whether the sentence already names the heading (a shared word or bigram)."""
    a, b = normalize_text(name), normalize_text(sentence)
    words = re.findall(r"[a-z0-9]{2,}", a)
    if any(w in b for w in words):
        return True
    cjk = re.sub(r"[^\u3400-\u9fff]", "", a)
    return any(cjk[i : i + 2] in b for i in range(len(cjk) - 1))


MIN_STANDALONE_CHARS = 8  # what is left of a sentence must still say something
# The connectives that only link a sentence to the one before ("例如", "所以"): a
# sentence opening with one leans on it (kb/ranker.py's DANGLING), and a lead opening
# with one loses it (`without_connective`).
CONNECTIVES = "例如|比如|譬如|其次|再次|同时|此外|另外|而且|并且|因此|所以|但是|然而|不过|特别是|尤其是"
_CONNECTIVE = re.compile(rf"^(?:{CONNECTIVES}|总之|总而言之)[，,：:、\s]*")


def without_connective(sentence: str) -> str:
    """The sentence without an opening connective that has nothing to lean on ("例如，
    AIGC可以…" -> "AIGC可以…"); unchanged when nothing of substance would be left."""
    found = _CONNECTIVE.match(sentence)
    if found is None or len(sentence) - found.end() < MIN_STANDALONE_CHARS:
        return sentence
    return sentence[found.end() :]
