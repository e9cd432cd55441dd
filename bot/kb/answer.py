"""Answer composition: one coherent lead, whole lists, one line per other source.

No I/O: it reads a `SearchResult` (which carries the analysed question) and the snapshot
the result came from, and returns an `Answer` that the console and Telegram render the
same way. How it reads an answer:

1. Every sentence of the top passages is a candidate; `kb/ranker.py` gives each the
   probability that it holds the answer, from general features and learned weights.
2. The best sentence leads. One that leans on the sentence before ("它…", "例如…")
   brings that sentence along, and an opening connective with nothing before it is
   dropped; a long one is shown whole; one that lacks its subject gets it back from a
   numbered heading ("Stable Diffusion：与Midjourney相比…"). Further sentences of the same article
   follow while their probability is close enough to the best one's (a learned share),
   up to LEAD_CHARS.
3. A list question gets the whole list of the section it hits, read from the article's
   outline across passage boundaries: sibling subsections, bullets or "label：" lines.
4. A yes/no question's lead is judged yes, no or not stated (`kb/polarity.py`), and the
   reply opens with it. A comparison whose lead speaks of one side only gets the best
   sentence of each side.
5. Another article adds a "see also" sentence only when its best sentence scores close
   to the lead's; near-identical sentences are said once. Each sentence and bullet cites
   its source by number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.kb.answer_type import asked_type, carries
from bot.kb.cleaning import split_sentences
from bot.kb.lists import ENUMERATION, ListChoice, choose_list, list_entries
from bot.kb.model import Snapshot
from bot.kb.outline import Outline, passage_lines
from bot.kb.polarity import polarity
from bot.kb.ranker import DANGLING, SentenceModel, rank, shipped_model
from bot.kb.results import Answer, Cited, SearchResult, Source
from bot.kb.sentences import (
    LABEL,
    NEAR_DUPLICATE,
    NUMBERING,
    Matcher,
    Sentence,
    shingles_of,
    with_subject,
    without_connective,
)
from bot.kb.similarity import jaccard
from bot.kb.vocab import normalize_text
from bot.plaintext import clip

# A word opening with a numeral ("四个", "一级") counts or ranks; it names no thing the
# articles could lack.
_NUMERAL = re.compile(r"[零一二三四五六七八九十百千万两几]")
LEAD_CHARS = 260  # the lead grows with further good sentences up to this
SEE_ALSO_CHARS = 90
MAX_ITEMS = 12
LIST_PASSAGES = 10  # a list question looks for its list in the articles of this many matches


def compose_answer(result: SearchResult, snapshot: Snapshot, model: SentenceModel | None = None) -> Answer:
    """The answer to a search result, read from the passages of `snapshot`."""
    if not result.answered or not result.passages:
        return Answer(result.question, False, result.analysis.intent.intent, missing=result.missing)
    return _Composer(result, snapshot, model or shipped_model()).compose()


class _Composer:
    def __init__(self, result: SearchResult, snapshot: Snapshot, model: SentenceModel) -> None:
        self.result = result
        self.snapshot = snapshot
        self.model = model
        self.intent = result.analysis.intent.intent
        self.match = Matcher(result.analysis)
        self._outlines: dict[str, Outline] = {}
        self.sources: list[str] = []  # article paths, in citation order

    def outline(self, article: str) -> Outline:
        if article not in self._outlines:
            self._outlines[article] = Outline.of(self.snapshot, article)
        return self._outlines[article]

    def cite(self, article: str) -> int:
        if article not in self.sources:
            self.sources.append(article)
        return self.sources.index(article) + 1

    def heading_of(self, article: str, line_ord: int) -> str:
        outline = self.outline(article)
        i = outline.index(line_ord)
        h = outline.section_of(i) if i is not None else None
        return outline.lines[h].text if h is not None else ""

    def sentences(self) -> list[Sentence]:
        """Every candidate sentence with its probability of holding the answer, best first."""
        return [
            Sentence(c.text, p, c.rank, c.article, c.line_ord, c.position)
            for c, p in rank(self.result, self.snapshot, self.model)
        ]

    # -- the answer -------------------------------------------------------------------

    def compose(self) -> Answer:
        candidates = self.sentences()
        best = candidates[0] if candidates else None
        if best is not None and best.score > 0:
            lead, items = self._body(best, candidates)
        else:  # no sentence carries a question word: the best passage's opening
            lead, items = self._opening(), []
        if items:  # a sentence the list says again is said once, in the list
            in_list = [shingles_of(c.text) for c in items]
            lead = lead[:1] + [
                c
                for c in lead[1:]
                if not any(jaccard(shingles_of(c.text), o) >= NEAR_DUPLICATE for o in in_list)
            ]
        said = [shingles_of(c.text) for c in (*lead, *items)]
        see_also = self.see_also(candidates, best, said)
        shown = [c.text for c in (*lead, *items)]
        verdict = polarity(self.result.question, [c.text for c in lead], self.match)
        judged = verdict.verdict if verdict is not None and verdict.verdict != "unclear" else ""
        return Answer(
            unstated="yesno"
            if verdict is not None and not judged
            else unstated(self.result.question, shown, self._asked_of_the_unknown, self._names_the_question),
            verdict=judged,
            verb=verdict.verb if verdict is not None else "",
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

    def _asked_of_the_unknown(self) -> bool:
        """Whether the question has a word that the answer's passages do not say in any
        form (not even with a character between) and that no sub-word, synonym or
        translation of it stands for in the index: "会员" of "文心一格的会员多少钱一个月"."""
        analysis, index = self.result.analysis, self.snapshot.index
        if not analysis.unknown:
            return False
        members: dict[str, list[str]] = {}
        for term in analysis.terms:
            members.setdefault(term.group, []).append(term.token)
        said: set[str] = set()
        for scored in self.result.passages:
            said |= self.match.found(normalize_text(scored.passage.text))
        return any(
            token not in said
            and not _NUMERAL.match(token)
            and not any(index.df(t) for t in members.get(token, [token]))
            for token in analysis.unknown
        )

    def _names_the_question(self, normal: str) -> bool:
        """Whether a (normalised) sentence names a word of the question, numeral words
        ("一个月") and words in most passages aside."""
        named = self.match.found(normal) - self.match.ubiquitous
        return any(not _NUMERAL.match(t) for t in named)

    def _body(self, best: Sentence, candidates: Sequence[Sentence]) -> tuple[list[Cited], list[Cited]]:
        """The lead and, for a list question or a lead that introduces one, the list."""
        # "在教育领域有哪些应用": a question naming one member of a list gets that member.
        member = self.intent == "list" and self._names_member(best)
        listed = self.whole_list(best, candidates) if self.intent == "list" and not member else None
        # A sentence that enumerates ("北京、上海、深圳、杭州") answers a list question
        # itself, unless a list whose heading names the question's words is near.
        if listed is not None and (listed[2] or not ENUMERATION.search(best.text)):
            return listed[0], listed[1]
        lead = self.lead(best, candidates)
        if self.intent == "comparison":
            both = self._both_sides(lead, candidates)
            if both is not None:
                return both, []
        if lead and lead[-1].text.endswith(("：", ":")):
            # "主要包括以下几个方面：" introduces a list: show the whole list.
            return lead, self.list_after(best)
        return lead, []

    def _both_sides(self, lead: Sequence[Cited], candidates: Sequence[Sentence]) -> list[Cited] | None:
        """A comparison ("文心一言和文心一格有什么区别") whose lead speaks of one side only,
        answered on both: the best sentence naming each side and not the other, in the
        question's order. None when the lead names both sides already, the question does
        not name two, or a side has no sentence of its own."""
        sides = comparison_sides(self.result.question, self.match)
        if sides is None:
            return None
        said = self.match.found(normalize_text("".join(c.text for c in lead)))
        if said & sides[0] and said & sides[1]:
            return None
        # What each sentence names; one under a heading naming a side speaks of it
        # ("3、Stable Diffusion").
        named = [
            self.match.found(normalize_text(f"{self.heading_of(c.article, c.line_ord)}\n{c.text}"))
            for c in candidates
        ]
        chosen: list[Sentence] = []
        for mine, other in (sides, sides[::-1]):
            own = [
                c for c, found in zip(candidates, named, strict=True) if found & mine and not found & other
            ]
            if not own:
                return None
            chosen.append(max(own, key=lambda c: c.score))
        return [cited for side in chosen for cited in self.lead(side)]

    def _opening(self) -> list[Cited]:
        """The best passage's first sentence."""
        top = self.result.passages[0]
        first = next((ln for ln in passage_lines(top.passage, top.doc) if ln.kind != "heading"), None)
        if first is None:
            return []
        return [Cited(split_sentences(first.text)[0], self.cite(top.passage.article_path))]

    def _source(self, article: str) -> Source:
        """The article's title and link. A list or a lead may come from an article none
        of the retrieved passages belongs to (its outline, a neighbour's sentence): its
        title and link are then the snapshot's, never the file name."""
        for scored in self.result.passages:
            if scored.passage.article_path == article:
                return Source(scored.passage.title, scored.passage.url)
        info = next((a for a in self.snapshot.articles if a.path == article), None)
        return Source(info.title, info.url) if info is not None else Source(article, None)

    def lead(self, best: Sentence, candidates: Sequence[Sentence] = ()) -> list[Cited]:
        """The best sentence (with the one it leans on), then further sentences of its
        article whose probability is close to the best one's, best first."""
        outline = self.outline(best.article)
        i = outline.index(best.line_ord)
        assert i is not None
        line = outline.lines[i]
        parts = split_sentences(line.text)
        position = min(best.position, len(parts) - 1)
        start = position
        if position > 0 and DANGLING.match(normalize_text(parts[position])):
            start = position - 1  # "它…" needs the sentence that names "it"
        chosen = parts[start : position + 1]
        said = [shingles_of(text) for text in chosen]
        # What opens the lead has nothing shown before it: "例如，…" loses its "例如".
        chosen[0] = without_connective(chosen[0])
        # A long sentence is shown whole: the answer often stands before the question's
        # own words ("由于…，因此64DD从上市就充满著困难"), so opening where they begin
        # cut it away (measured on 4,526 reading-comprehension questions without the cut:
        # lead@300 +0.7 points, lead@100 level over both sets though CMRC alone loses 0.8;
        # the development sets unchanged).
        introduction = self._introduction_after(outline, i, parts, position)
        if introduction:
            # "…取决于技能、兴趣和规划。以下将结合这几点分析：": the list it introduces
            # is the answer's body (shown as a list), not more sentences.
            chosen.append(introduction)
            candidates = ()
        for other in candidates:
            if other.article != best.article or other.score < self.model.follow_share * best.score:
                continue
            size = sum(map(len, chosen))
            if size + len(other.text) > LEAD_CHARS:
                break
            shingles = shingles_of(other.text)
            if any(jaccard(shingles, s) >= NEAR_DUPLICATE for s in said):
                continue  # the best sentence itself, or one saying the same
            if other.text.endswith(("？", "?", "：", ":")) or LABEL.match(other.text):
                # A rhetorical question answers nothing; an introduction ("…以下几个方面：")
                # says nothing without its list; a "label：" line is an item of one.
                continue
            said.append(shingles)
            chosen.append(other.text)
        source = self.cite(best.article)
        if self._first_in_section(best.article, best.line_ord):
            # Only when nothing before it in the section names the subject already.
            heading = self.heading_of(best.article, best.line_ord)
            chosen[0] = with_subject(chosen[0], heading, line.kind == "item", "".join(parts[:start]))
        return [Cited(s, source) for s in chosen]

    def _names_member(self, best: Sentence) -> bool:
        """Whether the best sentence is a "label：text" item whose label names a question
        word that is not in nearly every passage."""
        label = LABEL.match(best.text)
        if label is None:
            return False
        found = self.match.found(normalize_text(label.group(1)))
        return self.match.topical(found - self.match.ubiquitous)

    def _introduction_after(self, outline: Outline, i: int, parts: Sequence[str], position: int) -> str:
        """The sentence right after the best one when it introduces a list ("…：")."""
        if position + 1 < len(parts):
            following = parts[position + 1]
        elif i + 1 < len(outline.lines) and outline.lines[i + 1].kind == "text":
            following = split_sentences(outline.lines[i + 1].text)[0]
        else:
            return ""
        return following if following.endswith(("：", ":")) and not LABEL.match(following) else ""

    def _first_in_section(self, article: str, line_ord: int) -> bool:
        outline = self.outline(article)
        i = outline.index(line_ord)
        if i is None:
            return False
        h = outline.section_of(i)
        own = outline.own(h)
        return bool(own) and own[0] == i

    # -- lists ------------------------------------------------------------------------

    def whole_list(
        self, best: Sentence, candidates: Sequence[Sentence] = ()
    ) -> tuple[list[Cited], list[Cited], bool] | None:
        """The complete list of the section the question hits, or None if it hits none;
        the flag says whether the list's own heading names a question word."""
        choice = self._list_choice(best, candidates)
        if choice is None:
            return None
        article, h, entries = choice.article, choice.section, choice.entries
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
            intro = choice.intro
            lead = [Cited(split_sentences(intro)[-1] if intro else f"{name}：", source)]
        items = [Cited(e, source) for e in entries[:MAX_ITEMS]]
        if len(entries) > MAX_ITEMS:
            items.append(Cited("…", source))
        return lead, items, choice.named

    def _list_choice(self, best: Sentence, candidates: Sequence[Sentence]) -> ListChoice | None:
        """The list that answers: among every list of the answer's articles and of the
        nearest passages', ties going to the list around the best-ranked sentences."""
        # Every list of the answer's articles is a candidate: a list straddles passages,
        # and its heading ("常见的AIGC应用") may be far from the sentences that matched.
        nearby = [self.snapshot.passages[d].article_path for d in self.result.nearest[:LIST_PASSAGES]]
        articles = dict.fromkeys(
            [best.article, *(p.passage.article_path for p in self.result.passages), *nearby]
        )
        # Course outlines are lists too, but answer only questions about learning.
        course = None if self.result.analysis.intent.learning else self.snapshot.course
        shown = {
            a: [line.ord for line in self.outline(a).lines if course is None or not course[line.passage]]
            for a in articles
        }
        support: dict[tuple[str, int], float] = {}
        for c in candidates:  # the best probability of a sentence on each line
            support[(c.article, c.line_ord)] = max(support.get((c.article, c.line_ord), 0.0), c.score)
        return choose_list(self.match, {a: self.outline(a) for a in articles}, shown, support)

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
            share = self.model.see_also_share
            mine = [s for s in candidates if s.article == article and s.score >= share * best.score]
            for sentence in sorted(mine, key=lambda s: -s.score):
                shingles = shingles_of(sentence.text)
                if any(jaccard(shingles, other) >= NEAR_DUPLICATE for other in said):
                    continue  # the same boilerplate sentence from another article
                said.append(shingles)
                out.append(Cited(clip(sentence.text, SEE_ALSO_CHARS), self.cite(article)))
                break
        return out


def unstated(
    question: str,
    shown: Sequence[str],
    asked_of_the_unknown: Callable[[], bool] = lambda: False,
    names_the_question: Callable[[str], bool] = lambda normal: True,
) -> str:
    """ "number" or "date" when the question asks for one and the knowledge base does not
    say it, else "". Not said: none of the shown sentences holds one; or the question
    asks it of something the articles never mention (`asked_of_the_unknown`) and no
    shown figure is said with another of the question's words (`names_the_question`, on
    the normalised sentence): "文心一格的会员多少钱一个月" over another thing's figure. A
    figure said next to the question's words is about what was asked ("每小时可达70-80公里")."""
    plain = normalize_text(question)
    kind = asked_type(plain)
    if kind not in ("number", "date"):
        return ""
    figures = [normal for normal in map(normalize_text, shown) if carries(kind, normal, plain)]
    if not figures:
        return kind
    if not any(names_the_question(normal) for normal in figures) and asked_of_the_unknown():
        return kind
    return ""


# "A和B有什么区别", "A与B相比", "A vs B", "A还是B好": the two things compared.
_SIDES = re.compile(r"^(.+?)(?:和|与|跟|同|还是|对比|相比于|比起|\bvs\.?|\bversus\b|\band\b|\bor\b)(.+)$")


def comparison_sides(question: str, match: Matcher) -> tuple[set[str], set[str]] | None:
    """The question words on each side of a comparison's "和/与/vs" that the other side
    lacks, or None when a side has none."""
    found = _SIDES.match(normalize_text(question))
    if found is None:
        return None
    # Words, not groups: "文心" (a piece of 文心一言) is on both sides of "文心一言和文心一格".
    left, right = (match.found(part) - match.ubiquitous for part in found.groups())
    left, right = left - right, right - left
    return (left, right) if left and right else None
