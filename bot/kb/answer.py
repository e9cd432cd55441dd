"""Answer composition: the sentences that best match the question, then the sources.

Pure and shared by the console and Telegram renderers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kb.cleaning import SENTENCE_END, split_sentences
from bot.kb.retrieval import Retriever, ScoredPassage, SearchResult

MAX_SENTENCES = 3
MIN_SENTENCE_CHARS = 6
# A sentence must score at least this share of the best one to be included.
RELATIVE_CUTOFF = 0.4
FRAGMENT_FACTOR = 0.4
SUBJECT_FACTOR = 1.5


# Questions asking for a list ("有哪些工具") are answered with the section's items first.
LIST_CUES = ("哪些", "有什么", "有哪", "几种", "which", "what are", "list")
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.、:：)）]\s*")


def _list_lead(result: SearchResult) -> str | None:
    """ "常见的AIGC应用：ChatGPT、Midjourney、…" when a list question hits a list of sections."""
    question = result.question.lower()
    top = result.passages[0].passage
    if len(top.subheadings) < 3 or not any(cue in question for cue in LIST_CUES):
        return None
    items = [_NUMBERING.sub("", h) for h in top.subheadings]
    name = top.heading.split(" > ")[-1] if top.heading else top.title
    return f"{name}：{'、'.join(items)}。"


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None
    heading: str


@dataclass(frozen=True)
class Answer:
    """What the user sees: the best sentences, the sources, and the terms to highlight."""

    question: str
    answered: bool
    sentences: tuple[str, ...]
    sources: tuple[Source, ...]
    highlight: tuple[str, ...]
    passages: tuple[ScoredPassage, ...]


def compose_answer(result: SearchResult, retriever: Retriever, max_sentences: int = MAX_SENTENCES) -> Answer:
    """Pick 1-`max_sentences` sentences from the top passages, best passage first."""
    if not result.answered or not result.passages:
        return Answer(result.question, False, (), (), (), ())
    tokenizer = retriever.tokenizer
    index = retriever.snapshot.index
    weights = {t.token: t.weight * max(index.idf(t.token), 0.0) for t in result.terms}
    candidates: list[tuple[float, int, int, str]] = []
    for rank, scored in enumerate(result.passages):
        passage = scored.passage
        headings = {*passage.heading.split(" > "), *passage.subheadings}
        for position, line in enumerate(passage.text.split("\n")):
            if line in headings:
                continue  # a heading names the answer, it is not one
            for sentence in split_sentences(line.lstrip("• ")):
                if len(sentence) < MIN_SENTENCE_CHARS:
                    continue
                words = tokenizer.tokens(sentence)
                tokens = set(words)
                score = sum(w for token, w in weights.items() if token in tokens)
                if sentence[-1] not in SENTENCE_END + "。." or sentence[-1] in "？?":
                    score *= FRAGMENT_FACTOR  # a heading, bare list item or question
                if words and weights.get(words[0], 0) > 0 and not retriever.is_ubiquitous(words[0]):
                    score *= SUBJECT_FACTOR  # "文心一言是…" answers "文心一言是什么"
                # Prefer the best passage, then earlier sentences, on equal evidence.
                score *= 1.0 / (1 + 0.25 * rank)
                candidates.append((score, rank, position, sentence))
    best = max((c[0] for c in candidates), default=0.0)
    picked: list[tuple[float, int, int, str]] = []
    if best > 0:
        ranked = sorted(candidates, key=lambda c: (-c[0], c[1], c[2]))
        for cand in ranked:
            if len(picked) >= max_sentences or cand[0] < RELATIVE_CUTOFF * best:
                break
            if all(cand[3] != p[3] for p in picked):
                picked.append(cand)
    if not picked:  # no sentence carries a query word: lead with the best passage's start
        first = split_sentences(result.passages[0].passage.text.replace("\n", " "))[:1]
        picked = [(0.0, 0, 0, s) for s in first]
    picked.sort(key=lambda c: (c[1], c[2]))
    lead = _list_lead(result)
    if lead:
        picked = [(0.0, -1, 0, lead), *picked[: max_sentences - 1]]
    sources: list[Source] = []
    for scored in result.passages:
        p = scored.passage
        if all(s.title != p.title for s in sources):
            sources.append(Source(p.title, p.url, p.heading))
    highlight = tuple(t for t in weights if weights[t] > 0)
    return Answer(
        result.question,
        True,
        tuple(c[3] for c in picked),
        tuple(sources),
        highlight,
        result.passages,
    )
