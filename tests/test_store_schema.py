"""The store's versioned schema: an unversioned database from before opens, migrates and keeps every row."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from bot.adapters.telegram.tables import MIGRATIONS as TG_MIGRATIONS
from bot.adapters.telegram.tables import SCHEMA_1, TelegramTables, forget_customer
from bot.store import SchemaError, Store, utc
from bot.store.schema import MIGRATIONS, MOMENT_COLUMNS, TELEGRAM_TABLES_1

# the schema exactly as the unversioned Store._migrate left it (sqlite_master of a database it made)
LEGACY_SCHEMA = (
    'CREATE TABLE "conversations" ("user" TEXT PRIMARY KEY, "brand" TEXT, "lang" TEXT, "state" TEXT, '
    '"turns" INTEGER, "updated_at" TEXT)',
    'CREATE TABLE "events" ("id" INTEGER PRIMARY KEY, "user" TEXT, "brand" TEXT, "at" TEXT, "lang" TEXT, '
    '"text" TEXT, "outcome" TEXT, "entry_id" TEXT, "score" REAL, "reply" TEXT)',
    'CREATE TABLE "outbox" ("id" TEXT PRIMARY KEY, "user" TEXT, "replies" TEXT, "n_replies" INTEGER, '
    '"sent" INTEGER, "at" TEXT)',
    'CREATE TABLE "kv" ("key" TEXT PRIMARY KEY, "value" TEXT)',
    'CREATE TABLE "walk_outcomes" ("id" INTEGER PRIMARY KEY, "user" TEXT, "brand" TEXT, "tree" TEXT, '
    '"leaf" TEXT, "outcome" TEXT, "tried" TEXT, "rating" INTEGER, "at" TEXT)',
    'CREATE TABLE "rmas" ("number" TEXT PRIMARY KEY, "user" TEXT, "brand" TEXT, "status" TEXT, "data" TEXT, '
    '"outcome" TEXT, "created_at" TEXT, "updated_at" TEXT, "expires_on" TEXT, "reminded" INTEGER, '
    '"tracking" TEXT, "quote_amount" REAL, "quote_decision" TEXT, "quote_currency" TEXT)',
    'CREATE TABLE "rma_history" ("id" INTEGER PRIMARY KEY, "number" TEXT, "at" TEXT, "status" TEXT, "by" TEXT, '
    '"note" TEXT)',
    'CREATE TABLE "notices" ("id" INTEGER PRIMARY KEY, "target" TEXT, "reply" TEXT, "created_at" TEXT, "sent" INTEGER)',
    'CREATE TABLE "tickets" ("id" INTEGER PRIMARY KEY, "user" TEXT, "brand" TEXT, "lang" TEXT, "status" TEXT, '
    '"reason" TEXT, "opened_at" TEXT, "posted_at" TEXT, "claimed_by" TEXT, "claimed_name" TEXT, '
    '"claimed_at" TEXT, "closed_at" TEXT, "closed_by" TEXT, "rating" INTEGER, "reopened" INTEGER, '
    '"last_ack" TEXT)',
    'CREATE TABLE "ticket_messages" ("id" INTEGER PRIMARY KEY, "ticket" INTEGER, "at" TEXT, "direction" TEXT, '
    '"by" TEXT, "text" TEXT, "media" TEXT)',
    'CREATE TABLE "staff_threads" ("user" TEXT PRIMARY KEY, "thread" INTEGER, "title" TEXT, "created_at" TEXT)',
    'CREATE TABLE "staff_posts" ("message" INTEGER PRIMARY KEY, "user" TEXT)',
    'CREATE TABLE "bans" ("user" TEXT PRIMARY KEY, "by" TEXT, "at" TEXT)',
    'CREATE TABLE "faq_overrides" ("brand" TEXT, "entry_id" TEXT, "data" TEXT, "base" TEXT, '
    'PRIMARY KEY ("brand", "entry_id"))',
    'CREATE TABLE "faq_changes" ("id" INTEGER PRIMARY KEY, "brand" TEXT, "entry_id" TEXT, "action" TEXT, '
    '"by" TEXT, "at" TEXT, "before" TEXT, "after" TEXT, "base" TEXT, "undone" INTEGER, "undoes" INTEGER)',
    'CREATE TABLE "feedback" ("id" INTEGER PRIMARY KEY, "user" TEXT, "brand" TEXT, "entry_id" TEXT, '
    '"question" TEXT, "helpful" INTEGER, "at" TEXT)',
    'CREATE TABLE "unanswered" ("id" INTEGER PRIMARY KEY, "brand" TEXT, "user" TEXT, "text" TEXT, '
    '"reason" TEXT, "entry_id" TEXT, "at" TEXT, "done_at" TEXT, "done_by" TEXT, "done_action" TEXT)',
    "CREATE UNIQUE INDEX tickets_one_open on tickets(user) where status != 'closed'",
    'CREATE INDEX "idx_tickets_status" ON "tickets" ("status")',
    'CREATE INDEX "idx_ticket_messages_ticket" ON "ticket_messages" ("ticket")',
    'CREATE INDEX "idx_staff_threads_thread" ON "staff_threads" ("thread")',
    'CREATE INDEX "idx_rmas_user" ON "rmas" ("user")',
    'CREATE INDEX "idx_rmas_status" ON "rmas" ("status")',
    'CREATE INDEX "idx_rma_history_number" ON "rma_history" ("number")',
    'CREATE INDEX "idx_notices_sent" ON "notices" ("sent")',
    'CREATE INDEX "idx_events_user" ON "events" ("user")',
    'CREATE INDEX "idx_events_outcome" ON "events" ("outcome")',
    'CREATE INDEX "idx_events_at" ON "events" ("at")',
    'CREATE INDEX "idx_faq_changes_brand_entry_id" ON "faq_changes" ("brand", "entry_id")',
    'CREATE INDEX "idx_feedback_brand_at" ON "feedback" ("brand", "at")',
    "CREATE UNIQUE INDEX feedback_once on feedback(user, brand, entry_id, question)",
    'CREATE INDEX "idx_unanswered_brand_done_at" ON "unanswered" ("brand", "done_at")',
)

# the same moments as three writers with different offsets wrote them, and as UTC
CHINA = "2026-11-23T10:00:00+08:00"
UTC_WRITER = "2026-11-23T02:00:00.250000+00:00"
NEW_YORK = "2026-11-22T21:00:00-05:00"
AS_UTC = {
    CHINA: "2026-11-23T02:00:00+00:00",
    UTC_WRITER: "2026-11-23T02:00:00.250000+00:00",
    NEW_YORK: "2026-11-23T02:00:00+00:00",
}

ROWS: dict[str, list[dict[str, object]]] = {
    "conversations": [
        {"user": "tg:1", "brand": "kimpok", "lang": "en", "state": '{"flows": []}', "turns": 3, "updated_at": CHINA},
        {"user": "tg:2", "brand": "ktnc", "lang": "zh", "state": "{}", "turns": 1, "updated_at": NEW_YORK},
    ],
    "events": [
        {"id": 1, "user": "tg:1", "brand": "kimpok", "at": CHINA, "lang": "en", "text": "warranty?",
         "outcome": "answered", "entry_id": "warranty-length", "score": 0.9, "reply": "Two years."},
        {"id": 2, "user": "tg:2", "brand": "ktnc", "at": UTC_WRITER, "lang": "zh", "text": "zzz",
         "outcome": "unknown", "entry_id": None, "score": None, "reply": "Sorry?"},
    ],
    "outbox": [
        {"id": "tg:100", "user": "tg:1", "replies": json.dumps([{"text": "hi"}]), "n_replies": 1, "sent": 0,
         "at": NEW_YORK},
    ],
    "kv": [
        {"key": "desk:open", "value": "1"},
        {"key": "telegram_offset", "value": "8812"},
        {"key": "blocked:555", "value": "1"},
        {"key": "blocked:-77", "value": "1"},
    ],
    "walk_outcomes": [
        {"id": 1, "user": "tg:1", "brand": "kimpok", "tree": "no-picture", "leaf": "end", "outcome": "solved",
         "tried": '["power"]', "rating": 5, "at": CHINA},
    ],
    "rmas": [
        {"number": "RMA-000-AAAA-BBBB", "user": "tg:1", "brand": "kimpok", "status": "quote_sent",
         "data": '{"model": "X1"}', "outcome": "paid", "created_at": CHINA, "updated_at": NEW_YORK,
         "expires_on": "2026-12-08", "reminded": 0, "tracking": None, "quote_amount": 120.0,
         "quote_decision": None, "quote_currency": "USD"},
    ],
    "rma_history": [
        {"id": 1, "number": "RMA-000-AAAA-BBBB", "at": CHINA, "status": "requested", "by": "customer", "note": None},
        {"id": 2, "number": "RMA-000-AAAA-BBBB", "at": UTC_WRITER, "status": "quote_sent", "by": "Mei",
         "note": "120"},
    ],
    "notices": [
        {"id": 1, "target": "staff", "reply": json.dumps({"text": "card"}), "created_at": NEW_YORK, "sent": 0},
    ],
    "tickets": [
        {"id": 1, "user": "tg:1", "brand": "kimpok", "lang": "en", "status": "closed", "reason": "asked",
         "opened_at": CHINA, "posted_at": CHINA, "claimed_by": "tg:9", "claimed_name": "Mei",
         "claimed_at": UTC_WRITER, "closed_at": NEW_YORK, "closed_by": "tg:9", "rating": 4, "reopened": 0,
         "last_ack": None},
        {"id": 2, "user": "tg:2", "brand": "ktnc", "lang": "zh", "status": "waiting", "reason": "not_understood",
         "opened_at": NEW_YORK, "posted_at": None, "claimed_by": None, "claimed_name": None, "claimed_at": None,
         "closed_at": None, "closed_by": None, "rating": None, "reopened": 0, "last_ack": CHINA},
    ],
    "ticket_messages": [
        {"id": 1, "ticket": 1, "at": CHINA, "direction": "customer", "by": "tg:1", "text": "hello",
         "media": json.dumps([{"kind": "photo", "ref": "AgAD"}])},
    ],
    "staff_threads": [
        {"user": "tg:1", "thread": 4242, "title": "Ann · Kimpok · T-1", "created_at": CHINA},
        {"user": "tg:2", "thread": 4343, "title": None, "created_at": NEW_YORK},
    ],
    "staff_posts": [{"message": 901, "user": "tg:2"}],
    "bans": [{"user": "tg:666", "by": "tg:9", "at": NEW_YORK}],
    "faq_overrides": [
        {"brand": "kimpok", "entry_id": "warranty-length", "data": '{"answer": "Two."}', "base": "null"},
    ],
    "faq_changes": [
        {"id": 1, "brand": "kimpok", "entry_id": "warranty-length", "action": "edit", "by": "Ada (tg:1)",
         "at": CHINA, "before": None, "after": '{"answer": "Two."}', "base": "null", "undone": 0, "undoes": None},
    ],
    "feedback": [
        {"id": 1, "user": "tg:1", "brand": "kimpok", "entry_id": "warranty-length", "question": "warranty?",
         "helpful": 1, "at": UTC_WRITER},
    ],
    "unanswered": [
        {"id": 1, "brand": "kimpok", "user": "tg:2", "text": "zzz", "reason": "unknown", "entry_id": None,
         "at": NEW_YORK, "done_at": CHINA, "done_by": "Ada", "done_action": "dismissed"},
    ],
}  # fmt: skip


def legacy_database(path: Path) -> None:
    """A database as the unversioned store left it (user_version 0), with rows in every table."""
    conn = sqlite3.connect(path)
    for statement in LEGACY_SCHEMA:
        conn.execute(statement)
    for table, rows in ROWS.items():
        for row in rows:
            columns = ", ".join(f'"{c}"' for c in row)
            conn.execute(
                f'insert into "{table}" ({columns}) values ({", ".join("?" for _ in row)})', list(row.values())
            )
    conn.commit()
    assert conn.execute("pragma user_version").fetchone()[0] == 0
    conn.close()


def _expected(table: str, row: dict[str, object]) -> dict[str, object]:
    moments = MOMENT_COLUMNS.get(table, ())
    return {c: AS_UTC[v] if c in moments and isinstance(v, str) else v for c, v in row.items()}


def _all(store: Store, table: str) -> list[dict[str, object]]:
    return store.db.rows(f'select * from "{table}" order by rowid')


def test_an_unversioned_database_is_migrated_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    legacy_database(path)
    store = Store(str(path))
    assert store.db.version == len(MIGRATIONS) == 5
    kept = [t for t in ROWS if t not in ("staff_threads", "staff_posts", "kv")]
    for table in kept:
        assert _all(store, table) == [_expected(table, r) for r in ROWS[table]], table
    # moments are UTC strings now; the RMA's validity is a local date and stays as it was
    assert store.rmas.get("RMA-000-AAAA-BBBB")["expires_on"] == "2026-12-08"  # type: ignore[index]
    assert store.tickets.get(1)["closed_at"] == "2026-11-23T02:00:00+00:00"  # type: ignore[index]
    # Telegram's data left the core schema: its tables are gone, its kv keys too, the rest of kv stays
    tables = {r[0] for r in store.db.read("select name from sqlite_master where type = 'table'")}
    assert not tables & {"staff_threads", "staff_posts"}
    assert _all(store, "kv") == [{"key": "desk:open", "value": "1"}]
    assert store.settings.get("desk:open") == "1"
    # and the areas read the migrated rows
    assert store.conversations.load("tg:1") is not None and store.bans.banned("tg:666")
    assert store.faq.version() == 1 and store.outbox.unsent()[0].replies == [{"text": "hi"}]
    store.close()

    # the Telegram adapter finds its data in its own tables
    tables_tg = TelegramTables(str(path))
    assert tables_tg.version == len(TG_MIGRATIONS) == 4  # and the adapter adds its own steps
    assert tables_tg.offset() == 8812
    assert tables_tg.topic("tg:1") == (4242, "Ann · Kimpok · T-1") and tables_tg.topic("tg:2") == (4343, "")
    assert tables_tg.customer_of_topic(4343) == "tg:2" and tables_tg.customer_of_post(901) == "tg:2"
    assert tables_tg.blocked(555) and tables_tg.blocked(-77) and not tables_tg.blocked(1)
    created = tables_tg._one("select created_at from tg_topics where user = 'tg:1'", [])
    assert created == ("2026-11-23T02:00:00+00:00",)
    tables_tg.close()

    # opening again changes nothing
    again = Store(str(path))
    assert again.db.version == len(MIGRATIONS)
    assert _all(again, "events") == [_expected("events", r) for r in ROWS["events"]]
    again.close()


def test_an_unversioned_database_from_before_quote_currency_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    conn = sqlite3.connect(path)
    for statement in LEGACY_SCHEMA:
        conn.execute(statement.replace(', "quote_currency" TEXT', ""))
    conn.execute("insert into rmas (number, user, created_at) values ('RMA-1', 'u', ?)", [CHINA])
    conn.commit()
    conn.close()
    store = Store(str(path))
    row = store.rmas.get("RMA-1")
    assert row is not None and row["quote_currency"] is None and row["created_at"] == AS_UTC[CHINA]
    store.close()


def test_a_new_database_has_no_telegram_tables_until_the_adapter_makes_them(tmp_path: Path) -> None:
    path = str(tmp_path / "new.db")
    store = Store(path)
    names = {r[0] for r in store.db.read("select name from sqlite_master")}
    assert store.db.version == len(MIGRATIONS) and not [n for n in names if n.startswith(("tg_", "staff_"))]
    tables = TelegramTables(path)
    tables.set_offset(5)
    tables.block(3)
    tables.unblock(3)
    assert tables.offset() == 5 and not tables.blocked(3) and tables.version == len(TG_MIGRATIONS)
    tables.close()
    store.close()


def test_the_store_hands_telegram_data_over_in_the_adapters_first_schema(tmp_path: Path) -> None:
    # the core migration creates the tg_ tables when it has data to move: they must be the adapter's own
    moved, made = tmp_path / "moved.db", tmp_path / "made.db"
    legacy_database(moved)
    Store(str(moved)).close()
    with sqlite3.connect(made) as conn:  # the adapter's first schema, as its own first step makes it
        for statement in SCHEMA_1:
            conn.execute(statement)
    conn.close()

    def schema(path: Path) -> set[str]:
        conn = sqlite3.connect(path)
        rows = conn.execute("select sql from sqlite_master where name like 'tg\\_%' escape '\\' and sql is not null")
        found = {r[0] for r in rows if "tg_version" not in r[0]}
        conn.close()
        return found

    assert TELEGRAM_TABLES_1 == SCHEMA_1
    assert schema(moved) == schema(made) and len(schema(made)) == 5
    # and the adapter takes either on to its newest schema: the same as a new database gets
    fresh = tmp_path / "fresh.db"
    for path in (moved, made, fresh):
        TelegramTables(str(path)).close()
    assert schema(moved) == schema(made) == schema(fresh) and len(schema(fresh)) > 5


def test_a_database_from_a_newer_bot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("pragma user_version = 99")
    conn.close()
    with pytest.raises(SchemaError, match="version 99"):
        Store(str(path))


def test_moments_are_written_in_utc_and_need_an_offset() -> None:
    assert utc(datetime.fromisoformat(CHINA)) == "2026-11-23T02:00:00+00:00"
    assert utc(NEW_YORK) == "2026-11-23T02:00:00+00:00"
    with pytest.raises(ValueError, match="offset"):
        utc(datetime(2026, 11, 23, 10))
    store = Store(":memory:")
    store.events.log({"user": "u", "brand": "kimpok", "at": datetime.fromisoformat(CHINA), "outcome": "answered"})
    store.walks.record(
        user="u", brand="kimpok", tree="t", leaf="l", outcome="solved", tried=[], at=datetime.fromisoformat(NEW_YORK)
    )
    assert store.events.all("u")[0]["at"] == store.walks.all()[0]["at"] == "2026-11-23T02:00:00+00:00"


def test_rma_quote_declined_a_declined_quote_from_before_becomes_its_own_status(tmp_path: Path) -> None:
    # issue 17, item 2: a decline used to leave the request "quote_sent" with quote_decision "declined"
    path = tmp_path / "v3.db"
    store = Store(str(path))
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("pragma user_version = 3")
    for number, decision in (("RMA-000-AAAA-0001", "declined"), ("RMA-000-AAAA-0002", None)):
        conn.execute(
            "insert into rmas (number, user, brand, status, data, created_at, quote_amount, quote_decision) "
            "values (?, 'u', 'kimpok', 'quote_sent', '{}', ?, 120, ?)",
            [number, AS_UTC[CHINA], decision],
        )
        conn.execute(
            "insert into rma_history (number, at, status, by, note) values (?, ?, 'quote_sent', 'Mei', '120')",
            [number, AS_UTC[CHINA]],
        )
    conn.execute(
        "insert into rma_history (number, at, status, by, note) "
        "values ('RMA-000-AAAA-0001', ?, 'quote_sent', 'customer', 'quote declined')",
        [AS_UTC[CHINA]],
    )
    conn.commit()
    conn.close()
    store = Store(str(path))
    assert store.db.version == len(MIGRATIONS)
    assert [r["number"] for r in store.rmas.find(status="quote_declined")] == ["RMA-000-AAAA-0001"]
    assert store.rmas.get("RMA-000-AAAA-0002")["status"] == "quote_sent"  # type: ignore[index]
    history = [(h["status"], h["by"], h["note"]) for h in store.rmas.history("RMA-000-AAAA-0001")]
    assert history == [("quote_sent", "Mei", "120"), ("quote_declined", "customer", "quote declined")]
    store.close()


def test_updates_kept_as_fetched_stay_until_handled_for_each_bot_and_forget_takes_a_customers(
    tmp_path: Path,
) -> None:
    """What a crash between fetching and handling leaves is found again at the next start, and only that."""
    path = str(tmp_path / "bot.db")
    tables = TelegramTables(path)
    ann = {"update_id": 10, "message": {"message_id": 1, "chat": {"id": 42, "type": "private"}, "text": "hi"}}
    press = {"update_id": 11, "callback_query": {"id": "q", "from": {"id": 43}, "data": "menu"}}
    other = {"update_id": 10, "message": {"message_id": 1, "chat": {"id": 44, "type": "private"}, "text": "chào"}}
    tables.keep_updates([ann, press])
    tables.keep_updates([ann])  # fetched again (a save failed): kept once
    tables.keep_updates([other], "ktnc")  # another bot's ids are its own
    assert tables.kept_updates() == [ann, press]
    tables.set_offset(11)  # the first is handled
    assert tables.kept_updates() == [press] and tables.kept_updates("ktnc") == [other]
    tables.close()
    assert forget_customer(path, "tg:43") == 1  # their press, not yet handled, goes with them
    tables = TelegramTables(path)
    assert tables.kept_updates() == [] and tables.kept_updates("ktnc") == [other]
    tables.close()
