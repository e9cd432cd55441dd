"""Write `bot/kb/syllables.txt`: each Chinese character's toneless pinyin syllable.

    python bench/make_syllables.py       # needs pypinyin (pip install -e '.[bench]')

The homophone reader (`bot/kb/homophones.py`) needs only which characters sound alike.
pypinyin holds that and much more: importing its character table alone costs 55 MB and
0.2 s in every process that meets a typo. The bot reads this derived table instead
(~40,000 characters, one line per syllable, their first and most common reading;
pypinyin's data is MIT-licensed, from the pinyin-data project).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from pypinyin.pinyin_dict import pinyin_dict

OUT = Path(__file__).resolve().parent.parent / "bot" / "kb" / "syllables.txt"


def toneless(reading: str) -> str:
    """ "xíng" -> "xing", "lǜ" -> "lv" (as pinyin input methods type it)."""
    spelled = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")  # ü, with or without a tone
    return "".join(c for c in spelled if not unicodedata.combining(c)).lower()


def main() -> None:
    by_sound: dict[str, list[str]] = {}
    for code, readings in sorted(pinyin_dict.items()):
        ch = chr(code)
        if not ("\u3400" <= ch <= "\u9fff"):
            continue
        sound = toneless(readings.split(",")[0])
        if sound.isascii() and sound.isalpha():
            by_sound.setdefault(sound, []).append(ch)
    lines = [
        "# Toneless pinyin of each Chinese character (its first, most common reading), one",
        "# syllable per line: written by bench/make_syllables.py from pypinyin (MIT).",
    ]
    lines += [f"{sound} {''.join(chars)}" for sound, chars in sorted(by_sound.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {sum(map(len, by_sound.values()))} characters, {len(by_sound)} syllables")


if __name__ == "__main__":
    main()
