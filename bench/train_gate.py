"""Fit the learned answer-or-refuse gate (`bot/kb/gate.py`) and write `bot/kb/gate.json`.

    python bench/train_gate.py            # fit, cross-validate, print figures
    python bench/train_gate.py --write    # ... and write bot/kb/gate.json

Cases come from two public reading-comprehension sets (CMRC 2018 trial, DRCD dev), built
as ../shared/eval/transfer/transfer.py builds them:
- answerable: every context an article in the folder; a question should be answered,
  and is counted right when the bot's answer holds a gold span in its first 300
  characters;
- uncovered: the even-numbered articles in the folder, the questions of the odd-numbered
  ones that name their own (absent) title; each should be refused, or answered right.
Every question is answered with the gate open (the bot's own search and composer), and
keeps the gate's features when the gate would decide it (outside the domain, not
already answered for naming a title, not refused for an unknown name). A logistic
regression is fitted on the right answers (answer) and the wrong uncovered ones
(refuse), with folds grouped by article; the uncovered questions' weight and the
threshold are chosen on the cross-validated probabilities: the most right answers
(mean lead@300 over both sets) with no set's uncovered figure below the rule's.
Printed beside the coverage rule it replaces. This script reads ../shared; the bot
never does.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.train_ranker import load_transfer, open_service, write_answerable, write_article  # noqa: E402
from bot.i18n import detect_language  # noqa: E402
from bot.kb import asking  # noqa: E402
from bot.kb.answer_text import answer_body  # noqa: E402
from bot.kb.asking import Reply  # noqa: E402
from bot.kb.gate import FEATURES, MODEL_FILE, GateModel  # noqa: E402
from bot.kb.results import UNGATED  # noqa: E402
from bot.kb.retrieval import Retriever  # noqa: E402

SETS = ("cmrc2018_trial", "drcd_dev")
FOLDS = 5
L2 = 1.0
UNCOVERED_WEIGHTS = (2.0, 4.0, 8.0, 16.0)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.2, 0.85, 0.05))
OLD_MIN_COVERAGE = 0.5  # the coverage rule the gate replaces outside the domain


@dataclass
class Case:
    source: str
    kind: str  # "answerable" or "uncovered"
    group: int  # fold
    answered: bool  # with the gate open
    right: bool  # the answer holds a gold span in its first 300 characters
    evidence: tuple[float, ...]  # () when the gate does not decide this question


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text.lower())


def holds_gold(reply: Reply, golds: Sequence[str]) -> bool:
    """Whether the answer the user reads holds a gold span in its first 300 characters,
    compared as transfer.py compares (lower case, no whitespace, no citation marks)."""
    answer = reply.answer
    if not answer.answered:
        return False
    text = answer_body(answer, detect_language(answer.question), reply.understood)
    shown = squash(re.sub(r"\[\d+\]", "", text))[:300]
    return any(squash(g) in shown for g in golds if squash(g))


def answer_cases(
    service: object, source: str, kind: str, cases: list[tuple[str, str, list[str]]]
) -> list[Case]:
    retriever = Retriever(service.snapshot, service.retriever.tokenizer, UNGATED)  # type: ignore[attr-defined]
    out = []
    for group, question, golds in cases:
        reply = asking.ask(retriever, question, suggest=False)
        fold = zlib.crc32(f"{source}:{group}".encode()) % FOLDS
        out.append(
            Case(source, kind, fold, reply.answer.answered, holds_gold(reply, golds), reply.result.evidence)
        )
    return out


async def set_cases(shared: Path, name: str) -> list[Case]:
    data = load_transfer(shared, name)
    out: list[Case] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "all"
        cases = write_answerable(folder, data)
        service = await open_service(folder, Path(tmp) / "all.sqlite3")
        try:
            out += answer_cases(service, name, "answerable", cases)
        finally:
            await service.close()
        half = Path(tmp) / "half"
        half.mkdir()
        blob = []
        for art in data[::2]:
            for para in art["paragraphs"]:
                write_article(half, art, para)
                blob.append(str(art["title"]) + para["context"])
        kept = "\n".join(blob)
        cases = []
        for art in data[1::2]:
            title = re.sub(r"\s*[（(].*?[）)]\s*", "", str(art["title"])).strip()
            if len(title) < 2 or title in kept:
                continue
            for para in art["paragraphs"]:
                for qa in para["qas"]:
                    if title in qa["question"]:
                        cases.append(
                            (str(art["title"]), qa["question"], sorted({a["text"] for a in qa["answers"]}))
                        )
        service = await open_service(half, Path(tmp) / "half.sqlite3")
        try:
            out += answer_cases(service, name, "uncovered", cases)
        finally:
            await service.close()
    return out


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, float]:
    """Logistic regression by gradient descent, L2 on the weights (not the bias)."""
    xb = np.column_stack([x, np.ones(len(x))])
    b = np.zeros(xb.shape[1])
    for _ in range(4000):
        p = 1.0 / (1.0 + np.exp(-(xb @ b)))
        b -= 0.5 * (xb.T @ (weight * (p - y)) / weight.sum() + L2 * np.r_[b[:-1], 0.0] / len(y))
    return b[:-1], float(b[-1])


def training(cases: list[Case]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows the gate decides and can learn from: right answers (1), wrong uncovered (0)."""
    mask = np.array(
        [
            bool(c.evidence)
            and c.answered
            and ((c.kind == "answerable" and c.right) or (c.kind == "uncovered" and not c.right))
            for c in cases
        ]
    )
    x = np.array([c.evidence if c.evidence else (0.0,) * len(FEATURES) for c in cases], float)
    y = np.array([1.0 if c.kind == "answerable" else 0.0 for c in cases])
    return x, y, mask


def figures(cases: list[Case], answer: list[bool]) -> dict[str, tuple[float, float, float]]:
    """Per set: lead@300 and refused of the answerable questions, uncovered refused or right."""
    out = {}
    for name in SETS:
        a = [
            (c, ok)
            for c, ok in zip(cases, answer, strict=True)
            if c.source == name and c.kind == "answerable"
        ]
        u = [
            (c, ok) for c, ok in zip(cases, answer, strict=True) if c.source == name and c.kind == "uncovered"
        ]
        lead = sum(c.right and ok for c, ok in a) / len(a)
        refused = sum(not ok for _, ok in a) / len(a)
        uncovered = sum((not ok) or c.right for c, ok in u) / len(u)
        out[name] = (lead, refused, uncovered)
    return out


def score(fig: dict[str, tuple[float, float, float]], floor: dict[str, tuple[float, float, float]]) -> float:
    """Mean lead@300 over the sets, when no set's uncovered figure falls below `floor`'s
    (the rule replaced): more right answers, never more wrong ones about absent articles."""
    if any(fig[name][2] < floor[name][2] for name in fig):
        return -1.0
    return float(np.mean([lead for lead, _, _ in fig.values()]))


def decisions(cases: list[Case], probability: np.ndarray, threshold: float) -> list[bool]:
    return [
        c.answered and (not c.evidence or p >= threshold) for c, p in zip(cases, probability, strict=True)
    ]


def show(label: str, fig: dict[str, tuple[float, float, float]]) -> None:
    parts = [
        f"{n}: lead@300 {100 * a:.1f}%, refused {100 * r:.1f}%, uncovered {100 * u:.1f}%"
        for n, (a, r, u) in fig.items()
    ]
    print(f"{label:<28} " + " | ".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write bot/kb/{MODEL_FILE}")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--without", default="", help="features left out (weight 0), comma-separated")
    args = parser.parse_args()
    cases = [c for name in SETS for c in asyncio.run(set_cases(args.shared, name))]
    x, y, mask = training(cases)
    for name in filter(None, args.without.split(",")):
        x[:, FEATURES.index(name)] = 0.0  # a column of zeros: its weight stays 0
    groups = np.array([c.group for c in cases])
    cover, holds = FEATURES.index("cover"), FEATURES.index("holds_name")
    old = [
        c.answered and (not c.evidence or c.evidence[cover] >= OLD_MIN_COVERAGE or c.evidence[holds] > 0)
        for c in cases
    ]
    rule = figures(cases, old)
    show("coverage rule (50%)", rule)
    best: tuple[float, float, float] | None = None
    for uncovered_weight in UNCOVERED_WEIGHTS:
        probability = np.zeros(len(cases))
        for fold in range(FOLDS):
            train = mask & (groups != fold)
            weights, bias = fit(x[train], y[train], np.where(y[train] == 1, 1.0, uncovered_weight))
            held_out = groups == fold
            probability[held_out] = 1.0 / (1.0 + np.exp(-(x[held_out] @ weights + bias)))
        for threshold in THRESHOLDS:
            value = score(figures(cases, decisions(cases, probability, threshold)), rule)
            if best is None or value > best[0]:
                best = (value, uncovered_weight, threshold)
                chosen = figures(cases, decisions(cases, probability, threshold))
    assert best is not None
    _, uncovered_weight, threshold = best
    show(f"gate, cross-validated (w {uncovered_weight:g}, t {threshold:g})", chosen)
    weights, bias = fit(x[mask], y[mask], np.where(y[mask] == 1, 1.0, uncovered_weight))
    model = GateModel(tuple(float(round(w, 4)) for w in weights), round(bias, 4), float(threshold))
    in_sample = figures(
        cases, [c.answered and (not c.evidence or model.probability(c.evidence) >= threshold) for c in cases]
    )
    show("gate, in sample", in_sample)
    print(
        "weights:",
        ", ".join(f"{f} {w:+.2f}" for f, w in zip(FEATURES, model.weights, strict=True)),
        f"bias {model.bias:+.2f}",
    )
    if args.write:
        cv = {
            n: {"lead300": round(a, 4), "refused": round(r, 4), "uncovered": round(u, 4)}
            for n, (a, r, u) in chosen.items()
        }
        (REPO / "bot" / "kb" / MODEL_FILE).write_text(
            model.to_json({"uncovered_weight": uncovered_weight, "cv": cv}), encoding="utf-8"
        )
        print(f"wrote bot/kb/{MODEL_FILE}")


if __name__ == "__main__":
    main()
