"""Consultant tickets, their messages, and the customers banned from consultants.

A ticket change and the notices it causes (relays, cards, the customer told) land in one transaction;
a customer has at most one ticket that is not closed, whatever arrives at once (a unique index keeps it).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.store.db import Database, utc, utc_or_none
from bot.store.notices import Notice, Notices

_MOMENTS = frozenset({"opened_at", "posted_at", "claimed_at", "closed_at", "last_ack"})


class Tickets:
    """The ``tickets`` and ``ticket_messages`` tables."""

    def __init__(self, db: Database, notices: Notices) -> None:
        self.db = db
        self._notices = notices

    def open(
        self,
        *,
        user: str,
        brand: str,
        lang: str,
        reason: str,
        at: datetime,
        posted: bool,
        notices: Callable[[int], Sequence[Notice]] = lambda _: (),
    ) -> tuple[dict[str, Any], bool]:
        """The customer's open ticket, or a new one (True) with the notices it causes, in one transaction."""
        try:
            with self.db.write() as conn:
                found = self.active(user)
                if found is not None:
                    return found, False
                cursor = conn.execute(
                    "insert into tickets (user, brand, lang, status, reason, opened_at, posted_at, reopened) "
                    "values (?, ?, ?, 'waiting', ?, ?, ?, 0)",
                    [user, brand, lang, reason, utc(at), utc(at) if posted else None],
                )
                ticket_id = int(cursor.lastrowid or 0)
                self._notices.add_all(notices(ticket_id), at)
        except sqlite3.IntegrityError:  # another process opened one first: one open ticket per customer
            found = self.active(user)
            if found is None:
                raise
            return found, False
        ticket = self.get(ticket_id)
        assert ticket is not None
        return ticket, True

    def get(self, ticket_id: int) -> dict[str, Any] | None:
        """One ticket, or None."""
        rows = self.db.rows("select * from tickets where id = ?", [ticket_id])
        return rows[0] if rows else None

    def active(self, user: str) -> dict[str, Any] | None:
        """The customer's ticket that is not closed, or None."""
        rows = self.db.rows("select * from tickets where user = ? and status != 'closed'", [user])
        return rows[0] if rows else None

    def last(self, user: str) -> dict[str, Any] | None:
        """The customer's newest ticket, open or closed."""
        rows = self.db.rows("select * from tickets where user = ? order by id desc limit 1", [user])
        return rows[0] if rows else None

    def find(self, *, status: str | None = None, unposted: bool = False, limit: int = 500) -> list[dict[str, Any]]:
        """Tickets in arrival order (by status; ``unposted``: waiting ones not yet shown to consultants)."""
        where, args = [], []
        if status is not None:
            where.append("status = ?")
            args.append(status)
        if unposted:
            where.append("posted_at is null and status != 'closed'")
        clause = f"where {' and '.join(where)}" if where else ""
        return self.db.rows(f"select * from tickets {clause} order by id limit ?", [*args, limit])

    def change(
        self,
        ticket_id: int,
        *,
        at: datetime,
        expect: Sequence[str] | None = None,
        notices: Sequence[Notice] = (),
        **fields: Any,
    ) -> bool:
        """Update a ticket (only while its status is one of ``expect``) with the notices it causes, atomically.

        Moments among ``fields`` (``claimed_at``, ``closed_at``…) are datetimes or None.
        """
        values = {c: utc_or_none(v) if c in _MOMENTS else v for c, v in fields.items()}
        assignments = ", ".join(f"{c} = ?" for c in values)
        where, args = "id = ?", list[Any]([ticket_id])
        if expect is not None:
            where += f" and status in ({', '.join('?' for _ in expect)})"
            args.extend(expect)
        with self.db.write() as conn:
            try:
                cursor = conn.execute(f"update tickets set {assignments} where {where}", [*values.values(), *args])
            except sqlite3.IntegrityError:  # reopening while another ticket of the customer's is open
                return False
            if cursor.rowcount != 1:
                return False
            self._notices.add_all(notices, at)
        return True

    def add_message(
        self,
        ticket_id: int,
        *,
        at: datetime,
        direction: str,
        by: str,
        text: str | None,
        media: Sequence[Mapping[str, Any]] = (),
        notices: Sequence[Notice] = (),
    ) -> None:
        """Keep one message of a ticket (customer, consultant or internal note) and queue its relay."""
        with self.db.write() as conn:
            conn.execute(
                "insert into ticket_messages (ticket, at, direction, by, text, media) values (?, ?, ?, ?, ?, ?)",
                [ticket_id, utc(at), direction, by, text, json.dumps(list(media)) if media else None],
            )
            self._notices.add_all(notices, at)

    def messages(self, ticket_id: int) -> list[dict[str, Any]]:
        """A ticket's messages, oldest first (media decoded)."""
        rows = self.db.rows("select * from ticket_messages where ticket = ? order by id", [ticket_id])
        for row in rows:
            row["media"] = json.loads(row["media"]) if row["media"] else []
        return rows


class Bans:
    """The ``bans`` table: customers whose messages no longer reach consultants."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, user: str, *, by: str, at: datetime) -> None:
        """Stop relaying a customer to consultants."""
        with self.db.write() as conn:
            conn.execute("insert or replace into bans (user, by, at) values (?, ?, ?)", [user, by, utc(at)])

    def lift(self, user: str) -> bool:
        """Lift a ban; False when there was none."""
        with self.db.write() as conn:
            return conn.execute("delete from bans where user = ?", [user]).rowcount == 1

    def banned(self, user: str) -> bool:
        """Whether a customer is banned from consultants."""
        return self.db.one("select 1 from bans where user = ?", [user]) is not None
