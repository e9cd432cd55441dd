"""User-facing strings in Chinese (default) and English, and how to pick between them."""

from __future__ import annotations

import re
from typing import Literal

Lang = Literal["zh", "en"]

_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff]")

STRINGS: dict[str, dict[Lang, str]] = {
    "answer_header": {"zh": "答案", "en": "Answer"},
    "sources": {"zh": "来源", "en": "Sources"},
    "no_answer": {
        "zh": "抱歉，知识库里没有找到这个问题的答案。",
        "en": "Sorry, I could not find an answer to that in the knowledge base.",
    },
    "try_topics": {"zh": "可以试试问这些文章相关的问题：", "en": "You could ask about these articles:"},
    "no_url": {"zh": "（无链接）", "en": "(no link)"},
    "chat_intro": {
        "zh": "AIGC 问答（知识库：{articles} 篇文章，{passages} 个段落）。"
        "输入问题，回车提问；输入 /quit 退出。",
        "en": "AIGC Q&A ({articles} articles, {passages} passages). Type a question; /quit to leave.",
    },
    "empty_question": {"zh": "请输入一个问题。", "en": "Please type a question."},
}


def detect_language(text: str, language_code: str | None = None) -> Lang:
    """English when the question is written in Latin script only, or the user's client is."""
    if _CJK.search(text):
        return "zh"
    if _LATIN.search(text):
        return "en"
    if language_code and language_code.lower().startswith("en"):
        return "en"
    return "zh"


def t(key: str, lang: Lang, **values: object) -> str:
    return STRINGS[key][lang].format(**values)
