"""Fit the sentence model's weights and write `bot/kb/ranker.json`.

    python bench/train_ranker.py                 # fit, cross-validate, print figures
    python bench/train_ranker.py --write         # ... and write bot/kb/ranker.json

Labelled sentences come from two public reading-comprehension sets (CMRC 2018 trial,
DRCD dev: each context one article, a sentence holding a gold span is a positive) and
from the development question sets on the shipped articles (a sentence holding an
`any_of` phrase or a list item is a positive). Every question is searched the way the
bot searches it, without the refusal gate, and each sentence of its top passages gets
the features of `bot.kb.ranker`.

Two stages. A gradient-boosted tree ensemble (LightGBM, lambdarank) learns from the
reading-comprehension sentences alone what a weighted sum cannot; its score becomes the
last feature, `trees`. Then a listwise logistic fit (`bot.kb.learning`) weighs every
feature: first on the reading-comprehension sets, which are the prior; then the
development questions pull the weights from there (what `aigc-bot eval --cv` refits).
The linear stage is fitted on out-of-fold tree scores, so it learns how far to trust
the trees on sentences they have not seen.

Figures are cross-validated with folds grouped by article (reading comprehension) or by
question (development sets), so no group is both fitted and scored; the tree scores
inside each fold come from trees fitted without it (nested: inner folds for the fitted
part). `follow_share` (when a second sentence joins the lead) is chosen on the
cross-validated probabilities. This script reads ../shared; the bot never does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.config import Settings  # noqa: E402
from bot.crossval import sentence_labels, squash  # noqa: E402
from bot.kb.learning import fit_listwise, grouped_folds  # noqa: E402
from bot.kb.ranker import DANGLING, FEATURES, SentenceModel, candidates, featurize  # noqa: E402
from bot.kb.results import UNGATED  # noqa: E402
from bot.kb.retrieval import Retriever  # noqa: E402
from bot.kb.trees import TreeEnsemble, empty  # noqa: E402
from bot.kb.vocab import normalize_text  # noqa: E402
from bot.service import KnowledgeService  # noqa: E402

FOLDS = 5
L2_TRANSFER = 0.0003
L2_DEVS = (0.001, 0.003, 0.01, 0.03)  # how hard the prior holds: chosen by cross-validation
DEV_SETS = ("dev", "dev_hard", "dev_answers", "dev_judged", "dev_lists")
TRANSFER_SETS = ("cmrc2018_trial", "drcd_dev")
# Never pad the lead with sentences given under a hundredth of the best one's chance.
SHARES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7)
LEAD_CHARS = 260
TREES = FEATURES.index("trees")
# The ensemble's size, chosen on cross-validated figures from leaves 7/15/31, 150/300/600
# rounds, 20/100 sentences per leaf: all within half a point; the smallest of the best.
TREE_PARAMS = {
    "objective": "lambdarank",
    "lambdarank_truncation_level": 5,
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.8,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "seed": 0,
    "verbose": -1,
}
TREE_ROUNDS = 300


@dataclass
class Question:
    source: str
    group: str
    rows: np.ndarray
    labels: np.ndarray
    texts: list[str]
    articles: list[str]
    golds: list[str]
    ranks: list[int]  # each sentence's passage rank
    orders: list[int]  # each sentence's place in its passage


def write_article(folder: Path, art: dict[str, object], para: dict[str, object]) -> None:
    """Exactly as ../shared/eval/transfer/transfer.py writes it."""
    title = str(art["title"]).replace('"', "'")
    url = "https://zh.wikipedia.org/wiki/" + urllib.parse.quote(str(art["title"]))
    (folder / f"{para['id']}.md").write_text(
        f'---\ntitle: "{title}"\nurl: "{url}"\nid: "{para["id"]}"\n---\n\n# {title}\n\n{para["context"]}\n',
        encoding="utf-8",
    )


async def open_service(knowledge: Path, database: Path) -> KnowledgeService:
    settings = Settings(knowledge_dir=knowledge, database_path=database, _env_file=None)  # type: ignore[call-arg]
    return await KnowledgeService.open(settings)


def collect(
    service: KnowledgeService, source: str, cases: list[tuple[str, str, list[str]]]
) -> list[Question]:
    """Rows for (group, question, gold phrases) cases, searched without the refusal gate."""
    retriever = Retriever(service.snapshot, service.retriever.tokenizer, UNGATED)
    out = []
    for group, question, golds in cases:
        result = retriever.search(question, k=3)
        if not result.answered or not result.passages:
            continue
        cands = candidates(result, service.snapshot)
        if not cands:
            continue
        # The trees' column is filled in by `with_trees`, from trees not fitted on it.
        rows = featurize(result, service.snapshot, cands, empty(TREES))
        labels = sentence_labels(cands, golds)
        wanted = [squash(g) for g in golds if squash(g)]
        texts, articles = [c.text for c in cands], [c.article for c in cands]
        ranks, orders = [c.rank for c in cands], [c.order for c in cands]
        out.append(Question(source, group, rows, labels, texts, articles, wanted, ranks, orders))
    return out


def load_transfer(shared: Path, name: str) -> list[dict[str, Any]]:
    """The articles of one reading-comprehension set (SQuAD-style JSON)."""
    data: list[dict[str, Any]] = json.loads(
        (shared / "eval" / "transfer" / f"{name}.json").read_text(encoding="utf-8")
    )["data"]
    return data


def write_answerable(folder: Path, data: list[dict[str, Any]]) -> list[tuple[str, str, list[str]]]:
    """Every context of the set written into `folder` as an article; (article title,
    question, gold spans) of every question, as transfer.py's "answerable" check asks them."""
    folder.mkdir()
    cases = []
    for art in data:
        for para in art["paragraphs"]:
            write_article(folder, art, para)
            for qa in para["qas"]:
                golds = sorted({a["text"].strip() for a in qa["answers"] if a["text"].strip()})
                cases.append((str(art["title"]), qa["question"], golds))
    return cases


async def transfer_questions(shared: Path, name: str) -> list[Question]:
    data = load_transfer(shared, name)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "knowledge"
        cases = [(f"{name}:{title}", q, golds) for title, q, golds in write_answerable(folder, data)]
        service = await open_service(folder, Path(tmp) / "kb.sqlite3")
        try:
            return collect(service, name, cases)
        finally:
            await service.close()


async def dev_questions(shared: Path) -> list[Question]:
    cases = []
    for name in DEV_SETS:
        for line in (shared / "eval" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            raw = json.loads(line)
            if raw.get("answerable", True) and "q" in raw:
                golds = [*raw.get("any_of", ()), *raw.get("items", ())]
                cases.append((f"{name}:{raw['id']}", raw["q"], golds))
    with tempfile.TemporaryDirectory() as tmp:
        service = await open_service(REPO / "knowledge", Path(tmp) / "kb.sqlite3")
        try:
            return collect(service, "aigc", cases)
        finally:
            await service.close()


def fit_trees(qs: list[Question]) -> TreeEnsemble:
    """The tree ensemble over every column but its own, fitted on `qs`."""
    import lightgbm  # a training dependency only (pip install -e '.[bench]')

    fitted = [q for q in qs if q.labels.any()]
    probe = np.vstack([q.rows[:, :TREES] for q in fitted])
    data = lightgbm.Dataset(
        probe,
        np.concatenate([(q.labels > 0).astype(int) for q in fitted]),
        group=[len(q.labels) for q in fitted],
    )
    booster = lightgbm.train(TREE_PARAMS, data, TREE_ROUNDS)
    trees = TreeEnsemble.from_lightgbm(booster.dump_model())
    assert np.allclose(trees.predict(probe), booster.predict(probe)), "the trees read back differently"
    return trees


def with_trees(q: Question, trees: TreeEnsemble) -> Question:
    rows = q.rows.copy()
    rows[:, TREES] = trees.predict(rows[:, :TREES])
    return Question(**{**q.__dict__, "rows": rows})


def out_of_fold(qs: list[Question], salt: str) -> tuple[list[Question], TreeEnsemble]:
    """Each reading-comprehension question with tree scores from trees fitted on the
    other folds; development questions (never fitted on) with the trees fitted on all,
    which are returned too."""
    fitted = [q for q in qs if q.source != "aigc"]
    folds = grouped_folds([q.group + salt for q in fitted], FOLDS)
    out = {id(q): q for q in qs}
    for k in range(FOLDS):
        trees = fit_trees([q for q, f in zip(fitted, folds, strict=True) if f != k])
        for q, f in zip(fitted, folds, strict=True):
            if f == k:
                out[id(q)] = with_trees(q, trees)
    whole = fit_trees(fitted)
    return [with_trees(q, whole) if q.source == "aigc" else out[id(q)] for q in qs], whole


def fit_prior(prior_qs: list[Question]) -> np.ndarray:
    return fit_listwise([(q.rows, q.labels) for q in prior_qs], l2=L2_TRANSFER)


def fit(prior_qs: list[Question], dev_qs: list[Question], l2_dev: float) -> np.ndarray:
    """The prior fitted on reading comprehension, then pulled toward the development
    questions, exactly as `aigc-bot eval --cv` refits it (bot.crossval.refit)."""
    w = fit_prior(prior_qs)
    dev = [(q.rows, q.labels) for q in dev_qs if q.labels.any()]
    return fit_listwise(dev, l2=l2_dev, prior=w) if dev else w


def lead(q: Question, probs: np.ndarray, share: float) -> str:
    """The lead as the composer builds it: the best sentence (after the one it leans on),
    then others of its article scoring at least `share` of it, up to LEAD_CHARS."""
    order = np.argsort(-probs, kind="stable")
    best = int(order[0])
    chosen = [best]
    before = best - 1
    if (
        before >= 0
        and (q.ranks[before], q.orders[before]) == (q.ranks[best], q.orders[best] - 1)
        and DANGLING.match(normalize_text(q.texts[best]))
    ):
        chosen = [before, best]
    for i in order[1:]:
        if probs[i] < share * probs[best]:
            break
        if q.articles[i] != q.articles[best] or i in chosen:
            continue
        if sum(len(q.texts[j]) for j in chosen) + len(q.texts[i]) > LEAD_CHARS:
            break
        chosen.append(int(i))
    return "".join(q.texts[i] for i in chosen)


def figures(questions: list[Question], probs: list[np.ndarray], share: float) -> dict[str, float]:
    n = len(questions) or 1
    at100 = at300 = top1 = 0
    for q, p in zip(questions, probs, strict=True):
        text = squash(lead(q, p, share))
        at100 += any(g in text[:100] for g in q.golds)
        at300 += any(g in text[:300] for g in q.golds)
        top1 += bool(q.labels[int(np.argmax(p))])
    return {"top1": top1 / n, "lead@100": at100 / n, "lead@300": at300 / n}


def cross_validate(qs: list[Question], l2_devs: tuple[float, ...]) -> dict[float, list[np.ndarray]]:
    """For each l2, each question's probabilities from a model fitted without its fold:
    trees fitted without it, and a linear stage fitted on the other folds' tree scores
    from trees fitted without them."""
    folds = grouped_folds([q.group for q in qs], FOLDS)
    out: dict[float, list[np.ndarray]] = {l2: [np.zeros(0)] * len(qs) for l2 in l2_devs}
    for k in range(FOLDS):
        train, trees = out_of_fold([q for q, f in zip(qs, folds, strict=True) if f != k], salt=f"/{k}")
        scored = [(i, with_trees(q, trees)) for i, (q, f) in enumerate(zip(qs, folds, strict=True)) if f == k]
        for l2 in l2_devs:
            w = fit([q for q in train if q.source != "aigc"], [q for q in train if q.source == "aigc"], l2)
            model = SentenceModel(tuple(w), 0.0)
            for i, q in scored:
                out[l2][i] = model.probabilities(q.rows)
    return out


def by_source(qs: list[Question], probs: list[np.ndarray], share: float) -> dict[str, dict[str, float]]:
    out = {}
    for source in (*TRANSFER_SETS, "aigc"):
        idx = [i for i, q in enumerate(qs) if q.source == source]
        out[source] = figures([qs[i] for i in idx], [probs[i] for i in idx], share)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--write", action="store_true", help="write bot/kb/ranker.json")
    args = parser.parse_args()

    async def gather() -> list[Question]:
        qs: list[Question] = []
        for name in TRANSFER_SETS:
            qs += await transfer_questions(args.shared, name)
        return qs + await dev_questions(args.shared)

    qs = asyncio.run(gather())
    print(f"{len(qs)} questions, {sum(len(q.labels) for q in qs)} sentences, {len(FEATURES)} features")
    # How hard the prior holds, then when a further sentence joins the lead: each chosen
    # on cross-validated figures, every source counting alike.
    runs = cross_validate(qs, L2_DEVS)
    l2_dev = max(L2_DEVS, key=lambda l2: sum(f["top1"] for f in by_source(qs, runs[l2], 1.0).values()))
    cv = runs[l2_dev]
    best_share = max(
        SHARES, key=lambda s: sum(f["lead@100"] + f["lead@300"] for f in by_source(qs, cv, s).values())
    )
    print(f"chosen by cross-validation: l2 toward the prior {l2_dev}, follow_share {best_share}")
    qs, trees = out_of_fold(qs, salt="")
    w = fit([q for q in qs if q.source != "aigc"], [q for q in qs if q.source == "aigc"], l2_dev)
    fitted = SentenceModel(tuple(float(x) for x in w), 0.0, follow_share=best_share)
    insample = [fitted.probabilities(q.rows) for q in qs]
    cvf, inf = by_source(qs, cv, best_share), by_source(qs, insample, best_share)
    for source in cvf:
        sub = [q for q in qs if q.source == source]
        reachable = sum(q.labels.any() for q in sub) / (len(sub) or 1)
        print(
            f"{source}: {len(sub)} questions, answer in the candidates {reachable:.1%}; "
            + "; ".join(f"{k} cv {cvf[source][k]:.1%} / in-sample {inf[source][k]:.1%}" for k in cvf[source])
        )
    model = fitted
    print("weights:", ", ".join(f"{n} {x:+.2f}" for n, x in zip(FEATURES, w, strict=True)))
    if args.write:
        pw = fit_prior([q for q in qs if q.source != "aigc"])
        prior = SentenceModel(tuple(float(x) for x in pw), 0.0).to_json()
        path = REPO / "bot" / "kb" / "ranker.json"
        payload = {**model.to_json(), "prior": {**prior, "l2": l2_dev}}
        readable = json.dumps(payload, ensure_ascii=False, indent=1)
        # The weights stay readable, one per line; the trees' arrays are one line each.
        compact = json.dumps(trees.to_json(), separators=(",", ":"))
        path.write_text(readable[:-2] + f',\n "trees": {compact}\n}}\n', encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
