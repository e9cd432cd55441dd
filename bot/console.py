"""Plain-text rendering of answers and the interactive console chat."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TextIO

from bot.i18n import detect_language, t
from bot.kb.answer import Answer
from bot.kb.retrieval import SearchResult
from bot.service import KnowledgeService


def render_text(answer: Answer, suggestions: list[str] | None = None) -> str:
    """An answer as plain text for a terminal."""
    lang = detect_language(answer.question)
    if not answer.answered:
        lines = [t("no_answer", lang)]
        if suggestions:
            lines.append(t("try_topics", lang))
            lines += [f"  - {s}" for s in suggestions]
        return "\n".join(lines)
    lines = [f"{t('answer_header', lang)}: " + " ".join(answer.sentences), "", f"{t('sources', lang)}:"]
    for number, source in enumerate(answer.sources, start=1):
        lines.append(f"  {number}. {source.title} — {source.url or t('no_url', lang)}")
    return "\n".join(lines)


def result_json(result: SearchResult) -> str:
    """One line of JSON in the `ask --json` format."""
    payload = {
        "question": result.question,
        "answered": result.answered,
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
    return json.dumps(payload, ensure_ascii=False)


def topic_suggestions(service: KnowledgeService, limit: int = 3) -> list[str]:
    return [a.title for a in service.snapshot.articles[:limit]]


def chat_loop(service: KnowledgeService, read: Callable[[str], str], out: TextIO) -> None:
    """Ask-answer loop until EOF or /quit. `read` is `input` in a terminal."""
    snapshot = service.snapshot
    print(t("chat_intro", "zh", articles=len(snapshot.articles), passages=len(snapshot.passages)), file=out)
    while True:
        try:
            question = read("> ").strip()
        except (EOFError, KeyboardInterrupt):
            print(file=out)
            return
        if question in {"/quit", "/exit", "quit", "exit"}:
            return
        if not question:
            print(t("empty_question", "zh"), file=out)
            continue
        answer = service.answer(question)
        print(render_text(answer, None if answer.answered else topic_suggestions(service)), file=out)
        print(file=out)
