"""Plain-text rendering of answers and the interactive console chat."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import TextIO

from bot.i18n import Lang, detect_language, refusal, t
from bot.kb.results import Answer
from bot.plaintext import sentence_joiner, with_citation
from bot.service import KnowledgeService, Reply
from bot.terminal import visible


def answer_body(answer: Answer, lang: Lang, understood: str = "") -> str:
    """The answer as read above the sources: how a follow-up was understood, the lead,
    the list, the see-also lines."""
    lines = [understood] if understood else []
    if answer.lead:
        lines.append(sentence_joiner(lang).join(with_citation(c.text, c.source) for c in answer.lead))
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


def reply_json(reply: Reply) -> str:
    """One line of JSON in the `ask --json` format ("suggestions" only without an answer)."""
    result, answer = reply.result, reply.answer
    payload: dict[str, object] = {
        "question": result.question,
        "answered": result.answered,
        "intent": answer.intent,
        "answer": answer_body(answer, detect_language(answer.question), reply.understood)
        if answer.answered
        else "",
        "understood": reply.understood,
        "passages": [
            {
                "title": p.passage.title,
                "url": p.passage.url,
                "heading": p.passage.heading,
                "text": p.passage.text,
                "score": round(p.score, 4),
            }
            for p in result.passages
        ],
    }
    if not result.answered:
        payload["suggestions"] = list(reply.suggestions)
    return json.dumps(payload, ensure_ascii=False)


async def chat_loop(service: KnowledgeService, read: Callable[[str], str], out: TextIO) -> None:
    """Ask-answer loop until EOF or /quit. `read` is `input` in a terminal. The session
    is one conversation, forgotten when it ends."""
    articles, passages, _ = service.overview()
    print(t("chat_intro", "zh", articles=articles, passages=passages), file=out)
    session = f"console:{uuid.uuid4().hex}"
    try:
        while True:
            try:
                # Read in this thread, so Ctrl-C at the prompt reaches us and leaves cleanly.
                question = read("> ").strip()
            except (EOFError, KeyboardInterrupt):
                print(file=out)
                return
            if question in {"/quit", "/exit", "quit", "exit"}:
                return
            if question in {"/reset", "/new"}:
                await service.forget(session)
                print(t("reset_done", "zh"), file=out)
                continue
            if not question:
                print(t("empty_question", "zh"), file=out)
                continue
            reply = await service.ask(question, conversation=session)
            print(visible(render_reply(reply, service.settings.max_question_chars)), file=out)
            print(file=out)
    finally:
        await service.forget(session)
