"""The running bot's heartbeat, and what waits to be delivered: read by ``supportbot health`` in another process.

The adapter keeps one row in ``tg_health``, in the bot's SQLite file: its pid, how it gets updates
(``polling`` or ``webhook``), when it started, when ``getUpdates`` last answered, when an update last came,
when a message last went out, when the row was last written, and when the bot stopped (None while it runs).
Each event is only noted in memory (a float); a task of its own writes the row every :data:`BEAT_EVERY`
seconds, so a stuck event loop shows as an old row too. The times are the real time (epoch seconds), never a
fixed ``--now``: they say whether the process is alive.

The row also keeps the installation's salt for the customer keys in the logs (:mod:`.observe`), made at the
first start and kept.

Under systemd with ``WatchdogSec=`` (``NOTIFY_SOCKET`` and ``WATCHDOG_USEC`` set), each beat also tells the
watchdog the bot is alive (``WATCHDOG=1``), and the first one that it is ready (``READY=1``).

:func:`backlog` counts what waits: customers' replies not delivered (the engine's outbox), notices not
delivered (the engine's queue and the adapter's ledger), customers waiting for a consultant.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.clock import Clock, system_clock

log = logging.getLogger(__name__)

BEAT_EVERY = 5.0  # seconds between writes of the heartbeat row
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS tg_health (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, "
    "mode TEXT NOT NULL, started_at REAL NOT NULL, polled_at REAL, received_at REAL, sent_at REAL, "
    "beat_at REAL NOT NULL, stopped_at REAL, salt TEXT)"
)


@dataclass(frozen=True)
class Beat:
    """The heartbeat row as last written (times in epoch seconds)."""

    pid: int
    mode: str
    started_at: float
    polled_at: float | None
    received_at: float | None
    sent_at: float | None
    beat_at: float
    stopped_at: float | None


@dataclass(frozen=True)
class Backlog:
    """What waits to be delivered, and what of it waited longer than asked."""

    replies: int  # customers' messages whose replies are not all delivered
    replies_old: int
    notices: int  # notices not delivered (status changes, staff cards, relays)
    notices_old: int
    handoffs_waiting: int  # customers waiting for a consultant to take their chat


class Heartbeat:
    """Notes when the bot reached Telegram, and writes it down every few seconds (see the module's docstring)."""

    def __init__(self, path: str, mode: str, *, clock: Clock = system_clock, every: float = BEAT_EVERY) -> None:
        self.path = path
        self.mode = mode
        self.clock = clock
        self.every = every
        self.polled_at: float | None = None
        self.received_at: float | None = None
        self.sent_at: float | None = None
        self._conn: sqlite3.Connection | None = None
        watchdog = os.environ.get("WATCHDOG_USEC", "").strip()
        if os.environ.get("NOTIFY_SOCKET") and watchdog.isdigit() and int(watchdog) > 0:
            self.every = min(self.every, int(watchdog) / 2e6)  # systemd wants a beat within half its interval

    def _now(self) -> float:
        return self.clock().timestamp()

    def polled(self) -> None:
        """``getUpdates`` answered."""
        self.polled_at = self._now()

    def received(self) -> None:
        """An update came."""
        self.received_at = self._now()

    def sent(self) -> None:
        """Telegram took a message."""
        self.sent_at = self._now()

    def open(self) -> str:
        """Start a fresh row for this process; returns the installation's salt."""
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=5)
        self._conn.execute(SCHEMA)
        row = self._conn.execute("SELECT salt FROM tg_health WHERE id = 1").fetchone()
        salt = str(row[0]) if row and row[0] else secrets.token_hex(16)
        now = self._now()
        self._conn.execute(
            "INSERT OR REPLACE INTO tg_health (id, pid, mode, started_at, beat_at, salt) VALUES (1, ?, ?, ?, ?, ?)",
            [os.getpid(), self.mode, now, now, salt],
        )
        return salt

    def write(self, *, stopped: bool = False) -> None:
        """Write down what was noted (and that the bot stopped, when it did)."""
        if self._conn is None:
            return
        now = self._now()
        self._conn.execute(
            "UPDATE tg_health SET polled_at = ?, received_at = ?, sent_at = ?, beat_at = ?, stopped_at = ? "
            "WHERE id = 1",
            [self.polled_at, self.received_at, self.sent_at, now, now if stopped else None],
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Write the row every few seconds until ``stop``; then once more, saying the bot stopped."""
        first = True
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.write)
                notify("READY=1\nWATCHDOG=1" if first else "WATCHDOG=1")
                first = False
            except Exception as exc:  # a busy database: the next beat tries again
                log.warning("could not write the heartbeat (%r)", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every)
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.write, stopped=True)

    def close(self) -> None:
        """Close the heartbeat's connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def notify(state: str) -> None:
    """Tell systemd (``sd_notify``) when it listens: a datagram to ``NOTIFY_SOCKET``."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.sendto(state.encode(), address)


def read_beat(conn: sqlite3.Connection) -> Beat | None:
    """The heartbeat row, or None when no bot ever ran on this database."""
    try:
        row = conn.execute(
            "SELECT pid, mode, started_at, polled_at, received_at, sent_at, beat_at, stopped_at FROM tg_health"
        ).fetchone()
    except sqlite3.OperationalError:  # no such table
        return None
    return Beat(*row) if row else None


def read_salt(conn: sqlite3.Connection) -> str | None:
    """The installation's salt for customer keys in the logs."""
    with contextlib.suppress(sqlite3.OperationalError):
        row = conn.execute("SELECT salt FROM tg_health").fetchone()
        return str(row[0]) if row and row[0] else None
    return None


def _count(conn: sqlite3.Connection, sql: str, args: list[object]) -> int:
    try:
        row = conn.execute(sql, args).fetchone()
    except sqlite3.OperationalError:  # a table not made yet: nothing in it
        return 0
    return int(row[0] or 0)


def backlog(conn: sqlite3.Connection, now: datetime, older_than: float) -> Backlog:
    """What waits to be delivered, and what of it is older than ``older_than`` seconds at ``now``."""
    before = (now - timedelta(seconds=older_than)).astimezone(UTC).isoformat()
    replies = "SELECT count(*) FROM outbox WHERE sent < n_replies"
    engine_notices = "SELECT count(*) FROM notices WHERE sent = 0"
    ledger = "SELECT count(*) FROM tg_queue WHERE state IN ('pending', 'held')"
    return Backlog(
        replies=_count(conn, replies, []),
        replies_old=_count(conn, replies + " AND at < ?", [before]),
        notices=_count(conn, engine_notices, []) + _count(conn, ledger, []),
        notices_old=_count(conn, engine_notices + " AND created_at < ?", [before])
        + _count(conn, ledger + " AND created_at < ?", [before]),
        handoffs_waiting=_count(conn, "SELECT count(*) FROM tickets WHERE status = 'waiting'", []),
    )


def connect(path: str) -> sqlite3.Connection:
    """A read-only connection to the bot's database (health checks and scrapes)."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5, check_same_thread=False)
