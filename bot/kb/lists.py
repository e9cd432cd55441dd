"""Lists inside an article's outline: sibling subsections, bullets or "label：" lines.

A list question ("有哪些工具") gets the complete list of the section it hits; this module
reads such lists from an `Outline` and shortens each item to its label and first
sentence when long.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.kb.cleaning import split_sentences
from bot.kb.outline import Line, Outline
from bot.kb.sentences import LABEL, NUMBERING, Matcher
from bot.kb.vocab import normalize_text
from bot.plaintext import clip

ITEM_SENTENCE_CHARS = 70  # a list item shows its first sentence when it is this short

# "北京、上海、深圳、杭州": a sentence that enumerates three or more things answers a list.
ENUMERATION = re.compile(r"[^、，,。]{1,20}、[^、，,。]{1,20}、[^、，,。]{1,20}")


def section_lists(outline: Outline, h: int | None) -> list[tuple[list[str], str]]:
    """A section's lists, each with the line that introduces it ("…：", or ""): its
    subsections, else each run of bullets, else its "label：" lines."""
    children = outline.children(h)
    own = [outline.lines[j] for j in outline.own(h)]
    intro = _last_intro(own)
    if len(children) >= 2:
        out = []
        for c in children:
            name = NUMBERING.sub("", outline.lines[c].text).strip(" ：:")
            body = [outline.lines[j] for j in outline.own(c)]
            first = split_sentences(body[0].text)[0] if body else ""
            out.append(_item(name, first))
        return [(out, intro)]
    runs = [(entries, before) for before, entries in _bullet_runs(own) if len(entries) >= 2]
    if runs:
        return [([_bullet(t) for t in entries], before) for entries, before in runs]
    labelled = [line.text for line in own if line.kind == "text" and LABEL.match(line.text)]
    if len(labelled) >= 3:
        return [([_bullet(text) for text in labelled], intro)]
    return []


def list_entries(outline: Outline, h: int | None) -> list[str]:
    """The section's first list (see `section_lists`), or []."""
    lists = section_lists(outline, h)
    return lists[0][0] if lists else []


def _last_intro(own: Sequence[Line]) -> str:
    texts = [line.text for line in own if line.kind == "text" and not LABEL.match(line.text)]
    return next((text for text in reversed(texts) if text.rstrip().endswith(("：", ":"))), "")


def _bullet_runs(own: Sequence[Line]) -> list[tuple[str, list[str]]]:
    """Consecutive bullets, each run with the text line just before it when that line
    introduces a list ("…以下是一些建议：")."""
    runs: list[tuple[str, list[str]]] = []
    before = ""
    continuing = False
    for line in own:
        if line.kind == "item":
            if continuing:
                runs[-1][1].append(line.text)
            else:
                runs.append((before if before.rstrip().endswith(("：", ":")) else "", [line.text]))
            continuing = True
        else:
            before, continuing = line.text, False
    return runs


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
    label = LABEL.match(text)
    if label:
        first = split_sentences(label.group(2))[0]
        return _item(label.group(1), first)
    first = split_sentences(text)[0]
    return first if len(first) <= ITEM_SENTENCE_CHARS + 20 else clip(first, ITEM_SENTENCE_CHARS)


@dataclass(frozen=True)
class ListChoice:
    score: float
    article: str
    section: int | None  # the heading line of the list's section (None: the article)
    entries: list[str]
    named: bool  # the section's heading, or the line introducing it, names a question word
    intro: str = ""  # the line introducing the list ("…以下是一些建议："), if any


def choose_list(
    match: Matcher,
    outlines: Mapping[str, Outline],
    shown: Mapping[str, Sequence[int]],
    support: Mapping[tuple[str, int], float] | None = None,
) -> ListChoice | None:
    """The list the question asks for, among the sections around the shown lines.

    A list qualifies when its heading, or the sentence introducing it, names a question
    word; headings count most, the introduction and the items less. A subsection whose
    own heading names the question better wins over its parent's list of subsections.
    """
    options: list[tuple[float, float, float, int, ListChoice]] = []
    for article, outline in outlines.items():
        sections: set[int | None] = set()
        for ord_ in shown.get(article, ()):
            i = outline.index(ord_)
            h = outline.section_of(i) if i is not None else None
            while h is not None:
                sections.add(h)
                h = outline.parent(h)
        heading_value: dict[int | None, float] = {}
        found: list[tuple[int | None, list[str], set[str], set[str], str]] = []
        for h in sections:
            heading = outline.lines[h].text if h is not None else ""
            in_heading = match.found(normalize_text(heading))
            for entries, intro in section_lists(outline, h):
                in_intro = match.found(normalize_text(intro))
                if not match.topical(in_heading | in_intro):
                    continue
                heading_value[h] = match.value(in_heading)
                found.append((h, entries, in_heading, in_intro, intro))
        for h, entries, in_heading, in_intro, intro in found:
            if any(heading_value.get(c, -1.0) > heading_value[h] for c in outline.children(h)):
                continue
            in_items = match.found(normalize_text(" ".join(entries)))
            score = 2 * heading_value[h] + 0.5 * match.value(in_intro)
            score += 0.5 * match.value(in_items, exclude=match.groups(in_heading | in_intro))
            depth = 0 if h is None else outline.lines[h].level
            named = match.topical(in_heading) or match.topical(in_intro)
            # Ties go to the list whose items say the question's words most often
            # (a list of tools whose items are "…应用程序", "…产品").
            mentions = sum(len(match.found(normalize_text(e)) - match.ubiquitous) for e in entries) / max(
                len(entries), 1
            )
            # ...and before that, to the list around the sentences that answer best.
            backing = 0.0
            if support:
                lines = outline.span(h)
                backing = max((support.get((article, outline.lines[j].ord), 0.0) for j in lines), default=0.0)
            choice = ListChoice(score, article, h, entries, named, intro)
            options.append((score, backing, mentions, depth, choice))
    if not options:
        return None
    return max(options, key=lambda o: o[:4])[4]


