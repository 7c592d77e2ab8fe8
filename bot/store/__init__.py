"""Conversation state and the event log in SQLite, through sqlite-utils.

All database work goes through one :class:`Store`, so that adapters never touch SQL. Conversation
state is small and serialisable (a JSON dict per user) and is saved on purpose after every turn, so a
restart loses nothing.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils


@dataclass(frozen=True)
class ConversationRow:
    """One customer's conversation as stored: the state is the flows' JSON (see :mod:`bot.flows.state`)."""

    brand: str
    lang: str
    state: str
    turns: int


class FaqConflict(Exception):
    """An FAQ change refused because the entry (or the FAQ) changed since the admin looked at it."""


UNKNOWN: Any = object()  # the files' version of an entry at the time of a change, where it was not recorded

_EVENT_COLUMNS = ("user", "brand", "at", "lang", "text", "outcome", "entry_id", "score", "reply")


class Store:
    """SQLite storage for conversations and events; thread-safe for one process."""

    def __init__(self, path: str = "supportbot.db") -> None:
        memory = path == ":memory:"
        conn = sqlite3.connect(path, check_same_thread=False)  # one store, guarded by a lock
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        if not memory:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            self.db.table("conversations").create(
                {"user": str, "brand": str, "lang": str, "state": str, "turns": int, "updated_at": str},
                pk="user",
                if_not_exists=True,
            )
            self.db.table("events").create(
                {
                    "id": int,
                    "user": str,
                    "brand": str,
                    "at": str,
                    "lang": str,
                    "text": str,
                    "outcome": str,
                    "entry_id": str,
                    "score": float,
                    "reply": str,
                },
                pk="id",
                if_not_exists=True,
            )
            self.db.table("outbox").create(
                {"id": str, "user": str, "replies": str, "n_replies": int, "sent": int, "at": str},
                pk="id",
                if_not_exists=True,
            )
            self.db.table("kv").create({"key": str, "value": str}, pk="key", if_not_exists=True)
            self.db.table("walk_outcomes").create(
                {
                    "id": int,
                    "user": str,
                    "brand": str,
                    "tree": str,
                    "leaf": str,
                    "outcome": str,
                    "tried": str,
                    "rating": int,
                    "at": str,
                },
                pk="id",
                if_not_exists=True,
            )
            self.db.table("rmas").create(
                {
                    "number": str,
                    "user": str,
                    "brand": str,
                    "status": str,
                    "data": str,
                    "outcome": str,
                    "created_at": str,
                    "updated_at": str,
                    "expires_on": str,
                    "reminded": int,
                    "tracking": str,
                    "quote_amount": float,
                    "quote_decision": str,
                },
                pk="number",
                if_not_exists=True,
            )
            if "quote_currency" not in self.db.table("rmas").columns_dict:
                self.db.table("rmas").add_column("quote_currency", str)
            self.db.table("rma_history").create(
                {"id": int, "number": str, "at": str, "status": str, "by": str, "note": str},
                pk="id",
                if_not_exists=True,
            )
            self.db.table("notices").create(
                {"id": int, "target": str, "reply": str, "created_at": str, "sent": int}, pk="id", if_not_exists=True
            )
            self.db.table("tickets").create(
                {
                    "id": int,
                    "user": str,
                    "brand": str,
                    "lang": str,
                    "status": str,
                    "reason": str,
                    "opened_at": str,
                    "posted_at": str,
                    "claimed_by": str,
                    "claimed_name": str,
                    "claimed_at": str,
                    "closed_at": str,
                    "closed_by": str,
                    "rating": int,
                    "reopened": int,
                    "last_ack": str,
                },
                pk="id",
                if_not_exists=True,
            )
            self.db.table("ticket_messages").create(
                {"id": int, "ticket": int, "at": str, "direction": str, "by": str, "text": str, "media": str},
                pk="id",
                if_not_exists=True,
            )
            self.db.table("staff_threads").create(
                {"user": str, "thread": int, "title": str, "created_at": str}, pk="user", if_not_exists=True
            )
            self.db.table("staff_posts").create({"message": int, "user": str}, pk="message", if_not_exists=True)
            self.db.table("bans").create({"user": str, "by": str, "at": str}, pk="user", if_not_exists=True)
            # admins' FAQ changes: the live overlay on faq/ (data NULL: the entry is removed) and its history
            # (base: the files' version of the entry when it was changed, to notice the files changing since)
            self.db.table("faq_overrides").create(
                {"brand": str, "entry_id": str, "data": str, "base": str}, pk=("brand", "entry_id"), if_not_exists=True
            )
            self.db.table("faq_changes").create(
                {
                    "id": int,
                    "brand": str,
                    "entry_id": str,
                    "action": str,
                    "by": str,
                    "at": str,
                    "before": str,
                    "after": str,
                    "base": str,
                    "undone": int,
                    "undoes": int,
                },
                pk="id",
                if_not_exists=True,
            )
            self.db.table("feedback").create(
                {"id": int, "user": str, "brand": str, "entry_id": str, "question": str, "helpful": int, "at": str},
                pk="id",
                if_not_exists=True,
            )
            self.db.table("unanswered").create(
                {
                    "id": int,
                    "brand": str,
                    "user": str,
                    "text": str,
                    "reason": str,
                    "entry_id": str,
                    "at": str,
                    "done_at": str,
                    "done_by": str,
                    "done_action": str,
                },
                pk="id",
                if_not_exists=True,
            )
            # one open ticket per customer, whatever arrives at once
            self.db.execute(
                "create unique index if not exists tickets_one_open on tickets(user) where status != 'closed'"
            )
            self.db.table("tickets").create_index(["status"], if_not_exists=True)
            self.db.table("ticket_messages").create_index(["ticket"], if_not_exists=True)
            self.db.table("staff_threads").create_index(["thread"], if_not_exists=True)
            self.db.table("rmas").create_index(["user"], if_not_exists=True)
            self.db.table("rmas").create_index(["status"], if_not_exists=True)
            self.db.table("rma_history").create_index(["number"], if_not_exists=True)
            self.db.table("notices").create_index(["sent"], if_not_exists=True)
            self.db.table("events").create_index(["user"], if_not_exists=True)
            self.db.table("events").create_index(["outcome"], if_not_exists=True)
            self.db.table("events").create_index(["at"], if_not_exists=True)
            self.db.table("faq_changes").create_index(["brand", "entry_id"], if_not_exists=True)
            self.db.table("feedback").create_index(["brand", "at"], if_not_exists=True)
            self.db.execute(
                "create unique index if not exists feedback_once on feedback(user, brand, entry_id, question)"
            )
            self.db.table("unanswered").create_index(["brand", "done_at"], if_not_exists=True)

    def load(self, user: str) -> ConversationRow | None:
        """The user's conversation as stored, or None."""
        with self._lock:
            row = self.db.conn.execute(
                "select brand, lang, state, turns from conversations where user = ?", [user]
            ).fetchone()
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
        """Persist a conversation's state, the turn's event and its replies to send, in one transaction."""
        with self._lock, self.db.conn:
            if outbox is not None:
                self.db.conn.execute(
                    "insert or ignore into outbox (id, user, replies, n_replies, sent, at) values (?, ?, ?, ?, 0, ?)",
                    [outbox[0], user, json.dumps(outbox[1], ensure_ascii=False), len(outbox[1]), at.isoformat()],
                )
            self.db.conn.execute(
                "insert into conversations (user, brand, lang, state, turns, updated_at) values (?, ?, ?, ?, ?, ?) "
                "on conflict(user) do update set brand = excluded.brand, lang = excluded.lang, "
                "state = excluded.state, turns = excluded.turns, updated_at = excluded.updated_at",
                [user, brand, lang, state, turns, at.isoformat()],
            )
            if event is not None:
                self._insert_event(event)

    def log(self, event: Mapping[str, Any]) -> None:
        """Record one handled message (what was asked, what the bot concluded)."""
        with self._lock, self.db.conn:
            self._insert_event(event)

    def _insert_event(self, event: Mapping[str, Any]) -> None:
        columns = [c for c in _EVENT_COLUMNS if c in event]
        self.db.conn.execute(
            f"insert into events ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
            [event[c] for c in columns],
        )

    def events(self, user: str | None = None) -> Iterator[dict[str, Any]]:
        """Logged events, oldest first (all, or one user's)."""
        where, args = ("where user = ?", [user]) if user else ("", [])
        with self._lock:
            rows = list(self.db.query(f"select * from events {where} order by id", args))
        yield from rows

    def outbox(self, message_id: str) -> tuple[list[dict[str, Any]], int] | None:
        """The replies recorded for an incoming message id, and how many of them were sent."""
        with self._lock:
            row = self.db.conn.execute("select replies, sent from outbox where id = ?", [message_id]).fetchone()
        return (json.loads(row[0]), int(row[1])) if row else None

    def mark_sent(self, message_id: str, count: int) -> None:
        """Record that the first ``count`` replies to a message have been delivered."""
        with self._lock, self.db.conn:
            self.db.conn.execute("update outbox set sent = max(sent, ?) where id = ?", [count, message_id])

    def unsent(self) -> list[tuple[str, str, list[dict[str, Any]], int]]:
        """Messages whose replies were not all delivered: (id, user, replies, sent), oldest first."""
        with self._lock:
            rows = self.db.conn.execute(
                "select id, user, replies, sent from outbox where sent < n_replies order by rowid"
            ).fetchall()
        return [(message_id, user, json.loads(replies), int(sent)) for message_id, user, replies, sent in rows]

    def prune_outbox(self, before: datetime) -> int:
        """Forget delivered replies recorded before ``before``; returns how many were dropped."""
        with self._lock, self.db.conn:
            cursor = self.db.conn.execute("delete from outbox where sent >= n_replies and at < ?", [before.isoformat()])
        return cursor.rowcount

    def record_walk(
        self, *, user: str, brand: str, tree: str, leaf: str, outcome: str, tried: list[str], at: datetime
    ) -> int:
        """Record where a troubleshooting walk ended; returns the record's id (for a rating)."""
        with self._lock, self.db.conn:
            cursor = self.db.conn.execute(
                "insert into walk_outcomes (user, brand, tree, leaf, outcome, tried, at) values (?, ?, ?, ?, ?, ?, ?)",
                [user, brand, tree, leaf, outcome, json.dumps(tried, ensure_ascii=False), at.isoformat()],
            )
        return int(cursor.lastrowid or 0)

    def rate_walk(self, walk_id: int, rating: int) -> None:
        """Store the customer's 1–5 rating of a solved walk."""
        with self._lock, self.db.conn:
            self.db.conn.execute("update walk_outcomes set rating = ? where id = ?", [rating, walk_id])

    def walk_outcomes(self) -> list[dict[str, Any]]:
        """Every recorded walk, oldest first."""
        with self._lock:
            return list(self.db.query("select * from walk_outcomes order by id"))

    def last_walk(self, user: str) -> dict[str, Any] | None:
        """The customer's most recent troubleshooting walk (steps tried decoded), or None."""
        with self._lock:
            rows = list(self.db.query("select * from walk_outcomes where user = ? order by id desc limit 1", [user]))
        if not rows:
            return None
        rows[0]["tried"] = json.loads(rows[0]["tried"] or "[]")
        return rows[0]

    def recent_exchanges(self, user: str, count: int, *, before: str | None = None) -> list[dict[str, Any]]:
        """The customer's last ``count`` exchanges with the bot (not with consultants), oldest first."""
        where, args = ["user = ?", "outcome not in ('relayed', 'kept')", "outcome not like 'handoff%'"], [user]
        if before is not None:
            where.append("at <= ?")
            args.append(before)
        with self._lock:
            rows = list(
                self.db.query(
                    f"select text, reply, outcome, at from events where {' and '.join(where)} order by id desc limit ?",
                    [*args, count],
                )
            )
        return rows[::-1]

    def walk_summary(self) -> list[dict[str, Any]]:
        """Walks by tree, outcome and leaf: how many, and their average rating."""
        with self._lock:
            return list(
                self.db.query(
                    "select tree, outcome, leaf, count(*) as walks, round(avg(rating), 2) as rating "
                    "from walk_outcomes group by tree, outcome, leaf order by tree, outcome, walks desc"
                )
            )

    # -- RMAs -----------------------------------------------------------------------------------------

    def create_rma(
        self,
        *,
        make_number: Callable[[], str],
        user: str,
        brand: str,
        status: str,
        data: Mapping[str, Any],
        outcome: str,
        at: datetime,
        expires_on: str | None,
        notices: Callable[[str], Sequence[tuple[str, Mapping[str, Any]]]] | None = None,
    ) -> str:
        """Store a new RMA under a fresh number and return the number.

        The number is drawn again on the rare clash. Its history lines and the notices it causes (made from the
        number by ``notices``) are written in the same transaction.
        """
        for _ in range(20):
            number = make_number()
            try:
                with self._lock, self.db.conn:
                    self.db.conn.execute(
                        "insert into rmas (number, user, brand, status, data, outcome, created_at, updated_at, "
                        "expires_on, reminded) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                        [
                            number,
                            user,
                            brand,
                            status,
                            json.dumps(data, ensure_ascii=False),
                            outcome,
                            at.isoformat(),
                            at.isoformat(),
                            expires_on,
                        ],
                    )
                    self._history(number, at, "requested", "customer", None)
                    if status != "requested":
                        self._history(number, at, status, "assistant", None)
                    for target, reply in notices(number) if notices else ():
                        self._notice(target, reply, at)
                return number
            except sqlite3.IntegrityError:
                continue
        raise RuntimeError("could not draw an unused RMA number")

    def rma(self, number: str) -> dict[str, Any] | None:
        """One RMA with its data decoded, or None."""
        with self._lock:
            rows = list(self.db.query("select * from rmas where number = ?", [number]))
        return _decoded(rows[0]) if rows else None

    def rmas(
        self,
        *,
        user: str | None = None,
        status: str | None = None,
        brand: str | None = None,
        expiring: bool = False,
        limit: int = 1000,
    ) -> list[dict[str, Any]]:
        """RMAs, newest first: a customer's own, or by status or brand (``expiring``: only numbers with a validity)."""
        where, args = ["expires_on is not null"] if expiring else [], []
        for column, value in (("user", user), ("status", status), ("brand", brand)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        clause = f"where {' and '.join(where)}" if where else ""
        with self._lock:
            rows = list(
                self.db.query(
                    f"select * from rmas {clause} order by created_at desc, rowid desc limit ?", [*args, limit]
                )
            )
        return [_decoded(r) for r in rows]

    def rma_history(self, number: str) -> list[dict[str, Any]]:
        """An RMA's status changes, oldest first."""
        with self._lock:
            return list(
                self.db.query("select at, status, by, note from rma_history where number = ? order by id", [number])
            )

    def change_rma(
        self,
        number: str,
        *,
        expect: str,
        status: str,
        by: str,
        at: datetime,
        note: str | None = None,
        fields: Mapping[str, Any] | None = None,
        notices: Sequence[tuple[str, Mapping[str, Any]]] = (),
    ) -> bool:
        """Move an RMA from ``expect`` to ``status`` with its history line and notices, atomically.

        False (and nothing changed) when the RMA is no longer in ``expect``: someone else changed it first.
        """
        columns = {"status": status, "updated_at": at.isoformat(), **(fields or {})}
        assignments = ", ".join(f"{c} = ?" for c in columns)
        with self._lock, self.db.conn:
            cursor = self.db.conn.execute(
                f"update rmas set {assignments} where number = ? and status = ?", [*columns.values(), number, expect]
            )
            if cursor.rowcount != 1:
                return False
            if status != expect or note:
                self._history(number, at, status, by, note)
            for target, reply in notices:
                self._notice(target, reply, at)
        return True

    def _history(self, number: str, at: datetime, status: str, by: str, note: str | None) -> None:
        self.db.conn.execute(
            "insert into rma_history (number, at, status, by, note) values (?, ?, ?, ?, ?)",
            [number, at.isoformat(), status, by, note],
        )

    # -- notices: messages to deliver outside a turn -----------------------------------------------------

    def notify(self, target: str, reply: Mapping[str, Any], at: datetime) -> None:
        """Queue a message for a customer (their conversation key) or the staff chat ("staff")."""
        with self._lock, self.db.conn:
            self._notice(target, reply, at)

    def _notice(self, target: str, reply: Mapping[str, Any], at: datetime) -> None:
        self.db.conn.execute(
            "insert into notices (target, reply, created_at, sent) values (?, ?, ?, 0)",
            [target, json.dumps(reply, ensure_ascii=False), at.isoformat()],
        )

    def pending_notices(
        self, *, target: str | None = None, prefix: str | None = None, limit: int = 100
    ) -> list[tuple[int, str, dict[str, Any]]]:
        """Undelivered notices, oldest first: (id, target, reply)."""
        where, args = ["sent = 0"], []
        if target is not None:
            where.append("target = ?")
            args.append(target)
        if prefix is not None:
            where.append("(target like ? or target = 'staff' or target like ?)")
            args.extend([prefix.replace("%", "") + "%", "staff:" + prefix.replace("%", "") + "%"])
        with self._lock:
            rows = self.db.conn.execute(
                f"select id, target, reply from notices where {' and '.join(where)} order by id limit ?", [*args, limit]
            ).fetchall()
        return [(int(i), t, json.loads(r)) for i, t, r in rows]

    def notice_sent(self, notice_id: int) -> None:
        """Record that a notice was delivered (or can never be)."""
        with self._lock, self.db.conn:
            self.db.conn.execute("update notices set sent = 1 where id = ?", [notice_id])

    # -- consultant tickets ----------------------------------------------------------------------------

    def open_ticket(
        self,
        *,
        user: str,
        brand: str,
        lang: str,
        reason: str,
        at: datetime,
        posted: bool,
        notices: Callable[[int], Sequence[tuple[str, Mapping[str, Any]]]] = lambda _: (),
    ) -> tuple[dict[str, Any], bool]:
        """The customer's open ticket, or a new one (True) with the notices it causes, in one transaction."""
        try:
            with self._lock, self.db.conn:
                found = self.active_ticket(user)
                if found is not None:
                    return found, False
                cursor = self.db.conn.execute(
                    "insert into tickets (user, brand, lang, status, reason, opened_at, posted_at, reopened) "
                    "values (?, ?, ?, 'waiting', ?, ?, ?, 0)",
                    [user, brand, lang, reason, at.isoformat(), at.isoformat() if posted else None],
                )
                ticket_id = int(cursor.lastrowid or 0)
                for target, reply in notices(ticket_id):
                    self._notice(target, reply, at)
        except sqlite3.IntegrityError:  # another process opened one first: one open ticket per customer
            found = self.active_ticket(user)
            if found is None:
                raise
            return found, False
        ticket = self.ticket(ticket_id)
        assert ticket is not None
        return ticket, True

    def ticket(self, ticket_id: int) -> dict[str, Any] | None:
        """One ticket, or None."""
        with self._lock:
            rows = list(self.db.query("select * from tickets where id = ?", [ticket_id]))
        return rows[0] if rows else None

    def active_ticket(self, user: str) -> dict[str, Any] | None:
        """The customer's ticket that is not closed, or None."""
        with self._lock:
            rows = list(self.db.query("select * from tickets where user = ? and status != 'closed'", [user]))
        return rows[0] if rows else None

    def last_ticket(self, user: str) -> dict[str, Any] | None:
        """The customer's newest ticket, open or closed."""
        with self._lock:
            rows = list(self.db.query("select * from tickets where user = ? order by id desc limit 1", [user]))
        return rows[0] if rows else None

    def tickets(self, *, status: str | None = None, unposted: bool = False, limit: int = 500) -> list[dict[str, Any]]:
        """Tickets in arrival order (by status; ``unposted``: waiting ones not yet shown to consultants)."""
        where, args = [], []
        if status is not None:
            where.append("status = ?")
            args.append(status)
        if unposted:
            where.append("posted_at is null and status != 'closed'")
        clause = f"where {' and '.join(where)}" if where else ""
        with self._lock:
            return list(self.db.query(f"select * from tickets {clause} order by id limit ?", [*args, limit]))

    def change_ticket(
        self,
        ticket_id: int,
        *,
        at: datetime,
        expect: Sequence[str] | None = None,
        notices: Sequence[tuple[str, Mapping[str, Any]]] = (),
        **fields: Any,
    ) -> bool:
        """Update a ticket (only while its status is one of ``expect``) with the notices it causes, atomically."""
        assignments = ", ".join(f"{c} = ?" for c in fields)
        where, args = "id = ?", list[Any]([ticket_id])
        if expect is not None:
            where += f" and status in ({', '.join('?' for _ in expect)})"
            args.extend(expect)
        with self._lock, self.db.conn:
            try:
                cursor = self.db.conn.execute(
                    f"update tickets set {assignments} where {where}", [*fields.values(), *args]
                )
            except sqlite3.IntegrityError:  # reopening while another ticket of the customer's is open
                return False
            if cursor.rowcount != 1:
                return False
            for target, reply in notices:
                self._notice(target, reply, at)
        return True

    def add_ticket_message(
        self,
        ticket_id: int,
        *,
        at: datetime,
        direction: str,
        by: str,
        text: str | None,
        media: Sequence[Mapping[str, Any]] = (),
        notices: Sequence[tuple[str, Mapping[str, Any]]] = (),
    ) -> None:
        """Keep one message of a ticket (customer, consultant or internal note) and queue its relay."""
        with self._lock, self.db.conn:
            self.db.conn.execute(
                "insert into ticket_messages (ticket, at, direction, by, text, media) values (?, ?, ?, ?, ?, ?)",
                [ticket_id, at.isoformat(), direction, by, text, json.dumps(list(media)) if media else None],
            )
            for target, reply in notices:
                self._notice(target, reply, at)

    def ticket_messages(self, ticket_id: int) -> list[dict[str, Any]]:
        """A ticket's messages, oldest first (media decoded)."""
        with self._lock:
            rows = list(self.db.query("select * from ticket_messages where ticket = ? order by id", [ticket_id]))
        for row in rows:
            row["media"] = json.loads(row["media"]) if row["media"] else []
        return rows

    def staff_thread(self, user: str) -> tuple[int, str] | None:
        """The staff chat topic kept for a customer: (thread id, title), or None."""
        with self._lock:
            row = self.db.conn.execute("select thread, title from staff_threads where user = ?", [user]).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def set_staff_thread(self, user: str, thread: int | None, title: str = "", at: datetime | None = None) -> None:
        """Remember (or, with None, forget) a customer's topic in the staff chat."""
        with self._lock, self.db.conn:
            if thread is None:
                self.db.conn.execute("delete from staff_threads where user = ?", [user])
            else:
                self.db.conn.execute(
                    "insert into staff_threads (user, thread, title, created_at) values (?, ?, ?, ?) on conflict(user) "
                    "do update set thread = excluded.thread, title = excluded.title",
                    [user, thread, title, (at or datetime.now().astimezone()).isoformat()],
                )

    def user_for_thread(self, thread: int) -> str | None:
        """The customer whose topic ``thread`` is."""
        with self._lock:
            row = self.db.conn.execute("select user from staff_threads where thread = ?", [thread]).fetchone()
        return str(row[0]) if row else None

    def add_staff_post(self, message: int, user: str) -> None:
        """A message in the staff chat (without topics) that stands for a customer: replying to it reaches them."""
        with self._lock, self.db.conn:
            self.db.conn.execute("insert or replace into staff_posts (message, user) values (?, ?)", [message, user])

    def user_for_post(self, message: int) -> str | None:
        """The customer a staff chat message stands for."""
        with self._lock:
            row = self.db.conn.execute("select user from staff_posts where message = ?", [message]).fetchone()
        return str(row[0]) if row else None

    def ban(self, user: str, *, by: str, at: datetime) -> None:
        """Stop relaying a customer to consultants."""
        with self._lock, self.db.conn:
            self.db.conn.execute(
                "insert or replace into bans (user, by, at) values (?, ?, ?)", [user, by, at.isoformat()]
            )

    def unban(self, user: str) -> bool:
        """Lift a ban; False when there was none."""
        with self._lock, self.db.conn:
            return self.db.conn.execute("delete from bans where user = ?", [user]).rowcount == 1

    def banned(self, user: str) -> bool:
        """Whether a customer is banned from consultants."""
        with self._lock:
            return self.db.conn.execute("select 1 from bans where user = ?", [user]).fetchone() is not None

    # -- admins' FAQ changes, feedback and the unanswered inbox ---------------------------------------

    def faq_overrides(self) -> list[tuple[str, str, dict[str, Any] | None, Any]]:
        """Every FAQ entry an admin changed, with the files' version of it at the time.

        Rows are (brand, entry id, the entry as a table or None when removed, the files' version when it
        was changed: a table, None when the files had none, or :data:`UNKNOWN`).
        """
        with self._lock:
            rows = self.db.conn.execute(
                "select brand, entry_id, data, base from faq_overrides order by brand, entry_id"
            ).fetchall()
        return [
            (
                brand,
                entry_id,
                json.loads(data) if data is not None else None,
                json.loads(base) if base is not None else UNKNOWN,
            )
            for brand, entry_id, data, base in rows
        ]

    def faq_version(self) -> int:
        """A number that grows with every FAQ change (so other processes notice one)."""
        with self._lock:
            row = self.db.conn.execute("select max(id) from faq_changes").fetchone()
        return int(row[0] or 0)

    def faq_last_change(self, brand: str, entry_id: str) -> int:
        """The id of the entry's latest change for a brand (0: never changed), to detect changes made meanwhile."""
        with self._lock:
            row = self.db.conn.execute(
                "select max(id) from faq_changes where brand = ? and entry_id = ?", [brand, entry_id]
            ).fetchone()
        return int(row[0] or 0)

    def faq_change(
        self,
        *,
        brand: str,
        entry_id: str,
        action: str,
        by: str,
        at: datetime,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
        override: bool,
        base: Mapping[str, Any] | None,
        expect: int | None = None,
        undoes: int | None = None,
    ) -> int:
        """Record one change and set the live overlay, in one transaction; returns the change's id.

        ``override`` False drops the overlay row (the entry is as ``faq/`` has it); True stores ``after``
        (None: removed for this brand). ``base`` is the files' version at the time. ``expect`` is the entry's
        latest change as the admin saw it: another change since raises :class:`FaqConflict`, nothing stored.
        ``undoes`` marks an earlier change as undone.
        """
        with self._lock, self.db.conn:
            self.db.conn.execute("begin immediate")  # the check and the write as one, across processes too
            if expect is not None:
                row = self.db.conn.execute(
                    "select max(id) from faq_changes where brand = ? and entry_id = ?", [brand, entry_id]
                ).fetchone()
                if int(row[0] or 0) != expect:
                    raise FaqConflict(f"{brand}/{entry_id} changed meanwhile")
            return self._faq_change(brand, entry_id, action, by, at, before, after, override, base, undoes)

    def faq_changes_at_once(self, changes: Sequence[Mapping[str, Any]], *, expect_version: int) -> None:
        """Several changes (an import) in one transaction, refused if any FAQ change came in meanwhile."""
        with self._lock, self.db.conn:
            self.db.conn.execute("begin immediate")
            row = self.db.conn.execute("select max(id) from faq_changes").fetchone()
            if int(row[0] or 0) != expect_version:
                raise FaqConflict("the FAQ changed while the import was being checked")
            for change in changes:
                self._faq_change(
                    change["brand"],
                    change["entry_id"],
                    change["action"],
                    change["by"],
                    change["at"],
                    change["before"],
                    change["after"],
                    change["override"],
                    change["base"],
                    None,
                )

    def _faq_change(
        self,
        brand: str,
        entry_id: str,
        action: str,
        by: str,
        at: datetime,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
        override: bool,
        base: Mapping[str, Any] | None,
        undoes: int | None,
    ) -> int:
        def encoded(table: Mapping[str, Any] | None) -> str | None:
            return json.dumps(table, ensure_ascii=False) if table is not None else None

        base_json = json.dumps(base, ensure_ascii=False)  # "null": the files had no such entry
        if override:
            self.db.conn.execute(
                "insert into faq_overrides (brand, entry_id, data, base) values (?, ?, ?, ?) "
                "on conflict(brand, entry_id) do update set data = excluded.data, base = excluded.base",
                [brand, entry_id, encoded(after), base_json],
            )
        else:
            self.db.conn.execute("delete from faq_overrides where brand = ? and entry_id = ?", [brand, entry_id])
        if undoes is not None:
            self.db.conn.execute("update faq_changes set undone = 1 where id = ?", [undoes])
        cursor = self.db.conn.execute(
            "insert into faq_changes (brand, entry_id, action, by, at, before, after, base, undone, undoes) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
            [brand, entry_id, action, by, at.isoformat(), encoded(before), encoded(after), base_json, undoes],
        )
        return int(cursor.lastrowid or 0)

    def faq_history(self, brand: str, entry_id: str) -> list[dict[str, Any]]:
        """An entry's changes for a brand, newest first (before/after decoded)."""
        with self._lock:
            rows = list(
                self.db.query(
                    "select * from faq_changes where brand = ? and entry_id = ? order by id desc", [brand, entry_id]
                )
            )
        for row in rows:
            for key in ("before", "after"):
                row[key] = json.loads(row[key]) if row[key] is not None else None
            row["base"] = json.loads(row["base"]) if row.get("base") is not None else UNKNOWN
        return rows

    def faq_undoable(self, brand: str, entry_id: str) -> dict[str, Any] | None:
        """The latest change to an entry that an undo would take back (not an undo, not undone), or None."""
        history = self.faq_history(brand, entry_id)
        return next((c for c in history if c["action"] != "undo" and not c["undone"]), None)

    def record_feedback(
        self, *, user: str, brand: str, entry_id: str, question: str, helpful: bool, at: datetime
    ) -> bool | None:
        """A customer's 👍 / 👎 on an answer (pressing again changes their mind, it does not count twice).

        Returns what they had said before about the same answer to the same question (None: nothing).
        """
        with self._lock, self.db.conn:
            row = self.db.conn.execute(
                "select helpful from feedback where user = ? and brand = ? and entry_id = ? and question = ?",
                [user, brand, entry_id, question],
            ).fetchone()
            self.db.conn.execute(
                "insert into feedback (user, brand, entry_id, question, helpful, at) values (?, ?, ?, ?, ?, ?) "
                "on conflict(user, brand, entry_id, question) do update set helpful = excluded.helpful, "
                "at = excluded.at",
                [user, brand, entry_id, question, int(helpful), at.isoformat()],
            )
        return bool(row[0]) if row else None

    def add_unanswered(
        self, *, brand: str, user: str, text: str, reason: str, entry_id: str | None, at: datetime
    ) -> None:
        """Keep a question the bot could not answer (or whose answer did not help) for the admins' inbox."""
        with self._lock, self.db.conn:
            self.db.conn.execute(
                "insert into unanswered (brand, user, text, reason, entry_id, at) values (?, ?, ?, ?, ?, ?)",
                [brand, user, text, reason, entry_id, at.isoformat()],
            )

    def unanswered_has(self, *, user: str, brand: str, text: str, entry_id: str | None) -> bool:
        """Whether the inbox already holds this customer's question (about this entry), dealt with or not."""
        with self._lock:
            return (
                self.db.conn.execute(
                    "select 1 from unanswered where user = ? and brand = ? and text = ? and entry_id is ?",
                    [user, brand, text, entry_id],
                ).fetchone()
                is not None
            )

    def unanswered(self, brand: str, *, limit: int = 2000) -> list[dict[str, Any]]:
        """The brand's open inbox, newest first."""
        with self._lock:
            return list(
                self.db.query(
                    "select * from unanswered where brand = ? and done_at is null order by id desc limit ?",
                    [brand, limit],
                )
            )

    def close_unanswered(self, ids: Sequence[int], *, by: str, action: str, at: datetime) -> int:
        """Mark inbox questions as dealt with; returns how many were still open."""
        with self._lock, self.db.conn:
            cursor = self.db.conn.executemany(
                "update unanswered set done_at = ?, done_by = ?, done_action = ? where id = ? and done_at is null",
                [[at.isoformat(), by, action, i] for i in ids],
            )
        return cursor.rowcount

    def get(self, key: str) -> str | None:
        """A small persisted setting (the Telegram update offset…)."""
        with self._lock:
            row = self.db.conn.execute("select value from kv where key = ?", [key]).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        """Persist a small setting."""
        with self._lock, self.db.conn:
            self.db.conn.execute(
                "insert into kv (key, value) values (?, ?) on conflict(key) do update set value = excluded.value",
                [key, value],
            )

    def delete(self, key: str) -> None:
        """Forget a small setting."""
        with self._lock, self.db.conn:
            self.db.conn.execute("delete from kv where key = ?", [key])

    def close(self) -> None:
        """Close the database."""
        self.db.close()


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    row["data"] = json.loads(row["data"] or "{}")
    return row
