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
