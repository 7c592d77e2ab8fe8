"""Admins' statistics: the figures of a window, the report, the chart and ``supportbot stats``."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.backoffice import report, stats
from bot.cli import main
from bot.core.errors import FaqError
from bot.engine import Engine, Message
from bot.selfcheck import check_root
from bot.store import Store, utc

from .conftest import MONDAY_10, ROOT, fresh_engine

NOW = MONDAY_10  # 2026-11-23 10:00 +08:00
D2 = NOW - timedelta(days=2)  # inside both windows
D10 = NOW - timedelta(days=10)  # inside 30 days only
D40 = NOW - timedelta(days=40)  # outside both
MINUTE = timedelta(minutes=1)


# -- seeding -------------------------------------------------------------------------------------------


def _ticket(
    store: Store,
    user: str,
    *,
    opened: datetime,
    brand: str = "kimpok",
    status: str = "closed",
    reason: str = "asked",
    claimed: datetime | None = None,
    replied: datetime | None = None,
    rating: int | None = None,
) -> None:
    with store.db.write() as conn:  # as the store writes them: moments in UTC
        cursor = conn.execute(
            "insert into tickets (user, brand, lang, status, reason, opened_at, posted_at, claimed_at, closed_at, "
            "rating, reopened) values (?, ?, 'en', ?, ?, ?, ?, ?, ?, ?, 0)",
            [
                user,
                brand,
                status,
                reason,
                utc(opened),
                utc(opened),
                utc(claimed) if claimed else None,
                utc(opened + timedelta(hours=5)) if status == "closed" else None,
                rating,
            ],
        )
        ticket = cursor.lastrowid
    store.tickets.add_message(int(ticket or 0), at=opened + MINUTE, direction="customer", by=user, text="hello")
    store.tickets.add_message(int(ticket or 0), at=opened + 2 * MINUTE, direction="note", by="c1", text="note")
    if replied is not None:
        store.tickets.add_message(int(ticket or 0), at=replied, direction="consultant", by="c1", text="hi")
        store.tickets.add_message(
            int(ticket or 0), at=replied + 30 * MINUTE, direction="consultant", by="c1", text="again"
        )


def _rma(store: Store, number: str, *, status: str, at: datetime, brand: str = "kimpok") -> None:
    with store.db.write() as conn:
        conn.execute(
            "insert into rmas (number, user, brand, status, data, outcome, created_at, updated_at, reminded) "
            "values (?, 'u', ?, ?, '{}', 'covered', ?, ?, 0)",
            [number, brand, status, utc(at), utc(at)],
        )


def _walk(
    store: Store, user: str, *, outcome: str, at: datetime, rating: int | None = None, brand: str = "kimpok"
) -> None:
    walk = store.walks.record(user=user, brand=brand, tree="no-picture", leaf="end", outcome=outcome, tried=[], at=at)
    if rating is not None:
        store.walks.rate(walk, rating)


def _seed(store: Store) -> None:
    """Tickets, votes, walks and RMAs at known moments (written with mixed offsets, as the bot does)."""
    _ticket(store, "t1", opened=D2, claimed=D2 + 5 * MINUTE, replied=D2 + 10 * MINUTE, rating=5)  # 5 min
    _ticket(
        store,
        "t2",
        opened=(D2 + 3 * MINUTE).astimezone(UTC),
        reason="not_understood",  # 20 min: the reply
        claimed=D2 + 90 * MINUTE,
        replied=(D2 + 23 * MINUTE).astimezone(UTC),
        rating=3,
    )  # came before the claim
    _ticket(store, "t3", opened=D2, status="waiting")  # still waiting
    _ticket(
        store, "t8", opened=D2.astimezone(UTC), status="claimed", reason="rma_excluded", replied=D2 + 40 * MINUTE
    )  # 40 min, answered by a message only
    _ticket(store, "t4", opened=D10, reason="troubleshooting", claimed=D10 + 60 * MINUTE, rating=1)  # 60 min
    _ticket(store, "t5", opened=D10)  # closed, never answered
    _ticket(store, "t6", opened=D40, claimed=D40 + MINUTE, rating=5)  # too old
    _ticket(store, "t7", opened=D2, brand="ktnc", claimed=D2 + 120 * MINUTE, rating=2)  # another brand
    votes = (
        [(True, D2, "kimpok")] * 3
        + [(False, D2, "kimpok"), (False, D10, "kimpok")]
        + [(True, D40, "kimpok")] * 5
        + [(True, D2, "ktnc")]
    )
    for i, (helpful, at, brand) in enumerate(votes):
        store.feedback.record(
            user=f"f{i}", brand=brand, entry_id="warranty-length", question="warranty?", helpful=helpful, at=at
        )
    _walk(store, "w1", outcome="solved", at=D2, rating=5)
    _walk(store, "w2", outcome="solved", at=D2.astimezone(UTC), rating=4)
    _walk(store, "w3", outcome="repair", at=D2)
    _walk(store, "w4", outcome="left", at=D2)
    _walk(store, "w5", outcome="consultant", at=D10)
    _walk(store, "w6", outcome="solved", at=D10, rating=2)
    _walk(store, "w7", outcome="solved", at=D40, rating=1)
    _walk(store, "w8", outcome="left", at=D2, brand="ktnc")
    _rma(store, "R1", status="requested", at=D2)
    _rma(store, "R2", status="awaiting_shipment", at=D2)
    _rma(store, "R3", status="awaiting_shipment", at=D2.astimezone(UTC))
    _rma(store, "R4", status="shipped", at=D10)
    _rma(store, "R5", status="closed", at=D40)
    _rma(store, "R6", status="requested", at=D2, brand="ktnc")


@pytest.fixture
def seeded() -> Store:
    store = Store(":memory:")
    _seed(store)
    return store


# -- questions, from real turns ------------------------------------------------------------------------------

QUESTIONS = {  # what kimpok's bot does with each, and the bucket that makes it
    "how long is the warranty?": ("answered", "answered"),
    "I bought it on 03/04/2025, is it under warranty?": ("advised", "answered"),
    "my camera has no video": ("troubleshoot_offered", "answered"),
    "how do I hack my neighbour's camera password": ("refused", "answered"),
    "camera": ("clarify", "clarified"),
    "I bought it in 2025, is it still covered?": ("asked", "clarified"),
    "asdkjh qwe zzz": ("unknown", "not_understood"),
    "do you sell cameras wholesale": ("out_of_scope", "not_understood"),
}


def _say(
    engine: Engine, user: str, text: str | None = None, *, at: datetime, brand: str = "kimpok", press: str | None = None
) -> str:
    engine.handle(Message(user=user, text=text, press=press, brand=brand, now=at))
    return str(list(engine.store.events.all(user))[-1]["outcome"])


def test_questions_are_bucketed_from_real_turns(shared_engine: Engine) -> None:
    engine = fresh_engine(shared_engine, consultants=True)
    for i, (text, (outcome, _)) in enumerate(QUESTIONS.items()):
        assert _say(engine, f"q{i}", text, at=D2) == outcome, text
        assert _say(engine, f"old{i}", text, at=D40) == outcome, text  # too old to count
    # a second miss in a row hands over to a consultant: still a question not understood (and a handoff)
    _say(engine, "miss", "qwe asd zxc", at=D2)
    assert _say(engine, "miss", "zzq xxv bbn", at=D2 + MINUTE) == "handoff_not_understood"
    # presses and commands are no questions, whatever their outcome
    assert _say(engine, "q4", press="none", at=D2 + MINUTE) == "unknown"  # "None of these" under "camera"
    assert _say(engine, "q4b", "camera", at=D2) == "clarify"
    assert _say(engine, "q4b", press="faq:warranty-length", at=D2 + MINUTE) == "answered"
    assert _say(engine, "cmd", "/start", at=D2) == "start"
    assert _say(engine, "human", "/human", at=D2) == "handoff_asked"  # a handoff, not a question
    assert _say(engine, "walk", press="tsstart:no-picture", at=D2) == "unknown_button"  # not offered: no walk
    # another brand, and the 30-day window
    assert _say(engine, "kt", "how long is the warranty?", at=D2, brand="ktnc") == "answered"
    assert _say(engine, "month", "how long is the warranty?", at=D10) == "answered"

    week = stats.gather(engine.store, brand="kimpok", now=NOW, days=7)
    assert (week.answered, week.clarified, week.not_understood) == (4, 3, 4)
    assert (week.questions, week.refused, week.out_of_scope) == (11, 1, 1)
    assert week.handoffs == 2 and dict(week.handoff_reasons) == {"not_understood": 1, "asked": 1}
    month = stats.gather(engine.store, brand="kimpok", now=NOW, days=30)
    assert (month.answered, month.clarified, month.not_understood) == (5, 3, 4)
    every = stats.gather(engine.store, brand=None, now=NOW, days=7)
    assert (every.answered, every.questions) == (5, 12)
    assert stats.gather(engine.store, brand="ktnc", now=NOW, days=7).questions == 1


# -- the other figures, from rows at known moments -------------------------------------------------------------


def test_handoffs_and_the_median_wait(seeded: Store) -> None:
    week = stats.gather(seeded, brand="kimpok", now=NOW, days=7)
    assert week.handoffs == 4
    assert dict(week.handoff_reasons) == {"asked": 2, "not_understood": 1, "rma_excluded": 1}
    assert week.waits == (300.0, 1200.0, 2400.0) and week.median_wait == pytest.approx(1200, abs=1)
    assert (week.answered_tickets, week.still_waiting, week.never_answered) == (3, 1, 0)
    month = stats.gather(seeded, brand="kimpok", now=NOW, days=30)
    assert month.handoffs == 6
    assert dict(month.handoff_reasons) == {"asked": 3, "not_understood": 1, "rma_excluded": 1, "troubleshooting": 1}
    assert month.median_wait == pytest.approx(1800, abs=1)  # 20 and 40 minutes' middle
    assert (month.answered_tickets, month.still_waiting, month.never_answered) == (4, 1, 1)
    every = stats.gather(seeded, brand=None, now=NOW, days=7)
    assert every.handoffs == 5 and every.median_wait == pytest.approx(1800, abs=1)


def test_helpful_ratio(seeded: Store) -> None:
    week = stats.gather(seeded, brand="kimpok", now=NOW, days=7)
    assert (week.helpful, week.unhelpful, week.helpful_ratio) == (3, 1, 0.75)
    month = stats.gather(seeded, brand="kimpok", now=NOW, days=30)
    assert (month.helpful, month.unhelpful, month.helpful_ratio) == (3, 2, 0.6)
    assert stats.gather(seeded, brand=None, now=NOW, days=7).helpful_ratio == 0.8
    # changing one's mind moves the vote (and its time): it still counts once
    seeded.feedback.record(
        user="f3", brand="kimpok", entry_id="warranty-length", question="warranty?", helpful=True, at=D2
    )
    assert stats.gather(seeded, brand="kimpok", now=NOW, days=7).helpful_ratio == 1.0


def test_troubleshooting_outcomes_and_ratings(seeded: Store) -> None:
    week = stats.gather(seeded, brand="kimpok", now=NOW, days=7)
    assert week.walks == (("solved", 2), ("repair", 1), ("left", 1)) and week.walks_total == 4
    assert (week.walk_rating, week.walk_ratings) == (4.5, 2)
    assert (week.ticket_rating, week.ticket_ratings) == (4.0, 2)
    month = stats.gather(seeded, brand="kimpok", now=NOW, days=30)
    assert month.walks == (("solved", 3), ("repair", 1), ("consultant", 1), ("left", 1))
    assert month.walk_rating == pytest.approx(11 / 3) and month.walk_ratings == 3
    assert (month.ticket_rating, month.ticket_ratings) == (3.0, 3)
    every = stats.gather(seeded, brand=None, now=NOW, days=7)
    assert dict(every.walks)["left"] == 2
    assert every.ticket_rating == pytest.approx(10 / 3) and every.ticket_ratings == 3


def test_rmas_by_status(seeded: Store) -> None:
    assert stats.gather(seeded, brand="kimpok", now=NOW, days=7).rmas == (("awaiting_shipment", 2), ("requested", 1))
    month = stats.gather(seeded, brand="kimpok", now=NOW, days=30)
    assert month.rmas == (("awaiting_shipment", 2), ("requested", 1), ("shipped", 1)) and month.rmas_total == 4
    assert dict(stats.gather(seeded, brand=None, now=NOW, days=7).rmas) == {"awaiting_shipment": 2, "requested": 2}
    assert stats.gather(seeded, brand="ktnc", now=NOW, days=30).rmas == (("requested", 1),)
    assert stats.gather(seeded, brand="poesec", now=NOW, days=30).empty


def test_window_edges_compare_moments_not_strings() -> None:
    store = Store(":memory:")
    edge = NOW - timedelta(days=7)  # 2026-11-16 10:00 +08:00
    rows = [
        (edge - MINUTE, "+08:00"),
        (edge + MINUTE, "UTC"),
        (edge + MINUTE, "-05:00"),
        (edge, "UTC"),
        (NOW, "UTC"),
        (NOW + MINUTE, "+08:00"),
        (NOW + MINUTE, "-05:00"),
    ]
    zones = {"+08:00": timezone(timedelta(hours=8)), "UTC": UTC, "-05:00": timezone(timedelta(hours=-5))}
    for i, (moment, zone) in enumerate(rows):
        at = moment.astimezone(zones[zone])
        store.events.log(
            {
                "user": f"u{i}",
                "brand": "kimpok",
                "at": at.isoformat(),
                "lang": "en",
                "text": "warranty?",
                "outcome": "answered",
            }
        )
        _ticket(store, f"t{i}", opened=at)
        _rma(store, f"R{i}", status="requested", at=at)
    # in: 10:01 (as UTC 02:01 and as 21:01 the day before in -05:00), the edge itself, and now
    week = stats.gather(store, brand="kimpok", now=NOW, days=7)
    assert (week.answered, week.handoffs, week.rmas_total) == (4, 4, 4)
    # the same window seen from another offset
    assert stats.gather(store, brand="kimpok", now=NOW.astimezone(UTC), days=7).answered == 4


def test_an_empty_database_reads_sensibly(shared_engine: Engine) -> None:
    store = Store(":memory:")
    week = stats.gather(store, brand=None, now=NOW, days=7)
    assert week.empty and week.questions == 0 and week.share(0) == 0
    assert week.helpful_ratio is None and week.median_wait is None and week.walk_rating is None
    assert week.ticket_rating is None and week.walks == () and week.rmas == ()
    text = report.report(store, shared_engine.content, shared_engine.packs, brand=None, now=NOW)
    assert text == "📊 All brands: nothing in the last 30 days."
    with pytest.raises(ValueError):
        stats.gather(store, brand=None, now=NOW.replace(tzinfo=None), days=7)


def test_a_window_with_only_some_figures_says_none_yet(shared_engine: Engine) -> None:
    store = Store(":memory:")
    _ticket(store, "t", opened=D2, status="waiting")
    text = report.report(store, shared_engine.content, shared_engine.packs, brand="kimpok", now=NOW, days=[7])
    assert "Questions: none yet" in text and "no votes yet" in text and "no walks yet" in text
    assert "Handoffs: 1" in text and "no answer yet" in text and "still waiting 1" in text
    assert "consultants none yet" in text and "New RMAs: none" in text
    for bad in ("nan", "None", "0%", "{", "}"):
        assert bad not in text, bad


def test_the_report_shows_the_figures(seeded: Store, shared_engine: Engine) -> None:
    seeded.events.log(
        {"user": "q", "brand": "kimpok", "at": D2.isoformat(), "lang": "en", "text": "warranty?", "outcome": "answered"}
    )
    seeded.events.log(
        {"user": "q", "brand": "kimpok", "at": D2.isoformat(), "lang": "en", "text": "zzz", "outcome": "unknown"}
    )
    text = report.report(seeded, shared_engine.content, shared_engine.packs, brand="kimpok", now=NOW)
    week, month = text.split("───────────")
    assert "📊 Kimpok · last 7 days" in week and "16 Nov 10:00 – 23 Nov 10:00 China time" in week
    assert "Questions: 2" in week and "answered 1 (50%)" in week and "not understood 1 (50%)" in week
    assert "Helpful: 75% (3 of 4)" in week
    assert "Troubleshooting: 4" in week and "solved 2" in week and "needs repair 1" in week
    assert "Handoffs: 4" in week and "asked for a person 2" in week and "Median wait: 20 min" in week
    assert "still waiting 1" in week and "never answered" not in week
    assert "New RMAs: 3" in week and "awaiting shipment 2" in week
    assert "consultants 4.0/5 (2 ratings)" in week and "troubleshooting 4.5/5 (2 ratings)" in week
    assert "last 30 days" in month and "Median wait: 30 min" in month and "never answered 1" in month
    assert "Helpful: 60% (3 of 5)" in month and "troubleshooting 3.7/5 (3 ratings)" in month
    assert max(len(line) for line in text.splitlines()) <= 40  # a phone's width
    everyone = report.report(seeded, shared_engine.content, shared_engine.packs, brand=None, now=NOW, days=[7])
    assert everyone.startswith("📊 All brands · last 7 days") and "Handoffs: 5" in everyone


def test_daily_counts_and_the_chart(seeded: Store, shared_engine: Engine, tmp_path: Path) -> None:
    late = datetime.fromisoformat("2026-11-22T23:30:00+00:00")  # 23 Nov, 07:30 in China
    for outcome, text in (
        ("answered", "warranty?"),
        ("clarify", "camera"),
        ("unknown", "zzz"),
        ("answered", "[faq:warranty-length]"),
        ("help", "/help"),
    ):
        seeded.events.log(
            {"user": "d", "brand": "kimpok", "at": late.isoformat(), "lang": "en", "text": text, "outcome": outcome}
        )
    days = stats.daily(seeded, brand="kimpok", now=NOW, days=30)
    assert len(days) == 30 and days[-1].day.isoformat() == "2026-11-23" and days[0].day.isoformat() == "2026-10-25"
    today = days[-1]
    assert (today.answered, today.clarified, today.not_understood, today.handoffs) == (1, 1, 1, 0)
    assert days[-3].day.isoformat() == "2026-11-21" and days[-3].handoffs == 4
    assert sum(d.handoffs for d in days) == 6
    path = report.chart(
        seeded,
        tmp_path / "out" / "stats.png",
        content=shared_engine.content,
        packs=shared_engine.packs,
        brand="kimpok",
        now=NOW,
    )
    assert path == tmp_path / "out" / "stats.png" and path.read_bytes().startswith(b"\x89PNG")
    empty = report.chart(
        Store(":memory:"),
        tmp_path / "empty.png",
        content=shared_engine.content,
        packs=shared_engine.packs,
        brand=None,
        now=NOW,
        days=7,
    )
    assert empty.read_bytes().startswith(b"\x89PNG")


def test_an_admins_stats_replies_carry_the_chart(
    seeded: Store, shared_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = shared_engine.packs["kimpok"]
    [reply] = report.replies(seeded, shared_engine.content, pack, NOW, folder=tmp_path)
    assert reply.text == report.report(seeded, shared_engine.content, shared_engine.packs, brand="kimpok", now=NOW)
    assert [m.kind for m in reply.media] == ["chart"] and reply.media[0].ref == str(tmp_path / "kimpok.png")
    assert Path(reply.media[0].ref).read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kimpok.png"]

    def broken(*args: object, **kwargs: object) -> Path:
        raise RuntimeError("no backend")

    monkeypatch.setattr(report, "chart", broken)  # the figures still go out, without the picture
    [reply] = report.replies(seeded, shared_engine.content, pack, NOW, folder=tmp_path / "other")
    assert reply.media == () and "Handoffs: 4" in reply.text
    assert list((tmp_path / "other").iterdir()) == []


# -- the command, and the start-up check --------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_engine: Engine) -> Path:
    for key in ("SUPPORTBOT_DB", "SUPPORTBOT_BRAND", "SUPPORTBOT_NOW"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("bot.loading.Knowledge.load", lambda root: shared_engine.knowledge)
    path = tmp_path / "bot.db"
    store = Store(str(path))
    _seed(store)
    store.close()
    return path


def test_supportbot_stats_prints_all_brands_then_each(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--db", str(cli_db), "--now", NOW.isoformat()]) == 0
    out = capsys.readouterr().out
    assert (
        out.index("📊 All brands · last 7 days")
        < out.index("📊 Kimpok · last 7 days")
        < out.index("📊 KT&C · last 7 days")
    )
    assert "📊 POE Sec: nothing in the last 30 days." in out
    assert "Handoffs: 5" in out and "Handoffs: 4" in out and "Handoffs: 1" in out


def test_supportbot_stats_one_brand_with_a_chart(
    cli_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "chart.png"
    assert (
        main(
            [
                "stats",
                "--db",
                str(cli_db),
                "--now",
                NOW.isoformat(),
                "--brand",
                "KIMPOK",
                "--days",
                "3",
                "14",
                "--chart",
                str(chart),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "last 3 days" in out and "last 14 days" in out and "last 30 days" not in out and "All brands" not in out
    assert f"Chart of the last 14 days: {chart}" in out
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_supportbot_stats_refuses_bad_arguments(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--db", str(cli_db), "--brand", "nosuch"]) == 2
    assert "unknown brand 'nosuch'" in capsys.readouterr().err
    assert main(["stats", "--db", str(cli_db), "--days", "0"]) == 2
    assert "--days" in capsys.readouterr().err


def test_a_broken_stats_template_fails_the_check(content_copy: Path) -> None:
    path = content_copy / "faq" / "_common" / "stats.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{{ s.rmas_total if s.rmas", "{{ s.rma_count if s.rmas"), encoding="utf-8")
    with pytest.raises(FaqError) as caught:
        check_root(content_copy)
    assert "stats.toml" in str(caught.value) and "stats_report" in str(caught.value)
    path.write_text(text + '\n[stats_extra]\nen = "{{ windows[0].nope }}"\n', encoding="utf-8")
    with pytest.raises(FaqError, match="stats_extra"):
        check_root(content_copy)


def test_matplotlib_is_loaded_only_for_a_chart() -> None:
    code = "import sys, bot.cli, bot.backoffice.report, bot.engine; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stdout.strip() == "False", result.stderr
