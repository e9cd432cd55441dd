"""Command line of the bot.

aigc-bot index                  build or refresh the knowledge base
aigc-bot ask [--json] QUESTION  answer questions (several allowed)
aigc-bot chat                   interactive console conversation, no token needed
aigc-bot eval FILE.jsonl        score a question file
aigc-bot run                    Telegram bot, long polling (needs TELEGRAM_BOT_TOKEN)
aigc-bot webhook                Telegram bot behind a webhook (needs WEBHOOK_URL too)
aigc-bot web                    admin console in the browser (WEB_LISTEN:WEB_PORT)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
import uuid
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bot import logs
from bot.config import Settings, load_settings
from bot.console import chat_loop, reply_json
from bot.crossval import cross_validate
from bot.errors import BotError, ConfigError, StartupError
from bot.evaluation import evaluate, load_cases
from bot.init import init
from bot.kb.answer_text import render_reply
from bot.service import EXPORT_KINDS, KnowledgeService, check_export_target, parse_since
from bot.terminal import json_safe, say

log = logging.getLogger("bot")
Work = Callable[["KnowledgeService"], Awaitable[int]]  # a command's work on an open service


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aigc-bot", description="AIGC question-answering bot: console, Telegram, admin tools"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('aigc-bot')}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text)

    index = command("index", "build or refresh the knowledge base from KNOWLEDGE_DIR and print a report")
    index.add_argument(
        "--rebuild", action="store_true", help="re-read every article from scratch (the question log stays)"
    )
    ask = command("ask", "answer one or more questions (readable, or --json for scripts)")
    ask.add_argument("questions", nargs="+", metavar="QUESTION")
    ask.add_argument("--json", action="store_true", help="one JSON object per question, per line")
    ask.add_argument("--explain", action="store_true", help="show why each passage ranked")
    ask.add_argument("-k", "--top", type=int, default=3, help="passages to return (default 3)")
    ask.add_argument(
        "--conversation",
        action="store_true",
        help="the questions form one conversation, in order (follow-ups resolved against the last turn)",
    )
    command("chat", "talk to the bot in this terminal (no Telegram token needed)")
    ev = command("eval", "score a question file (jsonl): passages and the answers users read")
    ev.add_argument("file", type=Path)
    ev.add_argument(
        "--cv",
        action="store_true",
        help="also answer each question with a sentence model refitted without it (5 folds), "
        "and print the cross-validated answer figures beside the in-sample ones",
    )
    command("run", "run the Telegram bot with long polling (needs TELEGRAM_BOT_TOKEN)")
    command("webhook", "run the Telegram bot behind a webhook (needs WEBHOOK_URL too)")
    command(
        "web",
        "serve the admin console in the browser on WEB_LISTEN:WEB_PORT (default 127.0.0.1:8080); "
        "log in with WEB_ADMIN_TOKEN, or the token printed at start",
    )
    export = command("export", "export the question log, unanswered questions or feedback")
    export.add_argument("kind", choices=EXPORT_KINDS)
    export.add_argument("--since", metavar="DATE", help="only rows from this date on (YYYY-MM-DD)")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("-o", "--output", type=Path, help="write to this file (default: standard output)")
    export.add_argument("--force", action="store_true", help="replace the -o file if it exists")
    backup_cmd = command("backup", "copy the live database to FILE (SQLite's online backup)")
    backup_cmd.add_argument("file", type=Path)
    backup_cmd.add_argument("--force", action="store_true", help="replace FILE if it exists")
    command("health", "exit 0 when the database and the knowledge base are usable (for health checks)")
    init_cmd = command("init", "write a ready folder: .env, knowledge/ with the shipped articles and vocab/")
    init_cmd.add_argument("folder", nargs="?", type=Path, default=Path("."), metavar="DIR")
    add = command("add", "add files (.md .txt .html .docx .pdf) or web pages (http/https), then refresh")
    add.add_argument("sources", nargs="+", metavar="SOURCE")
    return parser


def _telegram(settings: Settings, mode: str) -> int:
    """Run the bot until SIGINT/SIGTERM; PTB then stops polling and post_shutdown closes the db."""
    from telegram.error import InvalidToken, NetworkError, TimedOut

    from bot.app import build_application

    secrets = [
        s.get_secret_value() for s in (settings.telegram_bot_token, settings.webhook_secret_token) if s
    ]
    logs.configure(settings.log_level, secrets)
    if mode == "webhook" and not settings.webhook_url:
        raise ConfigError("WEBHOOK_URL is not set (the public https:// address Telegram should call)")
    if settings.web_port is not None:
        from bot.web.access import console_access

        console_access(settings)  # a console on a network address needs a token: refuse now
    application = build_application(settings)
    try:
        _serve(application, settings, mode)
    except InvalidToken:
        # PTB's message quotes the whole token: never show it.
        raise StartupError("Telegram rejected TELEGRAM_BOT_TOKEN (check it with @BotFather)", 3) from None
    except (NetworkError, TimedOut) as exc:
        where = settings.telegram_base_url.split("/bot")[0]
        raise StartupError(
            f"cannot reach the Bot API at {where} ({logs.redact(str(exc), secrets)})", 4
        ) from None
    return 0


def _serve(application: Any, settings: Settings, mode: str) -> None:
    from bot.app import ALLOWED_UPDATES

    if mode == "run":
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    else:
        from bot.telegram import webhook

        asyncio.run(webhook.serve(application, settings, ALLOWED_UPDATES))


def _add(sources: list[str]) -> Work:
    async def run(service: KnowledgeService) -> int:
        # Every source is converted and checked first: one bad source and nothing is written.
        for path, source in zip(await service.add_sources(sources), sources, strict=True):
            say(f"saved {source} as {path.name}")
        await service.reload()
        return await _index(service)

    return run


async def _with_service(settings: Settings, work: Work, *, load: bool = True) -> int:
    service = await KnowledgeService.open(settings, load=load)
    try:
        return await work(service)
    finally:
        await service.close()


async def _rebuilt(service: KnowledgeService) -> int:
    await service.rebuild()
    return await _index(service)


async def _index(service: KnowledgeService) -> int:
    # open() (or the command) has already refreshed; report what that did.
    report = service.last_report
    say("\n".join(report.lines() if report else []))
    return 0


def _ask(args: argparse.Namespace) -> Work:
    async def run(service: KnowledgeService) -> int:
        # --conversation: the questions are one conversation, forgotten when they end.
        session = f"cli:{uuid.uuid4().hex}" if args.conversation else None
        try:
            for question in args.questions:
                await _answer(service, question, session, args)
        finally:
            if session:
                await service.forget(session)
        return 0

    return run


async def _answer(
    service: KnowledgeService, question: str, session: str | None, args: argparse.Namespace
) -> None:
    reply = await service.ask(question, conversation=session, k=max(1, args.top))
    if args.json:
        print(json_safe(reply_json(reply)), flush=True)
    else:
        say(f"? {question}\n{render_reply(reply, service.settings.max_question_chars)}", flush=True)
    if args.explain:
        say(await service.explain(question, k=max(1, args.top)), flush=True)
    if not args.json:
        say(flush=True)


async def _chat(service: KnowledgeService) -> int:
    history = _line_editing()
    try:
        await chat_loop(service, input, sys.stdout)
    finally:
        history()
    return 0


def _line_editing() -> Callable[[], None]:
    """readline gives input() line editing and a history kept across sessions."""
    try:
        import readline
    except ImportError:  # not on every platform
        return lambda: None
    path = Path.home() / ".aigc_bot_history"
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            readline.write_history_file(path)

    return save


def _eval(path: Path, cv: bool) -> Work:
    async def run(service: KnowledgeService) -> int:
        cases = load_cases(path)
        report = await asyncio.to_thread(evaluate, service.retriever, cases)
        say("\n".join(report.lines()))
        if cv:
            inside, crossed = await asyncio.to_thread(cross_validate, service.retriever, cases)
            n = inside.answerable
            say(
                f"lead@300 in-sample {inside.lead_hits}/{n}, cross-validated {crossed.lead_hits}/{n} "
                f"(5 folds by question id, each refitted from the shipped prior without its fold)"
            )
            if inside.lists:
                say(
                    f"lists complete in-sample {inside.lists_complete}/{inside.lists}, "
                    f"cross-validated {crossed.lists_complete}/{crossed.lists}"
                )
        return 0

    return run


def _data(args: argparse.Namespace) -> Work:
    """export and backup: the question log only, no index to load."""
    since = parse_since(getattr(args, "since", None))

    async def run(service: KnowledgeService) -> int:
        if args.command == "backup":
            await service.backup(args.file, args.force)
            say(f"backup written to {args.file}")
        elif args.output is None:
            await service.export(args.kind, since, args.format, sys.stdout)
        else:
            rows = await service.export_file(args.kind, since, args.format, args.output, args.force)
            say(f"{rows} rows written to {args.output}", file=sys.stderr)
        return 0

    return run


async def _health(service: KnowledgeService) -> int:
    articles, passages, _ = service.overview()
    healthy = articles > 0 and passages > 0
    say(f"{'ok' if healthy else 'unhealthy'}: {articles} articles, {passages} passages")
    return 0 if healthy else 1


def _command(args: argparse.Namespace) -> tuple[Work, bool]:
    """The work of a service command, and whether it needs the knowledge base loaded
    (export, backup, add and rebuild open the database only, then do their own)."""
    commands: dict[str, Callable[[], Work]] = {
        "ask": lambda: _ask(args),
        "eval": lambda: _eval(args.file, args.cv),
        "chat": lambda: _chat,
        "health": lambda: _health,
        "export": lambda: _data(args),
        "backup": lambda: _data(args),
        "add": lambda: _add(args.sources),
    }
    if args.command == "index" and args.rebuild:
        return _rebuilt, False
    if args.command in commands:
        return commands[args.command](), args.command not in {"export", "backup", "add"}
    return _index, True


def _init(folder: Path) -> int:
    """`aigc-bot init`: before settings, since the folder has none yet."""
    try:
        written = init(folder)
    except ConfigError as exc:
        say(f"aigc-bot: {exc}", file=sys.stderr)
        return 2
    say(f"wrote {written[0]}, {len(written) - 2} articles and the vocabulary into {folder / 'knowledge'}")
    where = "" if folder == Path(".") else f"cd {folder} && "
    say(f"next: {where}aigc-bot chat   (for Telegram: set TELEGRAM_BOT_TOKEN in .env, then aigc-bot run)")
    return 0


def _bot(settings: Settings, mode: str) -> int:
    """`run` and `webhook`: one line on failure, never the token; the traceback only when
    asked for (LOG_LEVEL=DEBUG)."""
    tokens = (settings.telegram_bot_token, settings.webhook_secret_token)
    secrets = [s.get_secret_value() for s in tokens if s]
    try:
        return _telegram(settings, mode)
    except BotError as exc:
        if settings.log_level == "DEBUG":
            log.debug("start-up failed", exc_info=exc)
        say(f"aigc-bot: {logs.redact(str(exc), secrets)}", file=sys.stderr)
        if isinstance(exc, StartupError):
            return exc.exit_code
        return 2 if isinstance(exc, ConfigError) else 1


def _web(settings: Settings) -> int:
    """`aigc-bot web` until SIGINT/SIGTERM; one line and exit 2 when it may not start."""
    from bot.web.server import serve

    logs.configure(settings.log_level)
    try:
        asyncio.run(serve(settings, say=lambda line: say(line, flush=True)))
    except BotError as exc:
        say(f"aigc-bot: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1
    except OSError as exc:  # the port is taken, or the address is not this machine's
        say(f"aigc-bot: cannot listen on {settings.web_listen}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def _service_command(settings: Settings, args: argparse.Namespace) -> int:
    logs.configure(logging.WARNING)
    if args.command == "eval" and not args.file.is_file():
        say(f"aigc-bot: no such file: {args.file}", file=sys.stderr)
        return 2
    try:
        work, load = _command(args)
        if args.command == "export" and args.output is not None:
            check_export_target(settings, args.output, args.force)  # before anything is opened
        return asyncio.run(_with_service(settings, work, load=load))
    except BotError as exc:
        say(f"aigc-bot: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `aigc-bot ask … | head`: the reader left; say nothing more.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 2
    if args.command == "init":
        return _init(args.folder)
    try:
        settings = load_settings()
    except ConfigError as exc:
        say(f"aigc-bot: {exc}", file=sys.stderr)
        return 2
    if args.command in {"run", "webhook"}:
        return _bot(settings, args.command)
    if args.command == "web":
        return _web(settings)
    return _service_command(settings, args)
