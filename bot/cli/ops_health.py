"""``supportbot health``: exit 0 when the running Telegram bot is healthy, else 1 with one line saying why.

For a container's HEALTHCHECK or a systemd unit. It reads the bot's heartbeat and what waits to be
delivered from the bot's SQLite file (see :mod:`bot.adapters.telegram.heartbeat`); the limits are
settings (:class:`~bot.cli.observing.HealthLimits`). The times are the real time, whatever ``--now`` says.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
from pathlib import Path
from typing import Any

from bot.adapters.telegram.heartbeat import Beat, backlog, connect, read_beat
from bot.cli.common import settings_of
from bot.cli.observing import HealthLimits, health_limits_from_env
from bot.core.clock import system_clock


def verdict(conn: sqlite3.Connection, limits: HealthLimits) -> tuple[bool, str]:
    """Whether the bot is healthy, and the line that says so or why not."""
    beat = read_beat(conn)
    if beat is None:
        return False, "no heartbeat: the Telegram bot has not run on this database (supportbot run)"
    now = system_clock()
    at = now.timestamp()
    if beat.stopped_at is not None:
        return False, f"the bot (pid {beat.pid}) stopped {_ago(at, beat.stopped_at)}"
    if at - beat.beat_at > limits.poll_seconds:
        return False, f"no heartbeat for {_ago(at, beat.beat_at, ago=False)}: the bot (pid {beat.pid}) hangs or died"
    if beat.mode == "polling" and at - (beat.polled_at or beat.started_at) > limits.poll_seconds:
        since = "" if beat.polled_at else " since it started"
        return False, f"getUpdates has not answered for {_ago(at, beat.polled_at or beat.started_at, ago=False)}{since}"
    if beat.mode == "webhook" and limits.webhook_seconds:
        last = beat.received_at or beat.started_at
        if at - last > limits.webhook_seconds:
            return False, f"no update came to the webhook for {_ago(at, last, ago=False)}"
    waiting = backlog(conn, now, limits.backlog_minutes * 60)
    minutes = f"{limits.backlog_minutes:g} min"
    if waiting.replies_old:
        return False, f"{waiting.replies_old} customers' replies undelivered for over {minutes}"
    if waiting.notices_old:
        return False, f"{waiting.notices_old} notices undelivered for over {minutes}"
    return True, _healthy(beat, at, waiting.replies, waiting.notices)


def _healthy(beat: Beat, at: float, replies: int, notices: int) -> str:
    contact = (f"getUpdates answered {_ago(at, beat.polled_at)}" if beat.mode == "polling" else "webhook") + (
        f", last update {_ago(at, beat.received_at)}" if beat.received_at else ", no update yet"
    )
    sent = f", last sent {_ago(at, beat.sent_at)}" if beat.sent_at else ""
    return f"ok: pid {beat.pid}, {contact}{sent}; waiting: {replies} replies, {notices} notices"


def _ago(at: float, then: float | None, *, ago: bool = True) -> str:
    if then is None:
        return "never"
    seconds = max(0, round(at - then))
    return f"{seconds} s" + (" ago" if ago else "")


def _health(args: argparse.Namespace) -> int:
    limits = health_limits_from_env()
    path = settings_of(args).db_path
    if not Path(path).exists():
        print(f"unhealthy: no database at {path} (SUPPORTBOT_DB)")
        return 1
    try:
        with contextlib.closing(connect(path)) as conn:
            healthy, line = verdict(conn, limits)
    except sqlite3.Error as exc:
        print(f"unhealthy: cannot read {path}: {exc}")
        return 1
    print(line if healthy else f"unhealthy: {line}")
    return 0 if healthy else 1


def register(sub: Any) -> None:
    """Add ``health`` to the ``supportbot`` parser's subcommands."""
    health = sub.add_parser(
        "health", help="exit 0 when the running Telegram bot is healthy, else 1 with the reason (for HEALTHCHECK)"
    )
    health.add_argument("--db", help="SQLite file (default: SUPPORTBOT_DB, else supportbot.db)")
    health.set_defaults(func=_health)
