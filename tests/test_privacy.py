"""Privacy (issue 19): forgetting one customer, and how long conversations are kept.

``supportbot forget`` removes everything of one customer and nothing of another; their RMAs stay for the
warranty records, without their key, name, contact or address. Retention prunes idle conversations, but
never one whose customer has an unsettled RMA or an open ticket.
"""

from __future__ import annotations

import io
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters.telegram.tables import TelegramTables
from bot.cli import main
from bot.config import Settings
from bot.core.errors import ConfigError
from bot.core.messages import Reply
from bot.engine import Engine, Message, fixed_clock
from bot.store import Keep, Store

from .conftest import MONDAY_10
from .rma_load import file_one

DAY = timedelta(days=1)
PER_USER = {  # table: the column holding the customer's key
    "conversations": "user",
    "events": "user",
    "outbox": "user",
    "notices": "target",
    "tickets": "user",
    "feedback": "user",
    "walk_outcomes": "user",
    "unanswered": "user",
    "bans": "user",
    "rmas": "user",
    "tg_topics": "user",
    "tg_posts": "user",
    "tg_queue": "target",
}


def a_customer(engine: Engine, tables: TelegramTables, user: str, n: int) -> str:
    """A customer who did everything the bot keeps: an RMA, a ticket with messages, votes, a walk…"""
    store = engine.store
    number = file_one(engine, user)
    engine.handle(Message(user=user, text="how long is the warranty?", id=f"tg:q{n}"))
    engine.handle(Message(user=user, text="/human", id=f"tg:h{n}"))
    engine.handle(Message(user=user, text="my camera is still dark", id=f"tg:m{n}"))
    store.feedback.record(user=user, brand="kimpok", entry_id="warranty", question="q", helpful=True, at=MONDAY_10)
    store.walks.record(user=user, brand="kimpok", tree="no-video", leaf="l", outcome="solved", tried=[], at=MONDAY_10)
    store.inbox.add(brand="kimpok", user=user, text="does it do 8K?", reason="unknown", entry_id=None, at=MONDAY_10)
    store.bans.add(user, by="tg:77", at=MONDAY_10)
    store.notices.add(user, {"text": "your RMA was received"}, MONDAY_10)
    tables.set_topic(user, 100 + n, f"Customer {n}")
    tables.add_post(200 + n, user)
    tables.block(int(user[3:]))
    tables.take(None, user, Reply("your request is in"))
    tables.take(None, f"staff:{user}", Reply("the customer wrote"))
    return number


def rows_of(db: Path, user: str) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {
            t: conn.execute(f"select count(*) from {t} where {c} = ?", [user]).fetchone()[0]
            for t, c in PER_USER.items()
        }
    finally:
        conn.close()


@pytest.fixture
def two_customers(shared_engine: Engine, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    db = tmp_path / "bot.db"
    engine = Engine(shared_engine.knowledge, store=Store(str(db)), clock=fixed_clock(MONDAY_10), consultants=True)
    tables = TelegramTables(str(db))
    numbers = {user: a_customer(engine, tables, user, n) for n, user in enumerate(("tg:12345", "tg:678"))}
    tables.close()
    engine.store.close()
    return db, numbers


def test_forget_removes_everything_of_one_customer_and_nothing_of_another(
    two_customers: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, numbers = two_customers
    kept = rows_of(db, "tg:678")
    assert all(kept.values()), kept  # the other customer has it all too
    assert rows_of(db, "tg:12345")["events"] > 0

    assert main(["forget", "12345", "--yes", "--db", str(db)]) == 0  # a bare Telegram id
    out = capsys.readouterr().out
    assert out.startswith("forgot tg:12345: ") and "tickets 1" in out and "Telegram records" in out
    assert "1 RMA kept for warranty records" in out

    assert not any(rows_of(db, "tg:12345").values()), rows_of(db, "tg:12345")
    assert rows_of(db, "tg:678") == kept
    conn = sqlite3.connect(db)
    assert (
        conn.execute("select count(*) from ticket_messages m join tickets t on t.id = m.ticket").fetchone()[0]
        == (conn.execute("select count(*) from ticket_messages").fetchone()[0])
    )  # no messages left of a ticket that went
    assert conn.execute("select count(*) from tg_blocked where chat = 12345").fetchone()[0] == 0
    assert conn.execute("select count(*) from tg_blocked where chat = 678").fetchone()[0] == 1
    conn.close()

    # the RMA is kept: listed and shown to staff, without the customer's key, contact or address
    assert main(["rma", "list", "--db", str(db)]) == 0
    listing = capsys.readouterr().out
    assert numbers["tg:12345"] in listing and numbers["tg:678"] in listing
    assert main(["rma", "show", numbers["tg:12345"], "--db", str(db)]) == 0
    card = capsys.readouterr().out
    assert "12345" not in card and "Garden Road" not in card and "load@example.com" not in card
    assert "forgotten:" in card and "IPC-B2M" in card and "K7F2-99812" in card and "awaiting shipment" in card
    assert main(["rma", "show", numbers["tg:678"], "--db", str(db)]) == 0
    other = capsys.readouterr().out
    assert "tg:678" in other and "Garden Road" in other

    # staff still move it on; nothing is queued for a customer who is not there any more
    assert main(["rma", "set-status", numbers["tg:12345"], "received", "--db", str(db)]) == 0
    assert "is now received" in capsys.readouterr().out
    store = Store(str(db))
    assert [t for _, t, _ in store.notices.pending(limit=1000) if "forgotten:" in t] == []
    assert store.rmas.get(numbers["tg:12345"])["status"] == "received"  # type: ignore[index]
    store.close()

    assert main(["forget", "tg:12345", "--yes", "--db", str(db)]) == 0  # again: nothing more to do
    assert "nothing more was kept about them" in capsys.readouterr().out
    assert rows_of(db, "tg:678") == kept


def test_forget_asks_to_type_the_key_again(
    two_customers: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _ = two_customers
    before = rows_of(db, "tg:12345")
    for typed in ("", "tg:678\n", "y\n"):
        monkeypatch.setattr("sys.stdin", io.StringIO(typed))
        assert main(["forget", "tg:12345", "--db", str(db)]) == 1
        assert "nothing was removed" in capsys.readouterr().err
        assert rows_of(db, "tg:12345") == before
    monkeypatch.setattr("sys.stdin", io.StringIO("tg:12345\n"))
    assert main(["forget", "tg:12345", "--db", str(db)]) == 0
    assert not any(rows_of(db, "tg:12345").values())


def test_forget_names_a_missing_or_newer_database_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["forget", "tg:1", "--yes", "--db", str(tmp_path / "nope.db")]) == 2
    err = capsys.readouterr().err
    assert err == f"supportbot: {tmp_path / 'nope.db'}: no such database\n"
    assert not (tmp_path / "nope.db").exists()
    newer = tmp_path / "newer.db"
    Store(str(newer)).close()
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    assert main(["forget", "tg:1", "--yes", "--db", str(newer)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"supportbot: {newer}: nothing was removed: ") and "version 99" in err
    assert err.count("\n") == 1


# -- retention of conversations -----------------------------------------------------------------------------


def test_idle_conversations_go_but_not_those_with_an_unsettled_rma_or_an_open_ticket(shared_engine: Engine) -> None:
    old = MONDAY_10 - 400 * DAY
    store = Store(":memory:", keep=Keep(conversations=365))
    then = Engine(shared_engine.knowledge, store=store, clock=fixed_clock(old), consultants=True)
    then.handle(Message(user="tg:1", text="how long is the warranty?"))  # idle for 400 days
    for user, status in (("tg:2", "awaiting_shipment"), ("tg:3", "closed")):  # an RMA under way, one closed
        then.handle(Message(user=user, text="/rma"))
        store.rmas.create(
            make_number=lambda u=user: f"RMA-000-AAAA-000{u[-1]}",
            user=user,
            brand="kimpok",
            status=status,
            data={},
            outcome="approved",
            at=old,
            expires_on=None,
        )
    then.handle(Message(user="tg:4", text="/human"))  # a ticket still open
    then.handle(Message(user="tg:5", text="/human"))
    then.staff("/close", by="tg:77", customer="tg:5", now=old + DAY)  # a ticket closed
    now = Engine(shared_engine.knowledge, store=store, clock=fixed_clock(MONDAY_10), consultants=True)
    now.handle(Message(user="tg:6", text="hello"))  # writes today
    now.handle(Message(user="tg:7", text="hello", now=MONDAY_10 - 364 * DAY))  # inside the window

    assert now.prune() >= 3
    left = {row[0] for row in store.db.read("select user from conversations")}
    assert left == {"tg:2", "tg:4", "tg:6", "tg:7"}
    assert len(store.rmas.find()) == 2 and len(store.tickets.find()) == 2  # RMAs and tickets are not pruned
    now.handle(Message(user="tg:1", text="hello again"))  # a forgotten customer simply starts afresh
    assert store.conversations.load("tg:1") is not None

    forever = Store(":memory:", keep=Keep(conversations=0))
    Engine(shared_engine.knowledge, store=forever, clock=fixed_clock(old)).handle(Message(user="tg:1", text="hi"))
    Engine(shared_engine.knowledge, store=forever, clock=fixed_clock(MONDAY_10)).prune()
    assert forever.conversations.load("tg:1") is not None


def test_the_conversations_setting_defaults_to_a_year_and_a_wrong_one_stops_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SUPPORTBOT_KEEP_CONVERSATIONS_DAYS", raising=False)
    assert Settings.from_env().keep.conversations == 365
    monkeypatch.setenv("SUPPORTBOT_KEEP_CONVERSATIONS_DAYS", "30")
    assert Settings.from_env().keep.conversations == 30
    monkeypatch.setenv("SUPPORTBOT_KEEP_CONVERSATIONS_DAYS", "a year")
    with pytest.raises(ConfigError, match=r"^SUPPORTBOT_KEEP_CONVERSATIONS_DAYS: "):
        Settings.from_env()
