"""The question log, feedback and reload history, and the admins' statistics over them.

Writes here must never cost a user their answer: callers catch `StorageError`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.errors import StorageError
from bot.records import DayCount, Disliked, LoggedQuestion, Reloaded, Stats, Usage
from bot.store import Database


async def log_question(
    db: Database,
    *,
    user_id: int | None,
    chat_id: int | None,
    chat_type: str,
    text: str,
    answered: bool,
    passage_ids: Sequence[int],
    latency_ms: float,
    lang: str,
    answer: str = "",
) -> int:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO questions(user_id, chat_id, chat_type, text, answered, passages, shown,"
            " latency_ms, lang, answer) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                user_id,
                chat_id,
                chat_type,
                text,
                int(answered),
                json.dumps(list(passage_ids)),
                len(passage_ids),
                latency_ms,
                lang,
                answer,
            ),
        )
    if cursor.lastrowid is None:
        raise StorageError("cannot log question: no row id")
    return cursor.lastrowid


async def get_question(db: Database, question_id: int) -> LoggedQuestion | None:
    row = await db.fetchone(
        "SELECT id, text, shown, chat_id, user_id FROM questions WHERE id = ?", (question_id,)
    )
    if row is None:
        return None
    return LoggedQuestion(int(row[0]), str(row[1]), int(row[2]), row[3], row[4])


async def mark_shown(db: Database, question_id: int, shown: int) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE questions SET shown = ? WHERE id = ?", (shown, question_id))


async def record_feedback(db: Database, question_id: int, user_id: int, value: int) -> bool:
    """Store 👍 (+1) / 👎 (-1); a user's later vote replaces the earlier one. False if unknown."""
    if value not in (-1, 1):
        raise ValueError("feedback value must be -1 or 1")
    if await db.fetchone("SELECT 1 FROM questions WHERE id = ?", (question_id,)) is None:
        return False
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO feedback(question, user_id, value) VALUES (?,?,?)"
            " ON CONFLICT(question, user_id) DO UPDATE SET value = excluded.value,"
            " given_at = excluded.given_at",
            (question_id, user_id, value),
        )
    return True


async def log_reload(db: Database, user_id: int | None, ok: bool, report: str, seconds: float) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO reloads(user_id, ok, report, seconds) VALUES (?,?,?,?)",
            (user_id, int(ok), report, seconds),
        )


async def stats(db: Database, limit: int = 5) -> Stats:
    """Question counts (UTC days), no-answer rate, top (unanswered) questions, feedback."""

    async def scalar(sql: str) -> float:
        row = await db.fetchone(sql)
        return float(row[0] or 0) if row else 0.0

    week = "asked_at >= strftime('%Y-%m-%dT%H:%M:%f', 'now', '-7 days')"
    today = await scalar("SELECT count(*) FROM questions WHERE date(asked_at) = date('now')")
    total_week = await scalar(f"SELECT count(*) FROM questions WHERE {week}")
    unanswered_week = await scalar(f"SELECT count(*) FROM questions WHERE {week} AND answered = 0")

    async def top(where: str) -> list[tuple[str, int]]:
        # Counted case-insensitively, shown as a user wrote it ("ChatGPT", not "chatgpt").
        rows = await db.fetchall(
            f"SELECT max(trim(text)) AS shown, count(*) AS n FROM questions WHERE {where}"
            " GROUP BY lower(trim(text)) ORDER BY n DESC, max(asked_at) DESC LIMIT ?",
            (limit,),
        )
        return [(str(r[0]), int(r[1])) for r in rows]

    return Stats(
        today=int(today),
        week=int(total_week),
        unanswered_rate_week=unanswered_week / total_week if total_week else 0.0,
        top_questions=await top(week),
        top_unanswered=await top(f"{week} AND answered = 0"),
        helpful=int(await scalar("SELECT count(*) FROM feedback WHERE value = 1")),
        unhelpful=int(await scalar("SELECT count(*) FROM feedback WHERE value = -1")),
    )


async def usage(db: Database, days: int = 30) -> Usage:
    """Questions per UTC day over the last `days` days (answered and refused), and the
    votes. One indexed range scan: fast with a hundred thousand logged questions."""
    since = f"-{days - 1} days"
    rows = await db.fetchall(
        "SELECT substr(asked_at, 1, 10) AS day, sum(answered), count(*) - sum(answered) FROM questions"
        " WHERE asked_at >= strftime('%Y-%m-%d', 'now', ?) GROUP BY day ORDER BY day",
        (since,),
    )
    counts = [DayCount(str(r[0]), int(r[1]), int(r[2])) for r in rows]
    votes = await db.fetchall("SELECT value, count(*) FROM feedback GROUP BY value")
    by_value = {int(v): int(n) for v, n in votes}
    return Usage(
        counts,
        sum(c.answered + c.refused for c in counts),
        sum(c.answered for c in counts),
        by_value.get(1, 0),
        by_value.get(-1, 0),
    )


async def refused(
    db: Database, since: str = "", until: str = "", limit: int = 5000
) -> list[tuple[str, int, str]]:
    """(text, times asked, last asked) of each wording of a refused question from `since`
    until before `until` (dates, "" for no bound), most recently asked first, at most
    `limit` wordings. Counted in SQL, so a long log costs one indexed scan, not rows."""
    rows = await db.fetchall(
        "SELECT text, count(*), max(asked_at) AS last FROM questions WHERE answered = 0 AND asked_at >= ?"
        " AND (? = '' OR asked_at < ?) GROUP BY text ORDER BY last DESC LIMIT ?",
        (since, until, until, limit),
    )
    return [(str(r[0]), int(r[1]), str(r[2])) for r in rows]


async def disliked(db: Database, limit: int = 200) -> list[Disliked]:
    """Every 👎, newest first, with the passages the answer was built from."""
    rows = await db.fetchall(
        "SELECT q.id, q.text, f.given_at, q.passages, q.answer"
        " FROM feedback f JOIN questions q ON q.id = f.question"
        " WHERE f.value = -1 ORDER BY f.given_at DESC LIMIT ?",
        (limit,),
    )
    out = []
    for question_id, text, given_at, passages, answer in rows:
        try:
            ids = tuple(int(i) for i in json.loads(passages))
        except (ValueError, TypeError):
            ids = ()
        out.append(Disliked(int(question_id), str(text), str(given_at), ids, str(answer)))
    return out


async def last_reload(db: Database) -> Reloaded | None:
    row = await db.fetchone("SELECT started_at, ok, report, seconds FROM reloads ORDER BY id DESC LIMIT 1")
    return None if row is None else Reloaded(str(row[0]), bool(row[1]), str(row[2]), float(row[3]))
