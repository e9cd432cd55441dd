"""A small fake Telegram Bot API server for offline tests.

It speaks the subset of the Bot API the bot uses, over real HTTP on 127.0.0.1, and is
as strict as Telegram where it matters: HTML that does not parse and texts over 4096
characters are rejected with Telegram's 400 errors, callback data over 64 bytes too.
Tests push updates and read back every call.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.telegram_html import HTMLError, parse_html, utf16_len

TOKEN = "123456:TEST-token_abcdefghijklmnopqrstuv"
JSON_FIELDS = {
    "reply_markup",
    "reply_parameters",
    "link_preview_options",
    "results",
    "commands",
    "scope",
    "allowed_updates",
    "button",
    "entities",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    ok: bool = True
    error: str = ""
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeBotAPI:
    bot_id: int = 4242
    username: str = "aigc_test_bot"
    calls: list[Call] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    # method -> list of (status, description, retry_after) to answer instead of success
    failures: dict[str, list[tuple[int, str, int | None]]] = field(default_factory=dict)
    # method -> list of seconds to stall before answering (client timeouts)
    delays: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._next_update = 1
        self._next_message = 1000
        self.confirmed = 0  # the highest offset a getUpdates has confirmed
        self.webhook: dict[str, Any] = {}  # what setWebhook registered
        self._pushed: dict[int, float] = {}
        self._answered_queries: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                fake._serve_file(self)

            def do_POST(self) -> None:
                fake._serve_method(self)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A client that gave up (timeout tests) breaks the pipe: not worth a traceback.
        self._server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/file/bot"

    def start(self) -> FakeBotAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    # -- pushing updates ----------------------------------------------------------------

    def user(self, user_id: int, language_code: str = "zh") -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"user{user_id}",
            "language_code": language_code,
        }

    def chat(self, chat_id: int, chat_type: str) -> dict[str, Any]:
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": f"user{chat_id}"}
        return {"id": chat_id, "type": chat_type, "title": "AIGC learners"}

    def _push(self, payload: dict[str, Any]) -> int:
        with self._cond:
            update_id = self._next_update
            self._next_update += 1
            self._updates.append({"update_id": update_id, **payload})
            self._pushed[update_id] = time.monotonic()
            self._cond.notify_all()
        return update_id

    def pushed_at(self, update_id: int) -> float:
        return self._pushed[update_id]

    def message(
        self,
        text: str | None = None,
        *,
        user_id: int = 7,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "zh",
        reply_to_bot: bool = False,
        edited: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> int:
        message: dict[str, Any] = {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": self.chat(chat_id if chat_id is not None else user_id, chat_type),
            "from": self.user(user_id, language_code),
        }
        if text is not None:
            message["text"] = text
            entities = []
            if text.startswith("/"):
                entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(text.split()[0])})
            mention = f"@{self.username}"
            if mention in text:
                offset = utf16_len(text[: text.index(mention)])
                entities.append({"type": "mention", "offset": offset, "length": utf16_len(mention)})
            if entities:
                message["entities"] = entities
        if reply_to_bot:
            message["reply_to_message"] = {
                "message_id": 1,
                "date": int(time.time()),
                "chat": message["chat"],
                "from": {"id": self.bot_id, "is_bot": True, "first_name": "AIGC", "username": self.username},
                "text": "earlier answer",
            }
        if extra:
            message.update(extra)
        if edited:
            message["edit_date"] = int(time.time())
        return self._push({"edited_message" if edited else "message": message})

    def sticker(self, **kwargs: Any) -> int:
        sticker = {
            "file_id": "s",
            "file_unique_id": "s",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
        return self.message(None, extra={"sticker": sticker}, **kwargs)

    def channel_post(self, text: str, chat_id: int = -100777) -> int:
        post = {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "channel", "title": "news"},
            "text": text,
        }
        return self._push({"channel_post": post})

    def added_to_group(self, chat_id: int, user_id: int = 7) -> int:
        member = {"user": self._bot_user(), "status": "member"}
        left = {"user": self._bot_user(), "status": "left"}
        return self._push(
            {
                "my_chat_member": {
                    "chat": self.chat(chat_id, "supergroup"),
                    "from": self.user(user_id),
                    "date": int(time.time()),
                    "old_chat_member": left,
                    "new_chat_member": member,
                }
            }
        )

    def callback(self, data: str, *, user_id: int = 7, message: dict[str, Any] | None = None) -> int:
        query: dict[str, Any] = {
            "id": f"cb{self._next_update}",
            "from": self.user(user_id),
            "chat_instance": "ci",
            "data": data,
        }
        if message is not None:
            query["message"] = message
        return self._push({"callback_query": query})

    def inline(self, query: str, *, user_id: int = 7) -> int:
        return self._push(
            {
                "inline_query": {
                    "id": f"iq{self._next_update}",
                    "from": self.user(user_id),
                    "query": query,
                    "offset": "",
                }
            }
        )

    def document(self, name: str, data: bytes, *, user_id: int = 7) -> int:
        file_id = f"file{len(self.files) + 1}"
        self.files[file_id] = data
        doc = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name, "file_size": len(data)}
        return self.message(None, user_id=user_id, extra={"document": doc})

    def _message_id(self) -> int:
        self._next_message += 1
        return self._next_message

    # -- reading what the bot did ---------------------------------------------------------

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in list(self.calls)
            if c.method == method and c.ok and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
        ]

    def rejected(self) -> list[Call]:
        return [
            c
            for c in list(self.calls)
            if not c.ok
            and c.method in {"sendMessage", "answerCallbackQuery", "answerInlineQuery", "editMessageText"}
        ]

    def last_message_dict(self, call: Call) -> dict[str, Any]:
        """The bot's message as Telegram would echo it in a callback query."""
        return call.params["_result"]  # type: ignore[no-any-return]

    def pending(self) -> int:
        with self._cond:
            return len(self._updates)

    # -- serving ----------------------------------------------------------------------------

    def _serve_file(self, request: BaseHTTPRequestHandler) -> None:
        path = urllib.parse.urlparse(request.path).path
        file_id = path.rsplit("/", 1)[-1]
        data = self.files.get(file_id)
        request.send_response(200 if data is not None else 404)
        request.end_headers()
        request.wfile.write(data or b"")

    def _serve_method(self, request: BaseHTTPRequestHandler) -> None:
        path = urllib.parse.urlparse(request.path).path
        method = path.rsplit("/", 1)[-1]
        token = path.split("/bot", 1)[-1].split("/", 1)[0]
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        content_type = request.headers.get("Content-Type", "")
        if "multipart/form-data" in content_type:
            params = self._multipart(content_type, raw)
        else:
            params = self._params(content_type, raw.decode())
        if token != TOKEN:
            self._reply(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        call = Call(method, params)
        delay = self.delays.get(method)
        if delay:
            time.sleep(delay.pop(0))
        failure = self.failures.get(method)
        if failure:
            status, description, retry_after = failure.pop(0)
            payload: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
            if retry_after is not None:
                payload["parameters"] = {"retry_after": retry_after}
            call.ok, call.error = False, description
            self.calls.append(call)
            self._reply(request, status, payload)
            return
        try:
            result = getattr(self, f"_m_{method}", self._m_unknown)(params)
        except HTMLError as exc:
            call.ok, call.error = False, f"Bad Request: {exc}"
            self.calls.append(call)
            self._reply(request, 400, {"ok": False, "error_code": 400, "description": call.error})
            return
        except _ApiError as exc:
            call.ok, call.error = False, exc.description
            self.calls.append(call)
            self._reply(
                request, exc.status, {"ok": False, "error_code": exc.status, "description": exc.description}
            )
            return
        params["_result"] = result
        self.calls.append(call)
        self._reply(request, 200, {"ok": True, "result": result})

    @staticmethod
    def _params(content_type: str, body: str) -> dict[str, Any]:
        if "json" in content_type:
            raw: dict[str, Any] = json.loads(body or "{}")
        else:
            raw = {k: v[-1] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
        for key in JSON_FIELDS & raw.keys():
            if isinstance(raw[key], str):
                raw[key] = json.loads(raw[key])
        return raw

    @staticmethod
    def _multipart(content_type: str, raw: bytes) -> dict[str, Any]:
        """Fields of a file upload (sendDocument); files become {"filename", "data"}."""
        from email.parser import BytesParser
        from email.policy import HTTP

        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
        params: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            payload = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename:
                params[str(name)] = {"filename": filename, "data": payload}
            else:
                params[str(name)] = payload.decode()
        for key in JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                params[key] = json.loads(params[key])
        return params

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    # -- methods ------------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "AIGC",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    def _m_unknown(self, params: dict[str, Any]) -> Any:
        raise _ApiError(404, "Not Found: method not found")

    def _m_getMe(self, params: dict[str, Any]) -> Any:
        return self._bot_user()

    def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        return True

    def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = dict(params)
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        return True

    def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 1.0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self._cond:
            if offset:
                self.confirmed = max(self.confirmed, offset)
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return list(self._updates[:limit])

    def _check_markup(self, params: dict[str, Any]) -> None:
        markup = params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _check_text(self, text: str, parse_mode: str | None) -> str:
        plain = parse_html(text) if (parse_mode or "").upper() == "HTML" else text
        if not plain.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return plain

    def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        plain = self._check_text(str(params.get("text", "")), params.get("parse_mode"))
        self._check_markup(params)
        chat_id = int(params["chat_id"])
        return {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": self.chat(chat_id, "private" if chat_id > 0 else "supergroup"),
            "from": self._bot_user(),
            "text": plain,
        }

    def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        document = params.get("document")
        name = document["filename"] if isinstance(document, dict) else "file"
        return {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": self.chat(chat_id, "private" if chat_id > 0 else "supergroup"),
            "from": self._bot_user(),
            "document": {"file_id": f"sent-{name}", "file_unique_id": f"u-{name}", "file_name": name},
        }

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        if len(str(params.get("text") or "")) > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query_id = str(params.get("callback_query_id"))
        if query_id in self._answered_queries:
            raise _ApiError(400, "Bad Request: query ID is invalid")
        self._answered_queries.add(query_id)
        return True

    def _m_answerInlineQuery(self, params: dict[str, Any]) -> Any:
        results = params.get("results") or []
        if len(results) > 50:
            raise _ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        for result in results:
            content = result.get("input_message_content", {})
            self._check_text(content.get("message_text", ""), content.get("parse_mode"))
        return True

    def _m_getFile(self, params: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            raise _ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[file_id]),
            "file_path": f"documents/{file_id}",
        }


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # many chats at once open many connections at once


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


async def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Poll `predicate` from async code until it holds (or fail the test)."""
    import asyncio

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the bot")
        await asyncio.sleep(0.02)
