"""Sending to Telegram: replies with their media, retries, and the outbox.

Each customer turn's replies are recorded by the engine before they are sent (its outbox); here they are
sent one by one and each is recorded as delivered as it goes, so a crash and restart neither loses nor
repeats a reply (:meth:`Delivery.flush_outbox` sends what a crash left). A chat that blocked the bot is
remembered and skipped until it writes again.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from telegram import InputMediaDocument, InputMediaPhoto, InputMediaVideo
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.adapters.telegram.port import EnginePort
from bot.adapters.telegram.render import messages
from bot.adapters.telegram.tables import TelegramTables
from bot.core.messages import Media, Reply

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 4


class Delivery:
    """Sends replies and media; records delivery with the engine's outbox."""

    def __init__(self, engine: EnginePort, tables: TelegramTables) -> None:
        self.engine = engine
        self.tables = tables

    async def deliver(self, bot: Any, chat_id: int, message_id: str, replies: list[Reply]) -> None:
        """Send the replies not yet delivered for a message, recording each as it goes out."""
        sent, blocked = await asyncio.to_thread(self._delivery_state, chat_id, message_id)
        if blocked:
            await asyncio.to_thread(self.engine.mark_sent, message_id, len(replies))
            return
        for index, reply in enumerate(replies):
            if index < sent:
                continue
            refused: BadRequest | None = None
            for text, markup in messages(reply):
                try:
                    ok = await self.send(bot, chat_id, text, markup)
                except BadRequest as exc:  # refused for good: go on with the next reply, report it after
                    refused = exc
                    break
                if not ok:
                    await asyncio.to_thread(self.engine.mark_sent, message_id, len(replies))
                    return
            if reply.media and refused is None:  # an admin's /stats chart
                await self.send_media(bot, chat_id, reply.media, None)
            await asyncio.to_thread(self.engine.mark_sent, message_id, index + 1)
            if refused is not None:
                log.error("Telegram refused a reply to chat %s: %s", chat_id, refused)
                if index == len(replies) - 1:
                    raise refused

    def _delivery_state(self, chat_id: int, message_id: str) -> tuple[int, bool]:
        return self.engine.delivered(message_id), self.tables.blocked(chat_id)

    async def flush_outbox(self, bot: Any) -> int:
        """At start-up: deliver replies that a crash left unsent. Returns how many messages had some."""
        pending = await asyncio.to_thread(self.engine.unsent)
        for unsent in pending:
            if unsent.user.startswith("tg:"):
                try:
                    await self.deliver(bot, int(unsent.user[3:]), unsent.message_id, list(unsent.replies))
                except TelegramError as exc:  # one undeliverable reply must not stop the bot from starting
                    log.warning("could not deliver an earlier reply to %s: %s", unsent.user, exc)
        return len(pending)

    async def send(self, bot: Any, chat_id: int, text: str, markup: Any, *, thread: int | None = None) -> Any:
        """Send one message, retrying network trouble; the message sent, or None when the chat blocked the bot."""
        for attempt in range(SEND_ATTEMPTS):
            try:
                return await bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    disable_web_page_preview=True,
                    message_thread_id=thread,
                )
            except Forbidden:
                log.info("chat %s blocked the bot; not sending to it again", chat_id)
                await asyncio.to_thread(self.tables.block, chat_id)
                return None
            except RetryAfter as exc:
                if attempt == SEND_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(_seconds(exc.retry_after))
            except BadRequest:
                raise  # a refusal (PTB makes it a NetworkError): sending it again would be refused again
            except (TimedOut, NetworkError):
                if attempt == SEND_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.5 * 2**attempt)
        return None

    async def send_reply(
        self, bot: Any, chat_id: int, reply: Reply, *, thread: int | None = None, sent: list[int] | None = None
    ) -> bool:
        """Send one reply with its media (photos and videos as an album); False when the chat blocked the bot.

        The ids of the messages sent are added to ``sent`` when given.
        """
        for text, markup in messages(reply):
            message = await self.send(bot, chat_id, text, markup, thread=thread)
            if message is None:
                return False
            if sent is not None:
                sent.append(message.message_id)
        if reply.media:
            ids = await self.send_media(bot, chat_id, reply.media, thread)
            if sent is not None:
                sent.extend(ids)
        return True

    async def send_media(self, bot: Any, chat_id: int, media: tuple[Media, ...], thread: int | None) -> list[int]:
        """Send media in order: photos and videos as albums, documents, charts, then one by one; their ids."""
        album = [
            InputMediaVideo(m.ref) if m.kind == "video" else InputMediaPhoto(m.ref)
            for m in media
            if m.kind in ("photo", "video")
        ]
        documents = [InputMediaDocument(m.ref) for m in media if m.kind == "document"]
        ids: list[int] = []
        for group in (album, documents):
            for start in range(0, len(group), 10):  # Telegram takes 2–10 items an album
                items = group[start : start + 10]
                if len(items) == 1:
                    item = items[0]
                    if isinstance(item, InputMediaPhoto):
                        ids.append((await bot.send_photo(chat_id, item.media, message_thread_id=thread)).message_id)
                    elif isinstance(item, InputMediaVideo):
                        ids.append((await bot.send_video(chat_id, item.media, message_thread_id=thread)).message_id)
                    else:
                        ids.append((await bot.send_document(chat_id, item.media, message_thread_id=thread)).message_id)
                else:
                    ids.extend(
                        m.message_id for m in await bot.send_media_group(chat_id, items, message_thread_id=thread)
                    )
        for chart in (m for m in media if m.kind == "chart"):  # a picture the bot drew: uploaded from its file
            try:
                image = await asyncio.to_thread(Path(chart.ref).read_bytes)
            except OSError as exc:
                log.warning("the chart %s is gone, sending the figures without it: %s", chart.ref, exc)
                continue
            ids.append((await bot.send_photo(chat_id, image, message_thread_id=thread)).message_id)
        senders = {
            "voice": bot.send_voice,
            "audio": bot.send_audio,
            "sticker": bot.send_sticker,
            "animation": bot.send_animation,
            "video_note": bot.send_video_note,
        }
        for single in media:  # what cannot go in an album goes one by one, in order
            if single.kind in senders:
                ids.append((await senders[single.kind](chat_id, single.ref, message_thread_id=thread)).message_id)
        return ids


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
