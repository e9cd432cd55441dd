"""Answer quality on the development question set stays at or above the agreed bar."""

from pathlib import Path

from bot.evaluation import EvalCase, EvalReport, is_hit, is_promotion, load_cases, score_answer, score_case
from bot.kb.answer import compose_answer
from bot.kb.retrieval import Retriever
from bot.kb.vocab import Vocabulary
from tests.conftest import DATA, KNOWLEDGE


def run(path: Path, retriever: Retriever, vocab: Vocabulary) -> EvalReport:
    report = EvalReport()
    for case in load_cases(path):
        result = retriever.search(case.question, k=3)
        score_case(case, result, report)
        answer = compose_answer(result, retriever.snapshot)
        score_answer(case, answer, vocab, result.analysis.intent.learning, report)
    return report


ANSWER_SETS = ["dev.jsonl", "dev_hard.jsonl", "dev_answers.jsonl", "dev_judged.jsonl", "dev_lists.jsonl"]


def test_passages_found(seed_retriever: Retriever, vocab: Vocabulary) -> None:
    """The right passage among the first three, over every development set together: a
    floor under today's figures, not a per-question target."""
    reports = [run(DATA / name, seed_retriever, vocab) for name in ANSWER_SETS]
    answerable = sum(r.answerable for r in reports)
    summary = "\n".join(line for r in reports for line in r.misses)
    assert sum(r.hit3 for r in reports) / answerable >= 0.9, summary
    assert sum(r.hit1 for r in reports) / answerable >= 0.75, summary
    assert sum(r.promo_passages for r in reports) == 0, summary


# The answers users read, over every development set together: floors a few points under
# today's figures, so that no single question is a target (issue 19). Held-out questions
# and the cross-validated figures of bench/train_ranker.py say what generalises.
def test_answers_users_read(seed_retriever: Retriever, vocab: Vocabulary) -> None:
    reports = [run(DATA / name, seed_retriever, vocab) for name in ANSWER_SETS]
    answerable = sum(r.answerable for r in reports)
    summary = "\n".join(line for r in reports for line in r.misses)
    assert sum(r.lead_hits for r in reports) / answerable >= 0.78, summary
    assert sum(r.refused_wrong for r in reports) <= 1, summary
    assert sum(r.refused_correct for r in reports) == sum(r.unanswerable for r in reports), summary
    assert sum(r.lists_complete for r in reports) / sum(r.lists for r in reports) >= 0.6, summary
    assert sum(r.promo_answers for r in reports) == 0, summary
    assert sum(r.repeated_answers for r in reports) == 0, summary


def test_hit_needs_the_phrase_in_the_first_1200_chars_and_a_listed_source() -> None:
    case = EvalCase("x", "q", any_of=("年薪",), sources=("1",))
    assert is_hit(case, "1", "平均年薪超过40万")
    assert not is_hit(case, "2", "平均年薪超过40万")
    assert not is_hit(case, "1", "字" * 1200 + "年薪")


def test_the_promotion_measure_sees_what_the_indexer_dropped(seed_retriever: Retriever) -> None:
    """The measure is its own: it finds the calls to action in the raw articles, and none
    in what was indexed from them (so "0 promotional passages" can fail)."""
    raw = [line for path in KNOWLEDGE.glob("*.txt") for line in path.read_text(encoding="utf-8").splitlines()]
    assert sum(is_promotion(line) for line in raw) >= 3
    assert not [p.text[:60] for p in seed_retriever.snapshot.passages if is_promotion(p.text)]
