import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.kb.bm25 import BM25Index, above_kth


def random_corpus(seed: int, docs: int = 300, vocab: int = 80) -> list[list[str]]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocab)]
    # Zipf-like: a few words in most documents (negative idf), many rare ones.
    return [
        [words[min(int(rng.paretovariate(1.2)) - 1, vocab - 1)] for _ in range(rng.randint(1, 40))]
        for _ in range(docs)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scores_match_rank_bm25(seed: int) -> None:
    corpus = random_corpus(seed)
    ours, reference = BM25Index(corpus), BM25Okapi(corpus)
    rng = random.Random(seed)
    for _ in range(30):
        query = [f"w{rng.randint(0, 90)}" for _ in range(rng.randint(1, 6))]  # some unknown
        np.testing.assert_allclose(ours.scores(query), reference.get_scores(query), rtol=1e-12, atol=1e-12)


def test_idf_matches_including_negative_epsilon_case() -> None:
    corpus = [["common", "a"], ["common", "b"], ["common"], ["rare"]]
    ours, reference = BM25Index(corpus), BM25Okapi(corpus)
    for word in ["common", "a", "rare"]:
        assert ours.idf(word) == pytest.approx(reference.idf[word])
    assert ours.idf("missing") == 0.0


def test_weights_scale_contributions() -> None:
    corpus = [["a", "b"], ["b", "c"], ["c"]]
    index = BM25Index(corpus)
    np.testing.assert_allclose(index.scores([("b", 2.0)]), 2 * index.scores(["b"]))
    np.testing.assert_allclose(index.scores(["b", "b"]), index.scores([("b", 2.0)]))


def test_top_is_sorted_positive_and_tie_broken_by_order() -> None:
    index = BM25Index([["x"], ["y"], ["x"], ["x", "x"], []])
    hits = index.top(["x"], 10)
    assert list(hits.scores) == sorted(hits.scores, reverse=True)
    assert set(hits.ids) == {0, 2, 3}
    tied = [i for i, s in zip(hits.ids, hits.scores, strict=True) if s == hits.scores[-1]]
    assert tied == sorted(tied)
    assert len(index.top(["x"], 1).ids) == 1


def test_empty_corpus_and_query() -> None:
    index = BM25Index([])
    assert index.top(["x"], 3).ids.size == 0
    assert BM25Index([["a"]]).top([], 3).ids.size == 0


def brute_top(index: BM25Index, query: list[str], k: int, exclude: np.ndarray | None) -> list[int]:
    scores = index.scores(query)
    docs = [d for d in range(index.size) if scores[d] > 0 and (exclude is None or not exclude[d])]
    return sorted(docs, key=lambda d: (-scores[d], d))[:k]


@pytest.mark.parametrize("seed", [4, 5])
def test_top_equals_a_brute_force_ranking_on_dense_and_sparse_terms(seed: int) -> None:
    rng = random.Random(seed)
    # Every word in fewer than half the documents (all idf > 0, the fast path); "common"
    # in about a third (added as a dense vector), the others rare; scores often tie.
    corpus = [
        (["common"] if rng.random() < 0.33 else [])
        + [f"w{rng.randint(0, 60)}" for _ in range(rng.randint(1, 4))]
        for _ in range(400)
    ]
    index = BM25Index(corpus)
    assert index.idf_values.min() > 0
    exclude = np.array([rng.random() < 0.2 for _ in range(400)])
    for _ in range(40):
        query = ["common", *(f"w{rng.randint(0, 70)}" for _ in range(rng.randint(0, 3)))]
        for k in (1, 3, 10, 60, 500):
            for mask in (None, exclude):
                assert index.top(query, k, exclude=mask).ids.tolist() == brute_top(index, query, k, mask)


@pytest.mark.parametrize("seed", [6, 7])
def test_the_sampled_selection_keeps_every_document_as_good_as_the_kth(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 30_000  # large enough that a sample of scores sets the threshold
    cases = {
        "spread": rng.random(n),
        "ties": rng.integers(0, 4, n).astype(np.float64),
        "mostly zero": np.where(rng.random(n) < 0.9, 0.0, rng.random(n)),
        # The best scores all fall between sampled positions: the sample misjudges.
        "hidden best": np.where(np.arange(n) % 7 == 3, 5.0, rng.random(n) * 0.01),
        "one article": np.where((np.arange(n) > 100) & (np.arange(n) < 130), 2.0, 1.0),
    }
    for name, scores in cases.items():
        for k in (1, 10, 60, 1000):
            found = above_kth(scores, k)
            if found is None:  # the sample cannot tell: the caller finds the exact k-th
                assert name in ("hidden best", "mostly zero") or k == 1000, (name, k)
                continue
            chosen = set(found.tolist())
            positive = np.flatnonzero(scores > 0)
            kth = np.sort(scores[positive])[::-1][min(k, len(positive)) - 1]
            needed = {int(d) for d in positive if scores[d] >= kth}
            assert needed <= chosen, (name, k)
            assert all(scores[d] > 0 for d in chosen), (name, k)
        excluded = np.arange(n) % 2 == 0
        found = above_kth(scores, 10, excluded)
        if found is not None:
            allowed = np.where(excluded, 0.0, scores)
            kth = np.sort(allowed)[::-1][9]
            assert not excluded[found].any()
            assert {int(d) for d in np.flatnonzero(allowed >= kth) if allowed[d] > 0} <= set(found.tolist())
