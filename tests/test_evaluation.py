"""Answer quality on the development question set stays at or above the agreed bar."""

from pathlib import Path

from bot.evaluation import EvalCase, EvalReport, is_hit, load_cases, score_case
from bot.kb.retrieval import Retriever
from bot.kb.vocab import Vocabulary
from tests.conftest import DATA


def run(path: Path, retriever: Retriever, markers: tuple[str, ...]) -> EvalReport:
    report = EvalReport()
    for case in load_cases(path):
        score_case(case, retriever.search(case.question, k=3), markers, report)
    return report


def test_dev_set_quality(seed_retriever: Retriever, vocab: Vocabulary) -> None:
    report = run(DATA / "dev.jsonl", seed_retriever, vocab.promo_markers)
    summary = "\n".join(report.lines())
    assert report.answerable == 20 and report.unanswerable == 2, summary
    assert report.hit3 >= 19, summary
    assert report.hit1 >= 17, summary
    assert report.refused_correct == 2, summary
    assert report.promo_passages == 0, summary


def test_colloquial_dev_set_quality(seed_retriever: Retriever, vocab: Vocabulary) -> None:
    report = run(DATA / "dev_hard.jsonl", seed_retriever, vocab.promo_markers)
    summary = "\n".join(report.lines())
    assert report.answerable == 9 and report.unanswerable == 3, summary
    assert report.hit3 >= 8, summary
    assert report.hit1 >= 7, summary
    assert report.refused_correct == 3, summary
    assert report.promo_passages == 0, summary


def test_hit_needs_the_phrase_in_the_first_1200_chars_and_a_listed_source() -> None:
    case = EvalCase("x", "q", any_of=("年薪",), sources=("1",))
    assert is_hit(case, "1", "平均年薪超过40万")
    assert not is_hit(case, "2", "平均年薪超过40万")
    assert not is_hit(case, "1", "字" * 1200 + "年薪")
