"""The user's path at scale: what `aigc-bot ask` and the Telegram bot cost, end to end.

    python bench/userpath.py --articles 2000 --sections 50     # ~100k passages
    python bench/userpath.py --articles 100 --sections 10      # smoke run

A knowledge folder of synthetic articles (the seed articles' sentences recombined, one
`##` section per passage) is indexed once with `aigc-bot index`; then, each in a process
of its own so that peak RSS is its own:

- an unchanged re-index (`aigc-bot index` again, median of 3);
- cold start: one `aigc-bot ask` with the built database (median of 3);
- per question through the CLI: `ask --json` with five questions asked 40 times each in
  one process, for answered and for refused questions (off-topic ones this knowledge
  base refuses) separately: the mean time between answers, from the first answer on;
- memory after a stream of different questions: peak RSS of one `ask --json` process
  after 1,000 and 10,000 questions never asked before (`--distinct`);
- per new question: the development questions, each asked once in one process (nothing
  about them is cached yet: what a stream of questions never asked before costs);
- the bot: `aigc-bot run` against the fake Bot API, the time to its first getUpdates,
  then 30 questions/s from 300 chats, half of them refused, reply latency p50/p95.

Figures come from one run on a shared machine: compare columns of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import corpus as corpus_mod  # noqa: E402

ANSWERED = [
    "什么是AIGC？",
    "AIGC有哪些常见的应用工具？",
    "AIGC人才的平均年薪是多少？",
    "AIGC可以应用到哪些行业？",
    "AIGC的发展面临哪些挑战？",
]
# Off-topic questions. The synthetic sections end in random dictionary words ("红烧肉"),
# so at 100k passages some of these do match a passage and are answered; the refused
# figures use the first five that the knowledge base being measured refuses.
OFF_TOPIC = [
    "今天天气怎么样？",
    "推荐几部好看的电影",
    "帮我写一首关于大海的诗",
    "怎么做红烧肉",
    "明天股市会涨吗",
    "附近有什么好吃的餐厅",
    "我的猫不吃东西怎么办",
    "周末去哪里爬山比较好",
    "帮我订一张去广州的机票",
    "给我讲个笑话",
    "how do I bake sourdough bread",
    "who won the football match yesterday",
]
# Measures its own peak RSS: the CLI's main() in this process, then ru_maxrss.
_RUN = "\n".join(
    [
        "import json, resource, sys, time",
        "import bot.cli as c",
        "stamps = []",
        "render = c.reply_json",
        "def stamped(reply):",
        "    stamps.append(time.perf_counter())",
        "    return render(reply)",
        "c.reply_json = stamped",
        "rc = c.main(sys.argv[1:])",
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024",
        "print(json.dumps({'rc': rc, 'stamps': stamps, 'rss_mb': peak}), file=sys.stderr)",
    ]
)


def write_articles(folder: Path, articles: int, sections: int) -> None:
    rng = random.Random(corpus_mod.SEED)
    sentences = corpus_mod.seed_sentences()
    words = corpus_mod.dictionary_words()
    for i in range(articles):
        # Eight sentences a section (~400 characters): each section is a passage of its own.
        body = "\n\n".join(
            f"## {rng.choice(words)}{j}\n\n" + "".join(rng.sample(sentences, 8)) + rng.choice(words) + "。"
            for j in range(sections)
        )
        text = f"---\ntitle: 文章{i}{rng.choice(words)}\nurl: https://example.org/{i}\n---\n\n{body}\n"
        (folder / f"a{i:05d}.md").write_text(text, encoding="utf-8")


def cli(env: dict[str, str], *args: str) -> dict[str, Any]:
    """One CLI run in a fresh process: wall time, its own peak RSS, output lines."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"aigc-bot {' '.join(args[:2])} failed:\n{proc.stderr[-2000:]}")
    stats = json.loads(proc.stderr.strip().splitlines()[-1])
    return {
        "wall_s": wall,
        "rss_mb": stats["rss_mb"],
        "lines": proc.stdout.splitlines(),
        "stamps": stats["stamps"],
    }


def refused_questions(env: dict[str, str], wanted: int = 5) -> list[str]:
    """The first `wanted` off-topic questions this knowledge base refuses."""
    run = cli(env, "ask", "--json", *OFF_TOPIC)
    refused = [json.loads(line)["question"] for line in run["lines"] if not json.loads(line)["answered"]]
    if not refused:
        raise SystemExit("every off-topic question is answered: no refused figures")
    return refused[:wanted]


def per_question(env: dict[str, str], questions: list[str], repeat: int) -> dict[str, Any]:
    many = [q for _ in range(repeat) for q in questions]
    run = cli(env, "ask", "--json", *many)
    answered = sum(json.loads(line)["answered"] for line in run["lines"])
    stamps = run["stamps"]
    return {
        "ms": (stamps[-1] - stamps[0]) / (len(stamps) - 1) * 1000,
        "answered": answered,
        "asked": len(many),
        "rss_mb": run["rss_mb"],
    }


def distinct_questions() -> list[str]:
    """The development questions, each once: what a stream of new questions costs."""
    data = REPO / "tests" / "data"
    return [
        json.loads(line)["q"]
        for name in ("dev.jsonl", "dev_hard.jsonl", "dev_answers.jsonl")
        for line in (data / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


_TEMPLATES = (
    "{a}是什么？",
    "{a}和{b}有什么区别？",
    "{a}有哪些{b}？",
    "AIGC在{a}方面有什么应用？",
    "{a}的{b}怎么样",
    "what is {a} in {b}?",
    "「{s}」是什么意思？",
    "{s}吗？",
)


def stream_of_questions(count: int) -> list[str]:
    """`count` different questions, as a bot meets them over weeks: templates over the
    corpus's dictionary words and pieces of its sentences, some answered, many refused."""
    rng = random.Random(corpus_mod.SEED + count)
    words = corpus_mod.dictionary_words()
    sentences = corpus_mod.seed_sentences()
    seen: dict[str, None] = {}
    while len(seen) < count:
        sentence = rng.choice(sentences)
        start = rng.randrange(max(1, len(sentence) - 8))
        piece = sentence[start : start + rng.randint(6, 16)].lstrip("-— ")
        template = rng.choice(_TEMPLATES)
        seen[template.format(a=rng.choice(words), b=rng.choice(words), s=piece)] = None
    return list(seen)


def memory_after(env: dict[str, str], count: int) -> dict[str, Any]:
    """Peak RSS of one `ask --json` process after `count` different questions."""
    run = cli(env, "ask", "--json", "--", *stream_of_questions(count))
    stamps = run["stamps"]
    return {"rss_mb": run["rss_mb"], "ms": (stamps[-1] - stamps[0]) / max(1, len(stamps) - 1) * 1000}


def each_once(env: dict[str, str], questions: list[str]) -> dict[str, Any]:
    """`ask --json` with questions never asked before in the process: nothing about them
    is cached yet (their passages, outlines, dense vectors). Mean and median interval."""
    run = cli(env, "ask", "--json", ANSWERED[0], *questions)  # the first one warms up
    gaps = [(b - a) * 1000 for a, b in zip(run["stamps"], run["stamps"][1:], strict=False)]
    return {"mean": statistics.mean(gaps), "median": statistics.median(gaps), "asked": len(gaps)}


def bot_loop(env: dict[str, str], seconds: int, refused: list[str]) -> dict[str, Any]:
    """`aigc-bot run` as users meet it: start-up, then 30 questions/s, half refused."""
    from tests.fakes.bot_api import TOKEN, FakeBotAPI

    fake = FakeBotAPI().start()
    bot_env = {
        **env,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake.base_url,
        "TELEGRAM_BASE_FILE_URL": fake.base_file_url,
        "RATE_LIMIT_PER_MINUTE": "1000",
        "LOG_LEVEL": "WARNING",
    }
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", _RUN, "run"],
        env=bot_env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not any(c.method == "getUpdates" for c in fake.calls):
            if proc.poll() is not None or time.monotonic() - started > 300:
                raise SystemExit("the bot did not start")
            time.sleep(0.02)
        first_updates = time.monotonic() - started
        rate, pushed = 30, {}
        t0 = time.monotonic()
        for n in range(rate * seconds):
            chat = 20_000 + n % 300
            asked = ANSWERED if n % 2 == 0 else refused
            question = asked[(n // 2) % len(asked)]
            update = fake.message(question, user_id=chat, chat_id=chat)
            pushed[update] = (chat, fake.pushed_at(update))
            time.sleep(max(0.0, t0 + (n + 1) / rate - time.monotonic()))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(fake.sent()) < len(pushed):
            time.sleep(0.05)
        sent = sorted(c.at for c in fake.sent())
        pushed_at = sorted(at for _, at in pushed.values())
        # Replies arrive in the order of their questions closely enough to pair them.
        latencies = [s - p for s, p in zip(sent, pushed_at, strict=False)]
        proc.terminate()
        _, err = proc.communicate(timeout=60)
        rss = json.loads(err.strip().splitlines()[-1])["rss_mb"] if err.strip() else float("nan")
        return {
            "first_get_updates_s": first_updates,
            "questions": len(pushed),
            "replied": len(sent),
            "p50_s": statistics.median(latencies) if latencies else float("nan"),
            "p95_s": sorted(latencies)[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
            "rss_mb": rss,
            "rejected": len(fake.rejected()),
        }
    finally:
        if proc.poll() is None:
            proc.kill()
        fake.stop()


def rank_bm25_beside(database: Path, groups: dict[str, list[str]]) -> dict[str, Any]:
    """rank_bm25.BM25Okapi over the very passages the CLI searched (their stored tokens),
    per question of each group (median), and the tie-aware top-10 agreement of the stored
    index with it over all the questions."""
    import sqlite3

    from rank_bm25 import BM25Okapi

    from bench.run import agrees
    from bot import snapshot_files
    from bot.config import PACKAGED_VOCAB_DIR
    from bot.kb.tokenizer import Tokenizer
    from bot.kb.vocab import load_vocabulary

    with sqlite3.connect(database) as conn:
        key = conn.execute("SELECT value FROM meta WHERE key = 'chunks_id'").fetchone()[0]
    folder = snapshot_files.folder_for(database)
    assert folder is not None
    snapshot = snapshot_files.read(folder, snapshot_files.key_for(key))
    if snapshot is None:
        raise SystemExit("no stored index to compare with")
    okapi = BM25Okapi([list(p.tokens) for p in snapshot.passages])
    tokenizer = Tokenizer(load_vocabulary(PACKAGED_VOCAB_DIR))
    out: dict[str, Any] = {}
    agree = asked = 0
    for label, questions in groups.items():
        times = []
        for question in questions:
            terms = [t.token for t in tokenizer.query_terms(question)]
            started = time.perf_counter()
            ref = okapi.get_scores(terms)
            times.append(time.perf_counter() - started)
            agree += agrees(ref, [int(i) for i in snapshot.index.top(terms, 10).ids])
            asked += 1
        out[label] = statistics.median(times) * 1000
    out["agreement"] = agree / asked
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--sections", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=40, help="each question this many times per CLI run")
    parser.add_argument("--seconds", type=int, default=20, help="length of the bot's load phase")
    parser.add_argument(
        "--distinct",
        default="1000,10000",
        help="peak RSS after this many different questions in one process (comma-separated counts)",
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        help="a folder of an earlier run (kb/ and db/) to measure again, without indexing",
    )
    args = parser.parse_args()
    folder = args.reuse or Path(tempfile.mkdtemp(prefix="bench-userpath-"))
    try:
        env = {
            **os.environ,
            "KNOWLEDGE_DIR": str(folder / "kb"),
            "DATABASE_PATH": str(folder / "db" / "bot.sqlite3"),
            "PYTHONPATH": str(REPO),
        }
        if args.reuse is None:
            (folder / "kb").mkdir()
            write_articles(folder / "kb", args.articles, args.sections)
        index = cli(env, "index")  # with --reuse: an unchanged refresh
        passages = next(int(line.split()[1]) for line in index["lines"] if line.startswith("passages"))
        articles = len(list((folder / "kb").iterdir()))
        first = "" if args.reuse else f"; first index {index['wall_s']:.1f} s"
        unchanged = statistics.median(cli(env, "index")["wall_s"] for _ in range(3))
        print(f"{articles} articles, {passages} passages{first}; unchanged re-index {unchanged:.1f} s median")
        cold = [cli(env, "ask", ANSWERED[0]) for _ in range(3)]
        print(
            f"cold `ask` (built index): {statistics.median(c['wall_s'] for c in cold):.2f} s median,"
            f" peak RSS {max(c['rss_mb'] for c in cold):.0f} MB"
        )
        refused = refused_questions(env)
        print(f"refused questions: {len(refused)} of the {len(OFF_TOPIC)} off-topic ones are refused here")
        per = {}
        for label, questions in (("answered", ANSWERED), ("refused", refused)):
            q = per[label] = per_question(env, questions, args.repeat)
            print(
                f"`ask --json` per {label} question: {q['ms']:.1f} ms"
                f" ({q['answered']}/{q['asked']} answered), peak RSS {q['rss_mb']:.0f} MB"
            )
        counts = [int(n) for n in args.distinct.split(",") if n.strip()]
        grown = {n: memory_after(env, n) for n in counts}
        print(
            "peak RSS after different questions in one `ask --json` process: one question "
            f"{max(c['rss_mb'] for c in cold):.0f} MB; "
            + ", ".join(f"{n}: {g['rss_mb']:.0f} MB ({g['ms']:.1f} ms each)" for n, g in grown.items())
        )
        once = each_once(env, [q for q in distinct_questions() if q != ANSWERED[0]])
        print(
            f"`ask --json` per new question ({once['asked']} development questions, each once):"
            f" mean {once['mean']:.1f} ms, median {once['median']:.1f} ms"
        )
        bot = bot_loop(env, args.seconds, refused)
        print(
            f"bot: first getUpdates {bot['first_get_updates_s']:.2f} s after start; 30 questions/s from 300"
            f" chats, half refused: {bot['replied']}/{bot['questions']} replied, latency p50"
            f" {bot['p50_s']:.2f} s / p95 {bot['p95_s']:.2f} s, peak RSS {bot['rss_mb']:.0f} MB,"
            f" {bot['rejected']} rejected calls"
        )
        # Last: BM25Okapi's corpus is large, and processes forked after it would inherit
        # its pages in their peak RSS.
        okapi = rank_bm25_beside(folder / "db" / "bot.sqlite3", {"answered": ANSWERED, "refused": refused})
        for label, q in per.items():
            print(
                f"rank_bm25 BM25Okapi.get_scores alone, same passages, per {label} question:"
                f" {okapi[label]:.0f} ms (median); the whole CLI answer is {okapi[label] / q['ms']:.0f}x"
                " as fast"
            )
        print(f"tie-aware top-10 agreement with BM25Okapi: {okapi['agreement']:.0%}")
    finally:
        if args.reuse is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
