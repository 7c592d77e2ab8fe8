"""Turning engine replies into Telegram messages: HTML escaping, splitting, inline keyboards."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterator, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.engine import Button, Reply

MAX_TEXT = 4096  # Telegram's limit for one message, counted after entities are parsed
MAX_CALLBACK = 64  # bytes of callback data


def escape(text: str) -> str:
    """Text made safe for ``parse_mode=HTML``: every piece of user text and content is escaped."""
    return html.escape(text, quote=False)


def callback_data(data: str) -> str:
    """Button data that fits Telegram's 64 bytes (long data is replaced by a digest the engine knows)."""
    if len(data.encode()) <= MAX_CALLBACK:
        return data
    return "h:" + hashlib.sha1(data.encode()).hexdigest()[:24]


def keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """One button a row, as customers on phones read them best."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label[:64], callback_data=callback_data(b.data))] for b in buttons]
    )


def chunks(text: str, limit: int = MAX_TEXT) -> Iterator[str]:
    """Plain text split into HTML-escaped pieces under ``limit``, at line breaks where possible."""
    pending = ""
    for line in text.split("\n"):
        piece = escape(line)
        while len(piece) > limit:  # a single huge line: cut it, never inside an escape
            cut = piece.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            while "&" in piece[max(0, cut - 5) : cut] and ";" not in piece[piece.rfind("&", 0, cut) : cut]:
                cut -= 1
            if pending:
                yield pending
                pending = ""
            yield piece[:cut]
            piece = piece[cut:].lstrip()
        candidate = f"{pending}\n{piece}" if pending else piece
        if len(candidate) > limit:
            yield pending
            pending = piece
        else:
            pending = candidate
    if pending.strip():
        yield pending


def messages(reply: Reply) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """A reply as Telegram messages: the buttons go with the last piece."""
    pieces = list(chunks(reply.text)) or [escape(reply.text) or "…"]
    out: list[tuple[str, InlineKeyboardMarkup | None]] = [(p, None) for p in pieces]
    out[-1] = (out[-1][0], keyboard(reply.buttons))
    return out
