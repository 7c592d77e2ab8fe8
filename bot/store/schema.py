"""The schema's history: ordered migrations, numbered by ``PRAGMA user_version`` (see :mod:`.db`).

1. The schema as it was before it had a version (every table ``if not exists``): a database from then
   (``user_version`` 0) is recognised, gains only what it lacks (``rmas.quote_currency``) and becomes 1.
2. Every moment in UTC: rows written with the writer's own offset (``+08:00``…) are rewritten as
   ``…+00:00``, so moments compare and sort as strings. ``rmas.expires_on`` is a local date and stays.
3. Telegram's own data leaves the core schema: the staff chat's topics and posts and the ``kv`` keys
   ``telegram_offset`` and ``blocked:<chat>`` move to the Telegram adapter's tables (``tg_…``, created
   here with the adapter's first schema when there is anything to move; see
   :mod:`bot.adapters.telegram.tables`), then ``staff_threads`` and ``staff_posts`` are dropped. The core
   migrates first (the engine opens the database before any adapter), so this step does the moving.
4. A declined quote is its own status: requests the customer declined stayed ``quote_sent`` with
   ``quote_decision = 'declined'`` and a history line ``quote_sent`` by the customer; both become
   ``quote_declined``.
5. Retention (:mod:`.retention`) prunes the delivered outbox by age: ``outbox.at`` gets an index, so a
   pruning batch finds its rows without reading the table while it holds the write lock.

A migration is history: once released it is never edited, only followed by another.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import sqlite_utils

from bot.store.db import Migration

_SCHEMA_1 = (
    'CREATE TABLE IF NOT EXISTS "conversations" (\n   "user" TEXT PRIMARY KEY,\n   "brand" TEXT,\n   "lang" TEXT,\n'
    '   "state" TEXT,\n   "turns" INTEGER,\n   "updated_at" TEXT\n)',
    'CREATE TABLE IF NOT EXISTS "events" (\n   "id" INTEGER PRIMARY KEY,\n   "user" TEXT,\n   "brand" TEXT,\n'
    '   "at" TEXT,\n   "lang" TEXT,\n   "text" TEXT,\n   "outcome" TEXT,\n   "entry_id" TEXT,\n   "score" REAL,\n'
    '   "reply" TEXT\n)',
    'CREATE TABLE IF NOT EXISTS "outbox" (\n   "id" TEXT PRIMARY KEY,\n   "user" TEXT,\n   "replies" TEXT,\n'
    '   "n_replies" INTEGER,\n   "sent" INTEGER,\n   "at" TEXT\n)',
    'CREATE TABLE IF NOT EXISTS "kv" (\n   "key" TEXT PRIMARY KEY,\n   "value" TEXT\n)',
    'CREATE TABLE IF NOT EXISTS "walk_outcomes" (\n   "id" INTEGER PRIMARY KEY,\n   "user" TEXT,\n   "brand" TEXT,\n'
    '   "tree" TEXT,\n   "leaf" TEXT,\n   "outcome" TEXT,\n   "tried" TEXT,\n   "rating" INTEGER,\n   "at" TEXT\n)',
    'CREATE TABLE IF NOT EXISTS "rmas" (\n   "number" TEXT PRIMARY KEY,\n   "user" TEXT,\n   "brand" TEXT,\n'
    '   "status" TEXT,\n   "data" TEXT,\n   "outcome" TEXT,\n   "created_at" TEXT,\n   "updated_at" TEXT,\n'
    '   "expires_on" TEXT,\n   "reminded" INTEGER,\n   "tracking" TEXT,\n   "quote_amount" REAL,\n'
    '   "quote_decision" TEXT\n)',
    'CREATE TABLE IF NOT EXISTS "rma_history" (\n   "id" INTEGER PRIMARY KEY,\n   "number" TEXT,\n   "at" TEXT,\n'
    '   "status" TEXT,\n   "by" TEXT,\n   "note" TEXT\n)',
    'CREATE TABLE IF NOT EXISTS "notices" (\n   "id" INTEGER PRIMARY KEY,\n   "target" TEXT,\n   "reply" TEXT,\n'
    '   "created_at" TEXT,\n   "sent" INTEGER\n)',
    'CREATE TABLE IF NOT EXISTS "tickets" (\n   "id" INTEGER PRIMARY KEY,\n   "user" TEXT,\n   "brand" TEXT,\n'
    '   "lang" TEXT,\n   "status" TEXT,\n   "reason" TEXT,\n   "opened_at" TEXT,\n   "posted_at" TEXT,\n'
    '   "claimed_by" TEXT,\n   "claimed_name" TEXT,\n   "claimed_at" TEXT,\n   "closed_at" TEXT,\n'
    '   "closed_by" TEXT,\n   "rating" INTEGER,\n   "reopened" INTEGER,\n   "last_ack" TEXT\n)',
    'CREATE TABLE IF NOT EXISTS "ticket_messages" (\n   "id" INTEGER PRIMARY KEY,\n   "ticket" INTEGER,\n'
    '   "at" TEXT,\n   "direction" TEXT,\n   "by" TEXT,\n   "text" TEXT,\n   "media" TEXT\n)',
    'CREATE TABLE IF NOT EXISTS "staff_threads" (\n   "user" TEXT PRIMARY KEY,\n   "thread" INTEGER,\n'
    '   "title" TEXT,\n   "created_at" TEXT\n)',
    'CREATE TABLE IF NOT EXISTS "staff_posts" (\n   "message" INTEGER PRIMARY KEY,\n   "user" TEXT\n)',
    'CREATE TABLE IF NOT EXISTS "bans" (\n   "user" TEXT PRIMARY KEY,\n   "by" TEXT,\n   "at" TEXT\n)',
    'CREATE TABLE IF NOT EXISTS "faq_overrides" (\n   "brand" TEXT,\n   "entry_id" TEXT,\n   "data" TEXT,\n'
    '   "base" TEXT,\n   PRIMARY KEY ("brand", "entry_id")\n)',
    'CREATE TABLE IF NOT EXISTS "faq_changes" (\n   "id" INTEGER PRIMARY KEY,\n   "brand" TEXT,\n'
    '   "entry_id" TEXT,\n   "action" TEXT,\n   "by" TEXT,\n   "at" TEXT,\n   "before" TEXT,\n   "after" TEXT,\n'
    '   "base" TEXT,\n   "undone" INTEGER,\n   "undoes" INTEGER\n)',
    'CREATE TABLE IF NOT EXISTS "feedback" (\n   "id" INTEGER PRIMARY KEY,\n   "user" TEXT,\n   "brand" TEXT,\n'
    '   "entry_id" TEXT,\n   "question" TEXT,\n   "helpful" INTEGER,\n   "at" TEXT\n)',
    'CREATE TABLE IF NOT EXISTS "unanswered" (\n   "id" INTEGER PRIMARY KEY,\n   "brand" TEXT,\n   "user" TEXT,\n'
    '   "text" TEXT,\n   "reason" TEXT,\n   "entry_id" TEXT,\n   "at" TEXT,\n   "done_at" TEXT,\n'
    '   "done_by" TEXT,\n   "done_action" TEXT\n)',
)

_INDEXES_1 = (
    "CREATE UNIQUE INDEX IF NOT EXISTS tickets_one_open on tickets(user) where status != 'closed'",
    'CREATE INDEX IF NOT EXISTS "idx_tickets_status"\n    ON "tickets" ("status")',
    'CREATE INDEX IF NOT EXISTS "idx_ticket_messages_ticket"\n    ON "ticket_messages" ("ticket")',
    'CREATE INDEX IF NOT EXISTS "idx_staff_threads_thread"\n    ON "staff_threads" ("thread")',
    'CREATE INDEX IF NOT EXISTS "idx_rmas_user"\n    ON "rmas" ("user")',
    'CREATE INDEX IF NOT EXISTS "idx_rmas_status"\n    ON "rmas" ("status")',
    'CREATE INDEX IF NOT EXISTS "idx_rma_history_number"\n    ON "rma_history" ("number")',
    'CREATE INDEX IF NOT EXISTS "idx_notices_sent"\n    ON "notices" ("sent")',
    'CREATE INDEX IF NOT EXISTS "idx_events_user"\n    ON "events" ("user")',
    'CREATE INDEX IF NOT EXISTS "idx_events_outcome"\n    ON "events" ("outcome")',
    'CREATE INDEX IF NOT EXISTS "idx_events_at"\n    ON "events" ("at")',
    'CREATE INDEX IF NOT EXISTS "idx_faq_changes_brand_entry_id"\n    ON "faq_changes" ("brand", "entry_id")',
    'CREATE INDEX IF NOT EXISTS "idx_feedback_brand_at"\n    ON "feedback" ("brand", "at")',
    "CREATE UNIQUE INDEX IF NOT EXISTS feedback_once on feedback(user, brand, entry_id, question)",
    'CREATE INDEX IF NOT EXISTS "idx_unanswered_brand_done_at"\n    ON "unanswered" ("brand", "done_at")',
)


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return set(sqlite_utils.Database(conn).table(table).columns_dict)


def _tables(conn: sqlite3.Connection) -> set[str]:
    return set(sqlite_utils.Database(conn).table_names())


def unversioned_schema(conn: sqlite3.Connection) -> None:
    """1: the tables and indexes as the unversioned store made them (each start re-ran this)."""
    for statement in _SCHEMA_1:
        conn.execute(statement)
    if "quote_currency" not in _columns(conn, "rmas"):  # added to the unversioned schema in place
        conn.execute('ALTER TABLE "rmas" ADD COLUMN "quote_currency" TEXT')
    for statement in _INDEXES_1:
        conn.execute(statement)


# every column holding a moment (``rmas.expires_on`` is a date in the brand's zone: not a moment)
MOMENT_COLUMNS = {
    "conversations": ("updated_at",),
    "events": ("at",),
    "outbox": ("at",),
    "walk_outcomes": ("at",),
    "rmas": ("created_at", "updated_at"),
    "rma_history": ("at",),
    "notices": ("created_at",),
    "tickets": ("opened_at", "posted_at", "claimed_at", "closed_at", "last_ack"),
    "ticket_messages": ("at",),
    "staff_threads": ("created_at",),
    "bans": ("at",),
    "faq_changes": ("at",),
    "feedback": ("at",),
    "unanswered": ("at", "done_at"),
}


def _as_utc(value: str | int | float | None) -> str | int | float | None:
    """A stored moment in UTC; a moment without an offset is taken as UTC, anything unreadable kept as it is."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)).isoformat()


def moments_in_utc(conn: sqlite3.Connection) -> None:
    """2: rewrite every stored moment in UTC."""
    conn.create_function("supportbot_utc", 1, _as_utc, deterministic=True)
    for table, columns in MOMENT_COLUMNS.items():
        for column in columns:
            conn.execute(f'UPDATE "{table}" SET "{column}" = supportbot_utc("{column}") WHERE "{column}" IS NOT NULL')


# the Telegram adapter's first tables, as bot.adapters.telegram.tables creates them (a test keeps them equal)
TELEGRAM_TABLES_1 = (
    "CREATE TABLE IF NOT EXISTS tg_offset (id INTEGER PRIMARY KEY CHECK (id = 1), next_update INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tg_topics (user TEXT PRIMARY KEY, thread INTEGER NOT NULL, title TEXT NOT NULL, "
    "created_at TEXT)",
    "CREATE INDEX IF NOT EXISTS tg_topics_thread ON tg_topics (thread)",
    "CREATE TABLE IF NOT EXISTS tg_posts (message INTEGER PRIMARY KEY, user TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tg_blocked (chat INTEGER PRIMARY KEY)",
)


def telegram_leaves_the_core(conn: sqlite3.Connection) -> None:
    """3: move the staff chat's topics and posts, the polling offset and blocked chats to the ``tg_`` tables."""
    tables = _tables(conn)
    legacy = [t for t in ("staff_threads", "staff_posts") if t in tables]
    keys = conn.execute("select count(*) from kv where key = 'telegram_offset' or key like 'blocked:%'").fetchone()[0]
    has_rows = any(conn.execute(f'select 1 from "{t}" limit 1').fetchone() for t in legacy)
    if has_rows or keys:
        for statement in TELEGRAM_TABLES_1:
            conn.execute(statement)
        if "staff_threads" in legacy:
            conn.execute(
                "INSERT OR REPLACE INTO tg_topics (user, thread, title, created_at) "
                "SELECT user, thread, coalesce(title, ''), created_at FROM staff_threads WHERE thread IS NOT NULL"
            )
        if "staff_posts" in legacy:
            conn.execute(
                "INSERT OR REPLACE INTO tg_posts (message, user) SELECT message, user FROM staff_posts "
                "WHERE user IS NOT NULL"
            )
        conn.execute(
            "INSERT OR REPLACE INTO tg_offset (id, next_update) SELECT 1, CAST(value AS INTEGER) FROM kv "
            "WHERE key = 'telegram_offset' AND trim(coalesce(value, '')) != ''"
        )
        conn.execute(
            "INSERT OR REPLACE INTO tg_blocked (chat) SELECT CAST(substr(key, 9) AS INTEGER) FROM kv "
            "WHERE key LIKE 'blocked:%' AND coalesce(value, '') != ''"
        )
    conn.execute("DELETE FROM kv WHERE key = 'telegram_offset' OR key LIKE 'blocked:%'")
    conn.execute("DROP INDEX IF EXISTS idx_staff_threads_thread")
    for table in legacy:
        conn.execute(f'DROP TABLE "{table}"')


def quote_declined_is_a_status(conn: sqlite3.Connection) -> None:
    """4: declined quotes get the status ``quote_declined``, in the request and in its history."""
    conn.execute(
        "UPDATE rmas SET status = 'quote_declined' WHERE status = 'quote_sent' AND quote_decision = 'declined'"
    )
    conn.execute("UPDATE rma_history SET status = 'quote_declined' WHERE status = 'quote_sent' AND by = 'customer'")


def outbox_by_age(conn: sqlite3.Connection) -> None:
    """5: an index on ``outbox.at`` for retention."""
    conn.execute('CREATE INDEX IF NOT EXISTS "idx_outbox_at" ON "outbox" ("at")')


MIGRATIONS: tuple[Migration, ...] = (
    unversioned_schema,
    moments_in_utc,
    telegram_leaves_the_core,
    quote_declined_is_a_status,
    outbox_by_age,
)
