"""A question's whole path over one snapshot: follow-up resolution, search, the answer,
"did you mean" suggestions and what the conversation remembers.

Synchronous, with no storage and no event loop. The service runs it in a worker thread
and keeps the conversation; evaluation and tests call it directly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import detect_language
from bot.kb.answer import compose_answer
from bot.kb.followup import Resolution, Turn, resolve, said_as
from bot.kb.results import Answer, SearchResult
from bot.kb.retrieval import Retriever
from bot.kb.tokenizer import QueryTerm


@dataclass(frozen=True)
class Reply:
    """A question's answer, the search behind it, and "did you mean" when refused."""

    answer: Answer
    result: SearchResult
    suggestions: tuple[str, ...] = ()
    turn: Turn | None = None  # what the conversation remembers of this question
    understood: str = ""  # "（理解为接着问：…）" when the previous turn was used
    question_id: int | None = None  # the question log's row, when the question was logged
    truncated: bool = False  # the question was longer than the service takes; its beginning was asked

    @property
    def answered(self) -> bool:
        return self.answer.answered


def _names_topic(retriever: Retriever, result: SearchResult) -> bool:
    """The question names a topic of its own: a known, not ubiquitous word of two
    characters or more (then a short question is not read as a follow-up)."""
    own = result.analysis
    index = retriever.snapshot.index
    return any(
        len(t.token) > 1 and index.df(t.token) > 0 and t.token not in own.ubiquitous for t in own.terms
    )


def ask(
    retriever: Retriever,
    question: str,
    *,
    k: int = 3,
    offset: int = 0,
    suggest: bool = True,
    previous: Turn | None = None,
    remember: bool = True,
) -> Reply:
    """Answer `question` (passages after `offset` for "more"); suggestions if refused.
    With `previous` (the conversation's last turn) a follow-up is resolved against it.
    `remember`: whether the reply carries a turn for the conversation to keep (making
    one cuts the answer into words; a one-off question keeps nothing)."""
    resolution = Resolution(question)
    alone: SearchResult | None = None
    if previous is not None:
        alone = retriever.search(question, k=k, offset=offset)
        english = detect_language(question) == "en"
        resolution = resolve(question, previous, alone.answered, english, _names_topic(retriever, alone))
        if resolution.kind == "more":
            offset = previous.shown
    if alone is not None and resolution.kind == "standalone":
        result = alone  # the question stands alone: its own search is the answer's
    else:
        carried = retriever.analyse(resolution.question, resolution.context, resolution.intent)
        result = retriever.search(carried, k=k, offset=offset)
    understood = resolution.understood
    # A homophone typo ("AIGC的前竟咋样"): read as the question it sounds like when that
    # is answered from more of its words, and say so; a refused question only gets it
    # offered (below), so a name the articles lack is never bent into a word they have.
    meant = retriever.sounds_like(question) if result.question == question else ""
    if meant and result.answered:
        heard = retriever.search(meant, k=k, offset=offset)
        if heard.answered and heard.coverage > result.coverage:
            result = heard
            understood = said_as(meant, detect_language(question) == "en")
    answer = compose_answer(result, retriever.snapshot)
    suggestions: list[str] = []
    if suggest and not result.answered:
        # The search's nearest matches are this question's when it was searched alone.
        searched_alone = result.question == question and not resolution.context
        suggestions = retriever.suggestions(question, nearest=result.nearest if searched_alone else None)
        # A homophone typo ("薪姿怎么样"): the question as it probably was, if that is
        # answered, comes first.
        if meant and retriever.search(meant, k=k).answered:
            suggestions = [meant, *(s for s in suggestions if s != meant)][: len(suggestions) or 1]
    turn: Turn | None = None
    if not result.answered and previous is not None:
        turn = previous  # a refused follow-up leaves the conversation where it was
    elif remember:
        turn = _turn(retriever, resolution, result, answer, offset)
    return Reply(answer, result, tuple(suggestions), turn, understood if result.answered else "")


def _turn(
    retriever: Retriever, resolution: Resolution, result: SearchResult, answer: Answer, offset: int
) -> Turn:
    """What the conversation remembers: the question's words and what the answer was about."""
    lead = answer.lead[0].text if answer.lead else ""
    about = tuple(QueryTerm(w, 1.0, w, "answer") for w in retriever.entities(lead))
    analysis = result.analysis
    return Turn(
        resolution.question,
        (*analysis.terms, *about),
        analysis.intent.intent,
        tuple(c.text for c in answer.items),
        offset + len(result.passages),
    )


def converse(retriever: Retriever, questions: Sequence[str]) -> list[Reply]:
    """The questions as one conversation, in order (evaluation, tests)."""
    replies: list[Reply] = []
    previous: Turn | None = None
    for question in questions:
        replies.append(ask(retriever, question, suggest=False, previous=previous))
        previous = replies[-1].turn
    return replies


def per_article(retriever: Retriever, question: str, articles: int = 5) -> list[Answer]:
    """One answer per article, best article first (Telegram's inline mode)."""
    result = retriever.search(question, k=10)
    out: list[Answer] = []
    seen: set[str] = set()
    for scored in result.passages:
        if scored.passage.article_path in seen:
            continue
        seen.add(scored.passage.article_path)
        one = dataclasses.replace(result, passages=(scored,))
        out.append(compose_answer(one, retriever.snapshot))
        if len(out) == articles:
            break
    return out
