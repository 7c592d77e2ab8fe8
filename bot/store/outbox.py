"""The outbox: the replies recorded for each incoming message id, and how many were delivered.

It is the engine's idempotency journal, whatever the transport: a message seen before gets its recorded
replies back instead of being handled again, and an adapter delivers what a crash left unsent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.store.db import Database, utc


@dataclass(frozen=True)
class Recorded:
    """The replies recorded for one incoming message, and how many of them were delivered."""

    message_id: str
    user: str
    replies: list[dict[str, Any]]
    sent: int


class Outbox:
    """The ``outbox`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, message_id: str, user: str, replies: list[dict[str, Any]], *, at: datetime) -> None:
        """Record a message's replies (before any is sent); a message recorded already keeps its first replies."""
        with self.db.write() as conn:
            conn.execute(
                "insert or ignore into outbox (id, user, replies, n_replies, sent, at) values (?, ?, ?, ?, 0, ?)",
                [message_id, user, json.dumps(replies, ensure_ascii=False), len(replies), utc(at)],
            )

    def get(self, message_id: str) -> Recorded | None:
        """What was recorded for an incoming message id, or None."""
        row = self.db.one("select id, user, replies, sent from outbox where id = ?", [message_id])
        return Recorded(row[0], row[1], json.loads(row[2]), int(row[3])) if row else None

    def mark_sent(self, message_id: str, count: int) -> None:
        """Record that the first ``count`` replies to a message have been delivered."""
        with self.db.write() as conn:
            conn.execute("update outbox set sent = max(sent, ?) where id = ?", [count, message_id])

    def unsent(self) -> list[Recorded]:
        """Messages whose replies were not all delivered, oldest first."""
        rows = self.db.read("select id, user, replies, sent from outbox where sent < n_replies order by rowid")
        return [Recorded(message_id, user, json.loads(replies), int(sent)) for message_id, user, replies, sent in rows]
