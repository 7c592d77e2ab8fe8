"""The event log: one row per handled message (what was asked, what the bot concluded)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.store.db import Database, utc

_COLUMNS = ("user", "brand", "at", "lang", "text", "outcome", "entry_id", "score", "reply")


class Events:
    """The ``events`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def log(self, event: Mapping[str, Any]) -> None:
        """Record one handled message; ``event["at"]`` is a moment (datetime or ISO 8601 with its offset)."""
        columns = [c for c in _COLUMNS if c in event]
        values = [utc(event[c]) if c == "at" else event[c] for c in columns]
        with self.db.write() as conn:
            conn.execute(
                f"insert into events ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})", values
            )

    def all(self, user: str | None = None) -> list[dict[str, Any]]:
        """Logged events, oldest first (all, or one user's)."""
        where, args = ("where user = ?", [user]) if user else ("", [])
        return self.db.rows(f"select * from events {where} order by id", args)

    def recent_exchanges(self, user: str, count: int, *, before: datetime | str | None = None) -> list[dict[str, Any]]:
        """The customer's last ``count`` exchanges with the bot (not with consultants), oldest first."""
        where, args = ["user = ?", "outcome not in ('relayed', 'kept')", "outcome not like 'handoff%'"], [user]
        if before is not None:
            where.append("at <= ?")
            args.append(utc(before))
        rows = self.db.rows(
            f"select text, reply, outcome, at from events where {' and '.join(where)} order by id desc limit ?",
            [*args, count],
        )
        return rows[::-1]
