"""Conversation state and the event log in SQLite, through sqlite-utils.

All database work goes through one :class:`Store`, so that adapters never touch SQL. Conversation
state is small and serialisable (a JSON dict per user) and is saved on purpose after every turn, so a
restart loses nothing.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlite_utils


@dataclass
class Conversation:
    """One customer's conversation state."""

    user: str
    brand: str
    lang: str = "en"
    state: dict[str, Any] = field(default_factory=dict)
    turns: int = 0


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
                pk="user", if_not_exists=True)
            self.db.table("events").create(
                {"id": int, "user": str, "brand": str, "at": str, "lang": str, "text": str, "outcome": str,
                 "entry_id": str, "score": float, "reply": str},
                pk="id", if_not_exists=True)
            self.db.table("outbox").create(
                {"id": str, "user": str, "replies": str, "n_replies": int, "sent": int, "at": str}, pk="id",
                if_not_exists=True)
            self.db.table("kv").create({"key": str, "value": str}, pk="key", if_not_exists=True)
            self.db.table("walk_outcomes").create(
                {"id": int, "user": str, "brand": str, "tree": str, "leaf": str, "outcome": str, "tried": str,
                 "rating": int, "at": str}, pk="id", if_not_exists=True)
            self.db.table("rma_drafts").create(
                {"ref": str, "user": str, "brand": str, "fault": str, "tried": str, "status": str, "created_at": str},
                pk="ref", if_not_exists=True)
            self.db.table("events").create_index(["user"], if_not_exists=True)
            self.db.table("events").create_index(["outcome"], if_not_exists=True)

    def load(self, user: str, *, brand: str) -> Conversation:
        """The user's conversation, or a fresh one for ``brand``."""
        with self._lock:
            rows = list(self.db.execute(
                "select brand, lang, state, turns from conversations where user = ?", [user]).fetchall())
        if not rows:
            return Conversation(user=user, brand=brand)
        row_brand, lang, state, turns = rows[0]
        return Conversation(user=user, brand=row_brand, lang=lang, state=json.loads(state or "{}"), turns=turns)

    def save(self, conv: Conversation, *, at: datetime, event: Mapping[str, Any] | None = None,
             outbox: tuple[str, list[dict[str, Any]]] | None = None) -> None:
        """Persist a conversation's state, the turn's event and its replies to send, in one transaction."""
        with self._lock, self.db.conn:
            if outbox is not None:
                self.db.conn.execute(
                    "insert or ignore into outbox (id, user, replies, n_replies, sent, at) values (?, ?, ?, ?, 0, ?)",
                    [outbox[0], conv.user, json.dumps(outbox[1], ensure_ascii=False), len(outbox[1]), at.isoformat()])
            self.db.conn.execute(
                "insert into conversations (user, brand, lang, state, turns, updated_at) values (?, ?, ?, ?, ?, ?) "
                "on conflict(user) do update set brand = excluded.brand, lang = excluded.lang, "
                "state = excluded.state, turns = excluded.turns, updated_at = excluded.updated_at",
                [conv.user, conv.brand, conv.lang, json.dumps(conv.state, ensure_ascii=False), conv.turns,
                 at.isoformat()])
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
            [event[c] for c in columns])

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
                "select id, user, replies, sent from outbox where sent < n_replies order by rowid").fetchall()
        return [(message_id, user, json.loads(replies), int(sent)) for message_id, user, replies, sent in rows]

    def prune_outbox(self, before: datetime) -> int:
        """Forget delivered replies recorded before ``before``; returns how many were dropped."""
        with self._lock, self.db.conn:
            cursor = self.db.conn.execute("delete from outbox where sent >= n_replies and at < ?", [before.isoformat()])
        return cursor.rowcount

    def record_walk(self, *, user: str, brand: str, tree: str, leaf: str, outcome: str, tried: list[str],
                    at: datetime) -> int:
        """Record where a troubleshooting walk ended; returns the record's id (for a rating)."""
        with self._lock, self.db.conn:
            cursor = self.db.conn.execute(
                "insert into walk_outcomes (user, brand, tree, leaf, outcome, tried, at) values (?, ?, ?, ?, ?, ?, ?)",
                [user, brand, tree, leaf, outcome, json.dumps(tried, ensure_ascii=False), at.isoformat()])
        return int(cursor.lastrowid or 0)

    def rate_walk(self, walk_id: int, rating: int) -> None:
        """Store the customer's 1–5 rating of a solved walk."""
        with self._lock, self.db.conn:
            self.db.conn.execute("update walk_outcomes set rating = ? where id = ?", [rating, walk_id])

    def walk_outcomes(self) -> list[dict[str, Any]]:
        """Every recorded walk, oldest first."""
        with self._lock:
            return list(self.db.query("select * from walk_outcomes order by id"))

    def walk_summary(self) -> list[dict[str, Any]]:
        """Walks by tree, outcome and leaf: how many, and their average rating."""
        with self._lock:
            return list(self.db.query(
                "select tree, outcome, leaf, count(*) as walks, round(avg(rating), 2) as rating "
                "from walk_outcomes group by tree, outcome, leaf order by tree, outcome, walks desc"))

    def create_rma_draft(self, *, user: str, brand: str, fault: str, tried: list[str], at: datetime) -> str:
        """Start a repair request with what the customer already tried; returns its reference."""
        ref = "RQ-" + secrets.token_hex(4).upper()
        with self._lock, self.db.conn:
            self.db.conn.execute(
                "insert into rma_drafts (ref, user, brand, fault, tried, status, created_at) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                [ref, user, brand, fault, json.dumps(tried, ensure_ascii=False), "draft", at.isoformat()])
        return ref

    def rma_drafts(self, user: str) -> list[dict[str, Any]]:
        """A customer's started repair requests."""
        with self._lock:
            rows = list(self.db.query("select * from rma_drafts where user = ? order by created_at", [user]))
        for row in rows:
            row["tried"] = json.loads(row["tried"])
        return rows

    def get(self, key: str) -> str | None:
        """A small persisted setting (the Telegram update offset…)."""
        with self._lock:
            row = self.db.conn.execute("select value from kv where key = ?", [key]).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        """Persist a small setting."""
        with self._lock, self.db.conn:
            self.db.conn.execute("insert into kv (key, value) values (?, ?) on conflict(key) do update set "
                                 "value = excluded.value", [key, value])

    def delete(self, key: str) -> None:
        """Forget a small setting."""
        with self._lock, self.db.conn:
            self.db.conn.execute("delete from kv where key = ?", [key])

    def close(self) -> None:
        """Close the database."""
        self.db.close()

