"""Plain-text rendering of answers and the interactive console chat."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TextIO

from bot.i18n import detect_language, t
from bot.kb.answer import Answer
from bot.kb.retrieval import Retriever, SearchResult
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


def result_json(result: SearchResult, suggestions: list[str] | None = None) -> str:
    """One line of JSON in the `ask --json` format ("suggestions" only without an answer)."""
    payload: dict[str, object] = {
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
    if not result.answered:
        payload["suggestions"] = suggestions or []
    return json.dumps(payload, ensure_ascii=False)


def render_explanation(result: SearchResult, retriever: Retriever) -> str:
    """Why each passage ranked: matched terms, where they came from, their contributions."""
    lines = [f"terms: {', '.join(f'{t.token}({t.origin} {t.weight:g})' for t in result.terms) or '-'}"]
    lines.append(f"answered: {result.answered} ({result.reason}; coverage {result.coverage:.0%})")
    for rank, scored in enumerate(result.passages, start=1):
        parts, bonus = retriever.explain(result, scored)
        lines.append(f"#{rank} {scored.score:.3f} {scored.passage.title} | {scored.passage.heading or '-'}")
        for part in parts:
            via = "" if part.origin == "question" else f" via {part.origin} of '{part.group}'"
            lines.append(f"    {part.token}: {part.score:.3f} (weight {part.weight:g}{via})")
        if bonus > 1e-9:
            lines.append(f"    heading match bonus: {bonus:.3f}")
    return "\n".join(lines)


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
        print(render_text(answer, None if answer.answered else service.suggestions(question)), file=out)
        print(file=out)
