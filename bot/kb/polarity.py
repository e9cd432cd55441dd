"""Whether the answer to a yes/no question is yes, no, or not stated.

"Bing AI用的是GPT-3吗" answered with "Bing…搭载了GPT-4" should open with "不是": the
sentence fills the slot the question asks about with another value. One that negates
what the question asks ("目前还不能…") says no; one that holds every word the question
asks about, without a negation, says yes; anything else is "not stated", and the reader
is told so before the related text, rather than left to guess. Pure: strings in,
a `Polarity` out. Nothing here knows a domain: the slot is any name with a number
(GPT-3, iPhone 15, Python 3.12), the negations and verbs are those of Chinese and
English grammar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.kb.intent import A_NOT_A, asks_yes_or_no
from bot.kb.results import Answer
from bot.kb.sentences import Matcher
from bot.kb.vocab import normalize_text

# A name with a version or model number: "gpt-3", "gpt-3.5", "iphone 15", "python3".
_NUMBERED = re.compile(r"(?<![a-z0-9])([a-z][a-z]*)[\s\-_]?(\d+(?:\.\d+)?)(?![0-9.]*\d)")
# Negations, not the words that only start with one ("不断", "不仅", "未来", "无论").
_NEGATION = re.compile(
    r"不(?!断|仅|同|少|久|过|管|论|错|但|只|光|止|得不|外乎)|没|无法|无须|未能|尚未|并未|从未|并非|绝非"
    r"|(?<![a-z])(?:not|no|never|cannot|can't|isn't|aren't|doesn't|don't|won't)(?![a-z])"
)
_CLAUSE = re.compile(r"[，,；;。！!？?]")
_MODALS = ("可以", "能", "会", "有", "是", "要", "需要", "适合")


@dataclass(frozen=True)
class Polarity:
    verdict: str  # "yes", "no", "unclear"
    verb: str  # the question's verb, which a Chinese reply answers with ("能" / "不能")


def polarity(question: str, evidence: Iterable[str], match: Matcher) -> Polarity | None:
    """The verdict of `evidence` (the lead's sentences) on a yes/no question, or None
    when the question is not one, or is itself negative ("不会取代…吗": a bare yes or no
    would be ambiguous)."""
    if not asks_yes_or_no(question):
        return None
    asked = normalize_text(question)
    without_a_not_a = A_NOT_A.sub(r"\1", asked)
    if _NEGATION.search(without_a_not_a.replace("是否", "")):
        return None
    verb = _verb(asked)
    sentences = [normalize_text(e) for e in evidence]
    text = "".join(sentences)
    # The slot filled with another value: "GPT-3" asked, only "GPT-4" said.
    for stem, number in _NUMBERED.findall(asked):
        said = {n for s, n in _NUMBERED.findall(text) if s == stem}
        if said and number not in said:
            return Polarity("no", verb)
    wanted = match.groups(match.found(asked) - match.ubiquitous) or match.groups(match.found(asked))
    if not wanted:
        return Polarity("unclear", verb)
    clauses = [c for c in _CLAUSE.split(text) if c.strip()]
    held = [c for c in clauses if match.groups(match.found(c)) & wanted]
    if not held:
        return Polarity("unclear", verb)
    if any(_NEGATION.search(c) for c in held):
        return Polarity("no", verb)
    # One sentence must say it all: "Midjourney" in one and "支持" and "中文" in others
    # about other tools is no yes. A verb of its own ("缺不缺") must be said too; a
    # modal ("能", "是") is the frame.
    if any(wanted <= match.groups(match.found(s)) and (verb in _MODALS or verb in s) for s in sentences):
        return Polarity("yes", verb)
    return Polarity("unclear", verb)


def _verb(question: str) -> str:
    """The verb a Chinese answer repeats: "缺不缺" -> 缺, "能…吗" -> 能; 是 by default."""
    found = A_NOT_A.search(question)
    if found:
        return found.group(1)
    at = {m: question.find(m) for m in _MODALS if m in question}
    return min(at, key=lambda m: at[m]) if at else "是"


def opener(p: Polarity, lang: str) -> str:
    """The words a reply opens with: "是的。", "不能。", "Yes.", …; "" when unclear (the
    reader is told the articles do not say so, by `bot.i18n`)."""
    if p.verdict == "unclear":
        return ""
    if lang == "en":
        return "Yes." if p.verdict == "yes" else "No."
    if p.verdict == "yes":
        return "是的。" if p.verb == "是" else f"{p.verb}。"
    return "没有。" if p.verb == "有" else f"不{p.verb}。"


def with_verdict(answer: Answer, lead: str, lang: str) -> str:
    """The lead as rendered (plain text or HTML) behind the answer's verdict."""
    if not answer.verdict:
        return lead
    said = opener(Polarity(answer.verdict, answer.verb), lang)
    return f"{said}{' ' if lang == 'en' else ''}{lead}"
