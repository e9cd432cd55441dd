"""What retrieval and the composer hand on: retrieval's tunables, the analysed question,
scored passages, the search result that carries the analysis to the composer, and the
answer people read. Plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.kb.intent import QuestionIntent
from bot.kb.model import Passage
from bot.kb.suggestions import HEADING_IGNORE_DF
from bot.kb.tokenizer import QueryTerm


@dataclass(frozen=True)
class RetrievalConfig:
    """Tunables, calibrated on the development question sets (see README)."""

    # Share of the question's content (idf-weighted) the best passage must cover.
    min_coverage: float = 0.5
    # With a word the whole knowledge base is about ("AIGC"), the question is in-domain
    # and a lower coverage suffices.
    min_coverage_in_domain: float = 0.25
    # Terms in more than this share of passages ("AIGC" here) say nothing about topic.
    ubiquitous_df: float = 0.5
    # Re-ranking bonus, as a share of the best BM25 score, for a question that mirrors a
    # passage's heading ("AIGC能做什么？" and the section "02 AIGC能做什么？").
    heading_weight: float = 0.75
    # Words in more than this share of passages are ignored when comparing headings.
    heading_ignore_df: float = HEADING_IGNORE_DF
    # At most this many passages from one article among the first `diverse_top`.
    per_article: int = 2
    diverse_top: int = 3
    # Re-ranking bonus (share of the best score) for course material when the question
    # is about learning; otherwise course material is not served at all.
    course_bonus: float = 0.5
    # Outside the domain, answer or refuse by the learned model (kb/gate.py); off, the
    # coverage rule above decides everywhere (training the model; comparisons).
    learned_gate: bool = True


# Every question searched as if answerable (only an unknown name or nothing found
# refuses): what the sentence model and the gate are fitted and cross-validated on.
UNGATED = RetrievalConfig(min_coverage=0.0, min_coverage_in_domain=0.0, learned_gate=False)


@dataclass(frozen=True)
class Analysis:
    """A question analysed once: its terms, intent, and what each term is worth."""

    question: str
    terms: tuple[QueryTerm, ...]
    intent: QuestionIntent
    # token -> weight x idf, ubiquitous words damped: what a sentence containing it answers
    weights: Mapping[str, float] = field(default_factory=dict)
    ubiquitous: frozenset[str] = frozenset()
    # in nearly every passage ("AIGC"): names no topic, not even in a heading
    pervasive: frozenset[str] = frozenset()
    # Question words the knowledge base never uses as words ("写歌"): a sentence may
    # still say them with a word between ("写一首歌"), so the composer looks for that.
    unknown: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ScoredPassage:
    passage: Passage
    score: float
    matched: tuple[str, ...]
    doc: int = -1  # position in the snapshot, for explanations


@dataclass(frozen=True)
class Contribution:
    """One query term's share of a passage's score."""

    token: str
    origin: str  # question, subword, glossary, synonym, fuzzy
    group: str  # the question word it stands for
    weight: float
    score: float


@dataclass(frozen=True)
class SearchResult:
    """Passages for a question, best first; empty when the question is not answered."""

    question: str
    answered: bool
    passages: tuple[ScoredPassage, ...]
    terms: tuple[QueryTerm, ...]
    coverage: float
    reason: str
    analysis: Analysis
    # The question's best BM25 matches (positions), before diversifying: what "did you
    # mean" offers when refused, and where a list question looks for its list.
    nearest: tuple[int, ...] = ()
    # The name the question asks about that the knowledge base never mentions ("Sora").
    missing: str = ""
    # The learned gate's features (kb/gate.py) for a question outside the domain.
    evidence: tuple[float, ...] = ()


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None


@dataclass(frozen=True)
class Cited:
    """A sentence or list item and the number of the source it comes from (1-based)."""

    text: str
    source: int


@dataclass(frozen=True)
class Answer:
    """What the user reads: the lead, a whole list, see-also lines, numbered sources."""

    question: str
    answered: bool
    intent: str = "general"
    lead: tuple[Cited, ...] = ()
    items: tuple[Cited, ...] = ()
    see_also: tuple[Cited, ...] = ()
    sources: tuple[Source, ...] = ()
    highlight: tuple[str, ...] = ()
    passages: tuple[ScoredPassage, ...] = field(default=(), compare=False)
    missing: str = ""  # refused: the name the knowledge base never mentions
    # A figure or date question whose answer holds none ("number", "date"; "" otherwise):
    # the reader is told so rather than left to take another figure for it.
    unstated: str = ""
    # A yes/no question's verdict from the lead ("yes", "no"; "" otherwise: not asked, or
    # not stated, which `unstated` "yesno" says) and the verb a Chinese reply uses ("能").
    verdict: str = ""
    verb: str = ""

    @property
    def sentences(self) -> tuple[str, ...]:
        """The lead and the list items, as plain strings (inline previews, tests)."""
        return tuple(c.text for c in (*self.lead, *self.items))
