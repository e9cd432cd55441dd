"""Text for a terminal: control characters made visible.

Article text, titles, file names and questions are not ours: an escape sequence in one
of them, printed raw, can retitle the admin's terminal, hide lines or fake output. What
the CLI prints goes through `visible`: C0 controls other than newline and tab become
their Unicode control pictures (ESC -> ␛), DEL becomes ␡, C1 controls become \\x9b.
"""

from __future__ import annotations

import re
import sys
from typing import TextIO

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_C1 = re.compile(r"[\x7f-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else f"\\x{code:02x}"


def visible(text: str) -> str:
    return _CONTROL.sub(_picture, text)


def json_safe(line: str) -> str:
    """A JSON line with DEL and C1 controls escaped (json.dumps with ensure_ascii=False
    escapes only C0): the same data, nothing a terminal would act on."""
    return _C1.sub(lambda m: f"\\u{ord(m.group(0)):04x}", line)


def say(text: str = "", file: TextIO | None = None, *, flush: bool = False) -> None:
    """print(), with control characters made visible."""
    print(visible(text), file=file if file is not None else sys.stdout, flush=flush)
