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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.kb.cleaning import SENTENCE_END, split_sentences
from bot.kb.model import Snapshot
from bot.kb.outline import Line, Outline, passage_lines
from bot.kb.retrieval import Analysis, ScoredPassage, SearchResult
from bot.kb.vocab import normalize_text

MIN_SENTENCE_CHARS = 6
LEAD_CHARS = 160  # the lead grows with neighbouring sentences up to this...
LEAD_MAX_CHARS = 260  # ...or this, for neighbours that answer as well
SEE_ALSO_CHARS = 90
SEE_ALSO_SHARE = 0.3  # a see-also sentence must score this share of the lead's
ITEM_SENTENCE_CHARS = 70  # a list item shows its first sentence when it is this short
LIST_SHARE = 0.25  # a list question gets a list that scores this share of the best sentence
MAX_ITEMS = 12
NEAR_DUPLICATE = 0.6
HEADING_SHARE = 0.5  # question words in the sentence's section heading count this much
RANK_DECAY = 0.2

_NUMBERING = re.compile(
    r"^\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3}|[a-z])\s*[.、:：)）]\s*|^\s*0\d\s+|^\S{1,4}\d{1,2}\s*[:：]\s*",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^([^：:。，,！？!?；;]{2,16})[：:]\s*(.+)$")
_LATIN_NAME = re.compile(r"[A-Za-z]{2,}")
_PRONOUN_START = re.compile(r"^(?:它|这|该|其(?!次|中)|此(?!外)|(?:these|this|it|they)\b)")
# What may stand between a name and its definition: "AIGC（…），是指", "AIGC，全称", "AIGC 就是".
_DEFINE_GAP = r"^[\s，,：:—\-]*(?:[（(][^）)]{0,60}[）)])?[\s，,：:—\-]*(?:就|也|则|又)?"
_STRONG_DEFINE = re.compile(
    _DEFINE_GAP
    + r"(?:是指|指的是|是一种|是一个|是一款|是一项|是一类|是由|即|全称|(?:就是)?泛指|称为|简称"
    + r"|refers to|means|is an?\b)"
)
_WEAK_DEFINE = re.compile(_DEFINE_GAP + r"是")
# "北京、上海、深圳、杭州": a sentence that enumerates three or more things answers a list.
_ENUMERATION = re.compile(r"[^、，,。]{1,20}、[^、，,。]{1,20}、[^、，,。]{1,20}")
_FIGURE = re.compile(
    r"\d[\d.,]*\s*(?:%|％|万|亿|千|百|元|倍|人|个|家|岁|k|w)|[一二三四五六七八九十百千]+(?:万|亿)|\d{2,}"
)
_INTENT_CUES = {
    "reason": re.compile(
        r"因为|由于|原因|得益于|源于|必然|基础|推动|驱动|使得|导致|因此|所以|结果|看似|实则|依靠|依赖"
        r"|because|due to|thanks to"
    ),
    "comparison": re.compile(r"相比|比较|区别|不同|优于|不如|更|than|compared"),
    "how": re.compile(r"通过|利用|可以|步骤|首先|方法|帮助|用于"),
}
# Sentences that continue the one before: examples, specifics, "it …".
_ELABORATION = re.compile(
    r"^(?:例如|比如|譬如|具体|也就是|即|换句话说|通俗|这|它|其(?!次)|for example|e\.g\.|that is)"
)
_SPACES = re.compile(r"[\W_]+", re.UNICODE)


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

    @property
    def sentences(self) -> tuple[str, ...]:
        """The lead and the list items, as plain strings (inline previews, tests)."""
        return tuple(c.text for c in (*self.lead, *self.items))


@dataclass
class _Sentence:
    text: str
    score: float
    rank: int
    article: str
    line_ord: int
    position: int  # index of the sentence within its line


class _Matcher:
    """Which question words a text contains, counted once per question word (group)."""

    def __init__(self, analysis: Analysis) -> None:
        self.weights = {t: w for t, w in analysis.weights.items() if w > 0}
        self.group = {t.token: t.group for t in analysis.terms}
        self.ubiquitous = analysis.ubiquitous
        self.pervasive = analysis.pervasive
        # Latin words match whole words ("ai" is not in "said"); Chinese words anywhere.
        self._latin: list[tuple[str, re.Pattern[str]]] = []
        self._cjk: list[tuple[str, str]] = []
        for token in self.weights:
            if token.isascii():
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
        wanted = {self.group.get(t, t) for t in self.weights if t not in self.pervasive}
        if not wanted:
            return 1.0
        return len(self.groups(t for t in found if t not in self.pervasive) & wanted) / len(wanted)

    def groups(self, found: Iterable[str]) -> set[str]:
        return {self.group.get(t, t) for t in found}

    def topical(self, found: Iterable[str]) -> bool:
        """Carries a question word other than those in nearly every passage ("AIGC")."""
        return any(t not in self.pervasive for t in found)


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
        self.match = _Matcher(result.analysis)
        self._outlines: dict[str, Outline] = {}
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
        in_heading = self.match.found(normalize_text(heading))
        value += HEADING_SHARE * self.match.value(in_heading, exclude=self.match.groups(found))
        if value <= 0:
            return 0.0
        # Many of the question's words beat one rare word ("程度" in "个性化程度").
        value *= 0.4 + 0.6 * self.match.share(found | in_heading)
        value *= self._intent_factor(normal, found)
        if text[-1] not in SENTENCE_END + "。.：:":
            value *= 0.5  # a bare label or a line cut short ("…：" introduces a list)
        if text[-1] in "？?":
            value *= 0.3  # a rhetorical question answers nothing
        if any(normal.startswith(t) for t in found if t not in self.match.ubiquitous):
            value *= 1.3  # "文心一言是…" answers "文心一言是什么"
        return value * self.passage_factor[rank]

    def _intent_factor(self, normal: str, found: set[str]) -> float:
        if self.intent == "definition":
            for token in sorted(found, key=lambda t: normal.find(t.replace("_", " "))):
                start = normal.find(token.replace("_", " "))
                if 0 <= start <= 30:
                    window = normal[start + len(token) : start + len(token) + 80]
                    if _STRONG_DEFINE.match(window):
                        return 3.0
                    if _WEAK_DEFINE.match(window):
                        return 1.8
            return 1.0
        if self.intent == "figure":
            return 1.8 if _FIGURE.search(normal) else 0.6
        cue = _INTENT_CUES.get(self.intent)
        if cue is None:
            return 1.0
        if self.intent == "reason":  # restating the question is no reason
            return 1.8 if cue.search(normal) else 0.6
        return 1.4 if cue.search(normal) else 1.0

    def sentences(self) -> list[_Sentence]:
        out: list[_Sentence] = []
        for rank, scored in enumerate(self.result.passages):
            article = scored.passage.article_path
            for line in passage_lines(scored.passage, scored.doc):
                if line.kind == "heading":
                    continue
                heading = self.heading_of(article, line.ord)
                for position, text in enumerate(split_sentences(line.text)):
                    if len(text) < MIN_SENTENCE_CHARS:
                        continue
                    out.append(
                        _Sentence(text, self.score(text, heading, rank), rank, article, line.ord, position)
                    )
        return out

    # -- the answer -------------------------------------------------------------------

    def compose(self) -> Answer:
        candidates = self.sentences()
        best = max(candidates, key=lambda s: (s.score, -s.rank), default=None)
        lead: list[Cited] = []
        items: list[Cited] = []
        said: list[set[str]] = []
        if best is not None and best.score > 0:
            listed = self.whole_list(best) if self.intent == "list" else None
            # A sentence that enumerates ("北京、上海、深圳、杭州") answers a list question
            # itself, unless a list whose heading names the question's words is near.
            if listed is not None and (listed[2] or not _ENUMERATION.search(best.text)):
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
        said = [_shingles(c.text) for c in (*lead, *items)]
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

    def lead(self, best: _Sentence) -> list[Cited]:
        """The best sentence with its neighbours from the same paragraph, in order."""
        outline = self.outline(best.article)
        i = outline.index(best.line_ord)
        assert i is not None
        line = outline.lines[i]
        parts = [s for s in split_sentences(line.text)]
        position = min(best.position, len(parts) - 1)
        start = position
        if position > 0 and _PRONOUN_START.match(normalize_text(parts[position])):
            start = position - 1  # "它…" needs the sentence that names "it"
        chosen = parts[start : position + 1]
        heading = self.heading_of(best.article, best.line_ord)
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
            if introduces and _LABEL.match(sentence):
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
            chosen[0] = self.with_subject(chosen[0], heading, line, "".join(parts[:start]))
        return [Cited(s, source) for s in chosen]

    def with_subject(self, sentence: str, heading: str, line: Line, before: str = "") -> str:
        """ "与Midjourney相比…" under "3、Stable Diffusion" -> "Stable Diffusion：与…"."""
        name = _NUMBERING.sub("", heading).strip(" ：:")
        numbered = name != heading.strip()
        if not name or len(name) > 20 or name[-1] in "？?" or _LABEL.match(sentence):
            return sentence
        if not (numbered or _LATIN_NAME.search(name)):
            return sentence  # a plain heading ("详细介绍") is a topic, not a subject
        if line.kind == "item" or _overlap(name, sentence) or _overlap(name, before):
            return sentence
        return f"{name}：{sentence}"

    def _first_in_section(self, article: str, line_ord: int) -> bool:
        outline = self.outline(article)
        i = outline.index(line_ord)
        if i is None:
            return False
        h = outline.section_of(i)
        own = outline.own(h)
        return bool(own) and own[0] == i

    # -- lists ------------------------------------------------------------------------

    def whole_list(self, best: _Sentence) -> tuple[list[Cited], list[Cited], bool] | None:
        """The complete list of the section the question hits, or None if it hits none;
        the flag says whether the list's own heading names a question word."""
        options: list[tuple[float, int, str, int | None, list[str], bool]] = []
        articles = dict.fromkeys([best.article, *(p.passage.article_path for p in self.result.passages[:2])])
        for article in articles:
            outline = self.outline(article)
            sections: set[int | None] = set()
            for scored in self.result.passages:
                if scored.passage.article_path != article:
                    continue
                for line in passage_lines(scored.passage, scored.doc):
                    i = outline.index(line.ord)
                    h = outline.section_of(i) if i is not None else None
                    while h is not None:
                        sections.add(h)
                        h = outline.parent(h)
            best_i = outline.index(best.line_ord) if article == best.article else None
            heading_value: dict[int | None, float] = {}
            found: list[tuple[int | None, list[str], set[str], set[str]]] = []
            for h in sections:
                entries = _list_entries(outline, h)
                if len(entries) < 2:
                    continue
                heading = outline.lines[h].text if h is not None else ""
                in_heading = self.match.found(normalize_text(heading))
                # The list must be about the question: its heading names a question word,
                # or the sentence that introduces it ("…主要包括以下几个方面：") does.
                in_intro = self.match.found(normalize_text(_introduction(outline, h, entries)))
                if not self.match.topical(in_heading | in_intro):
                    continue
                heading_value[h] = self.match.value(in_heading)
                found.append((h, entries, in_heading, in_intro))
            for h, entries, in_heading, in_intro in found:
                # A subsection whose own heading names the question better is the list
                # asked for, not its parent's list of subsections.
                if any(heading_value.get(c, -1.0) > heading_value[h] for c in outline.children(h)):
                    continue
                in_items = self.match.found(normalize_text(" ".join(entries)))
                score = 2 * heading_value[h] + 0.5 * self.match.value(in_intro)
                score += 0.5 * self.match.value(in_items, exclude=self.match.groups(in_heading | in_intro))
                depth = 0 if h is None else outline.lines[h].level
                options.append((score, depth, article, h, entries, self.match.topical(in_heading)))
        if not options:
            return None
        score, _, article, h, entries, named = max(options, key=lambda o: (o[0], o[1]))
        if score < LIST_SHARE * best.score:
            return None  # the best sentence answers better than any list near it
        outline = self.outline(article)
        best_i = outline.index(best.line_ord) if article == best.article else None
        intro_lines = [
            j
            for j in outline.own(h)
            if outline.lines[j].kind == "text" and not _LABEL.match(outline.lines[j].text)
        ]
        if best_i is not None and best_i in intro_lines:
            lead = self.lead(best)  # the best sentence introduces the list: keep it
            source = self.cite(article)
        else:
            source = self.cite(article)
            heading = outline.lines[h].text if h is not None else ""
            name = _NUMBERING.sub("", heading).strip(" ：:") or self._source(article).title
            lead = [Cited(f"{name}：", source)]
        items = [Cited(e, source) for e in entries[:MAX_ITEMS]]
        if len(entries) > MAX_ITEMS:
            items.append(Cited("…", source))
        return lead, items, named

    def list_after(self, best: _Sentence) -> list[Cited]:
        """The list that the lead's closing "…：" introduces, from its section."""
        outline = self.outline(best.article)
        i = outline.index(best.line_ord)
        h = outline.section_of(i) if i is not None else None
        entries = _list_entries(outline, h)
        source = self.cite(best.article)
        return [Cited(e, source) for e in entries[:MAX_ITEMS]]

    # -- see also ---------------------------------------------------------------------

    def see_also(
        self, candidates: Sequence[_Sentence], best: _Sentence | None, said: list[set[str]]
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
                shingles = _shingles(sentence.text)
                if any(_jaccard(shingles, other) >= NEAR_DUPLICATE for other in said):
                    continue  # the same boilerplate sentence from another article
                said.append(shingles)
                out.append(Cited(_clip(sentence.text, SEE_ALSO_CHARS), self.cite(article)))
                break
        return out


def _list_entries(outline: Outline, h: int | None) -> list[str]:
    """A section's list: its subsections, else its bullets, else its "label：" lines."""
    children = outline.children(h)
    if len(children) >= 2:
        out = []
        for c in children:
            name = _NUMBERING.sub("", outline.lines[c].text).strip(" ：:")
            body = [outline.lines[j] for j in outline.own(c)]
            first = split_sentences(body[0].text)[0] if body else ""
            out.append(_item(name, first))
        return out
    own = [outline.lines[j] for j in outline.own(h)]
    bullets = [line.text for line in own if line.kind == "item"]
    if len(bullets) >= 2:
        return [_bullet(text) for text in bullets]
    labelled = [line.text for line in own if line.kind == "text" and _LABEL.match(line.text)]
    if len(labelled) >= 3:
        return [_bullet(text) for text in labelled]
    return []


def _item(name: str, first: str) -> str:
    if not first or len(first) > ITEM_SENTENCE_CHARS:
        return name
    if normalize_text(first).startswith(normalize_text(name)):
        return first
    return f"{name}：{first}"


def _bullet(text: str) -> str:
    """A bullet, shortened to its label and first sentence when long."""
    text = re.sub(r"^\d{1,2}[.、]\s*", "", text)
    if len(text) <= ITEM_SENTENCE_CHARS + 20:
        return text
    label = _LABEL.match(text)
    if label:
        first = split_sentences(label.group(2))[0]
        return _item(label.group(1), first)
    first = split_sentences(text)[0]
    return first if len(first) <= ITEM_SENTENCE_CHARS + 20 else _clip(first, ITEM_SENTENCE_CHARS)


def _introduction(outline: Outline, h: int | None, entries: Sequence[str]) -> str:
    """The section's text line that introduces its list (ends with a colon), if any."""
    own = [outline.lines[j] for j in outline.own(h)]
    texts = [line.text for line in own if line.kind == "text" and not _LABEL.match(line.text)]
    return next((text for text in reversed(texts) if text.rstrip().endswith(("：", ":"))), "")


def _overlap(name: str, sentence: str) -> bool:
    """Whether the sentence already names the heading (a shared word or bigram)."""
    a, b = normalize_text(name), normalize_text(sentence)
    words = re.findall(r"[a-z0-9]{2,}", a)
    if any(w in b for w in words):
        return True
    cjk = re.sub(r"[^\u3400-\u9fff]", "", a)
    return any(cjk[i : i + 2] in b for i in range(len(cjk) - 1))


def _shingles(text: str) -> set[str]:
    key = _SPACES.sub("", normalize_text(text))
    return {key[i : i + 2] for i in range(len(key) - 1)} or {key}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
