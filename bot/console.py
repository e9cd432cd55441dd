"""Plain-text rendering of answers and the interactive console chat."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import TextIO

from bot.i18n import detect_language, t
from bot.kb.answer_text import answer_body, render_reply
from bot.service import KnowledgeService, Reply
from bot.terminal import visible


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
