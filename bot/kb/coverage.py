"""The no-answer decision: how much of a question the best passage covers.

Over the snapshot's index (each passage's line windows kept in its memo): a question is
answered only when the best passage carries enough of its content words (idf-weighted).
What counts as content, and how much is enough, depends on whether the question is about
the knowledge base's domain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.kb.bm25 import BM25Index
from bot.kb.focus import is_question_word
from bot.kb.memo import Memo
from bot.kb.model import Passage
from bot.kb.results import RetrievalConfig
from bot.kb.tokenizer import QueryTerm, Tokenizer
from bot.kb.vocab import normalize_text

IDF_FLOOR = 0.05
# A lone Chinese character ("说", "做", "梦") is nearly always a function word or weak
# evidence of a topic: it counts this much, in ranking and in coverage.
SINGLE_CHAR_WEIGHT = 0.3
SINGLE_CJK = re.compile(r"[\u3400-\u9fff]")
# Intents whose cue words frame any question; the others' ("薪资", "课程") name topics.
_FRAME_INTENTS = ("definition", "reason", "how", "comparison", "yesno")


@dataclass(frozen=True)
class Covered:
    """How much of a question a passage covers."""

    share: float  # idf-weighted share of the question's content words
    has_content: bool  # the question has content words at all
    in_domain: bool  # it names a word of the knowledge base's domain


class Coverage:
    """Judges coverage for one snapshot's index (build one per snapshot)."""

    def __init__(
        self, index: BM25Index, tokenizer: Tokenizer, config: RetrievalConfig, memo: Memo | None = None
    ) -> None:
        self.index = index
        self._memo = memo or Memo()  # the snapshot's: each passage's windows are kept with it
        self.tokenizer = tokenizer
        self.config = config
        self.max_idf = float(index.idf_values.max()) if len(index.idf_values) else 1.0
        self.domain_terms = {term.replace(" ", "_") for term in tokenizer.vocab.terms}
        # Words that frame a question ("原因", "方法", "区别") rather than name its topic.
        self._frame_words = {
            normalize_text(cue)
            for intent in _FRAME_INTENTS
            for cue in tokenizer.vocab.intents.get(intent, ())
        }

    def is_ubiquitous(self, token: str) -> bool:
        index = self.index
        return index.size > 0 and index.df(token) / index.size > self.config.ubiquitous_df

    def is_domain_term(self, token: str) -> bool:
        """In the admins' domain dictionary, or a word in most passages ("AIGC"). Not a
        lone character: "年" is in most passages of an encyclopedia (dates), and names
        no domain; it would exempt every question with a year from the learned gate."""
        if token in self.domain_terms:
            return True
        return not SINGLE_CJK.fullmatch(token) and self.is_ubiquitous(token)

    def of(self, terms: Sequence[QueryTerm], passage: Passage) -> Covered:
        """idf-weighted share of the question's content words that the passage answers.

        Words are grouped by the question word they came from (sub-words, glossary,
        synonym and spelling expansions count for it). A question naming a domain word
        (the admins' dictionary, or a word in most passages such as "AIGC") is in-domain:
        ubiquitous words are left out and words the knowledge base never uses are ignored.
        Outside the domain, unknown words weigh as much as the rarest known word, and the
        words must meet in one line of the passage (with its headings), not be scattered
        over a list of course titles.
        """
        groups: dict[str, list[QueryTerm]] = {}
        for term in terms:
            groups.setdefault(term.group, []).append(term)
        in_domain = any(
            self.is_domain_term(t.token)
            for t in terms
            if t.origin in ("question", "subword", "fuzzy", "context")
        )
        weighted, unknown_groups = self._weighted(groups, self._content_groups(groups, in_domain), in_domain)
        total = sum(weight for weight, _ in weighted)
        if total == 0:
            return Covered(0.0, True, in_domain) if unknown_groups else Covered(1.0, False, in_domain)

        def share(present: set[str]) -> float:
            return sum(weight for weight, known in weighted if known & present) / total

        if in_domain:
            return Covered(share(set(passage.tokens)), True, True)
        return Covered(max(share(window) for window in self._windows(passage)), True, False)

    def _content_groups(self, groups: dict[str, list[QueryTerm]], in_domain: bool) -> list[str]:
        """The question words that name its content: not ubiquitous, not only carried
        from the previous turn, not question words."""
        content = [
            g
            for g, members in groups.items()
            if not self.is_ubiquitous(g)
            and not all(t.origin == "context" for t in members)
            and not is_question_word(g)
        ]
        # Outside the domain the topic must be covered: "做梦是什么原因" is not answered
        # by a passage about reasons. (A question of frame words only keeps them.)
        if not in_domain and any(g not in self._frame_words for g in content):
            content = [g for g in content if g not in self._frame_words]
        return content

    def _weighted(
        self, groups: dict[str, list[QueryTerm]], content: list[str], in_domain: bool
    ) -> tuple[list[tuple[float, set[str]]], int]:
        """Each content word's weight and the index words that answer it; and, in the
        domain, how many content words the knowledge base never uses."""
        index = self.index
        weighted: list[tuple[float, set[str]]] = []
        unknown_groups = 0
        for group in content:
            members = groups[group]
            known = {t.token for t in members if index.df(t.token)}
            if not known and in_domain:
                # A question that names only "AIGC" plus words the knowledge base never
                # uses ("AIGC能治感冒吗") is not answered by a stock AIGC passage.
                unknown_groups += any(
                    t.origin == "question" and len(t.token) > 1 and not t.token.isascii() for t in members
                )
                continue
            # A lone character ("梦") is weak evidence of the topic, as in ranking.
            weight = max(
                (index.idf(t) * (SINGLE_CHAR_WEIGHT if SINGLE_CJK.fullmatch(t) else 1.0) for t in known),
                default=max(self.max_idf, 1.0),
            )
            # Tiny knowledge bases have near-zero or negative idfs: every word still counts.
            weighted.append((max(weight, IDF_FLOOR), known))
        return weighted, unknown_groups

    def _windows(self, passage: Passage) -> list[set[str]]:
        """Token sets of each line of a passage, each with the passage's headings."""

        def make() -> list[set[str]]:
            groups = passage.token_groups()  # title, heading path, then one per block
            if len(groups) > 2:
                # The index's own tokens, line by line: cutting the text again per
                # question was a third of a question's time on an encyclopedia.
                head = set(groups[1])
                lines, named = passage.text.split("\n"), set(passage.headings)
                if len(lines) == len(groups) - 2:  # a heading line that names the passage
                    head.update(
                        t
                        for line, group in zip(lines, groups[2:], strict=True)
                        if line in named
                        for t in group
                    )
                return [head | set(group) for group in groups[2:]]
            heading = set(self.tokenizer.tokens(" ".join(passage.headings)))
            lines = [line for line in passage.text.split("\n") if line.strip()] or [""]
            return [heading | set(self.tokenizer.tokens(line)) for line in lines]

        return self._memo.get("windows", passage.id, make)
