"""What goes in and out of the engine: messages, replies, buttons and media, as plain data.

Adapters (Telegram, the console chat, the batch interface) translate their transport into a
:class:`Message` and render each :class:`Reply`; nothing here knows any transport.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Button:
    """A button: what the customer sees, and what the engine gets back when it is pressed."""

    label: str
    data: str


@dataclass(frozen=True)
class Media:
    """A photo, video or document, by the transport's own reference (a Telegram ``file_id``)."""

    kind: str  # photo | video | document | animation
    ref: str


@dataclass(frozen=True)
class Reply:
    """One message to send: text, buttons, and media to show with it (staff cards)."""

    text: str
    buttons: tuple[Button, ...] = ()
    media: tuple[Media, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form (the outbox keeps replies this way)."""
        data: dict[str, Any] = {"text": self.text, "buttons": [[b.label, b.data] for b in self.buttons]}
        if self.media:
            data["media"] = [[m.kind, m.ref] for m in self.media]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reply:
        """The inverse of :meth:`to_dict`."""
        return cls(
            data["text"],
            tuple(Button(label, payload) for label, payload in data["buttons"]),
            tuple(Media(kind, ref) for kind, ref in data.get("media", ())),
        )


@dataclass(frozen=True)
class Message:
    """One incoming message, already translated out of its transport.

    ``kind`` is ``text`` for typed text; anything else (``photo``, ``sticker``, ``voice``…) is a
    message the engine cannot read as a question. ``press`` is a pressed button's data or label.
    ``media`` carries what a photo, video or document message holds, so it can be kept as evidence.
    """

    user: str
    text: str | None = None
    press: str | None = None
    brand: str | None = None
    now: datetime | None = None
    language: str | None = None
    kind: str = "text"
    id: str | None = None  # the transport's message id: a message with a known id is answered once only
    media: tuple[Media, ...] = ()
    name: str | None = None  # the customer's display name, where the transport gives one
    edited: bool = False  # an earlier message, changed by its sender
    admin: bool = False  # sent by an admin (the transport vouches for who it is): /faq, /unanswered, /stats
    brands: tuple[str, ...] = ()  # the brands the transport's entry serves: with two or more, the customer chooses

    def __post_init__(self) -> None:
        # a lone surrogate (possible in a Python str, never in UTF-8) would stop the turn being stored
        for name in ("text", "press", "name"):
            value = getattr(self, name)
            if value is not None and not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    object.__setattr__(self, name, value.encode("utf-8", "replace").decode("utf-8"))


@dataclass(frozen=True)
class Notice:
    """A message the engine wants delivered outside the current turn: to a customer, or to the staff chat."""

    id: int
    target: str  # a conversation key ("tg:42"), or "staff"
    reply: Reply


@dataclass(frozen=True)
class Unsent:
    """Replies recorded for an incoming message that were not all delivered (the outbox after a crash)."""

    message_id: str
    user: str  # the conversation key ("tg:42")
    replies: tuple[Reply, ...]
    sent: int  # how many of them were delivered: the rest are to send


REPEATED = "repeated"  # the outcome of a message handled before: its replies as recorded then


class Replies(list[Reply]):
    """The replies to a turn, in order, with what the turn concluded (its ``outcome``, as the event log has it).

    A list like any other to whoever sends them; a transport that logs or counts turns reads ``outcome``.
    :data:`REPEATED`: the message was handled before, and these are the replies recorded then.
    """

    def __init__(self, replies: Iterable[Reply] = (), outcome: str = "") -> None:
        super().__init__(replies)
        self.outcome = outcome
