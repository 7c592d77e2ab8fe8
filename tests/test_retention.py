"""Retention (issue 18): old events, delivered replies and dealt-with inbox questions are forgotten on a schedule.

What must never go: a reply not delivered yet, anything inside its window, an open ticket's exchanges, the
admins' unseen inbox, and every table retention does not own (conversations, RMAs, tickets, FAQ changes…).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.settings import TelegramSettings
from bot.cli import main
from bot.config import Settings
from bot.core.errors import ConfigError
from bot.engine import Engine, Message
from bot.store import Keep, Store, utc
from bot.store.faq import INBOX_SHOWN
from bot.store.retention import Retention
from bot.store.schema import MIGRATIONS

from .conftest import MONDAY_10, ROOT

DAY = timedelta(days=1)


class Clock:
    """A clock the test moves on."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def engine_on(shared_engine: Engine, store: Store, clock: Clock, *, consultants: bool = False) -> Engine:
    return Engine(shared_engine.knowledge, store=store, clock=clock, consultants=consultants)


def ask(engine: Engine, user: str, text: str, message_id: str, at: datetime) -> int:
    """A customer's message on Telegram, handled and delivered; returns how many replies it got."""
    replies = engine.handle(Message(user=user, text=text, id=message_id, now=at))
    engine.mark_sent(message_id, len(replies))
    return len(replies)


def count(store: Store, table: str) -> int:
    row = store.db.one(f"select count(*) from {table}")
    assert row is not None
    return int(row[0])


# -- the outbox: Telegram's replays ---------------------------------------------------------------------------


def test_a_replayed_message_is_answered_once_within_the_window_and_undelivered_replies_are_never_forgotten(
    shared_engine: Engine,
) -> None:
    clock = Clock(MONDAY_10)
    store = Store(":memory:", keep=Keep(outbox=3))
    engine = engine_on(shared_engine, store, clock)
    ask(engine, "tg:1", "how long is the warranty?", "tg:100", MONDAY_10)
    engine.handle(Message(user="tg:2", text="who pays shipping?", id="tg:200", now=MONDAY_10))  # never delivered

    clock.now = MONDAY_10 + 3 * DAY - timedelta(minutes=1)
    assert engine.prune() == 0
    engine.handle(Message(user="tg:1", text="how long is the warranty?", id="tg:100"))  # Telegram sends it again
    assert len(store.events.all("tg:1")) == 1  # recognised: not handled a second time

    clock.now = MONDAY_10 + 3 * DAY + timedelta(minutes=1)
    assert engine.prune() == 1
    assert engine.delivered("tg:100") == 0  # forgotten: the delivered reply is gone
    assert [u.message_id for u in engine.unsent()] == ["tg:200"]  # the one still to deliver stays

    clock.now = MONDAY_10 + 400 * DAY
    engine.prune()
    assert [u.message_id for u in engine.unsent()] == ["tg:200"]  # whatever its age


# -- events: the log /stats and the consultants' cards read ------------------------------------------------------


def test_old_events_go_but_an_open_tickets_exchanges_stay_on_its_card(shared_engine: Engine) -> None:
    old = MONDAY_10 - 200 * DAY
    clock = Clock(old)
    store = Store(":memory:", keep=Keep(events=180))
    engine = engine_on(shared_engine, store, clock, consultants=True)
    ask(engine, "tg:1", "how long is the warranty?", "tg:1", old)  # then asks for a person: the ticket stays open
    ask(engine, "tg:1", "/human", "tg:2", old + timedelta(minutes=1))
    assert store.tickets.active("tg:1") is not None
    ask(engine, "tg:2", "who pays shipping for an rma?", "tg:3", old)  # no ticket
    ask(engine, "tg:2", "is lightning damage covered?", "tg:4", MONDAY_10 - 179 * DAY)  # inside the window

    clock.now = MONDAY_10
    engine.prune()
    assert [e["text"] for e in store.events.all("tg:2")] == ["is lightning damage covered?"]
    card = engine.topic_card("tg:1")
    assert card is not None and "how long is the warranty?" in card.text
    assert len(store.events.all("tg:1")) == 2


# -- the admins' inbox -----------------------------------------------------------------------------------------


def _question(store: Store, text: str, at: datetime, *, brand: str = "kimpok") -> None:
    store.inbox.add(brand=brand, user="tg:9", text=text, reason="unknown", entry_id=None, at=at)


def test_inbox_questions_an_admin_dealt_with_go_after_the_window_those_nobody_saw_stay() -> None:
    store = Store(":memory:", keep=Keep(unanswered=90))
    _question(store, "dealt with, long ago", MONDAY_10 - 100 * DAY)
    _question(store, "dealt with, lately", MONDAY_10 - 10 * DAY)
    _question(store, "never looked at, long ago", MONDAY_10 - 300 * DAY)
    done = [r["id"] for r in store.inbox.open("kimpok") if r["text"].startswith("dealt")]
    store.inbox.close(done, by="tg:1", action="dismissed", at=MONDAY_10 - 5 * DAY)

    assert store.retention.prune(MONDAY_10).unanswered == 1
    assert [r["text"] for r in store.inbox.open("kimpok")] == ["never looked at, long ago"]
    assert store.inbox.has(user="tg:9", brand="kimpok", text="dealt with, lately", entry_id=None)
    assert not store.inbox.has(user="tg:9", brand="kimpok", text="dealt with, long ago", entry_id=None)


def test_an_inbox_nobody_reads_keeps_what_unanswered_shows() -> None:
    store = Store(":memory:", keep=Keep(unanswered=90))
    with store.db.write() as conn:  # more open questions than /unanswered shows, all old, and one of ktnc
        conn.executemany(
            "insert into unanswered (brand, user, text, reason, at) values ('kimpok', 'tg:9', ?, 'unknown', ?)",
            [(f"question {n}", utc(MONDAY_10 - (400 - n / 100) * DAY)) for n in range(INBOX_SHOWN + 5)],
        )
    _question(store, "another brand's", MONDAY_10 - 400 * DAY, brand="ktnc")
    shown = store.inbox.open("kimpok")

    assert store.retention.prune(MONDAY_10).unanswered == 5  # the oldest five, which it never showed
    assert store.inbox.open("kimpok") == shown
    assert len(store.inbox.open("ktnc")) == 1


# -- what retention never touches, and how it works ------------------------------------------------------------


def test_rmas_tickets_faq_changes_and_the_rest_are_never_pruned(shared_engine: Engine) -> None:
    old = MONDAY_10 - 1000 * DAY
    clock = Clock(old)
    # conversations have their own window (tests/test_privacy.py): 0 keeps them for ever
    store = Store(":memory:", keep=Keep(events=1, outbox=1, unanswered=1, conversations=0))
    engine = engine_on(shared_engine, store, clock, consultants=True)
    ask(engine, "tg:1", "/human", "tg:1", old)
    engine.staff("/close", by="tg:77", customer="tg:1", now=old + timedelta(minutes=5))  # a closed ticket
    ask(engine, "tg:2", "/human", "tg:2", old)  # an open one
    store.rmas.create(
        make_number=lambda: "RMA-000-AAAA-0001",
        user="tg:3",
        brand="kimpok",
        status="approved",
        data={},
        outcome="approved",
        at=old,
        expires_on=None,
    )
    store.faq.change(
        brand="kimpok",
        entry_id="x",
        action="add",
        by="tg:1",
        at=old,
        before=None,
        after={"q": 1},
        override=True,
        base=None,
    )
    store.feedback.record(user="tg:1", brand="kimpok", entry_id="x", question="q", helpful=True, at=old)
    store.walks.record(user="tg:1", brand="kimpok", tree="t", leaf="l", outcome="solved", tried=[], at=old)
    store.bans.add("tg:4", by="tg:77", at=old)
    kept = ("conversations", "rmas", "rma_history", "tickets", "ticket_messages", "faq_changes", "faq_overrides")
    kept += ("feedback", "walk_outcomes", "bans", "kv")
    before = {t: count(store, t) for t in kept}
    assert before["tickets"] == 2 and before["rmas"] == 1

    clock.now = MONDAY_10
    assert engine.prune() > 0
    assert {t: count(store, t) for t in kept} == before


def test_pruning_goes_in_short_transactions_and_zero_keeps_for_ever() -> None:
    store = Store(":memory:")
    for n in range(10):
        store.events.log({"user": f"u{n}", "brand": "kimpok", "at": MONDAY_10 - 100 * DAY, "text": "hi"})
    begun: list[str] = []
    store.db.conn.set_trace_callback(lambda sql: begun.append(sql) if sql.startswith("BEGIN") else None)

    assert Retention(store.db, Keep(events=0, outbox=0, unanswered=0)).prune(MONDAY_10).total == 0
    assert Retention(store.db, Keep(events=30), batch=3).prune(MONDAY_10).events == 10
    assert count(store, "events") == 0
    events_batches = 4  # 3 + 3 + 3 + 1: each batch its own write transaction, the others write in between
    assert len(begun) >= events_batches and all(b == "BEGIN IMMEDIATE" for b in begun)


def test_an_older_database_gains_the_outbox_index(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    Store(str(path)).close()
    conn = sqlite3.connect(path)
    conn.execute("drop index idx_outbox_at")
    conn.execute("pragma user_version = 4")
    conn.close()
    store = Store(str(path))
    assert store.db.version == len(MIGRATIONS) == 5
    assert store.db.one("select 1 from sqlite_master where name = 'idx_outbox_at'") is not None
    plan = store.db.read("explain query plan select rowid from outbox where at < ? and sent >= n_replies", ["x"])
    assert any("idx_outbox_at" in str(step) for step in plan)


# -- the settings ----------------------------------------------------------------------------------------------


def test_the_settings_have_defaults_and_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EVENTS", "OUTBOX", "UNANSWERED"):
        monkeypatch.delenv(f"SUPPORTBOT_KEEP_{name}_DAYS", raising=False)
    assert Settings.from_env().keep == Keep(events=180, outbox=7, unanswered=90)
    monkeypatch.setenv("SUPPORTBOT_KEEP_EVENTS_DAYS", "365")
    monkeypatch.setenv("SUPPORTBOT_KEEP_OUTBOX_DAYS", " 3 ")
    monkeypatch.setenv("SUPPORTBOT_KEEP_UNANSWERED_DAYS", "0")
    assert Settings.from_env().keep == Keep(events=365, outbox=3, unanswered=0)


@pytest.mark.parametrize("value", ["seven", "-1", "1.5", "99999999", "٣"])
def test_a_wrong_retention_setting_stops_start_up_with_one_line_naming_it(
    value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPPORTBOT_KEEP_OUTBOX_DAYS", value)
    with pytest.raises(ConfigError, match="SUPPORTBOT_KEEP_OUTBOX_DAYS"):
        Settings.from_env()
    assert main(["ask", "--jsonl"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("supportbot: SUPPORTBOT_KEEP_OUTBOX_DAYS: ") and err.count("\n") == 1


# -- when it runs ----------------------------------------------------------------------------------------------


async def test_the_running_telegram_bot_prunes_on_its_schedule(shared_engine: Engine, tmp_path: Path) -> None:
    clock = Clock(MONDAY_10)
    path = str(tmp_path / "bot.db")
    engine = engine_on(shared_engine, Store(path, keep=Keep(outbox=2)), clock)
    ask(engine, "tg:1", "how long is the warranty?", "tg:1", MONDAY_10)
    adapter = TelegramAdapter(engine, TelegramSettings(token="1:x", db_path=path), clock=clock)
    stop = asyncio.Event()
    upkeep = asyncio.create_task(adapter.run_upkeep(stop, every=0.05))
    await asyncio.sleep(0.2)
    assert engine.delivered("tg:1") > 0  # inside the window: kept

    clock.now = MONDAY_10 + 3 * DAY  # the bot keeps running: no restart
    for _ in range(100):
        await asyncio.sleep(0.05)
        if engine.delivered("tg:1") == 0:
            break
    assert engine.delivered("tg:1") == 0
    stop.set()
    await asyncio.wait_for(upkeep, 5)
    adapter.close()


def test_the_batch_interface_prunes_at_start(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    store = Store(str(path))
    store.events.log({"user": "a", "brand": "kimpok", "at": MONDAY_10 - 10 * DAY, "text": "old"})
    store.events.log({"user": "a", "brand": "kimpok", "at": MONDAY_10 - DAY, "text": "recent"})
    store.close()
    environment = {"SUPPORTBOT_DB": str(path), "SUPPORTBOT_KEEP_EVENTS_DAYS": "5", "SUPPORTBOT_CONTENT": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--jsonl", "--now", MONDAY_10.isoformat()],
        input="",
        capture_output=True,
        text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("SUPPORTBOT_")}, **environment},
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert [e["text"] for e in Store(str(path)).events.all()] == ["recent"]
