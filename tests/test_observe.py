"""Watching the running bot (issue 19, points 4 and 5): ``supportbot health``, the Prometheus metrics, the logs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
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

from bot.adapters.telegram import observe
from bot.adapters.telegram.heartbeat import Heartbeat
from bot.cli import main
from bot.cli.observing import TEXT_FORMAT, JsonFormatter
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


def test_a_wrong_health_setting_stops_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPORTBOT_HEALTH_BACKLOG_MINUTES", "soon")
    assert main(["health", "--db", str(tmp_path / "x.db")]) == 2
    assert (
        capsys.readouterr().err
        == "supportbot: SUPPORTBOT_HEALTH_BACKLOG_MINUTES: 'soon' is not a positive number of minutes\n"
    )


def test_health_fails_when_telegram_stops_answering_or_the_webhook_gets_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "bot.db")
    now = datetime.now(UTC)
    beat = Heartbeat(db, "polling")
    beat.open()
    beat.polled_at = (now - timedelta(seconds=200)).timestamp()  # the loop beats; getUpdates fails
    beat.write()
    assert main(["health", "--db", db]) == 1
    assert capsys.readouterr().out.startswith("unhealthy: getUpdates has not answered for 20")

    hook = Heartbeat(db, "webhook")
    hook.open()
    hook.received_at = (now - timedelta(hours=3)).timestamp()
    hook.write()
    assert main(["health", "--db", db]) == 0  # a quiet spell is no fault by default
    assert "webhook, last update 10800 s ago" in capsys.readouterr().out
    monkeypatch.setenv("SUPPORTBOT_HEALTH_WEBHOOK_SECONDS", "3600")
    assert main(["health", "--db", db]) == 1
    assert capsys.readouterr().out.startswith("unhealthy: no update came to the webhook for 1080")
    beat.close()
    hook.close()


async def test_the_heartbeat_tells_systemds_watchdog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(path)
        listener.settimeout(5)
        monkeypatch.setenv("NOTIFY_SOCKET", path)
        monkeypatch.setenv("WATCHDOG_USEC", "200000")  # 0.2 s: a beat every 0.1 s
        beat = Heartbeat(str(tmp_path / "bot.db"), "polling")
        assert beat.every == pytest.approx(0.1)
        beat.open()
        stop = asyncio.Event()
        running = asyncio.create_task(beat.run(stop))
        first = await asyncio.to_thread(listener.recv, 100)
        second = await asyncio.to_thread(listener.recv, 100)
        stop.set()
        await running
    assert first == b"READY=1\nWATCHDOG=1" and second == b"WATCHDOG=1"
    with contextlib.closing(sqlite3.connect(tmp_path / "bot.db")) as conn:
        assert conn.execute("select stopped_at is not null from tg_health").fetchone() == (1,)
    beat.close()


def test_the_update_line_in_text_and_json(caplog: pytest.LogCaptureFixture) -> None:
    observe.start(None, "salt-of-this-install")
    with caplog.at_level(logging.INFO, logger="bot.adapters.telegram.observe"):
        observe.handled(77, "tg:987654321", "press", "rma_started", 0.0123)
    (record,) = caplog.records
    text = logging.Formatter(TEXT_FORMAT).format(record)
    assert text.endswith(
        "INFO bot.adapters.telegram.observe: handled update_id=77 customer="
        f"{observe.customer_hash('tg:987654321')} kind=press flow=rma outcome=rma_started duration_ms=12"
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == record.getMessage() and line["level"] == "INFO"
    assert {k: line[k] for k in ("update_id", "kind", "flow", "outcome", "duration_ms")} == {
        "update_id": 77,
        "kind": "press",
        "flow": "rma",
        "outcome": "rma_started",
        "duration_ms": 12,
    }
    assert "987654321" not in text + json.dumps(line)
    assert datetime.fromisoformat(line["time"]).utcoffset() == timedelta(0)
    observe.start(None, "another-install")  # another installation: another hash for the same customer
    assert observe.customer_hash("tg:987654321") != line["customer"]
    observe.start(None, "")


def test_a_wrong_metrics_port_or_log_format_stops_run_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("SUPPORTBOT_METRICS_PORT", "ninety")
    assert main(["run"]) == 2
    assert capsys.readouterr().err == "supportbot: SUPPORTBOT_METRICS_PORT: 'ninety' is not a port number (1-65535)\n"
    monkeypatch.delenv("SUPPORTBOT_METRICS_PORT")
    monkeypatch.setenv("SUPPORTBOT_LOG_FORMAT", "xml")
    assert main(["run"]) == 2
    assert capsys.readouterr().err == "supportbot: SUPPORTBOT_LOG_FORMAT: 'xml' is not one of text, json\n"
