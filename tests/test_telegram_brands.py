"""Several brands from one installation, end to end: the real bot process against the fake Bot API.

Two bots (a token per brand) on one database, with one staff chat; and one bot serving two brands.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.config import bots_from_env
from bot.core.errors import ConfigError

from .botprocess import BotProcess
from .fakebot import FakeBotAPI, Sent

MONDAY_10 = "2026-11-23T10:00:00+08:00"
STAFF = -100777
CONSULTANT = 7001
KTNC_TOKEN = "654321:KTNC-TOKEN"
WARRANTY = "how long is the warranty?"
FAST = {"SUPPORTBOT_GROUP_RATE": "6000"}


async def said(fake: FakeBotAPI, chat: int, expected: str, *, after: int = 0, thread: int | None = None) -> Sent:
    def messages() -> list[Sent]:
        return (fake.sent_to_thread(chat, thread) if thread is not None else fake.sent_to(chat))[after:]

    await fake.wait_for(lambda: any(expected in s.text for s in messages()))
    return next(s for s in messages() if expected in s.text)


async def test_two_bots_on_one_database_keep_their_brands_and_customers_apart(fake: FakeBotAPI, tmp_path: Path) -> None:
    ktnc = fake.another_bot(KTNC_TOKEN, 888000, "ktnc_support_bot")
    fake.make_forum(STAFF)
    bots = f"kimpok={fake.token},ktnc={KTNC_TOKEN}"
    process = BotProcess(
        fake, tmp_path, SUPPORTBOT_NOW=MONDAY_10, SUPPORTBOT_STAFF_CHAT_ID=str(STAFF), SUPPORTBOT_BOTS=bots, **FAST
    )
    await process.start(ready=lambda: any(m == "getUpdates" for m, _ in ktnc.calls))
    try:
        # the same person (chat 401) writes to both bots: each answers with its brand's warranty
        await fake.customer_text(401, WARRANTY)
        await ktnc.customer_text(401, WARRANTY)
        kimpok_answer = await said(fake, 401, "1 year")
        ktnc_answer = await said(ktnc, 401, "3 years")
        assert "3 years" not in kimpok_answer.text and "KT&C" in ktnc_answer.text
        assert not any("3 years" in s.text for s in fake.sent_to(401))
        assert "brand" not in {c["command"] for c in ktnc.commands[None]}  # a bot of one brand has no /brand

        # KT&C's customer asks for a person: the card and topic in the shared staff chat name the brand
        await ktnc.customer_text(401, "/human")
        await said(ktnc, 401, "passed your chat to our consultants")
        await fake.wait_for(lambda: len(fake.topics_created) == 1)
        ((_, thread, title),) = fake.topics_created
        assert "KT&C" in title
        card = await said(fake, STAFF, "KT&C", thread=thread)
        assert WARRANTY in card.text

        # the consultant's answer goes out through the bot the customer wrote to, and only there
        before_kimpok = len(fake.sent_to(401))
        await fake.staff_text(STAFF, CONSULTANT, "Hello from the desk", thread=thread)
        await said(ktnc, 401, "Hello from the desk")
        assert not any("Hello from the desk" in s.text for s in fake.sent_to(401)[before_kimpok:])

        # Kimpok's conversation with the same person was not touched by the handoff
        await fake.customer_text(401, WARRANTY)
        await fake.wait_for(lambda: sum("1 year" in s.text for s in fake.sent_to(401)) == 2)
    finally:
        await process.stop()
    with sqlite3.connect(tmp_path / "bot.db") as db:
        rows = dict(db.execute("select user, brand from conversations").fetchall())
        offsets = db.execute("select bot from tg_bot_offset").fetchall()
    assert rows == {"tg:401": "kimpok", "tg:ktnc:401": "ktnc"}  # the first bot keeps a single bot's keys
    assert offsets == [("ktnc",)]  # the second bot's polling offset is its own


async def test_one_bot_with_two_brands_asks_first_and_a_deep_link_chooses(fake: FakeBotAPI, tmp_path: Path) -> None:
    process = BotProcess(fake, tmp_path, SUPPORTBOT_NOW=MONDAY_10, SUPPORTBOT_BRANDS="kimpok,ktnc")
    await process.start()
    try:
        assert "brand" in {c["command"] for c in fake.commands[None]}  # /brand is in its menu
        await fake.customer_text(501, WARRANTY)
        question = await said(fake, 501, "Which brand is your product?")
        assert [label for label, _ in question.buttons] == ["Kimpok", "KT&C"]
        assert not any("year" in s.text for s in fake.sent_to(501))
        await fake.customer_press(501, question, "KT&C")
        await said(fake, 501, "3 years")  # the question asked first is answered, for the brand chosen
        before = len(fake.sent_to(501))
        await fake.customer_text(501, "/brand")
        again = await said(fake, 501, "Which brand is your product?", after=before)
        await fake.customer_press(501, again, "Kimpok")
        await said(fake, 501, "I'm the Kimpok after-sales assistant")
        await fake.customer_text(501, WARRANTY)
        await said(fake, 501, "1 year")

        # t.me/<bot>?start=kimpok: the next answer is Kimpok's, without the question
        await fake.customer_text(502, "/start kimpok")
        await said(fake, 502, "I'm the Kimpok after-sales assistant")
        await fake.customer_text(502, WARRANTY)
        await said(fake, 502, "1 year")
        assert not any("Which brand" in s.text for s in fake.sent_to(502))

        # a deep link to a brand this bot does not serve: a polite word and the choices
        await fake.customer_text(503, "/start acme")
        await said(fake, 503, 'doesn\'t serve "acme"')
    finally:
        await process.stop()


async def test_an_unknown_brand_in_the_bots_setting_stops_start_up_with_one_line(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    # a day whose year and the next have holiday data: start-up has nothing else to say
    bots = f"kimpok={fake.token},acme={KTNC_TOKEN}"
    process = BotProcess(fake, tmp_path, SUPPORTBOT_BOTS=bots, SUPPORTBOT_NOW="2026-06-01T10:00:00+08:00")
    with pytest.raises(AssertionError):
        await process.start(timeout=20)
    assert await process.stop() not in (0, None)
    lines = [line for line in process.log.read_text().splitlines() if line.strip()]
    assert lines == [line for line in lines if "SUPPORTBOT_BOTS: unknown brand 'acme' (known:" in line] != []
    assert "Traceback" not in process.log.read_text()


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"SUPPORTBOT_BOTS": "kimpok"}, "SUPPORTBOT_BOTS: 'kimpok' is not brand=<token>"),
        ({"SUPPORTBOT_BOTS": "kimpok=1:a,kimpok=2:b"}, "listed twice"),
        ({"SUPPORTBOT_BOTS": "kimpok=1:a,ktnc=1:a"}, "listed twice"),
        ({"SUPPORTBOT_BOTS": "kimpok=1:a", "TELEGRAM_BOT_TOKEN": "2:b"}, "list TELEGRAM_BOT_TOKEN's bot first"),
        ({"SUPPORTBOT_BRANDS": "ktnc", "TELEGRAM_BOT_TOKEN": "2:b"}, "SUPPORTBOT_BRANDS: 'ktnc' is one brand"),
    ],
)
def test_a_wrong_bots_setting_is_named(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], problem: str) -> None:
    for name in ("SUPPORTBOT_BOTS", "SUPPORTBOT_BRANDS", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=r"^SUPPORTBOT_(BOTS|BRANDS): ") as caught:
        bots_from_env()
    assert problem in str(caught.value) and "\n" not in str(caught.value)


def test_the_bots_setting_names_the_first_bot_as_a_single_bot_was(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:a")
    monkeypatch.setenv("SUPPORTBOT_BOTS", "kimpok=1:a, ktnc+jingpin=2:b")
    monkeypatch.delenv("SUPPORTBOT_BRANDS", raising=False)
    assert bots_from_env() == (("", "1:a", "kimpok", ()), ("ktnc", "2:b", None, ("ktnc", "jingpin")))


def test_the_adapters_tables_from_before_become_the_first_bots(tmp_path: Path) -> None:
    from bot.adapters.telegram.tables import MIGRATIONS, TelegramTables

    path = str(tmp_path / "old.db")
    with sqlite3.connect(path) as db:  # a database of the version before several bots
        for step in MIGRATIONS[:2]:
            step(db)
        db.execute("CREATE TABLE tg_version (version INTEGER NOT NULL)")
        db.execute("INSERT INTO tg_version VALUES (2)")
        db.execute("INSERT INTO tg_blocked (chat, staff_told) VALUES (401, 1)")
        db.execute("INSERT INTO tg_offset (id, next_update) VALUES (1, 77)")
    tables = TelegramTables(path)
    try:
        assert tables.version == 4
        assert tables.blocked(401) and not tables.blocked(401, "ktnc")  # blocked the first bot, not the second
        assert not tables.staff_told_blocked(401)  # the staff chat was told before
        assert tables.offset() == 77 and tables.offset("ktnc") is None
        tables.set_offset(5, "ktnc")
        assert tables.offset() == 77 and tables.offset("ktnc") == 5
    finally:
        tables.close()
