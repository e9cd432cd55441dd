"""What kind of value a question asks for, and whether a sentence carries one.

General Chinese and English question words, not a domain vocabulary: 哪年/何时/什么时候
want a date, 多少/几/多高/多长 a number, 谁/哪位 a person, 哪里/哪个城市 a place,
又名/别名/又称 another name. Texts are matched in their normalised form (simplified,
lower case), so traditional questions work the same way.
"""

from __future__ import annotations

import re
from typing import Literal

AnswerType = Literal["date", "number", "person", "place", "name", "none"]

# Order matters: "哪一年出生" is a date even though "出生" hints at a person.
_ASKS: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    (
        "date",
        re.compile(
            r"哪[一]?年|哪个年代|哪个世纪|何年|何时|什么时候|什么时间|哪个时间|几月|几号|哪[一]?天|哪个朝代|哪段时间"
            r"|when\b|what year|which year"
        ),
    ),
    (
        "number",
        re.compile(
            r"多少|几[个位名种次年岁人家座条项届倍]?|多[高长大远重宽深久快少]|百分之几"
            r"|how (?:many|much|long|tall|big|old|far)"
        ),
    ),
    ("person", re.compile(r"谁|哪[一]?位|哪些人|什么人|who\b|whom\b")),
    ("place", re.compile(r"哪里|哪儿|在哪|何处|何地|哪个(?:国家|城市|地区|省|地方|州|县)|where\b")),
    ("name", re.compile(r"又名|别名|又称|原名|简称|全称|本名|称为什么|叫什么|名字|what is .* called")),
)

# What a sentence carrying such a value looks like.
_DATE = re.compile(
    r"\d{1,4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|[〇零一二三四五六七八九十]{2,4}年|世纪|年代|年间|公元|朝|时期|前期|后期|初年|末年"
)
_NUMBER = re.compile(r"\d|[一二两三四五六七八九十百千万亿]+\s*[个位名种次年岁人家座条项届倍米里克吨元%％]")
_PLACE = re.compile(r"[省市县州国区镇村岛山河湖江港]|位于|坐落|地处")
_PERSON = re.compile(
    r"[A-Z][a-z]+|[\u4e00-\u9fff]{2,4}(?:先生|女士|教授|博士|皇帝|国王|总统|主席)|由[\u4e00-\u9fff]{2,4}"
)
_NAME = re.compile(r"又名|别名|又称|原名|简称|全称|称为|俗称|亦称|也叫|英语|英文|[：:]|「|“|《")

_SENTENCE_PATTERNS: dict[AnswerType, re.Pattern[str]] = {
    "date": _DATE,
    "number": _NUMBER,
    "person": _PERSON,
    "place": _PLACE,
    "name": _NAME,
}


def asked_type(question: str) -> AnswerType:
    """The kind of value a (normalised) question asks for, or "none"."""
    for kind, pattern in _ASKS:
        if pattern.search(question):
            return kind
    return "none"


def carries(kind: AnswerType, sentence: str, question: str) -> float:
    """1 when the sentence holds a value of that kind that the question does not already
    say, 0.5 when it holds only values the question names too, 0 when it holds none."""
    pattern = _SENTENCE_PATTERNS.get(kind)
    if pattern is None:
        return 0.0
    found = [m.group(0) for m in pattern.finditer(sentence)]
    if not found:
        return 0.0
    return 1.0 if any(f not in question for f in found) else 0.5
