"""Cross-validated answer figures for a question file: `aigc-bot eval --cv`.

The shipped sentence model was fitted on these very development questions (on top of a
prior learned from reading-comprehension sets), so its scores on them are in-sample.
Here each question is answered by a model refitted without it: the questions are split
into folds by id; for each fold the model is fitted from the shipped prior on the other
folds' labelled sentences (`bot.kb.learning`), and that fold's answers are composed
with it. The gap between the two figures is what the fit learned by heart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.evaluation import EvalCase, EvalReport, score_answer
from bot.kb.answer import compose_answer
from bot.kb.asking import converse
from bot.kb.learning import fit_listwise, grouped_folds
from bot.kb.model import Snapshot
from bot.kb.ranker import Candidate, SentenceModel, candidates, featurize, shipped_model, shipped_prior
from bot.kb.results import UNGATED, SearchResult
from bot.kb.retrieval import Retriever
from bot.kb.vocab import normalize_text

FOLDS = 5
_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    return _SPACE.sub("", normalize_text(text))


def sentence_labels(cands: Sequence[Candidate], golds: Sequence[str]) -> npt.NDArray[np.float64]:
    """1 for each candidate holding a gold phrase, or where a gold phrase that runs over
    several sentences of its passage starts."""
    wanted = [g for g in map(squash, golds) if g]
    labels = np.array([float(any(g in squash(c.text) for g in wanted)) for c in cands])
    for r in {c.rank for c in cands}:
        own = [i for i, c in enumerate(cands) if c.rank == r]
        texts = [squash(cands[i].text) for i in own]
        joined = "".join(texts)
        ends = np.cumsum([len(t) for t in texts])
        for g in wanted:
            at = joined.find(g)
            if at >= 0:
                labels[own[int(np.searchsorted(ends, at, side="right"))]] = 1.0
    return labels


@dataclass(frozen=True)
class Labelled:
    rows: npt.NDArray[np.float64]
    labels: npt.NDArray[np.float64]


def labelled(
    snapshot: Snapshot, retriever: Retriever, question: str, golds: Sequence[str]
) -> Labelled | None:
    """A question's candidate sentences, searched as the bot searches but without the
    refusal gate, with their features and labels (None: no candidate holds a gold)."""
    open_gate = Retriever(snapshot, retriever.tokenizer, UNGATED)
    result = open_gate.search(question, k=3)
    cands = candidates(result, snapshot) if result.answered else []
    if not cands:
        return None
    labels = sentence_labels(cands, golds)
    return Labelled(featurize(result, snapshot, cands), labels) if labels.any() else None


def refit(training: Sequence[Labelled], prior: SentenceModel, l2: float) -> SentenceModel:
    """The prior, pulled toward these labelled questions (a listwise fit)."""
    if not training:
        return prior
    w = fit_listwise([(q.rows, q.labels) for q in training], l2=l2, prior=np.asarray(prior.weights))
    shipped = shipped_model()
    return SentenceModel(tuple(float(x) for x in w), 0.0, shipped.follow_share, shipped.see_also_share)


def cross_validate(retriever: Retriever, cases: Sequence[EvalCase]) -> tuple[EvalReport, EvalReport]:
    """(in-sample report with the shipped model, cross-validated report). Synchronous."""
    snapshot = retriever.snapshot
    vocab = retriever.tokenizer.vocab
    prior, l2 = shipped_prior()
    results: list[SearchResult] = []
    understood: list[str] = []
    rows: list[Labelled | None] = []
    for case in cases:
        reply = converse(retriever, case.turns or (case.question,))[-1]
        results.append(reply.result)
        understood.append(reply.understood)
        golds = (*case.any_of, *case.items)
        rows.append(labelled(snapshot, retriever, reply.result.question, golds) if case.answerable else None)
    folds = grouped_folds([case.id for case in cases], FOLDS)
    inside, crossed = EvalReport(), EvalReport()
    for k in range(FOLDS):
        model = refit([r for r, f in zip(rows, folds, strict=True) if f != k and r is not None], prior, l2)
        for i in map(int, np.flatnonzero(folds == k)):
            case, result = cases[i], results[i]
            learning = result.analysis.intent.learning
            for report, used in ((inside, None), (crossed, model)):
                report.total += 1
                report.answerable += case.answerable
                answer = compose_answer(result, snapshot, used)
                score_answer(case, answer, vocab, learning, report, understood[i])
    return inside, crossed
