"""Retention: what the store forgets once it is old, so that the file stops growing with the months.

Each kind of record is kept for a number of days (:class:`Keep`, from the settings ``SUPPORTBOT_KEEP_…``;
0 keeps it for ever), counted back from the clock's now:

* ``events``, the log of handled messages: older ones go, except those of a customer whose ticket is still
  open (its card in the staff chat quotes their last exchanges). ``/stats`` reads its questions from here:
  a window longer than the one kept counts only what is kept.
* ``outbox``, the replies recorded for each incoming message: only those delivered (or set aside) go; one
  not delivered yet stays whatever its age. The outbox also tells a message Telegram sends again (it
  keeps an unconfirmed update for 24 hours) from a new one, so a few days are plenty. The engine's
  ``notices`` already taken for delivery go with the same window; those waiting stay.
* ``unanswered``, the admins' inbox: a question an admin dealt with goes once it is older than its window.
  One nobody dealt with stays, unless it is older than the window *and* beyond the newest
  :data:`~bot.store.faq.INBOX_SHOWN` open questions of its brand, which ``/unanswered`` never shows.
* ``conversations``, each customer's state between turns (language, brand, a request being filled in):
  one idle for longer than its window goes (the customer starts afresh), unless the customer has an RMA
  that is not settled (its status is not among the workflow's final ones) or a ticket that is not closed.

Nothing else is pruned: RMAs and their history, tickets and their messages, bans, FAQ changes, feedback
and troubleshooting walks stay. Rows go in batches of :data:`BATCH`, each its own short
write transaction, so turns (and other processes) write in between; the freed pages are reused by new
rows, so the file stops growing rather than shrinking.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from bot.store.db import Database, utc
from bot.store.faq import INBOX_SHOWN

BATCH = 500  # rows deleted in one write transaction


@dataclass(frozen=True)
class Keep:
    """How many days each kind of record is kept (0: for ever)."""

    events: int = 180
    outbox: int = 7
    unanswered: int = 90
    conversations: int = 365


class Counts:
    """Rows by table, as a dataclass's int fields (what a pruning or a forgetting removed)."""

    @property
    def total(self) -> int:
        """Rows in all."""
        return sum(getattr(self, f.name) for f in fields(self))  # type: ignore[arg-type]

    def items(self) -> list[tuple[str, int]]:
        """(what, how many) for each kind of record."""
        return [(f.name.replace("_", " "), getattr(self, f.name)) for f in fields(self)]  # type: ignore[arg-type]


@dataclass(frozen=True)
class Pruned(Counts):
    """How many rows one pruning removed, by table."""

    events: int = 0
    outbox: int = 0
    notices: int = 0
    unanswered: int = 0
    conversations: int = 0


class Retention:
    """Prunes the ``events``, ``outbox``, ``notices``, ``unanswered`` and ``conversations`` tables by :class:`Keep`."""

    def __init__(self, db: Database, keep: Keep, *, batch: int = BATCH) -> None:
        self.db = db
        self.keep = keep
        self.batch = batch

    def prune(self, now: datetime, *, settled: Collection[str] | None = None) -> Pruned:
        """Forget what is older than its window at ``now``; returns how many rows went.

        ``settled``: the RMA statuses that are final (None: every RMA keeps its customer's conversation).
        """
        events = outbox = notices = unanswered = conversations = 0
        if self.keep.events:
            events = self._batches(
                "delete from events where id in (select e.id from events e where e.at < ? and not exists "
                "(select 1 from tickets t where t.user = e.user and t.status != 'closed') limit ?)",
                [self._before(now, self.keep.events)],
            )
        if self.keep.outbox:
            before = self._before(now, self.keep.outbox)
            outbox = self._batches(
                "delete from outbox where rowid in "
                "(select rowid from outbox where at < ? and sent >= n_replies limit ?)",
                [before],
            )
            notices = self._batches(
                "delete from notices where id in (select id from notices where sent = 1 and created_at < ? limit ?)",
                [before],
            )
        if self.keep.unanswered:
            unanswered = self._inbox(self._before(now, self.keep.unanswered))
        if self.keep.conversations:
            conversations = self._conversations(self._before(now, self.keep.conversations), settled or ())
        return Pruned(events=events, outbox=outbox, notices=notices, unanswered=unanswered, conversations=conversations)

    def _conversations(self, before: str, settled: Collection[str]) -> int:
        marks = ", ".join("?" for _ in settled)
        unsettled = f"r.status not in ({marks})" if settled else "1"
        return self._batches(
            "delete from conversations where rowid in (select c.rowid from conversations c where c.updated_at < ? "
            "and not exists (select 1 from tickets t where t.user = c.user and t.status != 'closed') "
            f"and not exists (select 1 from rmas r where r.user = c.user and {unsettled}) limit ?)",
            [before, *settled],
        )

    def _inbox(self, before: str) -> int:
        gone = self._batches(
            "delete from unanswered where id in (select id from unanswered where at < ? and done_at is not null "
            "limit ?)",
            [before],
        )
        for (brand,) in self.db.read("select distinct brand from unanswered where done_at is null"):
            shown = self.db.one(  # the oldest open question /unanswered still shows
                "select id from unanswered where brand is ? and done_at is null order by id desc limit 1 offset ?",
                [brand, INBOX_SHOWN - 1],
            )
            if shown is not None:
                gone += self._batches(
                    "delete from unanswered where id in (select id from unanswered where brand is ? and "
                    "done_at is null and id < ? and at < ? limit ?)",
                    [brand, shown[0], before],
                )
        return gone

    def _batches(self, sql: str, args: list[object]) -> int:
        """Run a ``delete … limit ?`` in transactions of one batch each until it deletes less than a batch."""
        total = 0
        while True:
            with self.db.write() as conn:
                count = conn.execute(sql, [*args, self.batch]).rowcount
            total += count
            if count < self.batch:
                return total

    @staticmethod
    def _before(now: datetime, days: int) -> str:
        return utc(now - timedelta(days=days))
