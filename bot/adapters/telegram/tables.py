"""The Telegram adapter's own tables, in the bot's SQLite file beside the engine's (prefix ``tg_``).

What only Telegram has a use for lives here, not in the engine's store: the polling offset (the next
update to ask for), each customer's topic in the staff chat (both ways: customer → topic for posting,
topic → customer for relaying what consultants write), the staff chat messages that stand for a customer
when the chat has no topics, and the chats that blocked the bot. Version 2 adds the delivery ledger
(:mod:`.ledger`: the notices being delivered, replies set aside, the staff chat updates handled) and what
keeps one topic a customer: a topic being made (recorded before ``createForumTopic``), the topics the bot
saw made, and older topics of a customer that still lead to them. Version 4 keeps updates as they are
fetched (``tg_inbox``) until they are handled (see :mod:`.polling`).

The adapter opens its own connection to the file (WAL mode lets it and the engine's work side by side)
and keeps its schema's version in ``tg_version``. The data these tables took over from the engine's
store (``staff_threads``, ``staff_posts``, the ``kv`` keys ``telegram_offset`` and ``blocked:<chat>``) is
moved by the store's own migration, which runs first (see :mod:`bot.store.schema`); it creates these
tables with :data:`SCHEMA_1` as it stood then, so version 1 here must never change: add a step instead.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any

from bot.adapters.telegram.ledger import LEDGER_SCHEMA, Ledger
from bot.core.clock import Clock, system_clock
from bot.store.checkpoints import hand_over

SCHEMA_1 = (
    "CREATE TABLE IF NOT EXISTS tg_offset (id INTEGER PRIMARY KEY CHECK (id = 1), next_update INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tg_topics (user TEXT PRIMARY KEY, thread INTEGER NOT NULL, title TEXT NOT NULL, "
    "created_at TEXT)",
    "CREATE INDEX IF NOT EXISTS tg_topics_thread ON tg_topics (thread)",
    "CREATE TABLE IF NOT EXISTS tg_posts (message INTEGER PRIMARY KEY, user TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tg_blocked (chat INTEGER PRIMARY KEY)",
)


SCHEMA_2 = (
    *LEDGER_SCHEMA,
    "CREATE TABLE IF NOT EXISTS tg_topic_making (user TEXT PRIMARY KEY, title TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tg_topic_seen (thread INTEGER PRIMARY KEY, name TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tg_topic_alias (thread INTEGER PRIMARY KEY, user TEXT NOT NULL)",
    "ALTER TABLE tg_blocked ADD COLUMN staff_told INTEGER NOT NULL DEFAULT 0",
)


# Version 3: several bots in one installation. The first bot keeps tg_offset and its rows; each further bot
# has its polling offset in tg_bot_offset, and a chat that blocked one bot has not blocked the others (the
# rows there before are the first bot's, bot "").
SCHEMA_3 = (
    "CREATE TABLE IF NOT EXISTS tg_bot_offset (bot TEXT PRIMARY KEY, next_update INTEGER NOT NULL)",
    "CREATE TABLE tg_blocked_3 (bot TEXT NOT NULL DEFAULT '', chat INTEGER NOT NULL, "
    "staff_told INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (bot, chat))",
    "INSERT INTO tg_blocked_3 (bot, chat, staff_told) SELECT '', chat, staff_told FROM tg_blocked",
    "DROP TABLE tg_blocked",
    "ALTER TABLE tg_blocked_3 RENAME TO tg_blocked",
)


# Version 4: updates are kept as fetched, before Telegram is told it may forget them (the next getUpdates
# asks past them), so the bot can poll again while it handles them; those not handled before a crash are
# handled at the next start. Each bot's rows go once its handled offset passes them (set_offset).
SCHEMA_4 = (
    "CREATE TABLE IF NOT EXISTS tg_inbox (bot TEXT NOT NULL, update_id INTEGER NOT NULL, chat INTEGER, "
    "data TEXT NOT NULL, PRIMARY KEY (bot, update_id))",
)


def _schema_1(conn: sqlite3.Connection) -> None:
    for statement in SCHEMA_1:
        conn.execute(statement)


def _schema_2(conn: sqlite3.Connection) -> None:
    for statement in SCHEMA_2:
        conn.execute(statement)


def _schema_3(conn: sqlite3.Connection) -> None:
    for statement in SCHEMA_3:
        conn.execute(statement)


def _schema_4(conn: sqlite3.Connection) -> None:
    for statement in SCHEMA_4:
        conn.execute(statement)


MIGRATIONS: Sequence[Callable[[sqlite3.Connection], None]] = (_schema_1, _schema_2, _schema_3, _schema_4)


class TelegramTables(Ledger):
    """The ``tg_`` tables, safe to use from the adapter's worker threads."""

    def __init__(self, path: str, *, clock: Clock = system_clock) -> None:
        self.clock = clock
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.Lock()
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            hand_over(self._conn)  # the store's thread checkpoints the file (the bot runs with one)
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute("CREATE TABLE IF NOT EXISTS tg_version (version INTEGER NOT NULL)")
                row = self._conn.execute("SELECT max(version) FROM tg_version").fetchone()
                done = int(row[0] or 0)
                for number, step in enumerate(MIGRATIONS[done:], start=done + 1):
                    step(self._conn)
                    self._conn.execute("DELETE FROM tg_version")
                    self._conn.execute("INSERT INTO tg_version (version) VALUES (?)", [number])
            except BaseException:
                self._conn.rollback()
                raise
            self._conn.commit()

    @property
    def version(self) -> int:
        """The tables' schema version."""
        row = self._one("SELECT max(version) FROM tg_version", [])
        return int(row[0] or 0) if row else 0

    def _one(self, sql: str, args: list[object]) -> tuple[Any, ...] | None:
        with self._lock:
            row: tuple[Any, ...] | None = self._conn.execute(sql, args).fetchone()
        return row

    def _all(self, sql: str, args: list[object]) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._conn.execute(sql, args).fetchall())

    def _write(self, sql: str, args: list[object]) -> int:
        with self._lock:  # autocommit: one statement is its own transaction
            return self._conn.execute(sql, args).rowcount

    def _atomic(self, statements: Sequence[tuple[str, list[object]]]) -> None:
        """Several statements in one transaction."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    self._conn.execute(sql, args)
            except BaseException:
                self._conn.rollback()
                raise
            self._conn.commit()

    def _now(self) -> str:
        return self.clock().astimezone(UTC).isoformat()

    # -- polling ------------------------------------------------------------------------------------------

    def offset(self, bot: str = "") -> int | None:
        """The first update not known to be handled (every one before it was), or None at first start."""
        if bot:
            row = self._one("SELECT next_update FROM tg_bot_offset WHERE bot = ?", [bot])
        else:
            row = self._one("SELECT next_update FROM tg_offset WHERE id = 1", [])
        return int(row[0]) if row else None

    def set_offset(self, next_update: int, bot: str = "") -> None:
        """Record every update before ``next_update`` as handled: the kept ones go.

        ``bot``: a further bot's name (only the first bot reads the staff chat: its updates are the first's).
        """
        forget = ("DELETE FROM tg_inbox WHERE bot = ? AND update_id < ?", [bot, next_update])
        if bot:
            sql = "INSERT INTO tg_bot_offset (bot, next_update) VALUES (?, ?) "
            sql += "ON CONFLICT(bot) DO UPDATE SET next_update = excluded.next_update"
            self._atomic([(sql, [bot, next_update]), forget])
            return
        self._atomic(
            [
                (
                    "INSERT INTO tg_offset (id, next_update) VALUES (1, ?) "
                    "ON CONFLICT(id) DO UPDATE SET next_update = excluded.next_update",
                    [next_update],
                ),
                ("DELETE FROM tg_staff_updates WHERE update_id < ?", [next_update]),
                forget,
            ]
        )

    def keep_updates(self, updates: Sequence[dict[str, Any]], bot: str = "") -> None:
        """Keep updates as Telegram sent them, until they are handled (then :meth:`set_offset` drops them)."""
        sql = "INSERT OR IGNORE INTO tg_inbox (bot, update_id, chat, data) VALUES (?, ?, ?, ?)"
        self._atomic([(sql, [bot, u["update_id"], _chat_of(u), json.dumps(u, ensure_ascii=False)]) for u in updates])

    def kept_updates(self, bot: str = "") -> list[dict[str, Any]]:
        """The updates kept and not yet handled (a crash left them), in Telegram's order."""
        handled = self.offset(bot)
        rows = self._all(
            "SELECT data FROM tg_inbox WHERE bot = ? AND update_id >= ? ORDER BY update_id", [bot, handled or 0]
        )
        return [json.loads(data) for (data,) in rows]

    # -- the staff chat -----------------------------------------------------------------------------------

    def topic(self, user: str) -> tuple[int, str] | None:
        """The customer's topic in the staff chat: (thread id, title shown), or None."""
        row = self._one("SELECT thread, title FROM tg_topics WHERE user = ?", [user])
        return (int(row[0]), str(row[1])) if row else None

    def set_topic(self, user: str, thread: int, title: str) -> None:
        """Remember a customer's topic (made, or renamed); the topic being made for them is made."""
        self._atomic(
            [
                (
                    "INSERT INTO tg_topics (user, thread, title, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(user) "
                    "DO UPDATE SET thread = excluded.thread, title = excluded.title",
                    [user, thread, title, self._now()],
                ),
                ("DELETE FROM tg_topic_making WHERE user = ?", [user]),
            ]
        )

    def forget_topic(self, user: str) -> None:
        """Forget a customer's topic (a consultant deleted it: the next post makes it again)."""
        self._write("DELETE FROM tg_topics WHERE user = ?", [user])

    def customer_of_topic(self, thread: int) -> str | None:
        """The customer whose topic ``thread`` is (their topic now, or an older one that still leads to them)."""
        row = self._one(
            "SELECT user FROM tg_topics WHERE thread = ? UNION ALL SELECT user FROM tg_topic_alias WHERE thread = ?",
            [thread, thread],
        )
        return str(row[0]) if row else None

    def making_topic(self, user: str, title: str | None) -> None:
        """A topic is about to be made for the customer (kept until :meth:`set_topic`: a crash leaves it here).

        ``title`` None: none was made after all (Telegram refused).
        """
        if title is None:
            self._write("DELETE FROM tg_topic_making WHERE user = ?", [user])
        else:
            self._write("INSERT OR REPLACE INTO tg_topic_making (user, title) VALUES (?, ?)", [user, title])

    def topic_in_making(self, user: str) -> str | None:
        """The title of a topic asked for and not recorded as made (the bot stopped in between), or None."""
        row = self._one("SELECT title FROM tg_topic_making WHERE user = ?", [user])
        return str(row[0]) if row else None

    def topic_seen(self, thread: int, name: str) -> str | None:
        """The bot saw a topic it made (its "topic created" message); returns the customer it is now theirs.

        A topic asked for under that name and never recorded (a crash right after ``createForumTopic``) is
        the customer's topic: found here, it is not made twice.
        """
        self._write("INSERT OR REPLACE INTO tg_topic_seen (thread, name) VALUES (?, ?)", [thread, name])
        row = self._one(
            "SELECT m.user FROM tg_topic_making m LEFT JOIN tg_topics t ON t.user = m.user "
            "WHERE m.title = ? AND t.user IS NULL",
            [name],
        )
        if row is None:
            return None
        self.set_topic(str(row[0]), thread, name)
        return str(row[0])

    def seen_topic_named(self, name: str) -> int | None:
        """A topic the bot saw made under ``name`` and that is nobody's topic now, or None."""
        row = self._one(
            "SELECT s.thread FROM tg_topic_seen s LEFT JOIN tg_topics t ON t.thread = s.thread "
            "WHERE s.name = ? AND t.thread IS NULL ORDER BY s.thread DESC",
            [name],
        )
        return int(row[0]) if row else None

    def adopt_topic(self, thread: int, name: str) -> str | None:
        """A topic the bot made and lost track of: the customer whose topic had that name now leads there too."""
        row = self._one(
            "SELECT user FROM tg_topics WHERE title = ? UNION ALL SELECT user FROM tg_topic_making WHERE title = ?",
            [name, name],
        )
        if row is None:
            return None
        self._write("INSERT OR REPLACE INTO tg_topic_alias (thread, user) VALUES (?, ?)", [thread, str(row[0])])
        return str(row[0])

    def add_post(self, message: int, user: str) -> None:
        """A staff chat message (in a chat without topics) that stands for a customer: a reply to it reaches them."""
        self._write("INSERT OR REPLACE INTO tg_posts (message, user) VALUES (?, ?)", [message, user])

    def customer_of_post(self, message: int) -> str | None:
        """The customer a staff chat message stands for."""
        row = self._one("SELECT user FROM tg_posts WHERE message = ?", [message])
        return str(row[0]) if row else None

    # -- chats that blocked the bot -----------------------------------------------------------------------

    def blocked(self, chat: int, bot: str = "") -> bool:
        """Whether the chat blocked the bot (nothing is sent to it until it writes again)."""
        return self._one("SELECT 1 FROM tg_blocked WHERE bot = ? AND chat = ?", [bot, chat]) is not None

    def block(self, chat: int, bot: str = "") -> bool:
        """The chat blocked the bot; True when it was not known to block it."""
        return self._write("INSERT OR IGNORE INTO tg_blocked (bot, chat) VALUES (?, ?)", [bot, chat]) > 0

    def staff_told_blocked(self, chat: int, bot: str = "") -> bool:
        """Record that the staff chat was told the chat blocked the bot; False when it was told already."""
        return (
            self._write(
                "UPDATE tg_blocked SET staff_told = 1 WHERE bot = ? AND chat = ? AND staff_told = 0", [bot, chat]
            )
            > 0
        )

    def unblock(self, chat: int, bot: str = "") -> None:
        """The chat wrote again: it no longer blocks the bot."""
        self._write("DELETE FROM tg_blocked WHERE bot = ? AND chat = ?", [bot, chat])

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()


def _chat_of(update: dict[str, Any]) -> int | None:
    """The chat of an update as Telegram sent it (a message's, or a pressed button's message's)."""
    for key in ("message", "edited_message", "my_chat_member"):
        if isinstance(update.get(key), dict):
            chat = update[key].get("chat")
            return chat.get("id") if isinstance(chat, dict) else None
    query = update.get("callback_query")
    if isinstance(query, dict) and isinstance(query.get("from"), dict):
        return query["from"].get("id")
    return None


def forget_customer(path: str, user: str) -> int:
    """Remove what the ``tg_`` tables keep of one customer (``tg:<id>``); how many rows went.

    Their topic and posts in the staff chat (the messages stay in Telegram), deliveries queued or set aside
    for them, whether their chat blocked the bot, and their updates kept but not yet handled. A file the
    adapter never used has nothing to forget.
    """
    chat = int(user[3:]) if user.startswith("tg:") and user[3:].isdecimal() else None
    statements: list[tuple[str, list[object]]] = [
        (f"DELETE FROM {table} WHERE user = ?", [user])
        for table in ("tg_topics", "tg_posts", "tg_topic_making", "tg_topic_alias")
    ]
    statements.append(("DELETE FROM tg_queue WHERE target = ? OR target = ?", [user, f"staff:{user}"]))
    if chat is not None:
        by_chat = ("tg_aside", "tg_blocked", "tg_inbox")
        statements += [(f"DELETE FROM {table} WHERE chat = ?", [chat]) for table in by_chat]
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        conn.execute("BEGIN IMMEDIATE")
        try:
            gone = sum(conn.execute(sql, args).rowcount for sql, args in statements if sql.split()[2] in tables)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        return gone
    finally:
        conn.close()
