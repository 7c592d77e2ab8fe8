"""Conversations: each customer's state between turns, saved with the turn's event and replies at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.store.db import Database, utc
from bot.store.events import Events
from bot.store.outbox import Outbox


@dataclass(frozen=True)
class ConversationRow:
    """One customer's conversation as stored: the state is the flows' JSON (see :mod:`bot.flows.state`)."""

    brand: str
    lang: str
    state: str
    turns: int


class Conversations:
    """The ``conversations`` table: one row per customer (their conversation key)."""

    def __init__(self, db: Database, events: Events, outbox: Outbox) -> None:
        self.db = db
        self._events = events
        self._outbox = outbox

    def load(self, user: str) -> ConversationRow | None:
        """The user's conversation as stored, or None."""
        row = self.db.one("select brand, lang, state, turns from conversations where user = ?", [user])
        return ConversationRow(row[0], row[1], row[2] or "", int(row[3] or 0)) if row else None

    def save(
        self,
        user: str,
        brand: str,
        lang: str,
        state: str,
        turns: int,
        *,
        at: datetime,
        event: Mapping[str, Any] | None = None,
        outbox: tuple[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        """Persist a turn: the conversation's state, its event and its replies to send, in one transaction."""
        with self.db.write() as conn:
            if outbox is not None:
                self._outbox.record(outbox[0], user, outbox[1], at=at)
            conn.execute(
                "insert into conversations (user, brand, lang, state, turns, updated_at) values (?, ?, ?, ?, ?, ?) "
                "on conflict(user) do update set brand = excluded.brand, lang = excluded.lang, "
                "state = excluded.state, turns = excluded.turns, updated_at = excluded.updated_at",
                [user, brand, lang, state, turns, utc(at)],
            )
            if event is not None:
                self._events.log(event)
