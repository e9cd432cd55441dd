"""Telegram HTML rendering: answers, help, reports, message splitting, callback data.

Pure functions. Every string that reaches Telegram is built here from escaped pieces, so
no user or article text can break the HTML ("can't parse entities") and no message is
longer than Telegram's 4096 characters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.i18n import Lang, refusal, t
from bot.kb.polarity import with_verdict
from bot.kb.results import Answer
from bot.plaintext import clean_input, clip_line, sentence_joiner, with_citation
from bot.records import Stats
from bot.report import IndexReport

MAX_MESSAGE = 4096
MAX_CALLBACK_DATA = 64
MAX_TITLE = 200
_TAG = re.compile(r"<[^>]+>")


def tg_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def esc(text: str) -> str:
    return html.escape(clean_input(text), quote=False)


def highlight(text: str, terms: Iterable[str]) -> str:
    """Escape `text`, wrapping case-insensitive occurrences of `terms` in <b>."""
    patterns = sorted(
        {r"\s*".join(map(re.escape, term.split("_"))) for term in terms if len(term) > 1},
        key=len,
        reverse=True,
    )
    if not patterns:
        return esc(text)
    matcher = re.compile("|".join(patterns), re.IGNORECASE)
    out, last = [], 0
    for match in matcher.finditer(text):
        if match.start() == match.end():
            continue
        out.append(esc(text[last : match.start()]))
        out.append(f"<b>{esc(match.group(0))}</b>")
        last = match.end()
    out.append(esc(text[last:]))
    return "".join(out)


def link(title: str, url: str | None) -> str:
    title = esc(clip_line(title, MAX_TITLE))
    if url and url.startswith(("http://", "https://")):
        return f'<a href="{html.escape(url, quote=True)}">{title}</a>'
    return title


def pack(units: Sequence[str], limit: int = MAX_MESSAGE, sep: str = "\n") -> list[str]:
    """Pack HTML units (each balanced on its own) into messages of at most `limit`."""
    messages: list[str] = []
    current = ""
    for unit in units:
        for piece in _fit(unit, limit):
            candidate = f"{current}{sep}{piece}" if current else piece
            if tg_length(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages or [""]


def _fit(unit: str, limit: int) -> list[str]:
    """A unit too long for one message loses its markup and is cut into plain pieces."""
    if tg_length(unit) <= limit:
        return [unit]
    plain = html.unescape(_TAG.sub("", unit))
    # Escaping can grow text up to 5x ("&" -> "&amp;"); cut by escaped length.
    pieces, current = [], ""
    for char in plain:
        if tg_length(current) + tg_length(esc(char)) > limit:
            pieces.append(current)
            current = ""
        current += esc(char)
    if current:
        pieces.append(current)
    return pieces


def render_answer(answer: Answer, lang: Lang) -> list[str]:
    """The answer as Telegram HTML: the lead, the list and see-also lines with numbered
    citations (as in the console), then the numbered, linked sources."""

    def mark(text: str) -> str:
        return highlight(text, answer.highlight)

    lead = [with_citation(mark(c.text), c.source) for c in answer.lead]
    units = [esc(t(f"unstated_{answer.unstated}", lang))] if answer.unstated else []
    if lead:
        lead[0] = with_verdict(answer, lead[0], lang)
    units += [sentence_joiner(lang).join(lead)] if sum(map(tg_length, lead)) < MAX_MESSAGE // 2 else lead
    units += [f"• {with_citation(mark(c.text), c.source)}" for c in answer.items]
    units += [f"{esc(t('see_also', lang))}{with_citation(mark(c.text), c.source)}" for c in answer.see_also]
    units.append("")
    units.append(f"<b>{esc(t('sources', lang))}</b>")
    for number, source in enumerate(answer.sources, start=1):
        units.append(f"[{number}] {link(source.title, source.url)}")
    return pack(units)


def render_passages(answer: Answer, lang: Lang) -> list[str]:
    """Further passages for "more": each with its heading, a snippet and its source."""
    units = [f"<b>{esc(t('more_header', lang))}</b>"]
    for scored in answer.passages:
        p = scored.passage
        heading = esc(clip_line(p.heading, 120)) if p.heading else ""
        units.append("")
        if heading:
            units.append(f"<i>{heading}</i>")
        # The heading is shown above: drop it (and its enclosing headings) from the text.
        names = set(p.headings)
        text = "\n".join(line for line in p.text.split("\n") if line not in names)
        units.append(highlight(clip_line(text, 600), answer.highlight))
        units.append("— " + link(p.title, p.url))
    return pack(units)


def render_no_answer(lang: Lang, suggestions: Sequence[str], missing: str = "") -> str:
    lines = [esc(refusal(lang, missing))]
    if suggestions:
        lines += ["", esc(t("try_topics", lang))]
        lines += [f"• {esc(clip_line(s, MAX_TITLE))}" for s in suggestions]
    return pack(lines)[0]


def render_help(lang: Lang, articles: int, topics: Sequence[str]) -> str:
    listed = ("、" if lang == "zh" else "; ").join(clip_line(x, 40) for x in topics[:5])
    return pack([esc(t("help", lang, articles=articles, topics=listed or t("none", lang)))])[0]


def render_commands(lang: Lang, admin: bool) -> str:
    """/help: the commands, and the admin commands for admins only."""
    parts = [t("commands", lang)] + ([t("admin_commands", lang)] if admin else [])
    return pack([esc(p) for p in parts], sep="\n\n")[0]


def render_plain(text: str) -> list[str]:
    """Preformatted plain text (explanations), escaped and split by lines."""
    return pack([esc(line) for line in text.splitlines()])


def render_report(report: IndexReport, lang: Lang) -> list[str]:
    return pack([f"<b>{esc(t('reload_done', lang))}</b>", *(esc(line) for line in report.lines(lang))])


def render_stats(stats: Stats, lang: Lang) -> list[str]:
    units = [
        esc(
            t(
                "stats",
                lang,
                today=stats.today,
                week=stats.week,
                rate=stats.unanswered_rate_week,
                up=stats.helpful,
                down=stats.unhelpful,
                articles=stats.articles,
                passages=stats.passages,
            )
        ),
        "",
        f"<b>{esc(t('top_questions', lang))}</b>",
    ]
    units += [f"{n}× {esc(clip_line(q, 100))}" for q, n in stats.top_questions] or [esc(t("none", lang))]
    units += ["", f"<b>{esc(t('top_unanswered', lang))}</b>"]
    units += [f"{n}× {esc(clip_line(q, 100))}" for q, n in stats.top_unanswered] or [esc(t("none", lang))]
    return pack(units)


# -- callback data: short, versionless, always within Telegram's 64 bytes ------------------


@dataclass(frozen=True)
class Callback:
    kind: str  # "ex" example, "more", "fb" feedback, "sg" suggestion
    question_id: int = 0
    value: int = 0


def encode_callback(callback: Callback) -> str:
    if callback.kind == "ex":
        data = f"ex:{callback.value}"
    elif callback.kind == "more":
        data = f"more:{callback.question_id}"
    elif callback.kind == "fb":
        data = f"fb:{callback.question_id}:{callback.value}"
    elif callback.kind == "sg":
        data = f"sg:{callback.question_id}:{callback.value}"
    else:
        raise ValueError(f"unknown callback kind {callback.kind!r}")
    if len(data.encode()) > MAX_CALLBACK_DATA:
        raise ValueError("callback data over 64 bytes")
    return data


def decode_callback(data: str | None) -> Callback | None:
    """Parse callback data; None for anything this bot did not produce."""
    if not data:
        return None
    match = re.fullmatch(r"ex:(\d{1,3})|more:(\d{1,18})|(fb|sg):(\d{1,18}):(-1|\d)", data)
    if match is None:
        return None
    if match.group(1) is not None:
        return Callback("ex", value=int(match.group(1)))
    if match.group(2) is not None:
        return Callback("more", question_id=int(match.group(2)))
    kind, value = match.group(3), int(match.group(5))
    if kind == "fb" and value not in (-1, 1):
        return None
    return Callback(kind, question_id=int(match.group(4)), value=value)
