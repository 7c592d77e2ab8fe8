"""The FAQ as admins keep it: their changes, customers' 👍 / 👎, and the inbox of unanswered questions.

:class:`FaqChanges` is the live overlay on ``faq/`` and its history; :class:`Feedback` the 👍 / 👎 on
answers; :class:`Inbox` the questions the bot could not answer (or whose answer did not help).

A change is compare-and-set: :meth:`FaqChanges.change` checks, inside a ``BEGIN IMMEDIATE`` transaction,
that nobody changed the entry since the admin looked, so two admins (or two processes) never lose an edit.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.store.db import Database, utc


class FaqConflict(Exception):
    """An FAQ change refused because the entry (or the FAQ) changed since the admin looked at it."""


UNKNOWN: Any = object()  # the files' version of an entry at the time of a change, where it was not recorded
INBOX_SHOWN = 2000  # the newest open inbox questions of a brand that /unanswered reads


class FaqChanges:
    """The ``faq_overrides`` (data NULL: removed for the brand) and ``faq_changes`` tables.

    ``base`` is the files' version of the entry when it was changed, to notice the files changing since.
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    def overrides(self) -> list[tuple[str, str, dict[str, Any] | None, Any]]:
        """Every FAQ entry an admin changed, with the files' version of it at the time.

        Rows are (brand, entry id, the entry as a table or None when removed, the files' version when it
        was changed: a table, None when the files had none, or :data:`UNKNOWN`).
        """
        rows = self.db.read("select brand, entry_id, data, base from faq_overrides order by brand, entry_id")
        return [
            (
                brand,
                entry_id,
                json.loads(data) if data is not None else None,
                json.loads(base) if base is not None else UNKNOWN,
            )
            for brand, entry_id, data, base in rows
        ]

    def version(self) -> int:
        """A number that grows with every FAQ change (so other processes notice one)."""
        row = self.db.one("select max(id) from faq_changes")
        return int(row[0] or 0) if row else 0

    def last_change(self, brand: str, entry_id: str) -> int:
        """The id of the entry's latest change for a brand (0: never changed), to detect changes made meanwhile."""
        row = self.db.one("select max(id) from faq_changes where brand = ? and entry_id = ?", [brand, entry_id])
        return int(row[0] or 0) if row else 0

    def change(
        self,
        *,
        brand: str,
        entry_id: str,
        action: str,
        by: str,
        at: datetime,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
        override: bool,
        base: Mapping[str, Any] | None,
        expect: int | None = None,
        undoes: int | None = None,
    ) -> int:
        """Record one change and set the live overlay, in one transaction; returns the change's id.

        ``override`` False drops the overlay row (the entry is as ``faq/`` has it); True stores ``after``
        (None: removed for this brand). ``base`` is the files' version at the time. ``expect`` is the entry's
        latest change as the admin saw it: another change since raises :class:`FaqConflict`, nothing stored.
        ``undoes`` marks an earlier change as undone.
        """
        with self.db.write() as conn:  # BEGIN IMMEDIATE: the check and the write as one, across processes too
            if expect is not None:
                row = conn.execute(
                    "select max(id) from faq_changes where brand = ? and entry_id = ?", [brand, entry_id]
                ).fetchone()
                if int(row[0] or 0) != expect:
                    raise FaqConflict(f"{brand}/{entry_id} changed meanwhile")
            return _write(conn, brand, entry_id, action, by, at, before, after, override, base, undoes)

    def change_all(self, changes: Sequence[Mapping[str, Any]], *, expect_version: int) -> None:
        """Several changes (an import) in one transaction, refused if any FAQ change came in meanwhile."""
        with self.db.write() as conn:
            row = conn.execute("select max(id) from faq_changes").fetchone()
            if int(row[0] or 0) != expect_version:
                raise FaqConflict("the FAQ changed while the import was being checked")
            for c in changes:
                _write(
                    conn,
                    c["brand"],
                    c["entry_id"],
                    c["action"],
                    c["by"],
                    c["at"],
                    c["before"],
                    c["after"],
                    c["override"],
                    c["base"],
                    None,
                )

    def history(self, brand: str, entry_id: str) -> list[dict[str, Any]]:
        """An entry's changes for a brand, newest first (before/after decoded)."""
        rows = self.db.rows(
            "select * from faq_changes where brand = ? and entry_id = ? order by id desc", [brand, entry_id]
        )
        for row in rows:
            for key in ("before", "after"):
                row[key] = json.loads(row[key]) if row[key] is not None else None
            row["base"] = json.loads(row["base"]) if row.get("base") is not None else UNKNOWN
        return rows

    def undoable(self, brand: str, entry_id: str) -> dict[str, Any] | None:
        """The latest change to an entry that an undo would take back (not an undo, not undone), or None."""
        return next((c for c in self.history(brand, entry_id) if c["action"] != "undo" and not c["undone"]), None)


def _write(
    conn: sqlite3.Connection,
    brand: str,
    entry_id: str,
    action: str,
    by: str,
    at: datetime,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    override: bool,
    base: Mapping[str, Any] | None,
    undoes: int | None,
) -> int:
    def encoded(table: Mapping[str, Any] | None) -> str | None:
        return json.dumps(table, ensure_ascii=False) if table is not None else None

    base_json = json.dumps(base, ensure_ascii=False)  # "null": the files had no such entry
    if override:
        conn.execute(
            "insert into faq_overrides (brand, entry_id, data, base) values (?, ?, ?, ?) "
            "on conflict(brand, entry_id) do update set data = excluded.data, base = excluded.base",
            [brand, entry_id, encoded(after), base_json],
        )
    else:
        conn.execute("delete from faq_overrides where brand = ? and entry_id = ?", [brand, entry_id])
    if undoes is not None:
        conn.execute("update faq_changes set undone = 1 where id = ?", [undoes])
    cursor = conn.execute(
        "insert into faq_changes (brand, entry_id, action, by, at, before, after, base, undone, undoes) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
        [brand, entry_id, action, by, utc(at), encoded(before), encoded(after), base_json, undoes],
    )
    return int(cursor.lastrowid or 0)


class Feedback:
    """The ``feedback`` table: one 👍 / 👎 per customer, answer and question."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self, *, user: str, brand: str, entry_id: str, question: str, helpful: bool, at: datetime
    ) -> bool | None:
        """A customer's 👍 / 👎 on an answer (pressing again changes their mind, it does not count twice).

        Returns what they had said before about the same answer to the same question (None: nothing).
        """
        with self.db.write() as conn:
            row = conn.execute(
                "select helpful from feedback where user = ? and brand = ? and entry_id = ? and question = ?",
                [user, brand, entry_id, question],
            ).fetchone()
            conn.execute(
                "insert into feedback (user, brand, entry_id, question, helpful, at) values (?, ?, ?, ?, ?, ?) "
                "on conflict(user, brand, entry_id, question) do update set helpful = excluded.helpful, "
                "at = excluded.at",
                [user, brand, entry_id, question, int(helpful), utc(at)],
            )
        return bool(row[0]) if row else None


class Inbox:
    """The ``unanswered`` table: questions the bot could not answer (or whose answer did not help)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, *, brand: str, user: str, text: str, reason: str, entry_id: str | None, at: datetime) -> None:
        """Keep a question for the admins' inbox."""
        with self.db.write() as conn:
            conn.execute(
                "insert into unanswered (brand, user, text, reason, entry_id, at) values (?, ?, ?, ?, ?, ?)",
                [brand, user, text, reason, entry_id, utc(at)],
            )

    def has(self, *, user: str, brand: str, text: str, entry_id: str | None) -> bool:
        """Whether the inbox already holds this customer's question (about this entry), dealt with or not."""
        row = self.db.one(
            "select 1 from unanswered where user = ? and brand = ? and text = ? and entry_id is ?",
            [user, brand, text, entry_id],
        )
        return row is not None

    def open(self, brand: str, *, limit: int = INBOX_SHOWN) -> list[dict[str, Any]]:
        """The brand's open inbox, newest first."""
        return self.db.rows(
            "select * from unanswered where brand = ? and done_at is null order by id desc limit ?", [brand, limit]
        )

    def close(self, ids: Sequence[int], *, by: str, action: str, at: datetime) -> int:
        """Mark inbox questions as dealt with; returns how many were still open."""
        with self.db.write() as conn:
            cursor = conn.executemany(
                "update unanswered set done_at = ?, done_by = ?, done_action = ? where id = ? and done_at is null",
                [[utc(at), by, action, i] for i in ids],
            )
        return cursor.rowcount
