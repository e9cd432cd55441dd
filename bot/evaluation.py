"""Score a question file (the `../shared/eval/dev.jsonl` format) against the knowledge base.

Each line: {"id", "q", "any_of": [phrases a good passage contains], "sources": [article
ids it may come from]} or {"id", "q", "answerable": false} for questions to refuse. A
passage is judged on its first 1,200 characters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import BotError
from bot.kb.boilerplate import is_promo
from bot.kb.retrieval import SearchResult
from bot.kb.vocab import normalize_text
from bot.service import KnowledgeService

JUDGED_CHARS = 1200


@dataclass(frozen=True)
class EvalCase:
    id: str
    question: str
    any_of: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    answerable: bool = True


@dataclass
class EvalReport:
    total: int = 0
    answerable: int = 0
    hit1: int = 0
    hit3: int = 0
    reciprocal: float = 0.0
    refused_correct: int = 0
    refused_wrong: int = 0
    unanswerable: int = 0
    promo_passages: int = 0
    misses: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        refused = self.refused_correct + self.refused_wrong
        precision = self.refused_correct / refused if refused else 1.0
        recall = self.refused_correct / self.unanswerable if self.unanswerable else 1.0
        mrr = self.reciprocal / self.answerable if self.answerable else 0.0
        return [f"miss {m}" for m in self.misses] + [
            f"questions: {self.total} ({self.answerable} answerable, {self.unanswerable} off-topic)",
            f"hit@1: {self.hit1}/{self.answerable}",
            f"hit@3: {self.hit3}/{self.answerable}",
            f"MRR@3: {mrr:.3f}",
            f"no-answer precision: {precision:.2f} recall: {recall:.2f} "
            f"({self.refused_correct}/{self.unanswerable} off-topic refused, "
            f"{self.refused_wrong} answerable refused)",
            f"promo passages in top 3: {self.promo_passages}",
        ]


def load_cases(path: Path) -> list[EvalCase]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            cases.append(
                EvalCase(
                    id=str(raw.get("id", number)),
                    question=str(raw["q"]),
                    any_of=tuple(raw.get("any_of", ())),
                    sources=tuple(str(s) for s in raw.get("sources", ())),
                    answerable=bool(raw.get("answerable", True)),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise BotError(f"{path} line {number}: not an eval case ({exc})") from None
    return cases


def is_hit(case: EvalCase, article_id: str, text: str) -> bool:
    judged = normalize_text(text[:JUDGED_CHARS])
    from_source = not case.sources or article_id in case.sources
    return from_source and any(normalize_text(p) in judged for p in case.any_of)


def score_case(case: EvalCase, result: SearchResult, markers: tuple[str, ...], report: EvalReport) -> None:
    report.total += 1
    top = result.passages[:3]
    report.promo_passages += sum(is_promo(p.passage.text, markers) for p in top)
    if not case.answerable:
        report.unanswerable += 1
        if result.answered:
            report.misses.append(f"{case.id} answered an off-topic question: {case.question}")
        else:
            report.refused_correct += 1
        return
    report.answerable += 1
    if not result.answered:
        report.refused_wrong += 1
        report.misses.append(f"{case.id} refused ({result.reason}): {case.question}")
        return
    ranks = [i for i, p in enumerate(top) if is_hit(case, p.passage.article_id, p.passage.text)]
    if ranks:
        report.hit3 += 1
        report.hit1 += ranks[0] == 0
        report.reciprocal += 1 / (ranks[0] + 1)
    if not ranks or ranks[0] != 0:
        got = " | ".join(f"{p.passage.article_id}:{p.passage.heading or p.passage.title}" for p in top)
        where = f"hit at {ranks[0] + 1}" if ranks else "no hit in top 3"
        report.misses.append(f"{case.id} {where}: {case.question} -> {got}")


def evaluate(service: KnowledgeService, cases: list[EvalCase]) -> EvalReport:
    report = EvalReport()
    markers = service.retriever.tokenizer.vocab.promo_markers
    for case in cases:
        score_case(case, service.search(case.question, k=3), markers, report)
    return report
