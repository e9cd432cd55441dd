"""An answer as plain text: what the console, `aigc-bot ask`, the admin console's hit
test and the question log show (Telegram renders the same parts as HTML)."""

from __future__ import annotations

from bot.i18n import Lang, detect_language, refusal, t
from bot.kb.asking import Reply
from bot.kb.polarity import with_verdict
from bot.kb.results import Answer
from bot.plaintext import sentence_joiner, with_citation


def answer_body(answer: Answer, lang: Lang, understood: str = "") -> str:
    """The answer as read above the sources: how a follow-up was understood, the lead,
    the list, the see-also lines."""
    lines = [understood] if understood else []
    if answer.unstated:
        lines.append(t(f"unstated_{answer.unstated}", lang))
    if answer.lead:
        lead = sentence_joiner(lang).join(with_citation(c.text, c.source) for c in answer.lead)
        lines.append(with_verdict(answer, lead, lang))
    lines += [f"• {with_citation(c.text, c.source)}" for c in answer.items]
    lines += [f"{t('see_also', lang)}{with_citation(c.text, c.source)}" for c in answer.see_also]
    return "\n".join(lines)


def render_text(
    answer: Answer, suggestions: list[str] | tuple[str, ...] | None = None, understood: str = ""
) -> str:
    """An answer as plain text for a terminal."""
    lang = detect_language(answer.question)
    if not answer.answered:
        lines = [refusal(lang, answer.missing)]
        if suggestions:
            lines.append(t("try_topics", lang))
            lines += [f"  - {s}" for s in suggestions]
        return "\n".join(lines)
    lines = [answer_body(answer, lang, understood), "", f"{t('sources', lang)}:"]
    for number, source in enumerate(answer.sources, start=1):
        lines.append(f"  [{number}] {source.title} — {source.url or t('no_url', lang)}")
    return "\n".join(lines)


def render_reply(reply: Reply, limit: int) -> str:
    """A reply as plain text, with a note when the question was cut to `limit` characters."""
    text = render_text(reply.answer, reply.suggestions, reply.understood)
    if reply.truncated:
        text = f"({t('truncated', detect_language(reply.answer.question), chars=limit)})\n{text}"
    return text
