"""What kind of answer a question wants, from admin-editable cue words.

`vocab/intents.txt` maps each intent to cue phrases in Chinese and English. The
composer uses the intent to choose the lead: a defining sentence, a whole list, the
sentence that holds the asked figure, and so on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.kb.vocab import normalize_text

Intent = Literal["definition", "list", "figure", "reason", "how", "yesno", "comparison", "general"]
# The first matching intent wins: "有哪些区别" is a comparison, "薪资是多少" a figure.
PRECEDENCE: tuple[Intent, ...] = ("comparison", "list", "figure", "definition", "reason", "how", "yesno")


@dataclass(frozen=True)
class QuestionIntent:
    intent: Intent
    learning: bool  # about learning or courses: course outlines may answer it


class IntentDetector:
    """Matches cue phrases: Chinese anywhere in the question, English as whole words."""

    def __init__(self, cues: Mapping[str, Sequence[str]]) -> None:
        self._patterns: dict[str, re.Pattern[str] | None] = {}
        for name, phrases in cues.items():
            parts = [
                re.escape(p)
                if not p.isascii()
                else r"(?<![a-z])" + r"\s+".join(map(re.escape, p.split())) + r"(?![a-z])"
                for p in sorted({normalize_text(p) for p in phrases if p.strip()}, key=len, reverse=True)
            ]
            self._patterns[name] = re.compile("|".join(parts)) if parts else None

    def _matches(self, name: str, text: str) -> bool:
        pattern = self._patterns.get(name)
        return pattern is not None and pattern.search(text) is not None

    def detect(self, question: str) -> QuestionIntent:
        text = normalize_text(question)
        intent: Intent = next((name for name in PRECEDENCE if self._matches(name, text)), "general")
        return QuestionIntent(intent, self._matches("learning", text))
