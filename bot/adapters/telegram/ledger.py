"""The delivery ledger: every notice the adapter took on, where it is, and how it ended.

The engine queues notices (:meth:`~.port.EnginePort.notices`); the adapter takes each into ``tg_queue``
(recorded first, then confirmed to the engine, so a crash in between takes it twice at most, and the
notice id keeps it once) and owns it from there to its end:

    pending ─► sent             (delivered; "unsure" when the answer came too late to know)
            ─► pending, later   (a transient fault: tried again with backoff, up to a cap)
            ─► held ─► pending  (the staff chat cannot be reached: kept until it is back, then sent in order)
            ─► aside            (refused for good, or the cap reached: the reason is kept, the queue moves on)

``parts`` counts the Telegram messages of a notice already sent, so one tried again does not repeat them.
Replies to customers' messages live in the engine's outbox; one that cannot be delivered is set aside
here (``tg_aside``) with its reason. ``tg_staff_updates`` records the staff chat updates handled, so one
Telegram sends again (its offset was not saved before a crash) is not relayed twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.messages import Reply

LEDGER_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS tg_queue (id INTEGER PRIMARY KEY AUTOINCREMENT, notice INTEGER UNIQUE, "
    "target TEXT NOT NULL, reply TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', "
    "parts INTEGER NOT NULL DEFAULT 0, tries INTEGER NOT NULL DEFAULT 0, reason TEXT, created_at TEXT NOT NULL, "
    "done_at TEXT)",
    "CREATE INDEX IF NOT EXISTS tg_queue_state ON tg_queue (state, id)",
    "CREATE TABLE IF NOT EXISTS tg_aside (id INTEGER PRIMARY KEY, message TEXT NOT NULL, chat INTEGER NOT NULL, "
    "replies INTEGER NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tg_staff_updates (update_id INTEGER PRIMARY KEY, state TEXT NOT NULL)",
)
PENDING, HELD, SENT, ASIDE = "pending", "held", "sent", "aside"
KEEP_UPDATES = 100_000  # staff chat update ids kept (a webhook has no offset to prune them by)


@dataclass(frozen=True)
class Queued:
    """A notice the adapter is delivering."""

    id: int
    target: str  # a customer's key ("tg:42"), "staff", or "staff:<customer key>"
    reply: Reply
    parts: int  # Telegram messages of it already sent
    tries: int  # transient faults so far
    own: bool  # the adapter's own (a note to the staff chat or a customer), not the engine's


class Ledger:
    """The ledger's calls; :class:`.tables.TelegramTables` gives them its connection."""

    def _one(self, sql: str, args: list[object]) -> tuple[Any, ...] | None:
        raise NotImplementedError

    def _all(self, sql: str, args: list[object]) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _write(self, sql: str, args: list[object]) -> int:
        raise NotImplementedError

    def _atomic(self, statements: Sequence[tuple[str, list[object]]]) -> None:
        raise NotImplementedError

    def _now(self) -> str:
        raise NotImplementedError

    # -- notices ------------------------------------------------------------------------------------------

    def take(self, notice: int | None, target: str, reply: Reply) -> None:
        """Take a notice on (the engine's, by its id: once only; or the adapter's own, ``notice`` None)."""
        self._write(
            "INSERT OR IGNORE INTO tg_queue (notice, target, reply, created_at) VALUES (?, ?, ?, ?)",
            [notice, target, json.dumps(reply.to_dict(), ensure_ascii=False), self._now()],
        )

    def pending(self, limit: int = 200, *, target: str | None = None) -> list[Queued]:
        """Notices to deliver (to ``target`` only, when given), oldest first."""
        rows = self._all(
            "SELECT id, target, reply, parts, tries, notice IS NULL FROM tg_queue WHERE state = ? "
            "AND (? IS NULL OR target = ?) ORDER BY id LIMIT ?",
            [PENDING, target, target, limit],
        )
        return _queued(rows)

    def queued(self, item: int) -> Queued | None:
        """A notice as it is now, if it is still to deliver."""
        rows = self._all(
            "SELECT id, target, reply, parts, tries, notice IS NULL FROM tg_queue WHERE id = ? AND state = ?",
            [item, PENDING],
        )
        return _queued(rows)[0] if rows else None

    def sent_parts(self, item: int, parts: int) -> None:
        """The first ``parts`` messages of a notice went out."""
        self._write("UPDATE tg_queue SET parts = max(parts, ?) WHERE id = ?", [parts, item])

    def tried(self, item: int, reason: str) -> int:
        """A transient fault; returns the tries so far."""
        self._write("UPDATE tg_queue SET tries = tries + 1, reason = ? WHERE id = ?", [reason, item])
        row = self._one("SELECT tries FROM tg_queue WHERE id = ?", [item])
        return int(row[0]) if row else 0

    def finish(self, item: int, state: str, reason: str | None = None) -> None:
        """A notice's end: ``sent`` or ``aside`` (with the reason); or ``held`` until the staff chat is back."""
        self._write(
            "UPDATE tg_queue SET state = ?, reason = coalesce(?, reason), done_at = ? WHERE id = ?",
            [state, reason, self._now(), item],
        )

    def release_held(self) -> int:
        """The staff chat is back: held notices are pending again, in their order. Returns how many."""
        return self._write("UPDATE tg_queue SET state = ?, done_at = NULL WHERE state = ?", [PENDING, HELD])

    def held(self) -> tuple[int, str | None]:
        """How many notices are held, and why the first was."""
        row = self._one("SELECT count(*), min(reason) FROM tg_queue WHERE state = ?", [HELD])
        return (int(row[0]), row[1]) if row else (0, None)

    def counts(self) -> dict[str, int]:
        """Notices by state (for the logs and the tests)."""
        return {str(s): int(n) for s, n in self._all("SELECT state, count(*) FROM tg_queue GROUP BY state", [])}

    def prune(self, before: str) -> int:
        """Forget notices delivered or set aside before ``before`` (an ISO moment in UTC), and old staff updates."""
        self._write(
            "DELETE FROM tg_staff_updates WHERE update_id < (SELECT max(update_id) - ? FROM tg_staff_updates)",
            [KEEP_UPDATES],
        )
        self._write("DELETE FROM tg_aside WHERE at < ?", [before])
        return self._write("DELETE FROM tg_queue WHERE state IN (?, ?) AND done_at < ?", [SENT, ASIDE, before])

    # -- replies to customers' messages -------------------------------------------------------------------

    def reply_aside(self, message: str, chat: int, replies: int, reason: str) -> None:
        """Replies to a customer's message that cannot be delivered, and why (the outbox calls them done)."""
        self._write(
            "INSERT INTO tg_aside (message, chat, replies, reason, at) VALUES (?, ?, ?, ?, ?)",
            [message, chat, replies, reason, self._now()],
        )

    # -- staff chat updates ---------------------------------------------------------------------------------

    def staff_update(self, update_id: int) -> str | None:
        """How far a staff chat update was handled: None (not seen), "started" or "done"."""
        row = self._one("SELECT state FROM tg_staff_updates WHERE update_id = ?", [update_id])
        return str(row[0]) if row else None

    def staff_update_is(self, update_id: int, state: str) -> None:
        """Record how far a staff chat update was handled."""
        self._write("INSERT OR REPLACE INTO tg_staff_updates (update_id, state) VALUES (?, ?)", [update_id, state])


def _queued(rows: list[tuple[Any, ...]]) -> list[Queued]:
    return [Queued(int(i), t, Reply.from_dict(json.loads(r)), int(p), int(n), bool(o)) for i, t, r, p, n, o in rows]
