"""Telegram's HTML parse mode, as strictly as the Bot API checks it.

`parse_html` returns the plain text Telegram would show, or raises `HTMLError` with the
Bot API's wording ("Can't parse entities: ...").
"""

from __future__ import annotations

import html
import re

ALLOWED = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
}
_TOKEN = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>"
    r"|&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);"
    r"|([<&])"
    r"|([^<&]+)"
)


class HTMLError(ValueError):
    pass


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    stack: list[str] = []
    plain: list[str] = []
    for match in _TOKEN.finditer(text):
        closing, tag, attrs, entity, stray, chunk = match.groups()
        if chunk is not None:
            plain.append(chunk)
        elif entity is not None:
            plain.append(html.unescape(f"&{entity};"))
        elif stray is not None:
            offset = match.start()
            if stray == "<":
                raise HTMLError(f"Can't parse entities: unsupported start tag at byte offset {offset}")
            raise HTMLError(f"Can't parse entities: character '&' is reserved at byte offset {offset}")
        else:
            name = tag.lower()
            if name not in ALLOWED:
                raise HTMLError(f'Can\'t parse entities: unsupported start tag "{name}"')
            if closing:
                if not stack or stack[-1] != name:
                    raise HTMLError(f'Can\'t parse entities: unexpected end tag "{name}"')
                stack.pop()
            else:
                if name == "a" and "href" not in attrs:
                    raise HTMLError("Can't parse entities: a tag without href")
                stack.append(name)
    if stack:
        raise HTMLError(
            f"Can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(plain)
