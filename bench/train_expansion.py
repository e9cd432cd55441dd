"""Learn how much a question's expansion terms weigh and write `bot/kb/expansion.json`.

    python bench/train_expansion.py             # measure, cross-validate, print
    python bench/train_expansion.py --write     # ... and write bot/kb/expansion.json

A question's own words weigh 1. Terms that stand in for them weigh less, by origin:
pieces of a word the index lacks (subword), glossary and admins' synonyms, the
thesaurus, the bilingual dictionary, spelling neighbours (fuzzy). Each origin's weight
is chosen on questions, scored by what the user reads:
- two public reading-comprehension sets (CMRC 2018 trial, DRCD dev; each context one
  article): the gold span in the first 300 characters of the answer;
- the development question sets on the shipped articles: a key phrase in the first
  300 characters of an answerable question's answer, a refusal for an off-topic one.

For each origin in turn, every value of a small grid is tried with the other origins at
their weights so far; only the questions whose search terms include that origin can
change, so only they are asked again. The value is chosen with cross-validation (folds
grouped by article or by question): the printed figure is held out, each fold scored
with the value chosen on the others; the written value is the one chosen on all
questions. Ties keep the value already in use. This script reads ../shared; the bot
never does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.train_gate import holds_gold  # noqa: E402
from bench.train_ranker import load_transfer, open_service, write_answerable  # noqa: E402
from bot.evaluation import EvalCase, EvalReport, load_cases, score_answer, score_case  # noqa: E402
from bot.kb import asking  # noqa: E402
from bot.kb.asking import converse  # noqa: E402
from bot.kb.retrieval import Retriever  # noqa: E402
from bot.kb.tokenizer import EXPANSION_FILE, EXPANSIONS, shipped_weights  # noqa: E402

GRID = (0.2, 0.3, 0.4, 0.5, 0.6, 0.8)  # below 1: an expansion never outweighs the own words
FOLDS = 5
TRANSFER_SETS = ("cmrc2018_trial", "drcd_dev")
DEV_SETS = ("dev", "dev_hard", "dev_answers", "dev_judged", "dev_lists", "dev_followups")


@dataclass
class Asked:
    """One question of one set, and how to score a reply to it."""

    source: str
    group: str  # what cross-validation keeps together: an article, or a question
    question: str
    golds: list[str] = field(default_factory=list)  # reading comprehension
    case: EvalCase | None = None  # a development question
    origins: frozenset[str] = frozenset()  # the expansion origins among its search terms


def right(retriever: Retriever, asked: Asked) -> bool:
    """Whether the user reads a right reply to the question."""
    if asked.case is None:
        return holds_gold(asking.ask(retriever, asked.question), asked.golds)
    report = EvalReport()
    case = asked.case
    last = converse(retriever, case.turns or (case.question,))[-1]
    score_case(case, last.result, report)
    learning = last.result.analysis.intent.learning
    score_answer(case, last.answer, retriever.tokenizer.vocab, learning, report, last.understood)
    return report.lead_hits + report.refused_correct > 0


@dataclass
class Collection:
    """A knowledge base open for asking, and its questions."""

    retriever: Retriever
    questions: list[Asked]


def origins_of(retriever: Retriever, question: str) -> frozenset[str]:
    result = retriever.search(question)
    return frozenset(t.origin for t in result.terms if t.origin in EXPANSIONS)


def fold_of(group: str) -> int:
    return zlib.crc32(group.encode()) % FOLDS


def choose(scores: dict[float, list[bool]], rows: Sequence[int], current: float) -> float:
    """The grid value with the most right replies on `rows`; ties keep `current`, then
    the smaller weight."""
    return max(scores, key=lambda v: (sum(scores[v][i] for i in rows), v == current, -v))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write bot/kb/{EXPANSION_FILE}")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        collections: list[Collection] = []
        services = []
        for name in TRANSFER_SETS:
            folder = Path(tmp) / name
            folder.mkdir()
            cases = write_answerable(folder / "knowledge", load_transfer(args.shared, name))
            service = await open_service(folder / "knowledge", folder / "kb.sqlite3")
            services.append(service)
            qs = [Asked(name, f"{name}:{title}", q, golds) for title, q, golds in cases]
            collections.append(Collection(service.retriever, qs))
        service = await open_service(REPO / "knowledge", Path(tmp) / "aigc.sqlite3")
        services.append(service)
        dev = [
            Asked("aigc", f"{name}:{case.id}", case.question, case=case)
            for name in DEV_SETS
            for case in load_cases(args.shared / "eval" / f"{name}.jsonl")
        ]
        collections.append(Collection(service.retriever, dev))
        try:
            weights = dict(shipped_weights())
            for c in collections:
                c.retriever.tokenizer.weights = weights  # one dict: every change is seen
                for q in c.questions:
                    q.origins = origins_of(c.retriever, q.question)
            every = [(c, q) for c in collections for q in c.questions]
            baseline = [right(c.retriever, q) for c, q in every]
            print(f"{len(every)} questions; right with the weights in use: {sum(baseline)}")
            for origin in EXPANSIONS:
                touched = [i for i, (_, q) in enumerate(every) if origin in q.origins]
                if not touched:
                    print(f"{origin}: no question has such a term; stays {weights[origin]}")
                    continue
                current = weights[origin]
                scores: dict[float, list[bool]] = {}
                for value in GRID:
                    weights[origin] = value
                    scores[value] = [right(every[i][0].retriever, every[i][1]) for i in touched]
                held_out = 0
                for k in range(FOLDS):
                    train = [j for j, i in enumerate(touched) if fold_of(every[i][1].group) != k]
                    test = [j for j, i in enumerate(touched) if fold_of(every[i][1].group) == k]
                    value = choose(scores, train, current)
                    held_out += sum(scores[value][j] for j in test)
                chosen = choose(scores, range(len(touched)), current)
                weights[origin] = chosen
                by_source: dict[str, int] = {}
                for i in touched:
                    by_source[every[i][1].source] = by_source.get(every[i][1].source, 0) + 1
                grid = ", ".join(f"{v:g}: {sum(s)}" for v, s in scores.items())
                print(
                    f"{origin}: {len(touched)} questions ({by_source}); right by weight {grid}; "
                    f"{current:g} -> {chosen:g}; cross-validated {held_out} vs {sum(scores[current])} "
                    "with the weight in use"
                )
            final = [right(c.retriever, q) for c, q in every]
            print(f"right with the chosen weights: {sum(final)} (was {sum(baseline)})")
            print("weights:", json.dumps(weights))
            if args.write:
                path = REPO / "bot" / "kb" / EXPANSION_FILE
                path.write_text(json.dumps({"weights": weights}, indent=2) + "\n", encoding="utf-8")
                print(f"wrote {path}")
        finally:
            for service in services:
                await service.close()


if __name__ == "__main__":
    asyncio.run(main())
