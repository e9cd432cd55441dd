"""A built snapshot kept on disk beside the database, memory-mapped on the next start.

Building the index of a 100k-passage knowledge base from its SQLite rows takes tens of
seconds and a gigabyte (every token of every passage as a Python string). Written once
as numpy arrays plus one file of passage records, it opens in well under a second: the
arrays are memory-mapped, so a query pages in only the postings it reads, and a passage
is decoded only when it is shown or reranked.

The folder is `<database>.index/<key>/`, where the key names the database's chunks
(a random id the indexer writes whenever it rewrites them), so a changed knowledge base,
chunk size or dictionary never meets an old index. Anything odd (a missing or damaged
file, a read-only disk) falls back to building from the database, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import mmap
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from bot.kb.bm25 import BM25Index
from bot.kb.model import ArticleInfo, Passage, Snapshot, article_ranges
from bot.kb.suggestions import SuggestionIndex

log = logging.getLogger(__name__)

FORMAT = "3"  # 2: with the suggestion index; 3: with a checksum of every file
_ARRAYS = ("indptr", "doc_ids", "contrib", "idf", "df", "course", "article_of", "offsets")
_READ_LIMIT = 8 << 20  # arrays up to this size are read into memory, larger ones mapped
_CACHE = 4096  # decoded passages kept per snapshot (the reranker revisits the same ones)


def key_for(chunks_id: str) -> str:
    """The folder name of the snapshot of these chunks, in this format."""
    return f"v{FORMAT}-{chunks_id}"


def folder_for(database: Path) -> Path | None:
    """Where a database's snapshots live; None for an in-memory database."""
    return None if str(database) == ":memory:" else database.with_name(database.name + ".index")


class StoredPassages(Sequence[Passage]):
    """Passages decoded on demand from one file of JSON records and their offsets."""

    def __init__(self, data: mmap.mmap | bytes, offsets: npt.NDArray[np.int64]) -> None:
        self._data = data
        self._offsets = offsets
        self._cache: dict[int, Passage] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, position: int) -> Passage: ...

    @overload
    def __getitem__(self, position: slice) -> Sequence[Passage]: ...

    def __getitem__(self, position: int | slice) -> Passage | Sequence[Passage]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        passage = self._cache.get(position)  # only valid positions are ever cached
        if passage is None:
            if not 0 <= position < len(self):
                raise IndexError(position)
            start, end = int(self._offsets[position]), int(self._offsets[position + 1])
            passage = _decode(self._data[start:end])
            with self._lock:
                if len(self._cache) >= _CACHE:
                    self._cache.clear()
                self._cache[position] = passage
        return passage

    def __iter__(self) -> Iterator[Passage]:
        return (self[i] for i in range(len(self)))


def _encode(p: Passage) -> bytes:
    record = [
        p.id,
        p.article_path,
        p.article_id,
        p.title,
        p.url,
        list(p.headings),
        p.text,
        " ".join(p.tokens),
        list(p.subheadings),
        p.layout,
        p.kind,
    ]
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


def _decode(raw: bytes) -> Passage:
    r = json.loads(raw)
    return Passage(
        int(r[0]),
        r[1],
        r[2],
        r[3],
        r[4],
        tuple(r[5]),
        r[6],
        tuple(r[7].split()),
        tuple(r[8]),
        r[9],
        "course" if r[10] == "course" else "content",
    )


def write(snapshot: Snapshot, folder: Path, key: str) -> bool:
    """Write `snapshot` as `folder/key`, replacing older keys; False if it cannot be."""
    index = snapshot.index
    terms = list(index.vocabulary)
    if any("\n" in term for term in terms):
        return False  # cannot happen with whitespace-split tokens; never write a bad file
    tmp = folder / f".tmp-{uuid.uuid4().hex}"
    try:
        tmp.mkdir(parents=True)
        offsets = np.zeros(len(snapshot.passages) + 1, dtype=np.int64)
        with open(tmp / "passages.bin", "wb") as out:
            for position, passage in enumerate(snapshot.passages):
                offsets[position + 1] = offsets[position] + out.write(_encode(passage))
        arrays: dict[str, npt.NDArray[Any]] = {
            **index.arrays(),
            "course": snapshot.course,
            "article_of": snapshot.article_of,
            "offsets": offsets,
        }
        suggestions = snapshot.suggestions
        if suggestions is not None:
            arrays.update({f"suggest_{k}": v for k, v in suggestions.arrays().items()})
            (tmp / "suggest_grams.txt").write_text("\n".join(suggestions.grams), encoding="utf-8")
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", array, allow_pickle=False)
        (tmp / "terms.txt").write_text("\n".join(terms), encoding="utf-8")
        meta = {
            "format": FORMAT,
            "key": key,
            "size": index.size,
            "avgdl": index.avgdl,
            "bm25": [index.k1, index.b, index.epsilon],
            "articles": [[a.path, a.article_id, a.title, a.url] for a in snapshot.articles],
            "names": list(snapshot.names),
            "pervasive": None if suggestions is None else list(suggestions.pervasive),
        }
        # A checksum of every file: bytes changed behind our back (a bad disk, another
        # user) mean "rebuild from the database", never an IndexError in a question.
        meta["checksums"] = {f.name: _digest(f) for f in sorted(tmp.iterdir())}
        # meta.json last: a folder without it is incomplete and never read.
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        target = folder / key
        if target.exists():  # a damaged copy (or another process's): ours replaces it
            target.rename(folder / f".old-{uuid.uuid4().hex}")
        os.rename(tmp, target)
    except OSError as exc:
        log.warning("could not keep the built index in %s (%s); it is rebuilt on each start", folder, exc)
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(folder, key)
    return True


def _prune(folder: Path, key: str) -> None:
    """Remove older snapshots and set-aside copies (not another writer's fresh temp
    folder, nor other files kept here such as jieba's table). A process still serving
    an old snapshot keeps its mapped files open (POSIX), so it is not disturbed."""
    if folder.is_symlink():
        return  # not ours to clean: what it points to may hold anything
    for other in folder.iterdir():
        if other.is_symlink():
            continue  # never delete through a link we did not make
        with contextlib.suppress(OSError):
            stale_tmp = other.name.startswith(".tmp-") and other.stat().st_mtime < time.time() - 3600
            old = other.name.startswith(".old-") or (other.name.startswith("v") and other.name != key)
            if other.is_dir() and (old or stale_tmp):
                shutil.rmtree(other, ignore_errors=True)


def _digest(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def verify(where: Path, meta: dict[str, Any]) -> None:
    """ValueError unless every file of the folder is exactly as written."""
    checksums = meta.get("checksums")
    if not isinstance(checksums, dict) or not checksums:
        raise ValueError("no checksums")
    present = {f.name for f in where.iterdir()} - {"meta.json"}
    if present != set(checksums):
        raise ValueError("files added or missing")
    for name, expected in checksums.items():
        if _digest(where / name) != expected:
            raise ValueError(f"{name} was changed after it was written")


def _load(path: Path) -> npt.NDArray[Any]:
    """Postings (one entry per word occurrence: tens of MB at 100k passages) are mapped;
    the per-term and per-passage arrays (a few MB) are read, since every question
    indexes them and a mapped array costs more per look-up."""
    big = path.stat().st_size > _READ_LIMIT
    array: npt.NDArray[Any] = np.load(path, mmap_mode="r" if big else None, allow_pickle=False)
    return array


def read(folder: Path, key: str) -> Snapshot | None:
    """The snapshot stored under `key`, memory-mapped; None if absent or unreadable."""
    where = folder / key
    if not (where / "meta.json").is_file():
        return None
    try:
        meta = json.loads((where / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("key") != key:
            return None
        verify(where, meta)
        arrays = {name: _load(where / f"{name}.npy") for name in _ARRAYS}
        text = (where / "terms.txt").read_text(encoding="utf-8")
        terms = text.split("\n") if text else []
        k1, b, epsilon = meta["bm25"]
        index = BM25Index.restore(
            terms, arrays, size=int(meta["size"]), avgdl=float(meta["avgdl"]), k1=k1, b=b, epsilon=epsilon
        )
        with open(where / "passages.bin", "rb") as f:
            size = os.fstat(f.fileno()).st_size
            data: mmap.mmap | bytes = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        offsets = arrays["offsets"]
        if len(offsets) != index.size + 1 or int(offsets[-1]) != size or len(arrays["course"]) != index.size:
            raise ValueError("passage records do not match the index")
        passages = StoredPassages(data, offsets)
        articles = tuple(ArticleInfo(*a) for a in meta["articles"])
        names = tuple(meta["names"])
        suggestions = None
        if meta.get("pervasive") is not None:
            grams = (where / "suggest_grams.txt").read_text(encoding="utf-8")
            parts = {k: _load(where / f"suggest_{k}.npy") for k in ("indptr", "name_ids", "sizes")}
            suggestions = SuggestionIndex(names, meta["pervasive"], grams.split("\n") if grams else [], parts)
        paths = [
            articles[i].path if i >= 0 else passages[p].article_path
            for p, i in enumerate(arrays["article_of"].tolist())
        ]
        return Snapshot(
            passages,
            articles,
            index,
            article_ranges(paths),
            arrays["course"],
            arrays["article_of"],
            names,
            suggestions,
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        log.warning("ignoring the stored index in %s (%s); building it from the database", where, exc)
        return None
