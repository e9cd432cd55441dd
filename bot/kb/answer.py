"""Answer composition: one coherent lead, whole lists, one line per other source.

Pure: it reads a `SearchResult` (which carries the analysed question) and the snapshot
the result came from, and returns an `Answer` that the console and Telegram render the
same way. How it reads an answer:

1. Every sentence of the top passages is scored by the question words it carries
   (idf-weighted, words in most passages such as "AIGC" count little; its section's
   heading counts half), by how well it fits the question's intent (a defining
   sentence, a sentence with a figure, a reason...), and by its passage's rank.
2. The best sentence's section gives the lead: that sentence with its neighbours, in
   their original order. A sentence that lacks its subject gets it back from the
   heading ("Stable Diffusion：与Midjourney相比…").
3. A list question gets the whole list of the section it hits, read from the article's
   outline across passage boundaries: sibling subsections, bullets or "label：" lines.
4. Every other article adds at most one short "see also" sentence; near-identical
   sentences are said once. Each sentence and bullet cites its source by number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.kb.cleaning import SENTENCE_END, split_sentences
from bot.kb.lists import ENUMERATION, choose_list, clip, list_entries
from bot.kb.model import Snapshot
from bot.kb.outline import Outline, passage_lines, pieces
from bot.kb.results import Answer, Cited, SearchResult, Source
from bot.kb.sentences import (
    LABEL,
    NEAR_DUPLICATE,
    NUMBERING,
    Matcher,
    Sentence,
    intent_factor,
    shingles_of,
    with_subject,
)
from bot.kb.similarity import jaccard
from bot.kb.stock import demote_stock_phrasing
from bot.kb.vocab import normalize_text

MIN_SENTENCE_CHARS = 6
LEAD_CHARS = 160  # the lead grows with neighbouring sentences up to this...
LEAD_MAX_CHARS = 260  # ...or this, for neighbours that answer as well
SEE_ALSO_CHARS = 90
SEE_ALSO_SHARE = 0.3  # a see-also sentence must score this share of the lead's
LIST_SHARE = 0.25  # a list question gets a list that scores this share of the best sentence
MAX_ITEMS = 12
HEADING_SHARE = 0.5  # question words in the sentence's section heading count this much
RANK_DECAY = 0.2


# A sentence that leans on the one before: "它…", "这…", "特别是…", "因此…".
_PRONOUN_START = re.compile(
    r"^(?:它|这|该|其(?!次|中)|此(?!外)|特别是|尤其是|而且|并且|因此|所以|但是|然而|(?:these|this|it|they)\b)"
)
# Sentences that continue the one before: examples, specifics, "it …".
_ELABORATION = re.compile(
    r"^(?:例如|比如|譬如|具体|也就是|即|换句话说|通俗|这|它|其(?!次)|for example|e\.g\.|that is)"
)


def compose_answer(result: SearchResult, snapshot: Snapshot) -> Answer:
    """The answer to a search result, read from the passages of `snapshot`."""
    if not result.answered or not result.passages:
        return Answer(result.question, False, result.analysis.intent.intent)
    return _Composer(result, snapshot).compose()


class _Composer:
    def __init__(self, result: SearchResult, snapshot: Snapshot) -> None:
        self.result = result
        self.snapshot = snapshot
        self.intent = result.analysis.intent.intent
        self.match = Matcher(result.analysis)
        self._outlines: dict[str, Outline] = {}
        self._in_heading: dict[str, set[str]] = {}
        self.sources: list[str] = []  # article paths, in citation order
        # A sentence inherits some of its passage's standing: the passage ranked first
        # also matched headings and context that single sentences do not show.
        top = max((p.score for p in result.passages), default=0.0)
        self.passage_factor = [
            (max(p.score, 0.0) / top) ** 0.5 if top > 0 else 1 / (1 + RANK_DECAY * rank)
            for rank, p in enumerate(result.passages)
        ]

    def outline(self, article: str) -> Outline:
        if article not in self._outlines:
            self._outlines[article] = Outline.of(self.snapshot, article)
        return self._outlines[article]

    def cite(self, article: str) -> int:
        if article not in self.sources:
            self.sources.append(article)
        return self.sources.index(article) + 1

    # -- scoring ----------------------------------------------------------------------

    def heading_of(self, article: str, line_ord: int) -> str:
        outline = self.outline(article)
        i = outline.index(line_ord)
        h = outline.section_of(i) if i is not None else None
        return outline.lines[h].text if h is not None else ""

    def score(self, text: str, heading: str, rank: int) -> float:
        normal = normalize_text(text)
        found = self.match.found(normal)
        value = self.match.value(found)
        in_heading = self._in_heading.get(heading)
        if in_heading is None:  # sentences share a few headings: each is read once
            in_heading = self._in_heading[heading] = self.match.found(normalize_text(heading))
        value += HEADING_SHARE * self.match.value(in_heading, exclude=self.match.groups(found))
        if value <= 0:
            return 0.0
        # Many of the question's words beat one rare word ("程度" in "个性化程度").
        value *= 0.4 + 0.6 * self.match.share(found | in_heading)
        value *= intent_factor(self.intent, normal, found)
        if text[-1] not in SENTENCE_END + "。.：:":
            value *= 0.5  # a bare label or a line cut short ("…：" introduces a list)
        if text[-1] in "？?":
            value *= 0.3  # a rhetorical question answers nothing
        if any(normal.startswith(t) for t in found if t not in self.match.ubiquitous):
            value *= 1.3  # "文心一言是…" answers "文心一言是什么"
        return value * self.passage_factor[rank]

    def sentences(self) -> list[Sentence]:
        out: list[Sentence] = []
        for rank, scored in enumerate(self.result.passages):
            article = scored.passage.article_path
            out += [
                Sentence(p.text, self.score(p.text, p.heading, rank), rank, article, p.line_ord, p.position)
                for p in pieces(self.snapshot, scored.doc)
                if len(p.text) >= MIN_SENTENCE_CHARS
            ]
        return out

    # -- the answer -------------------------------------------------------------------

    def compose(self) -> Answer:
        candidates = self.sentences()
        demote_stock_phrasing(self.snapshot, self.result.passages, candidates)
        best = max(candidates, key=lambda s: (s.score, -s.rank), default=None)
        lead: list[Cited] = []
        items: list[Cited] = []
        said: list[frozenset[str]] = []
        if best is not None and best.score > 0:
            listed = self.whole_list(best) if self.intent == "list" else None
            # A sentence that enumerates ("北京、上海、深圳、杭州") answers a list question
            # itself, unless a list whose heading names the question's words is near.
            if listed is not None and (listed[2] or not ENUMERATION.search(best.text)):
                lead, items = listed[0], listed[1]
            else:
                lead = self.lead(best)
                if lead and lead[-1].text.endswith(("：", ":")):
                    # "主要包括以下几个方面：" introduces a list: show the whole list.
                    items = self.list_after(best)
        else:  # no sentence carries a question word: the best passage's opening
            top = self.result.passages[0]
            first = next((ln for ln in passage_lines(top.passage, top.doc) if ln.kind != "heading"), None)
            if first is not None:
                lead = [Cited(split_sentences(first.text)[0], self.cite(top.passage.article_path))]
        said = [shingles_of(c.text) for c in (*lead, *items)]
        see_also = self.see_also(candidates, best, said)
        return Answer(
            question=self.result.question,
            answered=True,
            intent=self.intent,
            lead=tuple(lead),
            items=tuple(items),
            see_also=tuple(see_also),
            sources=tuple(self._source(a) for a in self.sources),
            highlight=tuple(t for t in self.match.weights if t not in self.match.ubiquitous),
            passages=self.result.passages,
        )

    def _source(self, article: str) -> Source:
        for scored in self.result.passages:
            if scored.passage.article_path == article:
                return Source(scored.passage.title, scored.passage.url)
        return Source(article, None)

    def lead(self, best: Sentence) -> list[Cited]:
        """The best sentence with its neighbours from the same paragraph, in order."""
        outline = self.outline(best.article)
        i = outline.index(best.line_ord)
        assert i is not None
        line = outline.lines[i]
        parts = [s for s in split_sentences(line.text)]
        position = min(best.position, len(parts) - 1)
        start = position
        heading = self.heading_of(best.article, best.line_ord)
        if position > 0 and (
            _PRONOUN_START.match(normalize_text(parts[position]))
            or self.score(parts[position - 1], heading, best.rank) >= 0.4 * best.score
        ):
            start = position - 1  # "它…" needs the sentence that names "it"; so does a close runner-up
        chosen = parts[start : position + 1]
        following = parts[position + 1 :]
        # Continue into the section's next paragraph when the paragraph ends early.
        j = i + 1
        while len(following) < 3 and j < len(outline.lines) and outline.lines[j].kind == "text":
            if outline.section_of(j) != outline.section_of(i):
                break
            following += split_sentences(outline.lines[j].text)
            j += 1
        for sentence in following:
            introduces = chosen[-1].endswith(("：", ":"))
            if introduces and LABEL.match(sentence):
                break  # the list it introduces is shown as a list
            size = sum(map(len, chosen))
            value = self.score(sentence, heading, best.rank)
            useful = value >= 0.5 * best.score
            elaborates = introduces or _ELABORATION.match(normalize_text(sentence)) is not None
            if not (useful or elaborates or value >= 0.25 * best.score):
                break
            if size + len(sentence) > (LEAD_MAX_CHARS if useful else LEAD_CHARS) or sentence.endswith(
                ("？", "?")
            ):
                break
            chosen.append(sentence)
        source = self.cite(best.article)
        if self._first_in_section(best.article, best.line_ord):
            # Only when nothing before it in the section names the subject already.
            chosen[0] = with_subject(chosen[0], heading, line.kind == "item", "".join(parts[:start]))
        return [Cited(s, source) for s in chosen]

    def _first_in_section(self, article: str, line_ord: int) -> bool:
        outline = self.outline(article)
        i = outline.index(line_ord)
        if i is None:
            return False
        h = outline.section_of(i)
        own = outline.own(h)
        return bool(own) and own[0] == i

    # -- lists ------------------------------------------------------------------------

    def whole_list(self, best: Sentence) -> tuple[list[Cited], list[Cited], bool] | None:
        """The complete list of the section the question hits, or None if it hits none;
        the flag says whether the list's own heading names a question word."""
        articles = dict.fromkeys([best.article, *(p.passage.article_path for p in self.result.passages[:2])])
        shown: dict[str, list[int]] = {a: [] for a in articles}
        for scored in self.result.passages:
            if scored.passage.article_path in shown:
                shown[scored.passage.article_path] += [
                    ln.ord for ln in passage_lines(scored.passage, scored.doc)
                ]
        choice = choose_list(self.match, {a: self.outline(a) for a in articles}, shown)
        if choice is None or choice.score < LIST_SHARE * best.score:
            return None  # the best sentence answers better than any list near it
        article, h, entries, named = choice.article, choice.section, choice.entries, choice.named
        intro = choice.intro
        outline = self.outline(article)
        best_i = outline.index(best.line_ord) if article == best.article else None
        intro_lines = [
            j
            for j in outline.own(h)
            if outline.lines[j].kind == "text" and not LABEL.match(outline.lines[j].text)
        ]
        if best_i is not None and best_i in intro_lines:
            lead = self.lead(best)  # the best sentence introduces the list: keep it
            source = self.cite(article)
        else:
            source = self.cite(article)
            heading = outline.lines[h].text if h is not None else ""
            name = NUMBERING.sub("", heading).strip(" ：:") or self._source(article).title
            # The list's own introduction when it has one, else its heading as a title.
            lead = [Cited(split_sentences(intro)[-1] if intro else f"{name}：", source)]
        items = [Cited(e, source) for e in entries[:MAX_ITEMS]]
        if len(entries) > MAX_ITEMS:
            items.append(Cited("…", source))
        return lead, items, named

    def list_after(self, best: Sentence) -> list[Cited]:
        """The list that the lead's closing "…：" introduces, from its section."""
        outline = self.outline(best.article)
        i = outline.index(best.line_ord)
        h = outline.section_of(i) if i is not None else None
        # A subsection whose heading names the question ("兴趣契合" for "从兴趣上看…")
        # is the list meant; otherwise the section's own list.
        section = [outline.lines[j].ord for j in outline.span(h)]
        choice = choose_list(self.match, {best.article: outline}, {best.article: section})
        entries = choice.entries if choice is not None and choice.section != h else list_entries(outline, h)
        source = self.cite(best.article)
        return [Cited(e, source) for e in entries[:MAX_ITEMS]]

    # -- see also ---------------------------------------------------------------------

    def see_also(
        self, candidates: Sequence[Sentence], best: Sentence | None, said: list[frozenset[str]]
    ) -> list[Cited]:
        if best is None or best.score <= 0:
            return []
        out: list[Cited] = []
        lead_articles = set(self.sources)
        for scored in self.result.passages:
            article = scored.passage.article_path
            if article in lead_articles or any(self.sources[c.source - 1] == article for c in out):
                continue
            mine = [s for s in candidates if s.article == article and s.score >= SEE_ALSO_SHARE * best.score]
            for sentence in sorted(mine, key=lambda s: -s.score):
                shingles = shingles_of(sentence.text)
                if any(jaccard(shingles, other) >= NEAR_DUPLICATE for other in said):
                    continue  # the same boilerplate sentence from another article
                said.append(shingles)
                out.append(Cited(clip(sentence.text, SEE_ALSO_CHARS), self.cite(article)))
                break
        return out
