"""A fake Telegram Bot API server on 127.0.0.1, faithful to the wire format, for end-to-end tests.

Replies are ``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": N, "description": "…"}`` with
HTTP status N. Parameters arrive as query strings, forms, multipart or JSON, nested values JSON-encoded.
``getUpdates`` long-polls for real (offset confirms, timeout waits, limit and allowed_updates apply);
dates are in seconds; files can be uploaded and downloaded; malformed HTML, over-long text and
over-long callback data are refused as Telegram refuses them; every call is recorded.

Tests play the customer with :meth:`FakeBotAPI.customer_text`, :meth:`customer_press` and friends, and
read what the bot sent with :meth:`sent_to` and :meth:`wait_for`.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {"id": 999000, "is_bot": True, "first_name": "Support", "username": "support_test_bot"}
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
                "pre", "blockquote", "tg-emoji"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class ApiError(Exception):
    """An error Telegram would answer with."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def parse_html(text: str) -> str:
    """The text a customer would see, or ApiError 400 "can't parse entities" for malformed HTML."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "<":
            m = _TAG.match(text, pos)
            if not m:
                raise ApiError(400, f"Bad Request: can't parse entities: Unexpected character at byte offset "
                                    f"{len(text[:pos].encode())}")
            closing, name = m.group(1), m.group(2).lower()
            if name not in ALLOWED_TAGS:
                raise ApiError(400, f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" at byte '
                                    f"offset {len(text[:pos].encode())}")
            if closing:
                if not stack or stack[-1] != name:
                    raise ApiError(400, f'Bad Request: can\'t parse entities: Unexpected end tag "{name}" at byte '
                                        f"offset {len(text[:pos].encode())}")
                stack.pop()
            else:
                stack.append(name)
            pos = m.end()
        elif char == "&":
            m = _ENTITY.match(text, pos)
            if not m:
                raise ApiError(400, "Bad Request: can't parse entities: Unsupported HTML entity at byte offset "
                                    f"{len(text[:pos].encode())}")
            out.append(html.unescape(m.group(0)))
            pos = m.end()
        elif char == ">":
            raise ApiError(400, "Bad Request: can't parse entities: Unexpected character '>' at byte offset "
                                f"{len(text[:pos].encode())}")
        else:
            out.append(char)
            pos += 1
    if stack:
        raise ApiError(400, f'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag '
                            f'"{stack[-1]}"')
    return "".join(out)


@dataclass
class Sent:
    """A message the bot sent."""

    message_id: int
    chat_id: int
    text: str  # as the customer sees it (entities parsed)
    raw: str
    buttons: list[tuple[str, str]]  # (label, callback data)
    at: float = field(default_factory=time.monotonic)
    media: tuple[str, ...] = ()  # file ids of a photo, video, document or album
    thread: int | None = None  # the forum topic it went to


class FakeBotAPI:
    """The server and the customers' side of it."""

    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
        self.sent: list[Sent] = []
        self._sent_by_chat: dict[int, list[Sent]] = {}
        self.files: dict[str, bytes] = {}
        self.blocked: set[int] = set()
        self.commands: dict[str | None, list[dict[str, str]]] = {}
        self.answered_callbacks: set[str] = set()
        self.webhook: dict[str, Any] | None = None
        self.confirmed_offset = 0
        self.fail_next: list[ApiError] = []
        # Failure injection: once this many messages were sent, further sends wait (unrecorded) until
        # release_sends(); a send whose client went away meanwhile is dropped, as Telegram drops a
        # request that never fully arrived.
        self.hold_sends_after: int | None = None
        self.held = 0
        self._release = asyncio.Event()
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- server ------------------------------------------------------------------------------------

    async def start(self) -> str:
        """Listen on a free port of 127.0.0.1; returns the API root URL."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST":
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.json()
                params.update(body if isinstance(body, dict) else {})
            elif ctype.startswith("multipart/"):
                reader = await request.multipart()
                async for part in reader:
                    if part.filename:
                        params[part.name] = ("file", part.filename, await part.read())
                    else:
                        params[part.name] = await part.text()
            else:
                params.update(dict(await request.post()))
        decoded: dict[str, Any] = {}
        for key, value in params.items():
            if isinstance(value, str) and value[:1] in "[{":
                with contextlib.suppress(json.JSONDecodeError):
                    value = json.loads(value)
            decoded[key] = value
        return decoded

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        try:
            params = await self._params(request)
        except (ValueError, UnicodeDecodeError):
            return self._error(ApiError(400, "Bad Request: can't parse request"))
        self.calls.append((method, params))
        handler = getattr(self, f"m_{method}", None)
        if handler is None:
            return self._error(ApiError(404, "Not Found: method not found"))
        try:
            if self.fail_next and method != "getUpdates":
                raise self.fail_next.pop(0)
            if method == "sendMessage" and self.hold_sends_after is not None and \
                    len(self.sent) >= self.hold_sends_after:
                self.held += 1
                await self._release.wait()
                if request.transport is None or request.transport.is_closing():
                    raise ApiError(400, "Bad Request: client went away")
            result = await handler(params)
        except ApiError as exc:
            return self._error(exc)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(exc: ApiError) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
        if exc.retry_after is not None:
            body["parameters"] = {"retry_after": exc.retry_after}
        return web.json_response(body, status=exc.code)

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        data = self.files.get(request.match_info["path"])
        return web.Response(body=data) if data is not None else web.Response(status=404)

    # -- methods -------------------------------------------------------------------------------------

    async def m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**BOT_USER, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    async def m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    async def m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url", ""))
        if url and not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": url, "secret_token": params.get("secret_token")}
        return True

    async def m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or not commands:
            raise ApiError(400, "Bad Request: commands must be a non-empty list")
        self.commands[params.get("language_code")] = commands
        return True

    async def m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = min(int(params.get("limit") or 100), 100)
        timeout = float(params.get("timeout") or 0)
        allowed = params.get("allowed_updates")
        if offset:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

        def ready() -> list[dict[str, Any]]:
            found = [u for u in self.updates if u["update_id"] >= self.confirmed_offset]
            if allowed:
                found = [u for u in found if any(k in u for k in allowed)]
            return found[:limit]

        deadline = time.monotonic() + timeout
        async with self._changed:
            while not ready() and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        return ready()

    def _chat(self, params: dict[str, Any]) -> int:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, ValueError, TypeError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _buttons(self, markup: Any) -> list[tuple[str, str]]:
        if not markup:
            return []
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        out = []
        for row in markup["inline_keyboard"]:
            for button in row:
                data = button.get("callback_data", "")
                if not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                out.append((button["text"], data))
        return out

    def _visible(self, params: dict[str, Any], key: str = "text") -> str:
        raw = params.get(key)
        if not isinstance(raw, str) or not raw.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        text = parse_html(raw) if params.get("parse_mode") == "HTML" else raw
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    def _message(self, chat_id: int, **extra: Any) -> dict[str, Any]:
        return {"message_id": next(self._message_ids), "date": int(time.time()), "from": BOT_USER,
                "chat": {"id": chat_id, "type": "private", "first_name": "Customer"}, **extra}

    async def m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        text = self._visible(params)
        buttons = self._buttons(params.get("reply_markup"))
        message = self._message(chat_id, text=text)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        await self._record(Sent(message["message_id"], chat_id, text, params["text"], buttons))
        return message

    async def m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        text = self._visible(params)
        return self._message(chat_id, text=text, edit_date=int(time.time()))

    async def m_editMessageReplyMarkup(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        self._buttons(params.get("reply_markup"))
        return True

    async def m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if not query_id:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self.answered_callbacks.add(query_id)
        return True

    async def m_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        if params.get("action") not in {"typing", "upload_photo", "upload_document", "record_voice"}:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id", ""))
        path = f"files/{file_id}"
        if path not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(self.files[path]),
                "file_path": path}

    async def m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        file_id = self._file_id(params.get("photo"))
        caption = parse_html(params["caption"]) if params.get("caption") and params.get("parse_mode") == "HTML" \
            else params.get("caption", "")
        thread = int(params["message_thread_id"]) if params.get("message_thread_id") else None
        await self._record(Sent(0, chat_id, caption, params.get("caption", ""), [], media=(file_id,), thread=thread))
        return self._message(chat_id, photo=[{"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 1,
                                             "height": 1}], caption=caption)

    def _file_id(self, value: Any) -> str:
        if isinstance(value, tuple):  # an upload
            file_id = f"up{next(self._ids)}"
            self.files[f"files/{file_id}"] = value[2]
            return file_id
        if isinstance(value, str) and f"files/{value}" in self.files:
            return value
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    async def _send_file(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat_id = self._chat(params)
        file_id = self._file_id(params.get(kind))
        caption = parse_html(params["caption"]) if params.get("caption") and params.get("parse_mode") == "HTML" \
            else params.get("caption", "")
        thread = int(params["message_thread_id"]) if params.get("message_thread_id") else None
        message = self._message(chat_id, caption=caption, **{kind: {"file_id": file_id, "file_unique_id": "u"}})
        await self._record(Sent(message["message_id"], chat_id, caption, params.get("caption", ""), [],
                                media=(file_id,), thread=thread))
        return message

    async def m_sendVideo(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "video")

    async def m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "document")

    async def m_sendMediaGroup(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = self._chat(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media items: must be 2-10")
        kinds = {item.get("type") for item in media}
        if not kinds <= {"photo", "video"} and len(kinds) > 1:
            raise ApiError(400, "Bad Request: documents can't be mixed with other media types")
        ids = tuple(self._file_id(item.get("media")) for item in media)
        thread = int(params["message_thread_id"]) if params.get("message_thread_id") else None
        messages = [self._message(chat_id, **{item["type"]: {"file_id": file_id, "file_unique_id": "u"}})
                    for item, file_id in zip(media, ids, strict=True)]
        await self._record(Sent(messages[0]["message_id"], chat_id, "", "", [], media=ids, thread=thread))
        return messages

    async def _record(self, sent: Sent) -> None:
        async with self._changed:
            self.sent.append(sent)
            self._sent_by_chat.setdefault(sent.chat_id, []).append(sent)
            self._changed.notify_all()

    def release_sends(self) -> None:
        """Let held sends go on (those whose client is gone are dropped)."""
        self.hold_sends_after = None
        self._release.set()

    # -- the customers' side ---------------------------------------------------------------------------

    async def _push(self, update: dict[str, Any]) -> int:
        update["update_id"] = next(self._ids)
        async with self._changed:
            self.updates.append(update)
            self._changed.notify_all()
        return int(update["update_id"])

    @staticmethod
    def _user(user_id: int, language: str) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"Customer{user_id}", "language_code": language}

    def _incoming(self, user_id: int, language: str, chat_type: str = "private", **extra: Any) -> dict[str, Any]:
        chat = {"id": user_id, "type": chat_type, "first_name": f"Customer{user_id}"} if chat_type == "private" \
            else {"id": -user_id, "type": chat_type, "title": "Some group"}
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                "from": self._user(user_id, language), **extra}

    async def customer_text(self, user_id: int, text: str, *, language: str = "en", chat_type: str = "private") -> int:
        """The customer types ``text``; returns the update id."""
        entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] \
            if text.startswith("/") else []
        message = self._incoming(user_id, language, chat_type, text=text)
        if entities:
            message["entities"] = entities
        return await self._push({"message": message})

    async def customer_press(self, user_id: int, sent: Sent, label: str, *, language: str = "en") -> int:
        """The customer presses the button labelled ``label`` under a message the bot sent."""
        data = next(d for text, d in sent.buttons if text == label)
        query = {"id": str(next(self._ids) * 7919), "from": self._user(user_id, language), "data": data,
                 "chat_instance": f"ci{user_id}",
                 "message": {"message_id": sent.message_id, "date": int(time.time()), "from": BOT_USER,
                             "chat": {"id": user_id, "type": "private", "first_name": f"Customer{user_id}"},
                             "text": sent.text}}
        return await self._push({"callback_query": query})

    async def customer_photo(self, user_id: int, *, caption: str | None = None, language: str = "en") -> int:
        """The customer sends a photo (with an optional caption)."""
        file_id = f"ph{next(self._ids)}"
        self.files[f"files/{file_id}"] = b"\xff\xd8\xff\xe0fake-jpeg"
        extra: dict[str, Any] = {"photo": [{"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 640,
                                            "height": 480, "file_size": 14}]}
        if caption:
            extra["caption"] = caption
        return await self._push({"message": self._incoming(user_id, language, **extra)})

    async def staff_text(self, chat_id: int, user_id: int, text: str, *, thread: int | None = None) -> int:
        """A consultant writes in the staff supergroup ``chat_id`` (in a forum topic when ``thread`` is given)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": {"id": chat_id, "type": "supergroup", "title": "Support staff", "is_forum": thread is not None},
            "from": {"id": user_id, "is_bot": False, "first_name": f"Consultant{user_id}"}, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if thread is not None:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        return await self._push({"message": message})

    async def customer_sticker(self, user_id: int, *, language: str = "en") -> int:
        """The customer sends a sticker."""
        sticker = {"file_id": f"st{next(self._ids)}", "file_unique_id": "st", "type": "regular", "width": 512,
                   "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}
        return await self._push({"message": self._incoming(user_id, language, sticker=sticker)})

    async def customer_edit(self, user_id: int, text: str, *, language: str = "en") -> int:
        """The customer edits an earlier message to ``text``."""
        message = self._incoming(user_id, language, text=text, edit_date=int(time.time()))
        return await self._push({"edited_message": message})

    # -- reading what the bot did ------------------------------------------------------------------------

    def sent_to(self, chat_id: int) -> list[Sent]:
        """Every message the bot sent to a chat, in order."""
        return list(self._sent_by_chat.get(chat_id, ()))

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
        """Wait until ``predicate()`` holds (raises TimeoutError after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the bot did not do what was expected in time")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 20.0) -> list[Sent]:
        """Wait until the bot has sent ``count`` messages to a chat in all; returns them."""
        await self.wait_for(lambda: len(self.sent_to(chat_id)) >= count, timeout)
        return self.sent_to(chat_id)
