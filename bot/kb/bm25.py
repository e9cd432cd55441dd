"""Okapi BM25 over an inverted index, score-for-score equal to `rank_bm25.BM25Okapi`.

rank_bm25 loops in Python over every document for every query token. Here each term's
postings hold precomputed contributions `idf * tf*(k1+1) / (tf + k1*(1-b+b*dl/avgdl))`,
so a query touches only the documents that contain its terms. Parity is tested.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from bot.kb.memo import LIMITS, Memo

_SLICE = 1 << 20
# Terms in more than 1/DENSE_SHARE of the documents are added as dense vectors...
DENSE_SHARE = 8
# ...of which `bot.kb.memo.LIMITS["dense"]` are kept (8 MB each at a million documents)
_KEPT = {"dense": LIMITS["dense"], "mask": 4}  # the index's own views (see bot.kb.memo)
_SAMPLE_SIZE = 4096  # scores sampled to find a selection threshold (see `above_kth`)
SAMPLE_MARGIN = 4  # the sample's threshold aims at this many times k documents


def count_pairs(
    corpus: Sequence[Sequence[str]], vocabulary: dict[str, int]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int64]]:
    """Each document's length, and its (term, document) pairs with their counts, sorted by
    document then term; `vocabulary` gets an id for every new token."""
    # Every occurrence as a term id in one compact C array (no dict per document);
    # numpy then counts (document, term) pairs: ~2x faster than counting in Python.
    occurrences = array("i")
    lengths = np.zeros(len(corpus), dtype=np.float64)
    for doc_id, tokens in enumerate(corpus):
        lengths[doc_id] = len(tokens)
        occurrences.extend([vocabulary.setdefault(token, len(vocabulary)) for token in tokens])
    width = max(len(vocabulary), 1)
    docs = np.repeat(np.arange(len(corpus), dtype=np.int64), lengths.astype(np.int64))
    keys = docs * width + np.frombuffer(occurrences, dtype=np.int32)
    del docs, occurrences
    pairs, tf = np.unique(keys, return_counts=True)
    return lengths, (pairs % width).astype(np.int32), (pairs // width).astype(np.int32), tf


def okapi_idf(df: npt.NDArray[np.float64], size: int, epsilon: float) -> npt.NDArray[np.float64]:
    """idf exactly as rank_bm25's BM25Okapi: log((N - df + 0.5) / (df + 0.5)), negative
    values replaced by epsilon times the mean idf."""
    idf: npt.NDArray[np.float64] = np.log(size - df + 0.5) - np.log(df + 0.5)
    if len(idf):
        average = float(idf.sum() / len(idf))
        idf[idf < 0] = epsilon * average
    return idf


def _all_positive(idf: npt.NDArray[np.float64]) -> bool:
    """Every contribution is > 0 (every idf is; tf always adds): then a document matches
    exactly when its score is > 0, and `top` needs no match mask."""
    return bool(len(idf) == 0 or idf.min() > 0)


def okapi_tf(
    tf: npt.NDArray[np.int32], lengths: npt.NDArray[np.float64], avgdl: float, k1: float, b: float
) -> npt.NDArray[np.float64]:
    """The term-frequency part of a BM25Okapi contribution:
    tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))."""
    f = tf.astype(np.float64)
    norm = k1 * (1 - b + b * lengths / avgdl)
    part: npt.NDArray[np.float64] = f * (k1 + 1) / (f + norm)
    return part


class Column(Protocol):
    """A one-dimensional array read by slices: a numpy array, or postings read from a
    file slice by slice (`bot.snapshot_files.FileColumn`)."""

    def __getitem__(self, key: slice, /) -> npt.NDArray[Any]: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True)
class Hits:
    """Top documents of a query, best first: indices into the corpus and their scores."""

    ids: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float64]


class BM25Index:
    """Inverted index with BM25Okapi scoring (k1, b, epsilon as in rank_bm25)."""

    def __init__(
        self,
        corpus: Sequence[Sequence[str]],
        *,
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> None:
        if k1 < 0 or not 0 <= b <= 1:
            raise ValueError("BM25 needs k1 >= 0 and 0 <= b <= 1")
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self.memo = Memo(_KEPT)
        self.size = len(corpus)
        self.vocabulary: dict[str, int] = {}
        lengths, terms, doc_of_pair, tf_by_doc = count_pairs(corpus, self.vocabulary)
        self.avgdl = float(lengths.sum() / self.size) if self.size else 0.0

        # Postings by term (documents ascending within a term, as a stable sort keeps them).
        order = np.argsort(terms, kind="stable")
        df = np.bincount(terms, minlength=len(self.vocabulary)).astype(np.float64)
        posting_terms = terms[order]
        doc_ids = doc_of_pair[order]
        tf = tf_by_doc[order].astype(np.int32)
        del terms, doc_of_pair, order, tf_by_doc
        self._doc_ids: Column = doc_ids
        self._indptr = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
        self.doc_freqs = df
        self.idf_values = okapi_idf(df, self.size, epsilon)
        self._positive = _all_positive(self.idf_values)
        # In slices, so that 10M postings never need more than a few MB of temporaries.
        contrib = np.empty(len(tf), dtype=np.float64)
        for start in range(0, len(tf), _SLICE):
            end = start + _SLICE
            part = okapi_tf(tf[start:end], lengths[doc_ids[start:end]], self.avgdl, k1, b)
            contrib[start:end] = self.idf_values[posting_terms[start:end]] * part
        self._contrib: Column = contrib

    def arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        """The index as plain arrays (for `restore`): postings, contributions, idf, df."""
        return {
            "indptr": self._indptr,
            "doc_ids": self._doc_ids[0 : len(self._doc_ids)],
            "contrib": self._contrib[0 : len(self._contrib)],
            "idf": self.idf_values,
            "df": self.doc_freqs,
        }

    @classmethod
    def restore(
        cls,
        terms: Sequence[str],
        arrays: Mapping[str, npt.NDArray[Any] | Column],
        *,
        size: int,
        avgdl: float,
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> BM25Index:
        """An index from `arrays()` and its terms in id order, without recounting. The
        postings ("doc_ids", "contrib") may be any `Column`: only the slices a query reads
        are read; the other arrays are numpy arrays (in memory or mapped)."""
        index = cls.__new__(cls)
        index.k1, index.b, index.epsilon = k1, b, epsilon
        index.memo = Memo(_KEPT)
        index.size, index.avgdl = size, avgdl
        index.vocabulary = {term: i for i, term in enumerate(terms)}
        index._indptr = np.asarray(arrays["indptr"])
        index._doc_ids = arrays["doc_ids"]
        index._contrib = arrays["contrib"]
        index.idf_values = np.asarray(arrays["idf"])
        index.doc_freqs = np.asarray(arrays["df"])
        index._positive = _all_positive(index.idf_values)
        if len(index.vocabulary) != len(index.idf_values) or len(index._indptr) != len(terms) + 1:
            raise ValueError("BM25 arrays do not match their terms")
        return index

    def terms(self) -> list[str]:
        """The terms in id order (the vocabulary's insertion order)."""
        return list(self.vocabulary)

    def idf(self, term: str) -> float:
        """The term's idf, 0 for a term the corpus does not contain (as rank_bm25)."""
        term_id = self.vocabulary.get(term)
        return 0.0 if term_id is None else float(self.idf_values[term_id])

    def df(self, term: str) -> int:
        term_id = self.vocabulary.get(term)
        return 0 if term_id is None else int(self.doc_freqs[term_id])

    def contribution(self, term: str, doc: int) -> float:
        """The term's score in one document (0 if absent), as BM25Okapi would add it."""
        term_id = self.vocabulary.get(term)
        if term_id is None or doc < 0:
            return 0.0
        start, end = int(self._indptr[term_id]), int(self._indptr[term_id + 1])
        docs = self._doc_ids[start:end]
        at = int(np.searchsorted(docs, doc))
        if at < len(docs) and docs[at] == doc:
            return float(self._contrib[start + at : start + at + 1][0])
        return 0.0

    def _terms(self, query: Iterable[str | tuple[str, float]]) -> list[tuple[int, float]]:
        """(term id, weight) of the query items the index knows; tokens weigh 1."""
        out = []
        for item in query:
            token, weight = (item, 1.0) if isinstance(item, str) else item
            term_id = self.vocabulary.get(token)
            if term_id is not None:
                out.append((term_id, weight))
        return out

    def _top_positive(
        self, terms: Sequence[tuple[int, float]], k: int, exclude: npt.NDArray[np.bool_] | None
    ) -> Hits:
        """`top` for positive contributions and weights, where a document matches exactly
        when its score is > 0: no match mask, and fewer passes over a 100k-document score
        array (what dominates a question at that size)."""
        scores = self._scores(terms)
        if exclude is not None and len(exclude) != self.size:
            exclude = None
        postings = sum(int(self._indptr[t + 1] - self._indptr[t]) for t, _ in terms)
        if 0 < k < self.size and postings > self.size // 2:
            # Most documents match: no gather of them all.
            candidates = above_kth(scores, k, exclude)
            if candidates is None:  # the exact k-th score, over the documents allowed
                if exclude is not None:
                    scores[self._positions(exclude)] = 0.0
                kth = np.partition(scores, self.size - k)[self.size - k]
                candidates = np.flatnonzero(scores >= kth) if kth > 0 else np.flatnonzero(scores > 0)
        else:
            candidates = np.flatnonzero(scores > 0)
            if exclude is not None:
                candidates = candidates[~exclude[candidates]]
        return _best(scores, candidates, k)

    def _positions(self, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        """The documents a mask marks, found once per mask (the same course mask is passed
        with every question; indexing by a few positions beats a 100k boolean mask)."""
        kept, positions = self.memo.get("mask", id(mask), lambda: (mask, np.flatnonzero(mask)))
        if kept is not mask:  # another array at the address of a collected one
            positions = np.flatnonzero(mask)
        return positions

    def scores(self, query: Iterable[str | tuple[str, float]]) -> npt.NDArray[np.float64]:
        """A score per document. Query items are tokens (weight 1) or (token, weight)."""
        return self._scores(self._terms(query))

    def _scores(self, terms: Sequence[tuple[int, float]]) -> npt.NDArray[np.float64]:
        if terms and self._is_dense(terms[0][0]):
            # A frequent first term starts the array: no pass to zero it (0 + x is x).
            first, weight = terms[0]
            scores = self._dense(first) * weight
            terms = terms[1:]
        else:
            scores = np.zeros(self.size, dtype=np.float64)
        for term_id, weight in terms:
            start, end = self._indptr[term_id], self._indptr[term_id + 1]
            if self._is_dense(term_id):
                dense = self._dense(term_id)
                scores += dense if weight == 1.0 else weight * dense
            else:
                # Doc ids are unique within one term's postings, so fancy += is exact.
                scores[self._doc_ids[start:end]] += weight * self._contrib[start:end]
        return scores

    def _is_dense(self, term_id: int) -> bool:
        return int(self._indptr[term_id + 1] - self._indptr[term_id]) * DENSE_SHARE > self.size

    def _dense(self, term_id: int) -> npt.NDArray[np.float64]:
        """A frequent term's contributions as a full vector: adding it is one pass instead
        of a gather and a scatter over most documents. A few dozen are kept."""

        def make() -> npt.NDArray[np.float64]:
            start, end = self._indptr[term_id], self._indptr[term_id + 1]
            vector = np.zeros(self.size, dtype=np.float64)
            vector[self._doc_ids[start:end]] = self._contrib[start:end]
            return vector

        return self.memo.get("dense", term_id, make)

    def top(
        self,
        query: Iterable[str | tuple[str, float]],
        k: int,
        *,
        exclude: npt.NDArray[np.bool_] | None = None,
    ) -> Hits:
        """The k best documents containing a query term, ties broken by corpus order.

        Matching, not a positive score, decides candidacy: in a knowledge base of one or
        two articles every idf is negative (as in rank_bm25), yet the match is the answer.
        `exclude` marks documents that must not be returned (course material).
        """
        terms = self._terms(query)
        if self._positive and all(weight > 0 for _, weight in terms):
            return self._top_positive(terms, k, exclude)
        scores = self._scores(terms)
        matched = np.zeros(self.size, dtype=bool)
        for term_id, _ in terms:
            matched[self._doc_ids[self._indptr[term_id] : self._indptr[term_id + 1]]] = True
        if exclude is not None and len(exclude) == len(matched):
            matched &= ~exclude
        return _best(scores, np.flatnonzero(matched), k)


def above_kth(
    scores: npt.NDArray[np.float64], k: int, exclude: npt.NDArray[np.bool_] | None = None
) -> npt.NDArray[np.int64] | None:
    """Positive-scored documents, not excluded, that include every one scoring as much as
    the k-th best of them; None when a sample cannot tell (the caller finds the exact k-th).

    The threshold is read from an evenly spaced sample (about SAMPLE_MARGIN * k documents
    expected above it), and is exact whenever at least k allowed documents reach it:
    partitioning 4,000 sampled scores instead of all 100k is ~10x cheaper, and dropping
    excluded documents from a few hundred found beats zeroing half the array first.
    """
    step = len(scores) // _SAMPLE_SIZE
    if step <= 1:
        return None
    sample = scores[::step]
    rank = min(len(sample) - 1, -(-SAMPLE_MARGIN * k // step))
    threshold = np.partition(sample, len(sample) - 1 - rank)[len(sample) - 1 - rank]
    if threshold <= 0:
        return None
    found = np.flatnonzero(scores >= threshold)
    if exclude is not None:
        found = found[~exclude[found]]
    return found if len(found) >= k else None


def _best(scores: npt.NDArray[np.float64], candidates: npt.NDArray[np.int64], k: int) -> Hits:
    """The k best candidates by score, ties by document order. Everything tied with the
    k-th score is kept before sorting, so the tie-breaking stays by document id."""
    if len(candidates) > k:
        kth = np.partition(scores[candidates], len(candidates) - k)[len(candidates) - k]
        candidates = candidates[scores[candidates] >= kth]
    order = np.lexsort((candidates, -scores[candidates]))[:k]
    ids = candidates[order]
    return Hits(ids=ids, scores=scores[ids])
