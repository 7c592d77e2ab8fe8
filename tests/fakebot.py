"""A fake Telegram Bot API server on 127.0.0.1, faithful to the wire format, for end-to-end tests.

Replies are ``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": N, "description": "…"}`` with
HTTP status N. Parameters arrive as query strings, forms, multipart or JSON, nested values JSON-encoded.
``getUpdates`` long-polls for real (offset confirms, timeout waits, limit and allowed_updates apply);
dates are in seconds; files can be uploaded and downloaded; malformed HTML, over-long text and
over-long callback data are refused as Telegram refuses them; every call is recorded.

Tests play the customer with :meth:`FakeBotAPI.customer_text`, :meth:`customer_press` and friends, the
consultants in the staff supergroup with :meth:`staff_text`, :meth:`staff_photo` and :meth:`staff_press`, and
read what the bot sent with :meth:`sent_to`, :meth:`sent_to_thread` and :meth:`wait_for`.

The staff supergroup can be a forum (:meth:`make_forum`): the bot creates, renames, closes, reopens and
deletes topics there, and sends into them with ``message_thread_id`` (refused once a topic is gone, e.g. after
:meth:`delete_topic`); replies name a message that must still be there unless ``allow_sending_without_reply``.

Faults are injected with :meth:`FakeBotAPI.inject`: an error Telegram answers with (403 kicked or blocked, 400
``TOPIC_CLOSED``, chat or thread not found, 429 with ``retry_after``, 502), a slow answer (the call is done,
the answer comes late), or a dropped connection (the call is not done); per method and per chat, for a
number of calls or until :meth:`FakeBotAPI.clear`. :meth:`remove_bot` and :meth:`add_bot` take the bot out of
a group and back as Telegram does (with ``my_chat_member`` updates); :meth:`push_raw` queues an update as
given (one a client cannot parse, say). With ``service_updates`` on, the topics the bot creates come back as
``forum_topic_created`` updates, and messages in a topic reply to its creation message, as in Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import mimetypes
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

BOT_USER = {"id": 999000, "is_bot": True, "first_name": "Support", "username": "support_test_bot"}
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}
DEFAULT_TOPIC_COLOR = 7322096  # 0x6FB9F0, Telegram's default topic icon colour


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
                raise ApiError(
                    400,
                    f"Bad Request: can't parse entities: Unexpected character at byte offset "
                    f"{len(text[:pos].encode())}",
                )
            closing, name = m.group(1), m.group(2).lower()
            if name not in ALLOWED_TAGS:
                raise ApiError(
                    400,
                    f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" at byte '
                    f"offset {len(text[:pos].encode())}",
                )
            if closing:
                if not stack or stack[-1] != name:
                    raise ApiError(
                        400,
                        f'Bad Request: can\'t parse entities: Unexpected end tag "{name}" at byte '
                        f"offset {len(text[:pos].encode())}",
                    )
                stack.pop()
            else:
                stack.append(name)
            pos = m.end()
        elif char == "&":
            m = _ENTITY.match(text, pos)
            if not m:
                raise ApiError(
                    400,
                    "Bad Request: can't parse entities: Unsupported HTML entity at byte offset "
                    f"{len(text[:pos].encode())}",
                )
            out.append(html.unescape(m.group(0)))
            pos = m.end()
        elif char == ">":
            raise ApiError(
                400,
                "Bad Request: can't parse entities: Unexpected character '>' at byte offset "
                f"{len(text[:pos].encode())}",
            )
        else:
            out.append(char)
            pos += 1
    if stack:
        raise ApiError(
            400, f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
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
    media: tuple[str, ...] = ()  # file ids of a photo, video, document, voice, sticker… or album
    thread: int | None = None  # the forum topic it went to
    reply_to: int | None = None  # the message it replies to
    kind: str = "text"  # text, photo, video, document, voice, audio, sticker, animation (an album: its first item's)


FAULTS: dict[str, tuple[int, str]] = {
    "kicked": (403, "Forbidden: bot was kicked from the supergroup chat"),
    "not_member": (403, "Forbidden: bot is not a member of the supergroup chat"),
    "blocked": (403, "Forbidden: bot was blocked by the user"),
    "deactivated": (403, "Forbidden: user is deactivated"),
    "topic_closed": (400, "Bad Request: TOPIC_CLOSED"),
    "chat_not_found": (400, "Bad Request: chat not found"),
    "thread_not_found": (400, "Bad Request: message thread not found"),
    "no_rights": (400, "Bad Request: not enough rights to create a topic"),
    "flood": (429, "Too Many Requests: retry after {seconds}"),
    "bad_gateway": (502, "Bad Gateway"),
}
TOPIC_CALLS = frozenset({"createForumTopic", "editForumTopic", "closeForumTopic", "reopenForumTopic"})
SLOW, DROP = "slow", "drop"  # the call is done and answered late; the connection drops before the call is done


@dataclass
class Fault:
    """An injected fault: ``kind`` (a key of :data:`FAULTS`, ``slow`` or ``drop``) for calls that match."""

    kind: str
    method: str | None = None  # None: every method but getUpdates
    chat: int | None = None  # None: any chat (and calls without one)
    times: int | None = None  # None: until cleared
    seconds: float = 1.0  # retry_after of a 429; how late a slow answer is
    hits: int = 0

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.method is None and method == "getUpdates":
            return False
        if self.method is not None and self.method != method:
            return False
        if self.chat is None:
            return True
        with contextlib.suppress(KeyError, TypeError, ValueError):
            return int(params["chat_id"]) == self.chat
        return False

    def error(self) -> ApiError:
        code, text = FAULTS[self.kind]
        retry = max(1, round(self.seconds)) if code == 429 else None
        return ApiError(code, text.format(seconds=retry), retry)


class _Dropped(Exception):
    """Close the connection without an answer."""


class FakeBotAPI:
    """The server and the customers' side of it."""

    def __init__(self, token: str = "123456:TEST-TOKEN", bot_user: dict[str, Any] | None = None) -> None:
        self.token = token
        self.bot_user = bot_user or BOT_USER  # who the bot is (getMe, the sender of its messages)
        self.others: dict[str, FakeBotAPI] = {}  # further bots on this server, by token (see another_bot)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        # Every call but getUpdates as it arrived: (time.monotonic(), method, chat id or None), to check the
        # bot keeps to Telegram's limits (see posts()).
        self.arrivals: list[tuple[float, str, int | None]] = []
        self.refused: set[int] = set()  # indexes in calls of those answered with an error or dropped: not done
        self.updates: list[dict[str, Any]] = []
        self.sent: list[Sent] = []
        self._sent_by_chat: dict[int, list[Sent]] = {}
        self.files: dict[str, bytes] = {}
        self.blocked: set[int] = set()
        self.commands: dict[str | None, list[dict[str, str]]] = {}
        self.chat_commands: dict[int, list[dict[str, str]]] = {}  # setMyCommands with a BotCommandScopeChat
        self.answered_callbacks: set[str] = set()
        self.webhook: dict[str, Any] | None = None
        self.confirmed_offset = 0
        self.forums: set[int] = set()  # supergroups with topics enabled (see make_forum)
        self.topics: dict[int, dict[int, str]] = {}  # chat id -> {message_thread_id: name}, the topics there now
        self.topics_created: list[tuple[int, int, str]] = []  # (chat, thread, name) in creation order
        self.closed_topics: set[tuple[int, int]] = set()
        self._topic_icons: dict[tuple[int, int], str] = {}
        self.pinned: list[tuple[int, int]] = []  # (chat, message id) pinned by the bot
        # Every message there is in a chat (the bot's and the users'), with the topic it is in.
        self._messages: dict[tuple[int, int], int | None] = {}
        self.fail_next: list[ApiError] = []
        self.faults: list[Fault] = []  # see inject()
        self.fault_hits: list[tuple[str, str, int | None]] = []  # (method, kind, chat) of every fault answered
        self.service_updates = False  # topics made and bots added or removed come back as updates
        self._topic_names: dict[tuple[int, int], str] = {}  # the name each topic was created with
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
        self._stopping = False
        self._stopped = asyncio.Event()
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
        """Stop listening (a long poll in progress, or a slow answer, is answered at once)."""
        for other in self.others.values():
            other._stopping = True
            async with other._changed:
                other._changed.notify_all()
        self._stopping = True
        self._stopped.set()
        async with self._changed:
            self._changed.notify_all()
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
                    if not isinstance(part, BodyPartReader) or part.name is None:
                        continue  # no nested multiparts in a Bot API request
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

    def another_bot(self, token: str, bot_id: int, username: str) -> FakeBotAPI:
        """A second bot served by this server (its own token, updates, chats and messages), as Telegram serves
        every bot at api.telegram.org/bot<token>/.
        """
        other = FakeBotAPI(token, {**BOT_USER, "id": bot_id, "username": username})
        other.base_url = self.base_url
        self.others[token] = other
        return other

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] in self.others:
            return await self.others[request.match_info["token"]]._api(request)
        if request.match_info["token"] != self.token:
            return self._error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        try:
            params = await self._params(request)
        except (ValueError, UnicodeDecodeError):
            return self._error(ApiError(400, "Bad Request: can't parse request"))
        index = len(self.calls)
        self.calls.append((method, params))
        if method != "getUpdates":
            chat = params.get("chat_id")
            self.arrivals.append((time.monotonic(), method, int(chat) if str(chat).lstrip("-").isdigit() else None))
        await self._notify()
        handler = getattr(self, f"m_{method}", None)
        if handler is None:
            self.refused.add(index)
            return self._error(ApiError(404, "Not Found: method not found"))
        try:
            answer = await self._answer(request, method, params, handler)
        except web.HTTPException:  # dropped
            self.refused.add(index)
            raise
        finally:
            await self._notify()  # whatever the call changed is looked at by wait_for() at once
        if answer.status != 200:
            self.refused.add(index)
        return answer

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _answer(
        self, request: web.Request, method: str, params: dict[str, Any], handler: Callable[..., Any]
    ) -> web.Response:
        try:
            fault = self._fault(method, params)
            if fault is not None and fault.kind == DROP:
                raise _Dropped
            if fault is not None and fault.kind != SLOW:
                raise fault.error()
            if self.fail_next and method != "getUpdates":
                raise self.fail_next.pop(0)
            if (
                method == "sendMessage"
                and self.hold_sends_after is not None
                and len(self.sent) >= self.hold_sends_after
            ):
                self.held += 1
                await self._notify()
                await self._release.wait()
                if request.transport is None or request.transport.is_closing():
                    raise ApiError(400, "Bad Request: client went away")
            result = await handler(params)
            if fault is not None:  # slow: done, and answered late (or at once when the server stops)
                await self._notify()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), fault.seconds)
        except ApiError as exc:
            return self._error(exc)
        except _Dropped:
            assert request.transport is not None
            request.transport.close()
            raise web.HTTPInternalServerError() from None  # never written: the connection is gone
        return web.json_response({"ok": True, "result": result})

    def _fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, params):
                fault.hits += 1
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                chat = params.get("chat_id")
                self.fault_hits.append((method, fault.kind, int(chat) if str(chat).lstrip("-").isdigit() else None))
                return fault
        return None

    def inject(
        self,
        kind: str,
        *,
        method: str | None = None,
        chat: int | None = None,
        times: int | None = None,
        seconds: float = 1.0,
    ) -> Fault:
        """Answer matching calls with a fault (see :data:`FAULTS`, :data:`SLOW`, :data:`DROP`); the first match wins."""
        if kind not in FAULTS and kind not in (SLOW, DROP):
            raise ValueError(f"no such fault {kind!r}: {sorted([*FAULTS, SLOW, DROP])}")
        fault = Fault(kind, method, chat, times, seconds)
        self.faults.append(fault)
        return fault

    def clear(self, kind: str | None = None, *, method: str | None = None, chat: int | None = None) -> None:
        """Stop injecting the faults that match (all of them by default)."""
        self.faults = [
            f
            for f in self.faults
            if not (
                (kind is None or f.kind == kind)
                and (method is None or f.method == method)
                and (chat is None or f.chat == chat)
            )
        ]

    @staticmethod
    def _error(exc: ApiError) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
        if exc.retry_after is not None:
            body["parameters"] = {"retry_after": exc.retry_after}
        return web.json_response(body, status=exc.code)

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] in self.others:
            return await self.others[request.match_info["token"]]._download(request)
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        data = self.files.get(request.match_info["path"])
        return web.Response(body=data) if data is not None else web.Response(status=404)

    # -- methods -------------------------------------------------------------------------------------

    async def m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

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
        scope = params.get("scope")
        if isinstance(scope, str):
            scope = json.loads(scope)
        if isinstance(scope, dict) and scope.get("type") == "chat":
            self.chat_commands[int(scope["chat_id"])] = commands
            return True
        if isinstance(scope, dict) and scope.get("type") != "default":
            raise ApiError(400, f"Bad Request: scope {scope.get('type')!r} is not supported by the fake")
        self.commands[params.get("language_code")] = commands
        return True

    async def m_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        info = self._chat_info(chat_id)
        return {**info, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": _GIFTS}

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
            while not ready() and time.monotonic() < deadline and not self._stopping:
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
            raise ApiError(
                403,
                "Forbidden: bot was kicked from the supergroup chat"
                if chat_id < 0
                else "Forbidden: bot was blocked by the user",
            )
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

    def _chat_info(self, chat_id: int) -> dict[str, Any]:
        """The Chat object Telegram describes ``chat_id`` with: negative ids are the staff supergroup."""
        if chat_id < 0:
            chat: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": "Support staff"}
            if chat_id in self.forums:
                chat["is_forum"] = True  # Telegram leaves false optional booleans out
            return chat
        return {"id": chat_id, "type": "private", "first_name": "Customer"}

    def _message(
        self,
        chat_id: int,
        *,
        message_id: int | None = None,
        thread: int | None = None,
        reply_to: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A Message the bot sent (a new one, registered in its chat, unless ``message_id`` is given)."""
        if message_id is None:
            message_id = next(self._message_ids)
            self._messages[(chat_id, message_id)] = thread
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "from": self.bot_user,
            "chat": self._chat_info(chat_id),
        }
        if thread is not None:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        if reply_to is not None:
            message["reply_to_message"] = {
                "message_id": reply_to,
                "date": int(time.time()),
                "chat": self._chat_info(chat_id),
            }
        message.update(extra)
        return message

    def _thread(self, chat_id: int, params: dict[str, Any]) -> int | None:
        """The forum topic a send goes to, or ApiError 400 when the chat has no such topic."""
        raw = params.get("message_thread_id")
        if raw in (None, "", 0, "0"):
            return None
        try:
            thread = int(raw)
        except (ValueError, TypeError):
            raise ApiError(400, "Bad Request: message thread not found") from None
        if thread not in self.topics.get(chat_id, {}):
            raise ApiError(400, "Bad Request: message thread not found")
        if (chat_id, thread) in self.closed_topics:  # as for a bot that may not manage topics
            raise ApiError(400, "Bad Request: TOPIC_CLOSED")
        return thread

    def _reply(self, chat_id: int, params: dict[str, Any], thread: int | None) -> tuple[int | None, int | None]:
        """(the message replied to, the topic): ``reply_parameters`` or ``reply_to_message_id``.

        A reply to a message that is not there is refused unless ``allow_sending_without_reply``; a reply to a
        message in a forum topic goes to that topic when no ``message_thread_id`` is given.
        """
        options = params.get("reply_parameters")
        if isinstance(options, dict):
            target, allow, target_chat = (
                options.get("message_id"),
                options.get("allow_sending_without_reply"),
                options.get("chat_id", chat_id),
            )
        else:
            target, allow, target_chat = (
                params.get("reply_to_message_id"),
                params.get("allow_sending_without_reply"),
                chat_id,
            )
        if target in (None, ""):
            return None, thread
        try:
            key = (int(target_chat), int(target))
        except (ValueError, TypeError):
            raise ApiError(400, "Bad Request: message to be replied not found") from None
        if key not in self._messages:
            if allow in (True, "true", "True"):
                return None, thread
            raise ApiError(400, "Bad Request: message to be replied not found")
        if thread is None and key[0] == chat_id:
            thread = self._messages[key]
        return key[1], thread

    def _caption(self, params: dict[str, Any]) -> str:
        caption = params.get("caption")
        if not caption:
            return ""
        text = parse_html(caption) if params.get("parse_mode") == "HTML" else str(caption)
        if len(text) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        return text

    async def m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        text = self._visible(params)
        buttons = self._buttons(params.get("reply_markup"))
        thread = self._thread(chat_id, params)
        reply_to, thread = self._reply(chat_id, params, thread)
        message = self._message(chat_id, thread=thread, reply_to=reply_to, text=text)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        await self._record(
            Sent(message["message_id"], chat_id, text, params["text"], buttons, thread=thread, reply_to=reply_to)
        )
        return message

    def _edited(self, params: dict[str, Any], chat_id: int, **extra: Any) -> dict[str, Any]:
        try:
            message_id = int(params["message_id"])
        except (KeyError, ValueError, TypeError):
            raise ApiError(400, "Bad Request: message identifier is not specified") from None
        return self._message(
            chat_id,
            message_id=message_id,
            thread=self._messages.get((chat_id, message_id)),
            edit_date=int(time.time()),
            **extra,
        )

    async def m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        text = self._visible(params)
        return self._edited(params, chat_id, text=text)

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
        chat_id = self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._thread(chat_id, params)
        return True

    async def m_pinChatMessage(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat(params)
        try:
            key = (chat_id, int(params["message_id"]))
        except (KeyError, ValueError, TypeError):
            raise ApiError(400, "Bad Request: message identifier is not specified") from None
        if key not in self._messages:
            raise ApiError(400, "Bad Request: message to pin not found")
        self.pinned.append(key)
        return True

    async def m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id", ""))
        path = f"files/{file_id}"
        if path not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[path]),
            "file_path": path,
        }

    def _file_id(self, value: Any, params: dict[str, Any] | None = None) -> str:
        if isinstance(value, str) and value.startswith("attach://") and params is not None:
            value = params.get(value.removeprefix("attach://"))  # an album item uploaded as another part
        if isinstance(value, tuple):  # an upload
            file_id = f"up{next(self._ids)}"
            self.files[f"files/{file_id}"] = value[2]
            return file_id
        if isinstance(value, str) and f"files/{value}" in self.files:
            return value
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    @staticmethod
    def _media(kind: str, file_id: str, file_name: str | None = None) -> dict[str, Any]:
        """The fields of a Message that carry a file of ``kind`` (as Telegram describes them)."""
        base: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"u{file_id}"}
        if kind == "photo":
            return {"photo": [{**base, "width": 1, "height": 1}]}
        if kind == "video":
            return {"video": {**base, "width": 640, "height": 360, "duration": 1}}
        if kind == "animation":  # Telegram also sets document on an animation, for backward compatibility
            return {
                "animation": {**base, "width": 320, "height": 240, "duration": 1},
                "document": {**base, "mime_type": "video/mp4"},
            }
        if kind == "voice":
            return {"voice": {**base, "duration": 1, "mime_type": "audio/ogg"}}
        if kind == "audio":
            return {"audio": {**base, "duration": 1}}
        if kind == "sticker":
            return {
                "sticker": {
                    **base,
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            }
        return {kind: {**base, **({"file_name": file_name} if file_name else {})}}

    async def _send_file(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        """sendPhoto, sendVideo, sendDocument, sendVoice, sendAudio, sendSticker, sendAnimation."""
        chat_id = self._chat(params)
        caption = "" if kind == "sticker" else self._caption(params)  # a sticker takes no caption
        buttons = self._buttons(params.get("reply_markup"))
        thread = self._thread(chat_id, params)
        reply_to, thread = self._reply(chat_id, params, thread)
        value = params.get(kind)
        file_id = self._file_id(value)
        extra = self._media(kind, file_id, value[1] if isinstance(value, tuple) else None)
        if caption:
            extra["caption"] = caption
        if params.get("reply_markup"):
            extra["reply_markup"] = params["reply_markup"]
        message = self._message(chat_id, thread=thread, reply_to=reply_to, **extra)
        await self._record(
            Sent(
                message["message_id"],
                chat_id,
                caption,
                "" if kind == "sticker" else str(params.get("caption") or ""),
                buttons,
                media=(file_id,),
                thread=thread,
                reply_to=reply_to,
                kind=kind,
            )
        )
        return message

    async def m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "photo")

    async def m_sendVideo(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "video")

    async def m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "document")

    async def m_sendVoice(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "voice")

    async def m_sendAudio(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "audio")

    async def m_sendSticker(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "sticker")

    async def m_sendAnimation(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "animation")

    async def m_sendMediaGroup(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = self._chat(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media items: must be 2-10")
        kinds = {item.get("type") for item in media}
        if not kinds <= {"photo", "video"} and len(kinds) > 1:
            raise ApiError(400, "Bad Request: documents can't be mixed with other media types")
        captions = [self._caption(item) for item in media]
        thread = self._thread(chat_id, params)
        reply_to, thread = self._reply(chat_id, params, thread)
        ids = tuple(self._file_id(item.get("media"), params) for item in media)
        group = str(next(self._ids) * 104729)
        messages = []
        for item, file_id, caption in zip(media, ids, captions, strict=True):
            extra = self._media(item["type"], file_id)
            if caption:
                extra["caption"] = caption
            messages.append(self._message(chat_id, thread=thread, reply_to=reply_to, media_group_id=group, **extra))
        text = next((c for c in captions if c), "")
        await self._record(
            Sent(
                messages[0]["message_id"],
                chat_id,
                text,
                text,
                [],
                media=ids,
                thread=thread,
                reply_to=reply_to,
                kind=str(media[0]["type"]),
            )
        )
        return messages

    # -- forum topics --------------------------------------------------------------------------------------

    def _forum(self, params: dict[str, Any]) -> int:
        chat_id = self._chat(params)
        if chat_id not in self.forums:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        return chat_id

    def _topic(self, params: dict[str, Any]) -> tuple[int, int]:
        chat_id = self._forum(params)
        try:
            thread = int(params["message_thread_id"])
        except (KeyError, ValueError, TypeError):
            raise ApiError(400, "Bad Request: TOPIC_ID_INVALID") from None
        if thread not in self.topics.get(chat_id, {}):
            raise ApiError(400, "Bad Request: TOPIC_ID_INVALID")
        return chat_id, thread

    async def m_createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._forum(params)
        name = params.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 128:
            raise ApiError(400, "Bad Request: TOPIC_NAME_INVALID")
        thread = next(self._message_ids)  # the id of the "topic created" service message
        self.topics.setdefault(chat_id, {})[thread] = name
        self.topics_created.append((chat_id, thread, name))
        self._messages[(chat_id, thread)] = thread
        topic: dict[str, Any] = {
            "message_thread_id": thread,
            "name": name,
            "icon_color": int(params.get("icon_color") or DEFAULT_TOPIC_COLOR),
        }
        if params.get("icon_custom_emoji_id"):
            topic["icon_custom_emoji_id"] = str(params["icon_custom_emoji_id"])
            self._topic_icons[(chat_id, thread)] = topic["icon_custom_emoji_id"]
        self._topic_names[(chat_id, thread)] = name
        if self.service_updates:  # the "topic created" service message, which the bot receives too
            await self._push({"message": self._creation(chat_id, thread)})
        return topic

    def _creation(self, chat_id: int, thread: int) -> dict[str, Any]:
        """The service message that opens a topic (its id is the topic's ``message_thread_id``)."""
        created = {"name": self._topic_names.get((chat_id, thread), "?"), "icon_color": DEFAULT_TOPIC_COLOR}
        return self._message(chat_id, message_id=thread, thread=thread, forum_topic_created=created)

    async def m_editForumTopic(self, params: dict[str, Any]) -> bool:
        chat_id, thread = self._topic(params)
        name = params.get("name")
        if name is not None and (not isinstance(name, str) or len(name) > 128):
            raise ApiError(400, "Bad Request: TOPIC_NAME_INVALID")
        icon = params.get("icon_custom_emoji_id")
        renamed = bool(name) and name != self.topics[chat_id][thread]
        new_icon = icon is not None and str(icon) != self._topic_icons.get((chat_id, thread), "")
        if not renamed and not new_icon:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        if renamed:
            self.topics[chat_id][thread] = str(name)
        if new_icon:
            self._topic_icons[(chat_id, thread)] = str(icon)
        return True

    async def m_closeForumTopic(self, params: dict[str, Any]) -> bool:
        key = self._topic(params)
        if key in self.closed_topics:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        self.closed_topics.add(key)
        return True

    async def m_reopenForumTopic(self, params: dict[str, Any]) -> bool:
        key = self._topic(params)
        if key not in self.closed_topics:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        self.closed_topics.discard(key)
        return True

    async def m_deleteForumTopic(self, params: dict[str, Any]) -> bool:
        self._remove_topic(*self._topic(params))
        return True

    def _remove_topic(self, chat_id: int, thread: int) -> None:
        """The topic goes, and every message in it."""
        del self.topics[chat_id][thread]
        self.closed_topics.discard((chat_id, thread))
        self._topic_icons.pop((chat_id, thread), None)
        for key in [k for k, t in self._messages.items() if k[0] == chat_id and t == thread]:
            del self._messages[key]

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
        chat_id = user_id if chat_type == "private" else -user_id
        chat = (
            {"id": chat_id, "type": chat_type, "first_name": f"Customer{user_id}"}
            if chat_type == "private"
            else {"id": chat_id, "type": chat_type, "title": "Some group"}
        )
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(user_id, language),
            **extra,
        }
        self._messages[(chat_id, message["message_id"])] = None
        return message

    def _fake_file(self, prefix: str, data: bytes) -> str:
        """A file a user sent, stored so the bot can download it; returns its file id."""
        file_id = f"{prefix}{next(self._ids)}"
        self.files[f"files/{file_id}"] = data
        return file_id

    @staticmethod
    def _button(sent: Sent, label: str) -> str:
        for text, data in sent.buttons:
            if text == label:
                return data
        raise ValueError(f"no button {label!r} under message {sent.message_id}: {[t for t, _ in sent.buttons]}")

    async def customer_text(self, user_id: int, text: str, *, language: str = "en", chat_type: str = "private") -> int:
        """The customer types ``text``; returns the update id."""
        entities = (
            [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
        )
        message = self._incoming(user_id, language, chat_type, text=text)
        if entities:
            message["entities"] = entities
        return await self._push({"message": message})

    async def customer_press(self, user_id: int, sent: Sent, label: str, *, language: str = "en") -> int:
        """The customer presses the button labelled ``label`` under a message the bot sent."""
        data = self._button(sent, label)
        query = {
            "id": str(next(self._ids) * 7919),
            "from": self._user(user_id, language),
            "data": data,
            "chat_instance": f"ci{user_id}",
            "message": {
                "message_id": sent.message_id,
                "date": int(time.time()),
                "from": self.bot_user,
                "chat": {"id": user_id, "type": "private", "first_name": f"Customer{user_id}"},
                "text": sent.text,
            },
        }
        return await self._push({"callback_query": query})

    async def customer_photo(self, user_id: int, *, caption: str | None = None, language: str = "en") -> int:
        """The customer sends a photo (with an optional caption)."""
        file_id = self._fake_file("ph", b"\xff\xd8\xff\xe0fake-jpeg")
        extra: dict[str, Any] = {
            "photo": [
                {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 640, "height": 480, "file_size": 14}
            ]
        }
        if caption:
            extra["caption"] = caption
        return await self._push({"message": self._incoming(user_id, language, **extra)})

    async def customer_voice(self, user_id: int, *, language: str = "en") -> int:
        """The customer sends a voice message."""
        data = b"OggS\x00fake-opus"
        file_id = self._fake_file("vo", data)
        voice = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "duration": 3,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return await self._push({"message": self._incoming(user_id, language, voice=voice)})

    async def customer_document(
        self, user_id: int, *, file_name: str = "log.txt", caption: str | None = None, language: str = "en"
    ) -> int:
        """The customer sends a file as a document (with an optional caption)."""
        data = b"fake document content\n"
        file_id = self._fake_file("do", data)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": mimetypes.guess_type(file_name)[0] or "application/octet-stream",
            "file_size": len(data),
        }
        extra: dict[str, Any] = {"document": document}
        if caption:
            extra["caption"] = caption
        return await self._push({"message": self._incoming(user_id, language, **extra)})

    async def customer_sticker(self, user_id: int, *, language: str = "en") -> int:
        """The customer sends a sticker."""
        file_id = self._fake_file("st", b"RIFF\x00\x00\x00\x00WEBPfake")
        sticker = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return await self._push({"message": self._incoming(user_id, language, sticker=sticker)})

    async def customer_edit(self, user_id: int, text: str, *, language: str = "en") -> int:
        """The customer edits an earlier message to ``text``."""
        message = self._incoming(user_id, language, text=text, edit_date=int(time.time()))
        return await self._push({"edited_message": message})

    # -- the staff side: consultants in the staff supergroup ---------------------------------------------

    def make_forum(self, chat_id: int) -> None:
        """Declare the supergroup ``chat_id`` a forum (topics enabled)."""
        if chat_id >= 0:
            raise ValueError(f"only a supergroup (a negative chat id) can be a forum, not {chat_id}")
        self.forums.add(chat_id)
        self.topics.setdefault(chat_id, {})

    def close_topic(self, chat_id: int, thread: int) -> None:
        """A consultant closes a topic: the bot's sends there are refused (``TOPIC_CLOSED``) until it is reopened."""
        if thread not in self.topics.get(chat_id, {}):
            raise ValueError(f"chat {chat_id} has no topic {thread}")
        self.closed_topics.add((chat_id, thread))

    def delete_topic(self, chat_id: int, thread: int) -> None:
        """A consultant deletes a topic in the app (with its messages); the bot is not told."""
        if thread not in self.topics.get(chat_id, {}):
            raise ValueError(f"chat {chat_id} has no topic {thread}")
        self._remove_topic(chat_id, thread)

    @staticmethod
    def _consultant(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"Consultant{user_id}"}

    def _bot_message(self, sent: Sent) -> dict[str, Any]:
        """A message the bot sent, as Telegram shows it inside an update (a reply's or a button press's)."""
        message = self._message(sent.chat_id, message_id=sent.message_id, thread=sent.thread)
        if sent.kind == "text":
            message["text"] = sent.text
        else:
            message.update(self._media(sent.kind, sent.media[0]))
            if sent.text:
                message["caption"] = sent.text
        return message

    def _staff_message(
        self, chat_id: int, user_id: int, thread: int | None, reply_to: Sent | None, **extra: Any
    ) -> dict[str, Any]:
        if reply_to is not None:
            if reply_to.chat_id != chat_id:
                raise ValueError(f"message {reply_to.message_id} is in chat {reply_to.chat_id}, not {chat_id}")
            if thread is None:
                thread = reply_to.thread  # a reply in a forum is in the topic of the message it replies to
        if thread is not None and thread not in self.topics.get(chat_id, {}):
            raise ValueError(f"chat {chat_id} has no topic {thread} to write in")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat_info(chat_id),
            "from": self._consultant(user_id),
            **extra,
        }
        if thread is not None:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        if reply_to is not None:
            message["reply_to_message"] = self._bot_message(reply_to)
        elif thread is not None and self.service_updates:  # in a topic, a message replies to its creation
            message["reply_to_message"] = self._creation(chat_id, thread)
        self._messages[(chat_id, message["message_id"])] = thread
        return message

    async def staff_text(
        self, chat_id: int, user_id: int, text: str, *, thread: int | None = None, reply_to: Sent | None = None
    ) -> int:
        """A consultant writes in the staff supergroup ``chat_id``; returns the update id.

        ``thread``: in that forum topic; ``reply_to``: as a reply to a message the bot sent there (in its topic).
        """
        message = self._staff_message(chat_id, user_id, thread, reply_to, text=text)
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self._push({"message": message})

    async def staff_photo(
        self,
        chat_id: int,
        user_id: int,
        *,
        thread: int | None = None,
        caption: str | None = None,
        reply_to: Sent | None = None,
    ) -> int:
        """A consultant sends a photo in the staff supergroup (like :meth:`staff_text`)."""
        file_id = self._fake_file("ph", b"\xff\xd8\xff\xe0fake-jpeg")
        extra: dict[str, Any] = {
            "photo": [
                {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 640, "height": 480, "file_size": 14}
            ]
        }
        if caption:
            extra["caption"] = caption
        return await self._push({"message": self._staff_message(chat_id, user_id, thread, reply_to, **extra)})

    async def staff_press(self, chat_id: int, user_id: int, sent: Sent, label: str) -> int:
        """A consultant presses the button labelled ``label`` under a message the bot sent to the staff chat."""
        if sent.chat_id != chat_id:
            raise ValueError(f"message {sent.message_id} is in chat {sent.chat_id}, not {chat_id}")
        query = {
            "id": str(next(self._ids) * 7919),
            "from": self._consultant(user_id),
            "data": self._button(sent, label),
            "chat_instance": f"ci{chat_id}",
            "message": self._bot_message(sent),
        }
        return await self._push({"callback_query": query})

    async def remove_bot(self, chat_id: int, *, by: int = 7001) -> int:
        """A consultant removes the bot from the group: every call about it is refused (403 kicked)."""
        self.blocked.add(chat_id)
        return await self._member_update(chat_id, by, "member", "kicked")

    async def add_bot(self, chat_id: int, *, by: int = 7001) -> int:
        """A consultant adds the bot back to the group."""
        self.blocked.discard(chat_id)
        return await self._member_update(chat_id, by, "kicked", "member")

    async def _member_update(self, chat_id: int, by: int, old: str, new: str) -> int:
        def member(status: str) -> dict[str, Any]:
            return {"user": self.bot_user, "status": status, **({"until_date": 0} if status == "kicked" else {})}

        changed = {
            "chat": self._chat_info(chat_id),
            "from": self._consultant(by),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        return await self._push({"my_chat_member": changed})

    async def push_raw(self, update: dict[str, Any]) -> int:
        """Queue an update as given (its ``update_id`` is set); returns the update id."""
        return await self._push(update)

    async def customer_poll(self, user_id: int, *, language: str = "en") -> int:
        """The customer sends a poll as a Bot API server older than 9.6 describes it (no ``persistent_id``)."""
        options = [{"text": t, "voter_count": 0} for t in ("yes", "no")]
        poll = {
            "id": str(next(self._ids)),
            "question": "does it work?",
            "options": options,
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        }
        return await self._push({"message": self._incoming(user_id, language, poll=poll)})

    # -- reading what the bot did ------------------------------------------------------------------------

    def posts(self, chat_id: int | None = None) -> list[tuple[float, str, int | None]]:
        """The calls that put a message in a chat or change one, as they arrived (all chats, or one).

        These are what Telegram's limits count: every send, copy, forward and edit, and a forum topic made,
        renamed, closed or reopened (a service message in the group); not "typing…", nor answering a press.
        """
        return [
            a
            for a in self.arrivals
            if (a[1].startswith(("send", "copyMessage", "forwardMessage", "editMessage")) or a[1] in TOPIC_CALLS)
            and a[1] != "sendChatAction"
            and (chat_id is None or a[2] == chat_id)
        ]

    def sent_to(self, chat_id: int) -> list[Sent]:
        """Every message the bot sent to a chat, in order."""
        return list(self._sent_by_chat.get(chat_id, ()))

    def sent_to_thread(self, chat_id: int, thread: int) -> list[Sent]:
        """Every message the bot sent to a forum topic, in order."""
        return [s for s in self._sent_by_chat.get(chat_id, ()) if s.thread == thread]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
        """Wait until ``predicate()`` holds (raises TimeoutError after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the bot did not do what was expected in time")
                with contextlib.suppress(TimeoutError):
                    # every call to the server wakes this; the timeout is for state outside it (the bot's
                    # database, its log, the clock)
                    await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 20.0) -> list[Sent]:
        """Wait until the bot has sent ``count`` messages to a chat in all; returns them."""
        await self.wait_for(lambda: len(self.sent_to(chat_id)) >= count, timeout)
        return self.sent_to(chat_id)
