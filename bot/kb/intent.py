"""What kind of answer a question wants, from admin-editable cue words.

`vocab/intents.txt` maps each intent to cue phrases in Chinese and English. The
composer uses the intent to choose the lead: a defining sentence, a whole list, the
sentence that holds the asked figure, and so on. Two rules of grammar stand above the
cues: a question that asks for a value with a wh-word ("What tools can…", "哪些…不…")
is not a yes/no question whatever auxiliary or 不 it holds, and an English question
opening with what/which and a plural noun ("What tools…", "Which cities…") wants a list.
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

_ENGLISH_YESNO = re.compile(r"^(?:is|are|was|were|do|does|did|can|could|will|would|should|has|have)\b")
# "缺不缺", "能不能": a verb asked as A-not-A.
A_NOT_A = re.compile(r"([\u3400-\u9fff])(?:不|没)\1")
# "What tools…", "which cities…", "what kinds of jobs…": a plural noun after the wh-word
# (not an auxiliary or pronoun that happens to end in s).
_ENGLISH_PLURAL_WH = re.compile(
    r"^(?:what|which)\s+(?:(?:kinds?|types?|sorts?)\s+of\s+)?(?!(?:does|was|has|is|this|its|his|us)\b)[a-z]{2,}[^s\W]s\b"
)


def asks_yes_or_no(question: str) -> bool:
    """A question answered by yes or no: "…吗", "能不能…", "Is …?"."""
    text = normalize_text(question).strip()
    if _ENGLISH_YESNO.match(text):
        return True
    if re.search(r"[什么谁哪几多怎为何啥]|^(?:what|which|who|whom|whose|where|when|why|how)\b", text):
        return False  # "…是什么吗" is rare; a wh-word asks for a value
    return bool(re.search(r"吗[？?。!！\s]*$|是否|" + A_NOT_A.pattern, text))


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
        if intent == "yesno" and not asks_yes_or_no(text):
            intent = "general"  # a cue ("can", "不") inside a question that asks for a value
        if intent in ("general", "definition") and _ENGLISH_PLURAL_WH.match(text.strip()):
            intent = "list"
        return QuestionIntent(intent, self._matches("learning", text))
