"""Which sentence answers a question: general features, learned weights.

Every sentence of the search's top passages is a candidate. Each gets a row of features
that say nothing about any domain: how much of the question's content (idf-weighted) it
carries, alone, with its neighbours and with its headings; how much of the question's
wording it shares (character bigrams, the words around its question word); its
passage's standing;
whether it holds the kind of value the question asks for (a date, a number...) or the
form the intent wants (a definition, a reason); whether it stands alone. A linear model
turns the rows into each sentence's share of the chance of holding the answer.

The weights are not set by hand: `bench/train_ranker.py` fits them on labelled sentences
(two public reading-comprehension sets and the development question sets) with
cross-validation grouped by article or question, and writes `ranker.json`, loaded here
once. The fit is listwise: a softmax over each question's candidates, so the weights say
which sentence wins within a question. Pure: no I/O besides reading that file.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.kb.answer_type import AnswerType, asked_type, carries
from bot.kb.model import Snapshot
from bot.kb.outline import Piece, pieces
from bot.kb.results import SearchResult
from bot.kb.sentences import CONNECTIVES, Matcher, definition_strength, intent_cue
from bot.kb.similarity import bigrams, dice, longest_shared
from bot.kb.stock import stock_places
from bot.kb.trees import TreeEnsemble, empty
from bot.kb.vocab import normalize_text

MIN_SENTENCE_CHARS = 4
MODEL_FILE = "ranker.json"

# A sentence that leans on the one before: "它…", "这…", "例如…", "所以…".
DANGLING = re.compile(
    rf"^(?:它|他|她|这|该|其(?!中)|此|那|{CONNECTIVES}|但|也|还|又"
    r"|(?:these|this|it|they|also|however|so|but)\b)"
)
_NOT_CONTENT = re.compile(r"[\W_]+", re.UNICODE)
# The question word whose slot the answer fills ("生命数耗完即算为[什么]").
_WH = re.compile(
    r"什么|哪[一些里儿个位种年天]?|谁|多少|多[高长大远重宽深久]|几[个位名种次年岁人家]?|何[时处地种]?|怎么|怎样|如何|为什么|为何"
    r"|what|which|who|where|when|how|why"
)
_ENUMERATION = re.compile(r"[^、，,。]{1,20}、[^、，,。]{1,20}、")

FEATURES: tuple[str, ...] = (
    "cover",  # idf-weighted share of the question's words (groups) the sentence carries
    "cover_rel",  # the same, over the best candidate's
    "cover_best",  # 1 for the candidates that carry the most
    "heading_cover",  # share carried by its headings and title, not by the sentence
    "window_cover",  # share carried by the sentence with its neighbours
    "grams",  # share of the question's character bigrams in the sentence
    "grams_rel",
    "passage_rel",  # its passage's score over the best passage's
    "passage_top",  # from the best passage
    "article_first",  # the first sentence of its article (what the article is about)
    "early",  # 1 / (1 + its place in the passage)
    "length",  # log of its length
    "type_new",  # holds a value of the asked kind the question does not say
    "type_echo",  # holds only values of the asked kind that the question says
    "type_asked",  # the question asks for a kind of value (a bias for such questions)
    "define",  # a definition question, and it defines a question word
    "reason",  # a why-question, and it gives a reason
    "how",  # a how-question, and it says how
    "compare",  # a comparison, and it compares
    "enumerates",  # a list question, and it enumerates
    "dangling",  # it opens leaning on the sentence before
    "stock",  # other articles say it almost word for word
    "asks",  # it ends with a question mark
    "introduces",  # it ends with a colon (introduces what follows)
    "novelty",  # share of its characters that the question does not have
    "starts_with_term",  # it opens with a question word ("文心一言是…")
    "local_terms",  # question words weighted by how few of the candidates carry them
    "local_terms_rel",
    "local_grams",  # the same with the question's character bigrams
    "local_grams_rel",
    "anchor",  # the question's words just before and after its question word, in the sentence
    "anchor_rel",
    "heading_match",  # character-bigram overlap (Dice) of the question with its section heading
    "proximity",  # how close together its question words stand (their length over their span)
    "common_run",  # the longest run of the question's characters it holds as they stand
    "cover_rank",  # 1 / (1 + its place when the candidates are ordered by cover)
    "before_cover",  # share carried by the sentence before it (same passage)
    "after_cover",  # share carried by the sentence after it
    "local_chars",  # as local_terms, with the question's characters ("妻子" and "为妻")
    "beyond_heading",  # share it carries that its headings and title do not already say
    "beyond_heading_rel",
    # Last: the tree ensemble's score of all the columns above (kb/trees.py).
    "trees",
)


F = {name: i for i, name in enumerate(FEATURES)}  # a feature's column


@dataclass(frozen=True)
class Candidate:
    """A sentence of one of the search's passages."""

    text: str
    rank: int  # the passage's rank in the search
    article: str
    line_ord: int
    position: int  # within its line
    heading: str
    order: int  # within its passage's sentences
    normal: str  # its normalised text
    content: str  # its letters and digits, normalised


@dataclass(frozen=True)
class SentenceModel:
    """Weights over FEATURES (the bias cancels in the softmax; kept for the file's
    shape), and how the answer uses them."""

    weights: tuple[float, ...]
    bias: float
    # A further sentence joins the lead when its probability is at least this share of
    # the best one's (chosen by cross-validation, see bench/train_ranker.py).
    follow_share: float = 0.5
    see_also_share: float = 0.8

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            raise ValueError(f"expected {len(FEATURES)} weights, got {len(self.weights)}")

    def probabilities(self, rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """A softmax over one question's candidates: the share of the chance that each
        holds the answer (the weights are fitted listwise, `bot.kb.learning`)."""
        z: npt.NDArray[np.float64] = rows @ np.asarray(self.weights) + self.bias
        e = np.exp(z - z.max()) if len(z) else z
        out: npt.NDArray[np.float64] = e / e.sum() if len(z) else e
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "features": list(FEATURES),
            "weights": dict(zip(FEATURES, self.weights, strict=True)),
            "bias": self.bias,
            "follow_share": self.follow_share,
            "see_also_share": self.see_also_share,
        }

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> SentenceModel:
        weights = raw["weights"]
        if not isinstance(weights, dict):
            raise ValueError("weights must be an object of feature -> weight")
        # A feature the file does not know weighs nothing: an older file still loads.
        return cls(
            tuple(float(weights.get(name, 0.0)) for name in FEATURES),
            float(raw["bias"]),  # type: ignore[arg-type]
            float(raw.get("follow_share", 0.5)),  # type: ignore[arg-type]
            float(raw.get("see_also_share", 0.8)),  # type: ignore[arg-type]
        )


@functools.cache
def _shipped() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((resources.files("bot.kb") / MODEL_FILE).read_text(encoding="utf-8"))
    return raw


@functools.cache
def shipped_model() -> SentenceModel:
    """The weights shipped with the package (`bot/kb/ranker.json`)."""
    return SentenceModel.from_json(_shipped())


@functools.cache
def shipped_trees() -> TreeEnsemble:
    """The tree ensemble shipped with the package; none in a file from before it."""
    raw = _shipped().get("trees")
    return TreeEnsemble.from_json(raw) if raw else empty(len(FEATURES) - 1)


@functools.cache
def shipped_prior() -> tuple[SentenceModel, float]:
    """The weights fitted on the reading-comprehension sets alone, and how hard they
    hold when refitted on development questions (`bot.crossval`)."""
    prior = _shipped()["prior"]
    return SentenceModel.from_json(prior), float(prior["l2"])


def candidates(result: SearchResult, snapshot: Snapshot) -> list[Candidate]:
    out: list[Candidate] = []
    for rank, scored in enumerate(result.passages):
        article = scored.passage.article_path
        found = pieces(snapshot, scored.doc)
        # The sentences' normalised forms are kept with the passage: the questions that
        # follow meet the same passages, and normalising (OpenCC) is most of a row's cost.
        forms = snapshot.kept("sentence forms", scored.doc, functools.partial(_forms, found))
        for order, (p, (normal, content)) in enumerate(zip(found, forms, strict=True)):
            if len(p.text) >= MIN_SENTENCE_CHARS:
                out.append(
                    Candidate(
                        p.text, rank, article, p.line_ord, p.position, p.heading, order, normal, content
                    )
                )
    return out


def _forms(found: Sequence[Piece]) -> tuple[tuple[str, str], ...]:
    """Each sentence normalised, and its content (normalised once for both)."""
    normals = [normalize_text(p.text) for p in found]
    return tuple((normal, _NOT_CONTENT.sub("", normal)) for normal in normals)


def _content(text: str) -> str:
    return _NOT_CONTENT.sub("", normalize_text(text))


@dataclass(frozen=True)
class _Asked:
    """What every candidate of one question is compared with, computed once."""

    match: Matcher
    question: str  # normalised
    grams: set[str]  # bigrams of its content
    chars: set[str]  # characters of its content
    drop_chars: dict[int, None]  # str.translate's table deleting them
    content: str  # its content characters, in order
    kind: AnswerType  # the kind of value asked for
    intent: str
    own: list[str]  # its words; context words (a follow-up's topic) at their lower weight
    total: float  # their value: the denominator of every coverage


def _asked(result: SearchResult) -> _Asked:
    analysis = result.analysis
    match = Matcher(analysis)
    question = normalize_text(analysis.question)
    content = _content(analysis.question)
    own = list(match.weights)
    return _Asked(
        match,
        question,
        bigrams(content) if content else set(),
        set(content),
        dict.fromkeys(map(ord, content)),
        content,
        asked_type(question),
        analysis.intent.intent,
        own,
        match.value(own) or 1.0,
    )


def featurize(
    result: SearchResult,
    snapshot: Snapshot,
    cands: Sequence[Candidate],
    trees: TreeEnsemble | None = None,
) -> npt.NDArray[np.float64]:
    """One row of FEATURES per candidate; the last column is `trees`' score of the
    others (the shipped ensemble's unless given)."""
    asked = _asked(result)
    normals = [c.normal for c in cands]
    contents = [c.content for c in cands]
    found = [asked.match.found(n) for n in normals]
    rows = np.zeros((len(cands), len(FEATURES)))
    _coverage(rows, result, cands, found, asked)
    _standing(rows, result, snapshot, cands)
    for i, cand in enumerate(cands):
        _wording(rows[i], cand, normals[i], contents[i], found[i], asked)
    _against_the_others(rows, cands, contents, found, asked)
    ensemble = trees if trees is not None else shipped_trees()
    rows[:, F["trees"]] = ensemble.predict(rows[:, : F["trees"]])
    return rows


def _coverage(
    rows: npt.NDArray[np.float64],
    result: SearchResult,
    cands: Sequence[Candidate],
    found: Sequence[set[str]],
    asked: _Asked,
) -> None:
    """How much of the question each sentence covers: alone, with its neighbours in the
    same passage, and in its heading and title (words the sentence has not already)."""
    match, total = asked.match, asked.total
    heading_found: dict[str, set[str]] = {}
    for i, cand in enumerate(cands):
        key = cand.heading + "\n" + result.passages[cand.rank].passage.title
        if key not in heading_found:
            heading_found[key] = match.found(normalize_text(key))
        neighbours = set(found[i])
        for j in (i - 1, i + 1):
            if 0 <= j < len(cands) and cands[j].rank == cand.rank:
                neighbours |= found[j]
        rows[i, F["cover"]] = match.value(found[i]) / total
        rows[i, F["heading_cover"]] = match.value(heading_found[key], exclude=match.groups(found[i])) / total
        rows[i, F["beyond_heading"]] = match.value(found[i], exclude=match.groups(heading_found[key])) / total
        rows[i, F["window_cover"]] = match.value(neighbours) / total
        for j, column in ((i - 1, "before_cover"), (i + 1, "after_cover")):
            if 0 <= j < len(cands) and cands[j].rank == cand.rank:
                rows[i, F[column]] = match.value(found[j]) / total


def _standing(
    rows: npt.NDArray[np.float64], result: SearchResult, snapshot: Snapshot, cands: Sequence[Candidate]
) -> None:
    """Where each sentence stands: its passage's score, its place in the article and the
    passage, its length, and whether other articles say it too (stock phrasing)."""
    top_score = max((p.score for p in result.passages), default=0.0)
    stock = stock_places(snapshot, result.passages)
    first_lines = {
        article: min((c.line_ord for c in cands if c.article == article), default=-1)
        for article in {c.article for c in cands}
    }
    for i, cand in enumerate(cands):
        row = rows[i]
        score = result.passages[cand.rank].score
        row[F["passage_rel"]] = max(score, 0.0) / top_score if top_score > 0 else 1.0
        row[F["passage_top"]] = float(cand.rank == 0)
        row[F["article_first"]] = float(cand.line_ord == first_lines[cand.article] and cand.position == 0)
        row[F["early"]] = 1.0 / (1.0 + cand.order)
        row[F["length"]] = math.log(1 + len(cand.text)) / 5
        row[F["stock"]] = float((cand.rank, cand.line_ord, cand.position) in stock)


_INTENT_COLUMN = {"reason": "reason", "how": "how", "comparison": "compare"}


def _wording(
    row: npt.NDArray[np.float64], cand: Candidate, normal: str, content: str, found: set[str], asked: _Asked
) -> None:
    """The sentence's own form against what was asked: the kind of value, the intent's
    cue, whether it leans on the sentence before, asks or introduces, what it adds."""
    if asked.kind != "none":
        carried = carries(asked.kind, normal, asked.question)
        row[F["type_new"]] = float(carried == 1.0)
        row[F["type_echo"]] = float(carried == 0.5)
        row[F["type_asked"]] = 1.0
    intent = asked.intent
    if intent == "definition":
        row[F["define"]] = definition_strength(normal, found)
    elif intent in _INTENT_COLUMN:
        row[F[_INTENT_COLUMN[intent]]] = float(intent_cue(intent, normal))
    elif intent == "list":
        row[F["enumerates"]] = float(_ENUMERATION.search(cand.text) is not None)
    row[F["dangling"]] = float(DANGLING.match(normal) is not None)
    row[F["asks"]] = float(cand.text[-1] in "？?")
    row[F["introduces"]] = float(cand.text[-1] in "：:")
    row[F["novelty"]] = len(content.translate(asked.drop_chars)) / max(len(content), 1)
    ubiquitous = asked.match.ubiquitous
    row[F["proximity"]] = _proximity(normal, [t for t in found if t not in ubiquitous])
    row[F["common_run"]] = (
        longest_shared(asked.content, content) / len(asked.content) if asked.content else 0.0
    )
    row[F["starts_with_term"]] = float(any(normal.startswith(t) for t in found if t not in ubiquitous))


def _against_the_others(
    rows: npt.NDArray[np.float64],
    cands: Sequence[Candidate],
    contents: Sequence[str],
    found: Sequence[set[str]],
    asked: _Asked,
) -> None:
    """What only this question's candidates can say: coverage weighted by an idf over
    the candidates themselves (words and bigrams), the question's wording around its
    question word, the heading's bigrams, and each value over the best candidate's."""
    n = len(cands)
    match, q_grams = asked.match, asked.grams
    sentence_grams = [bigrams(c) if c else set() for c in contents]
    rows[:, F["grams"]] = [len(q_grams & g) / len(q_grams) if q_grams else 0.0 for g in sentence_grams]
    rows[:, F["local_terms"]] = _local([match.groups(f) for f in found], match.groups(asked.own), n)
    rows[:, F["local_grams"]] = _local([g & q_grams for g in sentence_grams], q_grams, n)
    rows[:, F["local_chars"]] = _local([set(c) & asked.chars for c in contents], asked.chars, n)
    left, right = _anchors(asked.question)
    rows[:, F["anchor"]] = [_anchor_match(left, right, c) for c in contents]
    heading_grams: dict[str, set[str]] = {}
    for i, cand in enumerate(cands):
        if cand.heading not in heading_grams:
            text = _content(cand.heading)
            heading_grams[cand.heading] = bigrams(text) if text else set()
        rows[i, F["heading_match"]] = dice(q_grams, heading_grams[cand.heading])
    covers = rows[:, F["cover"]]
    distinct = sorted(set(covers.tolist()), reverse=True)
    place = {v: k for k, v in enumerate(distinct)}
    rows[:, F["cover_rank"]] = [1.0 / (1 + place[v]) for v in covers.tolist()]
    for column in ("cover", "grams", "local_terms", "local_grams", "anchor", "beyond_heading"):
        rows[:, F[column + "_rel"]] = _over_best(rows[:, F[column]])
    rows[:, F["cover_best"]] = rows[:, F["cover_rel"]] >= 1 - 1e-9


def _proximity(normal: str, terms: Sequence[str]) -> float:
    """The question words' length over the span from the first to the last of them (1
    when they stand side by side); 0 with fewer than two."""
    spans = []
    for term in terms:
        at = normal.find(term.replace("_", " "))
        if at >= 0:
            spans.append((at, at + len(term)))
    if len(spans) < 2:
        return 0.0
    width = max(e for _, e in spans) - min(s for s, _ in spans)
    return min(sum(e - s for s, e in spans) / max(width, 1), 1.0)


def _over_best(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each value over the best candidate's (all 0 when none is above 0)."""
    best = float(values.max()) if len(values) else 0.0
    return values / best if best > 0 else np.zeros_like(values)


def _anchors(question: str) -> tuple[str, str]:
    """The question's content just before and just after its (first) question word."""
    found = _WH.search(question)
    if found is None:
        return "", ""
    return _content(question[: found.start()]), _content(question[found.end() :])


def _anchor_match(left: str, right: str, content: str) -> float:
    """How much of the text around the question word the sentence has, as it stands: the
    longest end of `left` and the longest start of `right` found in the sentence, over
    their length."""
    if not left and not right:
        return 0.0
    size = 0
    for part, from_end in ((left, True), (right, False)):
        best = 0
        for n in range(min(len(part), 12), 0, -1):
            piece = part[-n:] if from_end else part[:n]
            if piece in content:
                best = n
                break
        size += best
    return size / max(min(len(left), 12) + min(len(right), 12), 1)


def _local(present: Sequence[set[str]], wanted: set[str], n: int) -> npt.NDArray[np.float64]:
    """Share of `wanted` each candidate carries, each item weighted by an idf over the
    candidates themselves: the article's own subject is in all its sentences and says
    nothing about which of them answers."""
    if not wanted or not n:
        return np.zeros(n)
    df = dict.fromkeys(wanted, 0)
    for p in present:  # one pass over what each carries, not one per wanted item
        for w in p:
            if w in df:
                df[w] += 1
    idf = {w: math.log((n - k + 0.5) / (k + 0.5) + 1) for w, k in df.items()}
    total = sum(idf.values()) or 1.0
    return np.array([sum(idf[w] for w in p if w in idf) / total for p in present])


def rank(
    result: SearchResult, snapshot: Snapshot, model: SentenceModel | None = None
) -> list[tuple[Candidate, float]]:
    """The candidates with their probabilities, best first (ties: earlier passage,
    earlier sentence)."""
    cands = candidates(result, snapshot)
    if not cands:
        return []
    model = model or shipped_model()
    probs = model.probabilities(featurize(result, snapshot, cands))
    order = sorted(range(len(cands)), key=lambda i: (-probs[i], cands[i].rank, cands[i].order))
    return [(cands[i], float(probs[i])) for i in order]
