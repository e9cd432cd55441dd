"""Text rules every layer shares: what user text may contain, and how text is shortened."""

from __future__ import annotations

import re

# Lone surrogates and control codes: they cannot be searched, stored as UTF-8 or sent back.
_UNSENDABLE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_input(text: str) -> str:
    """User text minus what cannot be searched or sent back: lone surrogates, control codes."""
    return _UNSENDABLE.sub("", text)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip_line(text: str, limit: int) -> str:
    """`text` on one line (runs of whitespace as one space), then clipped."""
    return clip(" ".join(text.split()), limit)


def with_citation(text: str, source: int) -> str:
    """A sentence with its source number ("句子。[1]"); a line that introduces a list
    ("…如下：") is cited by its items instead."""
    return text if text.endswith(("：", ":")) else f"{text}[{source}]"


def sentence_joiner(lang: str) -> str:
    """Between the sentences of one paragraph: a space in English, nothing in Chinese."""
    return " " if lang == "en" else ""
