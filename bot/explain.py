"""Why passages ranked: matched terms, where each came from, their contributions."""

from __future__ import annotations

from bot.kb.results import SearchResult
from bot.kb.retrieval import Retriever


def render_explanation(result: SearchResult, retriever: Retriever) -> str:
    """Plain text for `ask --explain` and the admins' /explain."""
    analysis = result.analysis
    lines = [f"terms: {', '.join(f'{t.token}({t.origin} {t.weight:g})' for t in result.terms) or '-'}"]
    lines.append(
        f"intent: {analysis.intent.intent}"
        + (" (about learning: courses allowed)" if analysis.intent.learning else "")
    )
    lines.append(f"answered: {result.answered} ({result.reason}; coverage {result.coverage:.0%})")
    for rank, scored in enumerate(result.passages, start=1):
        parts, bonus = retriever.explain(result, scored)
        lines.append(f"#{rank} {scored.score:.3f} {scored.passage.title} | {scored.passage.heading or '-'}")
        for part in parts:
            via = "" if part.origin == "question" else f" via {part.origin} of '{part.group}'"
            lines.append(f"    {part.token}: {part.score:.3f} (weight {part.weight:g}{via})")
        if bonus > 1e-9:
            lines.append(f"    heading/course bonus: {bonus:.3f}")
    return "\n".join(lines)
