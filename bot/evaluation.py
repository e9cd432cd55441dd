"""Score a question file (the `tests/data/*.jsonl` format) against the knowledge base.

Each line: {"id", "q", "any_of": [phrases a good passage contains], "sources": [article
ids it may come from], "items": [a list question's full list]} or {"id", "q",
"answerable": false} for questions to refuse. A passage is judged on its first 1,200
characters. The answer a user reads is judged too: a key phrase in its first 300
characters (lead@300), every list item named, no promotional or course text for a
question not about learning, no sentence said twice.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import BotError
from bot.i18n import detect_language
from bot.kb.answer_text import answer_body
from bot.kb.asking import converse
from bot.kb.course import is_course_heading
from bot.kb.results import Answer, SearchResult
from bot.kb.retrieval import Retriever
from bot.kb.vocab import Vocabulary, normalize_text

JUDGED_CHARS = 1200
LEAD_CHARS = 300
REPEAT_SIMILARITY = 0.6


@dataclass(frozen=True)
class EvalCase:
    id: str
    question: str
    any_of: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    answerable: bool = True
    items: tuple[str, ...] = ()
    turns: tuple[str, ...] = ()  # a conversation: the last turn is scored
    independent: bool = False  # the last turn stands alone (it must not be bent)


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
    lead_hits: int = 0
    lists: int = 0
    lists_complete: int = 0
    promo_answers: int = 0
    repeated_answers: int = 0
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
            f"lead@300: {self.lead_hits}/{self.answerable} (key phrase in the first {LEAD_CHARS} characters)",
            f"lists complete: {self.lists_complete}/{self.lists}",
            f"answers with promotional or course text: {self.promo_answers}",
            f"answers repeating a sentence: {self.repeated_answers}",
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
                    question=str(raw["q"] if "q" in raw else raw["turns"][-1]),
                    any_of=tuple(raw.get("any_of", ())),
                    sources=tuple(str(s) for s in raw.get("sources", ())),
                    answerable=bool(raw.get("answerable", True)),
                    items=tuple(str(i) for i in raw.get("items", ())),
                    turns=tuple(str(t) for t in raw.get("turns", ())),
                    independent=bool(raw.get("independent", False)),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise BotError(f"{path} line {number}: not an eval case ({exc})") from None
    return cases


# Calls to action, found by their form: independent of the markers the indexer drops
# text by (vocab/promo_markers.txt), so a marker missing there still shows here.
PROMOTION = re.compile(
    r"扫码|二维码|关注(?:我|公众号|微信)|公众号(?:回复|后台)|加群|加微信|私信|点赞|一键三连|"
    r"免费领取|文末领取|领取资料|侵权|侵删|有需要的(?:小伙伴|朋友)|"
    r"subscribe|follow us|click (?:here|below)|dm me",
    re.IGNORECASE,
)


def is_promotion(text: str) -> bool:
    return PROMOTION.search(normalize_text(text)) is not None


def is_hit(case: EvalCase, article_id: str, text: str) -> bool:
    judged = normalize_text(text[:JUDGED_CHARS])
    from_source = not case.sources or article_id in case.sources
    return from_source and any(normalize_text(p) in judged for p in case.any_of)


def score_case(case: EvalCase, result: SearchResult, report: EvalReport) -> None:
    report.total += 1
    top = result.passages[:3]
    report.promo_passages += sum(is_promotion(p.passage.text) for p in top)
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


def answer_text(answer: Answer, understood: str = "") -> str:
    """Exactly what `ask` prints above the sources."""
    return answer_body(answer, detect_language(answer.question), understood) if answer.answered else ""


def score_answer(
    case: EvalCase,
    answer: Answer,
    vocab: Vocabulary,
    learning: bool,
    report: EvalReport,
    understood: str = "",
) -> None:
    """The answer a user reads: key phrase early, whole lists, no promotion, no repeats."""
    if not case.answerable or not answer.answered:
        return
    text = answer_text(answer, understood)
    normal = normalize_text(text)
    if any(normalize_text(p) in normalize_text(text[:LEAD_CHARS]) for p in case.any_of):
        report.lead_hits += 1
    else:
        report.misses.append(
            f"{case.id} key phrase not in the first {LEAD_CHARS} characters: {case.question}"
        )
    if case.items:
        report.lists += 1
        missing = [i for i in case.items if normalize_text(i) not in normal]
        if missing:
            report.misses.append(f"{case.id} list lacks {', '.join(missing)}: {case.question}")
        else:
            report.lists_complete += 1
    parts = [c.text for c in (*answer.lead, *answer.items, *answer.see_also)]
    if not learning and any(
        is_promotion(p) or is_course_heading(p, vocab.course_markers) for p in parts
    ):
        report.promo_answers += 1
        report.misses.append(f"{case.id} answer carries promotional or course text: {case.question}")
    if _repeats(parts):
        report.repeated_answers += 1
        report.misses.append(f"{case.id} answer repeats a sentence: {case.question}")


def _repeats(parts: list[str]) -> bool:
    def grams(text: str) -> set[str]:
        key = "".join(ch for ch in normalize_text(text) if ch.isalnum())
        return {key[i : i + 2] for i in range(len(key) - 1)}

    seen: list[set[str]] = []
    for part in parts:
        g = grams(part)
        if len(g) >= 4 and any(len(g & o) / len(g | o) >= REPEAT_SIMILARITY for o in seen):
            return True
        seen.append(g)
    return False


def evaluate(retriever: Retriever, cases: list[EvalCase]) -> EvalReport:
    """Synchronous: run it in a worker thread from async code."""
    report = EvalReport()
    vocab = retriever.tokenizer.vocab
    for case in cases:
        # A question is a conversation of one turn; with "turns" the last one is judged.
        reply = converse(retriever, case.turns or (case.question,))[-1]
        score_case(case, reply.result, report)
        learning = reply.result.analysis.intent.learning
        score_answer(case, reply.answer, vocab, learning, report, reply.understood)
    return report
