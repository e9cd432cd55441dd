"""Follow-up questions: a chat is a conversation, resolved without an LLM.

The last turn of a conversation (its terms, intent and the list it showed) is kept; a
new question is resolved against it, deterministically:

- an ordinal ("第三条", "第二个", "最后那个", "the second one") picks that item of the
  last list shown;
- a pronoun or ellipsis ("它", "那…呢", "还有", "what about X", "and …"), or a question
  that cannot be answered alone and names no topic of its own ("具体是多少？"), carries
  the previous topic's words at reduced weight;
- a self-contained question, without such cues and either answered on its own or
  naming a topic of its own, is never bent (refused, it is refused as asked).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Literal

from bot.kb.tokenizer import QueryTerm
from bot.kb.vocab import normalize_text

CONTEXT_WEIGHT = 0.5  # carried words count half: the user's own words lead
# ...and a quarter when the new question names a topic of its own ("what about video?")
CONTEXT_WEIGHT_WITH_TOPIC = 0.25
# What the last answer was about ("ChatGPT" for "它是谁开发的？") counts more than the
# words of the last question.
ANSWER_WEIGHT = 0.8
_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_EN_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "last": -1,
}
_ORDINAL = re.compile(
    r"第\s*([一二两三四五六七八九十]|\d{1,2})\s*(?:条|个|点|项|种|步|类|方面)?|最后(?:一|那)?(?:条|个|点|项)"
    r"|\bthe\s+(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)(?:\s+one)?\b"
    r"|\bnumber\s+(\d{1,2})\b"
)
# Words that point back at the previous turn.
_FOLLOW = re.compile(
    r"^(?:那|那么|然后|还有|另外|再|and\b|then\b|what about\b|how about\b|so\b)"
    r"|它|他们|它们|这个|那个|这些|那些|其中|跟它|和它|呢[？?]?\s*$"
    r"|\b(?:it|its|they|their|them|that one|this one)\b"
)
_MORE = re.compile(r"^(?:更多|还有别的吗|还有吗|还有呢|继续|more|next|go on)[。.!！?？]*$", re.IGNORECASE)

Kind = Literal["standalone", "ordinal", "carried", "more"]


@dataclass(frozen=True)
class Turn:
    """What a conversation remembers of its last turn."""

    question: str
    terms: tuple[QueryTerm, ...] = ()
    intent: str = "general"
    items: tuple[str, ...] = ()
    shown: int = 0  # passages shown so far (for "更多")
    at: float = field(default_factory=time.time)

    def to_json(self) -> str:
        terms = [[t.token, t.weight, t.group, t.origin] for t in self.terms]
        data = {"q": self.question, "terms": terms, "intent": self.intent, "items": list(self.items)}
        return json.dumps({**data, "shown": self.shown, "at": self.at}, ensure_ascii=False)

    @classmethod
    def decode(cls, text: str | None) -> Turn | None:
        """A stored turn; None when there is none or another version wrote it (start afresh)."""
        if text is None:
            return None
        try:
            return cls.from_json(text)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None

    @classmethod
    def from_json(cls, text: str) -> Turn:
        data = json.loads(text)
        terms = tuple(QueryTerm(str(t[0]), float(t[1]), str(t[2]), str(t[3])) for t in data.get("terms", []))
        return cls(
            str(data["q"]),
            terms,
            str(data.get("intent", "general")),
            tuple(str(i) for i in data.get("items", [])),
            int(data.get("shown", 0)),
            float(data.get("at", 0.0)),
        )


@dataclass(frozen=True)
class Resolution:
    """How a question was understood in its conversation."""

    question: str  # what to search for
    kind: Kind = "standalone"
    context: tuple[QueryTerm, ...] = ()  # the previous topic's words, carried
    intent: str | None = None  # the previous intent, when the new question has none
    understood: str = ""  # the short line the reply starts with; "" when standalone


def ordinal(question: str) -> int | None:
    """1-based position asked for ("第三条" -> 3, "the last one" -> -1), else None."""
    match = _ORDINAL.search(normalize_text(question))
    if match is None:
        return None
    if match.group(1):
        word = match.group(1)
        return int(word) if word.isdigit() else _CN_DIGITS.get(word)
    if match.group(2):
        return _EN_ORDINALS[match.group(2)]
    if match.group(3):
        return int(match.group(3))
    return -1  # 最后那个


def is_follow_up(question: str) -> bool:
    return _FOLLOW.search(normalize_text(question).strip()) is not None


def resolve(
    question: str, previous: Turn | None, answered_alone: bool, english: bool, own_topic: bool = False
) -> Resolution:
    """Resolve `question` against the previous turn (None: no conversation yet).
    `answered_alone`: the question is answered on its own; `own_topic`: it names a topic
    word of its own."""
    if previous is None:
        return Resolution(question)
    if _MORE.match(normalize_text(question).strip()):
        return Resolution(previous.question, "more", understood=_said("more", previous.question, english))
    position = ordinal(question)
    if position is not None and previous.items:
        index = len(previous.items) - 1 if position == -1 else position - 1
        if 0 <= index < len(previous.items):
            item = previous.items[index]
            return Resolution(item, "ordinal", understood=_said("item", item, english))
    if is_follow_up(question) or (not answered_alone and not own_topic):
        # Halved again when the new question names its own topic ("what about video?").
        scale = CONTEXT_WEIGHT_WITH_TOPIC / CONTEXT_WEIGHT if own_topic else 1.0
        carried = tuple(
            QueryTerm(t.token, _carried_weight(t) * scale, t.group, "context")
            for t in previous.terms
            if t.origin != "context"
        )
        if carried:
            return Resolution(
                question, "carried", carried, previous.intent, _said("carried", previous.question, english)
            )
    return Resolution(question)


def _carried_weight(term: QueryTerm) -> float:
    return ANSWER_WEIGHT if term.origin == "answer" else term.weight * CONTEXT_WEIGHT


def said_as(text: str, english: bool) -> str:
    """ "（理解为：…）": how a question was read, when not as typed."""
    return _said("item", text, english)


def _said(kind: str, text: str, english: bool) -> str:
    short = text if len(text) <= 40 else text[:39] + "…"
    if english:
        return {
            "more": f"(More on “{short}”)",
            "item": f"(Read as: {short})",
            "carried": f"(Read as a follow-up to “{short}”)",
        }[kind]
    return {
        "more": f"（继续：{short}）",
        "item": f"（理解为：{short}）",
        "carried": f"（理解为接着问：{short}）",
    }[kind]
