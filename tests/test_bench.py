"""A smoke run of the benchmark's pieces on a tiny corpus (no timing assertions)."""

import pytest

from bench import corpus, run


def test_corpus_is_deterministic_and_grows_its_vocabulary() -> None:
    tok = corpus.tokenizer()
    small, again = corpus.build(200, tok, queries=40), corpus.build(200, tok, queries=40)
    assert small.passages == again.passages and small.queries == again.queries
    bigger = corpus.build(800, tok, queries=40)
    assert len({t for p in bigger.passages for t in p}) > len({t for p in small.passages for t in p})
    assert len(small.queries) >= 40 and all(small.queries)


@pytest.mark.parametrize("engine", ["project", "project-search", "rank_bm25"])
def test_search_child_reports_figures(engine: str) -> None:
    out = run.child_search(300, engine, 15)
    assert out["queries"] == 15 and out["p99_ms"] >= out["p50_ms"] > 0 and out["rss_mb"] > 0
    assert len(out["top"]) == 15


def test_project_index_agrees_with_bm25okapi() -> None:
    assert run.child_agreement(300, 40)["agreement"] == 1.0


def test_reload_child_tokenises_only_the_changed_article() -> None:
    out = run.child_reload(30)
    assert out["changed"] == ["a00000.md"]
    assert 0 < out["tokenizer_calls_for_change"] < 20


def test_polling_child_answers_every_question() -> None:
    out = run.child_polling(300, 20, 1)
    assert out["replied"] == out["questions"] == 20 and out["rejected"] == 0


def test_user_path_benchmark_smoke_run() -> None:
    """bench/userpath.py end to end on a tiny knowledge base: every figure is printed."""
    import subprocess
    import sys

    from tests.conftest import REPO

    proc = subprocess.run(
        [
            sys.executable,
            "bench/userpath.py",
            "--articles",
            "12",
            "--sections",
            "4",
            "--repeat",
            "2",
            "--seconds",
            "1",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    for figure in (
        "first index",
        "unchanged re-index",
        "cold `ask`",
        "per answered question",
        "per refused question",
        "per new question",
        "first getUpdates",
        "tie-aware top-10 agreement with BM25Okapi: 100%",
    ):
        assert figure in proc.stdout, proc.stdout
    assert "30/30 replied" in proc.stdout and "0 rejected calls" in proc.stdout
