"""Notices: messages to deliver outside a turn (status changes, staff cards, relays), queued in SQLite.

A target is a customer's conversation key, ``"staff"`` (the staff chat) or ``"staff:<customer key>"`` (the
customer's topic there). Whoever changes something (a turn, a desk, the CLI) queues; the running adapter
delivers, so a change made from another process is delivered too. A forgotten customer's RMAs carry the
key ``forgotten:…`` (:mod:`.privacy`): notices to them (or to their topic) are dropped, nobody is there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.store.db import Database, utc

Notice = tuple[str, Mapping[str, Any]]  # (target, reply as a dict)
FORGOTTEN = "forgotten:"  # the key of a customer who was forgotten (bot.store.privacy): never told anything


class Notices:
    """The ``notices`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, target: str, reply: Mapping[str, Any], at: datetime) -> None:
        """Queue a message for a customer (their conversation key) or the staff chat (``"staff"``)."""
        self.add_all([(target, reply)], at)

    def add_all(self, notices: Sequence[Notice], at: datetime) -> None:
        """Queue several messages at once (inside a caller's transaction, they land with its change)."""
        notices = [(t, r) for t, r in notices if not t.removeprefix("staff:").startswith(FORGOTTEN)]  # no one to tell
        if not notices:
            return
        with self.db.write() as conn:
            conn.executemany(
                "insert into notices (target, reply, created_at, sent) values (?, ?, ?, 0)",
                [(target, json.dumps(reply, ensure_ascii=False), utc(at)) for target, reply in notices],
            )

    def pending(
        self, *, target: str | None = None, prefix: str | None = None, limit: int = 100
    ) -> list[tuple[int, str, dict[str, Any]]]:
        """Undelivered notices, oldest first: (id, target, reply).

        ``prefix`` keeps a transport's own: its customers' keys, the staff chat and their topics in it.
        """
        where, args = ["sent = 0"], []
        if target is not None:
            where.append("target = ?")
            args.append(target)
        if prefix is not None:
            where.append("(target like ? or target = 'staff' or target like ?)")
            args.extend([prefix.replace("%", "") + "%", "staff:" + prefix.replace("%", "") + "%"])
        rows = self.db.read(
            f"select id, target, reply from notices where {' and '.join(where)} order by id limit ?", [*args, limit]
        )
        return [(int(i), t, json.loads(r)) for i, t, r in rows]

    def mark_sent(self, notice_id: int) -> None:
        """Record that a notice was delivered (or can never be)."""
        with self.db.write() as conn:
            conn.execute("update notices set sent = 1 where id = ?", [notice_id])
