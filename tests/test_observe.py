"""Watching the running bot (issue 19, points 4 and 5): ``supportbot health``, the Prometheus metrics, the logs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.telegram.heartbeat import Heartbeat
from bot.cli import main
from bot.core.clock import fixed_clock
from bot.core.outcomes import flow_of
from bot.store import Store

from .botprocess import BotProcess
from .conftest import ROOT
from .fakebot import FakeBotAPI

QUESTION = "my camera shows no night vision at all"  # words that must never reach the log


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def health(db: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``supportbot health`` as a HEALTHCHECK runs it: its own process, the bot's environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SUPPORTBOT_", "TELEGRAM_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "health"],
        cwd=ROOT,
        env={**clean, "SUPPORTBOT_DB": str(db), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def scrape(port: int) -> dict[str, float]:
    """The metrics page, as ``name{labels}`` -> value."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as page:
        text = page.read().decode()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


async def test_the_running_bot_is_healthy_counted_and_logged_without_what_customers_wrote(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    pytest.importorskip("prometheus_client")
    port = free_port()
    bot = BotProcess(fake, tmp_path, SUPPORTBOT_METRICS_PORT=str(port), SUPPORTBOT_LOG_FORMAT="json")
    await bot.start()
    try:
        await fake.customer_text(424242, "/start")
        before = len(await fake.wait_for_messages(424242, 2))
        update_id = await fake.customer_text(424242, QUESTION)
        await fake.wait_for_messages(424242, before + 1)
        await asyncio.sleep(0.5)  # the delivery is counted as it ends

        metrics = await asyncio.to_thread(scrape, port)
        assert metrics['supportbot_updates_total{kind="text"}'] >= 2
        assert metrics["supportbot_replies_sent_total"] >= 3
        assert metrics["supportbot_reply_latency_seconds_count"] >= 2
        assert metrics["supportbot_reply_latency_seconds_sum"] > 0
        assert metrics["supportbot_outbox_backlog"] == 0
        assert "supportbot_handoffs_waiting" in metrics and "supportbot_notice_backlog" in metrics

        checked = await asyncio.to_thread(health, tmp_path / "bot.db")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith("ok: pid ")

        lines = [json.loads(line) for line in bot.log.read_text().splitlines() if line.startswith("{")]
        handled = [line for line in lines if line.get("update_id") == update_id]
        assert len(handled) == 1, lines
        turn = handled[0]
        assert turn["level"] == "INFO" and turn["logger"] == "bot.adapters.telegram.observe"
        with contextlib.closing(sqlite3.connect(tmp_path / "bot.db")) as conn:  # what the event log says of the turn
            (outcome,) = conn.execute("select outcome from events order by id desc limit 1").fetchone()
        assert (turn["kind"], turn["outcome"], turn["flow"]) == ("text", outcome, flow_of(outcome))
        assert outcome == "troubleshoot_offered" and turn["flow"] == "walk"
        assert isinstance(turn["duration_ms"], int) and turn["time"]
        assert re.fullmatch(r"[0-9a-f]{10}", turn["customer"])
        log = bot.log.read_text()
        assert "night vision" not in log and "424242" not in log  # neither the words nor the Telegram id
    finally:
        await bot.kill()

    # killed: no heartbeat any more (a short limit, rather than waiting two minutes)
    await asyncio.sleep(1.5)
    checked = await asyncio.to_thread(health, tmp_path / "bot.db", SUPPORTBOT_HEALTH_POLL_SECONDS="1")
    assert checked.returncode == 1
    assert checked.stdout.startswith("unhealthy: no heartbeat for ")
    assert len(checked.stdout.strip().splitlines()) == 1


def test_health_fails_when_replies_wait_too_long(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "bot.db"
    assert main(["health", "--db", str(db)]) == 1
    assert "no database" in capsys.readouterr().out
    store = Store(str(db))
    beat = Heartbeat(str(db), "polling")
    beat.open()
    assert main(["health", "--db", str(db)]) == 0  # just started: getUpdates has two minutes to answer
    beat.polled()
    beat.write()
    now = datetime.now(UTC)
    store.outbox.record("tg:1", "tg:42", [{"text": "hello"}], at=now - timedelta(minutes=2))
    assert main(["health", "--db", str(db)]) == 0
    assert "waiting: 1 replies" in capsys.readouterr().out
    store.outbox.record("tg:2", "tg:42", [{"text": "hello"}], at=now - timedelta(minutes=11))
    assert main(["health", "--db", str(db)]) == 1
    assert capsys.readouterr().out == "unhealthy: 1 customers' replies undelivered for over 10 min\n"
    store.outbox.mark_sent("tg:2", 1)
    assert main(["health", "--db", str(db)]) == 0
    capsys.readouterr()

    old = Heartbeat(str(db), "polling", clock=fixed_clock(now - timedelta(minutes=5)))
    old.open()
    assert main(["health", "--db", str(db)]) == 1
    assert capsys.readouterr().out.startswith("unhealthy: no heartbeat for 300 s")
    beat.write(stopped=True)
    assert main(["health", "--db", str(db)]) == 1
    assert "stopped" in capsys.readouterr().out
    store.close()
    beat.close()
    old.close()


def test_a_wrong_health_setting_stops_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.environ["SUPPORTBOT_HEALTH_BACKLOG_MINUTES"] = "soon"
    try:
        assert main(["health", "--db", str(tmp_path / "x.db")]) == 2
    finally:
        del os.environ["SUPPORTBOT_HEALTH_BACKLOG_MINUTES"]
    assert (
        capsys.readouterr().err
        == "supportbot: SUPPORTBOT_HEALTH_BACKLOG_MINUTES: 'soon' is not a positive number of minutes\n"
    )
