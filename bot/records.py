"""Plain data passed between the layers: who asked, a logged question, the statistics.

This module imports nothing of the project, so the storage, the service and every face
(CLI, console, Telegram) can share these types without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Asker:
    """Who asked a question and where: what the question log keeps beside the text."""

    user_id: int | None = None
    chat_id: int | None = None
    chat_type: str = "console"
    lang: str = "zh"


@dataclass(frozen=True)
class LoggedQuestion:
    id: int
    text: str
    shown: int
    chat_id: int | None
    user_id: int | None


@dataclass(frozen=True)
class Stats:
    today: int
    week: int
    unanswered_rate_week: float
    top_questions: list[tuple[str, int]]
    top_unanswered: list[tuple[str, int]]
    helpful: int
    unhelpful: int
    articles: int = 0
    passages: int = 0


@dataclass(frozen=True)
class DayCount:
    """Questions of one UTC day."""

    day: str  # YYYY-MM-DD
    answered: int
    refused: int


@dataclass(frozen=True)
class Usage:
    """The question log at a glance: per day, the answered rate and the votes."""

    days: list[DayCount]
    asked: int
    answered: int
    helpful: int
    unhelpful: int

    @property
    def answered_rate(self) -> float:
        return self.answered / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class Refused:
    """Near-identical refused questions, grouped: as last written, how often, when last."""

    text: str
    count: int
    last_asked: str
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Disliked:
    """A 👎: the question, when, and the passages its answer was built from."""

    question_id: int
    text: str
    given_at: str
    passage_ids: tuple[int, ...]
    answer: str = ""  # as the user read it ("" if logged before answers were kept)


@dataclass(frozen=True)
class Reloaded:
    """The last reload in the history: when, whether it worked, its report."""

    started_at: str
    ok: bool
    report: str
    seconds: float


@dataclass(frozen=True)
class ArticleRow:
    """An indexed article as the admin console lists it."""

    path: str
    title: str
    url: str | None
    date: str | None
    passages: int
    kind: str  # "article", "course" (mostly course outline) or "document" (HTML, Word, PDF)
