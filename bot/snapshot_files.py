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
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, overload

import numpy as np
import numpy.typing as npt

from bot.kb.bm25 import BM25Index
from bot.kb.memo import Memo
from bot.kb.model import ArticleInfo, Passage, Snapshot, article_ranges
from bot.kb.suggestions import SuggestionIndex

log = logging.getLogger(__name__)

# 2: the suggestion index; 3: a checksum of every file; 4: passages as their columns;
# 5: tokens line by line
FORMAT = "5"
_ARRAYS = ("indptr", "doc_ids", "contrib", "idf", "df", "course", "article_of", "offsets")
_READ_LIMIT = 8 << 20  # arrays up to this size are read into memory, larger ones mapped or read
_POSTINGS = ("doc_ids", "contrib")  # large ones are read slice by slice (`FileColumn`)


def key_for(chunks_id: str) -> str:
    """The folder name of the snapshot of these chunks, in this format."""
    return f"v{FORMAT}-{chunks_id}"


def folder_for(database: Path) -> Path | None:
    """Where a database's snapshots live; None for an in-memory database."""
    return None if str(database) == ":memory:" else database.with_name(database.name + ".index")


class StoredPassages(Sequence[Passage]):
    """Passages decoded on demand from one file of JSON records and their offsets.

    Records are read with `os.pread`, not mapped: a long stream of questions touches
    most of a 100k-passage file, and mapped pages would all count in the bot's resident
    memory; read ones stay in the kernel's page cache. Decoded passages are kept in the
    snapshot's bounded memo (the reranker revisits the same ones)."""

    def __init__(self, file: BinaryIO, offsets: npt.NDArray[np.int64], memo: Memo) -> None:
        self._file = file  # kept open for the snapshot's life; closed when it is collected
        self._offsets = offsets
        self._memo = memo

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
        if not 0 <= position < len(self):
            raise IndexError(position)
        return self._memo.get("passage", position, lambda: self._read(position))

    def _read(self, position: int) -> Passage:
        start, end = int(self._offsets[position]), int(self._offsets[position + 1])
        return _decode(os.pread(self._file.fileno(), end - start, start))

    def __iter__(self) -> Iterator[Passage]:
        return (self[i] for i in range(len(self)))


def _encode(p: Passage) -> bytes:
    return json.dumps(p.to_row(), ensure_ascii=False, separators=(",", ":")).encode()


def _decode(raw: bytes) -> Passage:
    return Passage.from_row(json.loads(raw))


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
    """Per-term and per-passage arrays: read when a few MB (every question indexes them,
    and a mapped array costs more per look-up), mapped when larger (a million passages)."""
    big = path.stat().st_size > _READ_LIMIT
    array: npt.NDArray[Any] = np.load(path, mmap_mode="r" if big else None, allow_pickle=False)
    return array


class FileColumn:
    """A one-dimensional .npy array read slice by slice with `os.pread`: the postings
    (one entry per word occurrence, tens of MB at 100k passages). A question reads only
    its terms' slices; read pages stay in the kernel's page cache, not in the bot's
    resident memory, however many different questions it answers."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - kept open for the snapshot's life
        npy = np.lib.format
        version = npy.read_magic(self._file)
        header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
        shape, _, dtype = header(self._file)
        if len(shape) != 1 or dtype.hasobject:
            self._file.close()
            raise ValueError(f"{path.name}: not a one-dimensional array")
        self._dtype = dtype
        self._length = int(shape[0])
        self._start = self._file.tell()
        if os.fstat(self._file.fileno()).st_size != self._start + self._length * dtype.itemsize:
            self._file.close()
            raise ValueError(f"{path.name}: truncated")

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, key: slice, /) -> npt.NDArray[Any]:
        start, stop, step = key.indices(self._length)
        if step != 1:
            raise ValueError("only contiguous slices are read")
        size = self._dtype.itemsize
        count = max(0, stop - start)
        data = os.pread(self._file.fileno(), count * size, self._start + start * size) if count else b""
        return np.frombuffer(data, dtype=self._dtype)


def _postings(path: Path) -> npt.NDArray[Any] | FileColumn:
    return FileColumn(path) if path.stat().st_size > _READ_LIMIT else np.load(path, allow_pickle=False)


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
        arrays = {name: _load(where / f"{name}.npy") for name in _ARRAYS if name not in _POSTINGS}
        postings = {name: _postings(where / f"{name}.npy") for name in _POSTINGS}
        text = (where / "terms.txt").read_text(encoding="utf-8")
        terms = text.split("\n") if text else []
        k1, b, epsilon = meta["bm25"]
        index = BM25Index.restore(
            terms,
            {**arrays, **postings},
            size=int(meta["size"]),
            avgdl=float(meta["avgdl"]),
            k1=k1,
            b=b,
            epsilon=epsilon,
        )
        file = open(where / "passages.bin", "rb")  # noqa: SIM115 - the passages keep it open
        size = os.fstat(file.fileno()).st_size
        offsets = arrays["offsets"]
        if len(offsets) != index.size + 1 or int(offsets[-1]) != size or len(arrays["course"]) != index.size:
            file.close()
            raise ValueError("passage records do not match the index")
        memo = Memo()
        passages = StoredPassages(file, offsets, memo)
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
            memo,
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        log.warning("ignoring the stored index in %s (%s); building it from the database", where, exc)
        return None
