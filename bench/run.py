"""Benchmark: the project's BM25 index vs rank_bm25 vs bm25s, reload and cold start.

    pip install -e '.[bench]'
    python bench/run.py                      # 1k, 10k, 100k passages: a few minutes
    python bench/run.py --sizes 1000 --articles 200 --quick   # smoke run

Each engine runs in its own process (so peak RSS is its own) on the same synthetic
corpus and the same tokens. Figures are medians and percentiles of one run on a shared
machine: compare the columns of one run, not runs with each other.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus as corpus_mod

ENGINES = ("project", "project-search", "rank_bm25", "bm25s")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def child_search(size: int, engine: str, max_queries: int) -> dict[str, Any]:
    """Build one engine over the corpus and time its queries (runs in its own process)."""
    tok = corpus_mod.tokenizer()
    data = corpus_mod.build(size, tok)
    queries = data.queries[:max_queries]
    base_rss = peak_rss_mb()
    started = time.perf_counter()
    if engine in ("project", "project-search"):
        from bot.kb.bm25 import BM25Index
        from bot.kb.model import Passage, Snapshot
        from bot.kb.retrieval import Retriever

        index = BM25Index(data.passages)
        build_s = time.perf_counter() - started
        if engine == "project":

            def run(q: list[str]) -> list[int]:
                return [int(i) for i in index.top(q, 10).ids]
        else:  # the whole question -> passages path: terms, fuzzy, rerank, diversity, no-answer
            passages = tuple(
                Passage(i, f"a{i % 1000}.md", str(i), f"title {i % 1000}", None, (), data.texts[i], tuple(p))
                for i, p in enumerate(data.passages)
            )
            retriever = Retriever(Snapshot.build(passages, (), index), tok)
            questions = (data.questions + [" ".join(q) for q in data.queries])[:max_queries]

            asked = itertools.cycle(questions)

            def run(q: list[str]) -> list[int]:
                return [p.passage.id for p in retriever.search(next(asked), k=10).passages]
    elif engine == "rank_bm25":
        from rank_bm25 import BM25Okapi

        okapi = BM25Okapi(data.passages)
        build_s = time.perf_counter() - started

        def run(q: list[str]) -> list[int]:
            scores = okapi.get_scores(q)
            return [int(i) for i in np.argsort(-scores, kind="stable")[:10]]
    else:
        import bm25s
        from bm25s.tokenization import Tokenized

        # Token ids from the same tokens, so bm25s's own tokenizer plays no part.
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in p] for p in data.passages]
        retriever25 = bm25s.BM25(method="robertson")
        retriever25.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
        build_s = time.perf_counter() - started

        def run(q: list[str]) -> list[int]:
            terms = [vocab[t] for t in q if t in vocab]
            if not terms:
                return []
            found, _ = retriever25.retrieve([terms], k=10, show_progress=False, n_threads=1)
            return [int(i) for i in found[0]]

    for q in queries[:5]:  # warm-up
        run(q)
    latencies = []
    results = []
    for q in queries:
        t0 = time.perf_counter()
        results.append(run(q))
        latencies.append((time.perf_counter() - t0) * 1000)
    return {
        "engine": engine,
        "size": size,
        "build_s": build_s,
        "rss_mb": peak_rss_mb(),
        "index_rss_mb": peak_rss_mb() - base_rss,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "queries": len(queries),
        "top": results,
    }


def child_agreement(size: int, max_queries: int) -> dict[str, Any]:
    """Tie-aware top-10 agreement of the project's index with rank_bm25.BM25Okapi."""
    from rank_bm25 import BM25Okapi

    from bot.kb.bm25 import BM25Index

    tok = corpus_mod.tokenizer()
    data = corpus_mod.build(size, tok)
    ours, okapi = BM25Index(data.passages), BM25Okapi(data.passages)
    queries = data.queries[:max_queries]
    agree = sum(agrees(okapi.get_scores(q), [int(i) for i in ours.top(q, 10).ids]) for q in queries)
    return {"size": size, "agreement": agree / len(queries), "queries": len(queries)}


def agrees(ref: Any, got: list[int], k: int = 10) -> bool:
    """Tie-aware top-k agreement: `got` holds every document BM25Okapi ranks strictly
    above its k-th positive score, and only documents scoring at least that."""
    positive = np.sort(ref[ref > 0])[::-1]
    if len(positive) == 0:
        return not got
    kth = positive[min(k - 1, len(positive) - 1)]
    must = set(np.flatnonzero(ref > kth + 1e-9).tolist())
    return len(got) == min(k, len(positive)) and must <= set(got) and all(ref[d] >= kth - 1e-9 for d in got)


def child_reload(articles: int) -> dict[str, Any]:
    """Index `articles` files, then time an unchanged reload and a one-article change."""
    from bot.config import PACKAGED_VOCAB_DIR, Settings
    from bot.kb.tokenizer import Tokenizer
    from bot.service import KnowledgeService

    calls = {"n": 0}
    original = Tokenizer.tokens

    def counting(self: Tokenizer, text: str) -> list[str]:
        calls["n"] += 1
        return original(self, text)

    Tokenizer.tokens = counting  # type: ignore[method-assign]
    sentences = corpus_mod.seed_sentences()
    rng = __import__("random").Random(corpus_mod.SEED)
    folder = Path(tempfile.mkdtemp(prefix="bench-kb-"))
    try:
        for i in range(articles):
            body = "\n\n".join(
                f"## 小节{j}\n\n" + "".join(rng.sample(sentences, 3)) for j in range(rng.randint(1, 3))
            )
            (folder / f"a{i:05d}.md").write_text(
                f"---\ntitle: 文章{i}\nurl: https://example.org/{i}\n---\n\n{body}\n"
            )
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            knowledge_dir=folder,
            database_path=folder / "_db" / "kb.sqlite3",
            vocab_dir=PACKAGED_VOCAB_DIR,
        )

        async def run() -> dict[str, Any]:
            t0 = time.perf_counter()
            service = await KnowledgeService.open(settings)
            first = time.perf_counter() - t0
            unchanged = []
            for _ in range(3):
                t0 = time.perf_counter()
                await service.reload()
                unchanged.append(time.perf_counter() - t0)
            target = folder / "a00000.md"
            target.write_text(target.read_text() + "\n\n新增的一段内容，讨论AIGC的版权问题。\n")
            before = calls["n"]
            t0 = time.perf_counter()
            report = await service.reload()
            changed = time.perf_counter() - t0
            passages = len(service.snapshot.passages)
            await service.close()
            return {
                "articles": articles,
                "passages": passages,
                "first_index_s": first,
                "unchanged_reload_s": statistics.median(unchanged),
                "one_changed_reload_s": changed,
                "tokenizer_calls_for_change": calls["n"] - before,
                "changed": report.changed,
            }

        return asyncio.run(run())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def child_polling(size: int, rate: int, seconds: int) -> dict[str, Any]:
    """Replies/s and latency through the real polling loop, with a `size`-passage index."""
    from bot.kb.bm25 import BM25Index
    from bot.kb.model import ArticleInfo, Passage, Snapshot
    from bot.service import KnowledgeService
    from bot.store import Database
    from tests.fakes.bot_api import FakeBotAPI
    from tests.fakes.running import bot_settings, running_app

    tok = corpus_mod.tokenizer()
    data = corpus_mod.build(size, tok)
    passages = tuple(
        Passage(
            i,
            f"a{i % 1000}.md",
            str(i % 1000),
            f"文章{i % 1000}",
            f"https://example.org/{i % 1000}",
            (),
            data.texts[i],
            tuple(p),
        )
        for i, p in enumerate(data.passages)
    )
    articles = tuple(
        ArticleInfo(f"a{i}.md", str(i), f"文章{i}", f"https://example.org/{i}") for i in range(1000)
    )
    snapshot = Snapshot.build(passages, articles, BM25Index(data.passages))
    folder = Path(tempfile.mkdtemp(prefix="bench-poll-"))
    from bot.config import PACKAGED_VOCAB_DIR

    fake = FakeBotAPI().start()
    settings = bot_settings(
        fake, folder, folder / "bot.sqlite3", PACKAGED_VOCAB_DIR, rate_limit_per_minute=1000
    )

    async def run() -> dict[str, Any]:
        service = KnowledgeService(settings, await Database.open(settings.database_path))
        service.install(snapshot, tok)
        pushed: dict[int, float] = {}
        async with running_app(settings, service=service):
            started = time.monotonic()
            for n in range(rate * seconds):  # a steady `rate` questions per second from many chats
                chat = 10_000 + n
                update = fake.message(data.questions[n % len(data.questions)], user_id=chat, chat_id=chat)
                pushed[chat] = fake.pushed_at(update)
                await asyncio.sleep(max(0.0, started + (n + 1) / rate - time.monotonic()))
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and len({int(c.params["chat_id"]) for c in fake.sent()}) < len(
                pushed
            ):
                await asyncio.sleep(0.05)
        first_reply: dict[int, float] = {}
        for call in fake.sent():
            first_reply.setdefault(int(call.params["chat_id"]), call.at)
        latencies = [first_reply[c] - t for c, t in pushed.items() if c in first_reply]
        span = max(first_reply.values()) - min(pushed.values()) if first_reply else float("nan")
        return {
            "size": size,
            "questions": len(pushed),
            "replied": len(latencies),
            "replies_per_s": len(latencies) / span,
            "p50_s": percentile(latencies, 50),
            "p95_s": percentile(latencies, 95),
            "rejected": len(fake.rejected()),
        }

    try:
        return asyncio.run(run())
    finally:
        fake.stop()
        shutil.rmtree(folder, ignore_errors=True)


def cold_start(runs: int = 3) -> dict[str, Any]:
    """Wall time of `aigc-bot ask` on the seed knowledge base, fresh and with a built database."""
    exe = [sys.executable, "-m", "bot", "ask", "什么是AIGC？"]
    folder = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    env = {
        **os.environ,
        "DATABASE_PATH": str(folder / "kb.sqlite3"),
        "KNOWLEDGE_DIR": str(corpus_mod.KNOWLEDGE),
    }
    times = []
    try:
        for i in range(runs + 1):
            t0 = time.perf_counter()
            subprocess.run(exe, env=env, check=True, capture_output=True, cwd=corpus_mod.REPO)
            times.append(time.perf_counter() - t0)
            if i == 0:
                fresh = times.pop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"fresh_db_s": fresh, "built_db_median_s": statistics.median(times)}


def spawn(*args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--articles", type=int, default=10000, help="articles for the reload benchmark")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="fewer queries (smoke run)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="subset of " + ",".join(ENGINES))
    parser.add_argument(
        "--parts", default="search,agree,reload,polling,cold", help="which measurements to run"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "search":
            out = child_search(int(rest[0]), rest[1], int(rest[2]))
        elif kind == "agree":
            out = child_agreement(int(rest[0]), int(rest[1]))
        elif kind == "polling":
            out = child_polling(int(rest[0]), int(rest[1]), int(rest[2]))
        else:
            out = child_reload(int(rest[0]))
        print(json.dumps(out))
        return

    queries = 20 if args.quick else args.queries
    parts = set(args.parts.split(","))
    engines = [e for e in ENGINES if e in args.engines.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}; {queries} queries per engine")
    if "search" in parts:
        print(
            f"{'passages':>9} {'engine':<15} {'build s':>8} {'peak RSS MB':>12} {'of it index':>12}"
            f" {'p50 ms':>8} {'p99 ms':>8} {'p99 vs project':>15}"
        )
    for size in sizes:
        if "search" in parts:
            rows = {}
            for engine in engines:
                limit = min(queries, 50) if engine == "rank_bm25" and size >= 100000 else queries
                rows[engine] = spawn("search", str(size), engine, str(limit))
            base = rows.get("project", next(iter(rows.values())))["p99_ms"]
            for engine, row in rows.items():
                ratio = row["p99_ms"] / base if base else float("nan")
                print(
                    f"{size:>9} {engine:<15} {row['build_s']:>8.2f} {row['rss_mb']:>12.0f}"
                    f" {row['index_rss_mb']:>12.0f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f}"
                    f" {ratio:>14.1f}x"
                )
        if "agree" in parts:
            agree = spawn("agree", str(size), str(min(queries, 50) if size >= 100000 else queries))
            print(
                f"{size:>9} top-10 agreement with BM25Okapi (tie-aware): {agree['agreement']:.1%}"
                f" of {agree['queries']} queries"
            )
    if "reload" in parts:
        reload = spawn("reload", str(args.articles))
        print(
            f"reload, {reload['articles']} articles / {reload['passages']} passages: first index"
            f" {reload['first_index_s']:.2f} s, unchanged {reload['unchanged_reload_s']:.3f} s (median of 3),"
            f" one changed article {reload['one_changed_reload_s']:.2f} s"
            f" ({reload['tokenizer_calls_for_change']} tokenizer calls)"
        )
    if "polling" in parts:
        size = max(sizes)
        poll = spawn("polling", str(size), "30", "4" if args.quick else "20")
        print(
            f"polling loop, {size} passages, 30 questions/s from {poll['questions']} chats:"
            f" {poll['replies_per_s']:.1f} replies/s,"
            f" latency p50 {poll['p50_s']:.2f} s / p95 {poll['p95_s']:.2f} s,"
            f" {poll['replied']}/{poll['questions']} answered, {poll['rejected']} rejected calls"
        )
    if "cold" in parts:
        cold = cold_start()
        print(
            f"cold start to first answer (aigc-bot ask, seeds): {cold['built_db_median_s']:.2f} s median"
            f" with a built database, {cold['fresh_db_s']:.2f} s with none"
        )


if __name__ == "__main__":
    main()
