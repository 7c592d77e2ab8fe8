"""Repair requests (RMAs) and their history; a change and the notices it causes land together."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.store.db import Database, utc
from bot.store.notices import Notice, Notices


class Rmas:
    """The ``rmas`` and ``rma_history`` tables."""

    def __init__(self, db: Database, notices: Notices) -> None:
        self.db = db
        self._notices = notices

    def create(
        self,
        *,
        make_number: Callable[[], str],
        user: str,
        brand: str,
        status: str,
        data: Mapping[str, Any],
        outcome: str,
        at: datetime,
        expires_on: str | None,
        notices: Callable[[str], Sequence[Notice]] | None = None,
    ) -> str:
        """Store a new RMA under a fresh number and return the number.

        The number is drawn again on the rare clash. Its history lines and the notices it causes (made from the
        number by ``notices``) are written in the same transaction. ``expires_on`` is a date in the brand's zone.
        """
        for _ in range(20):
            number = make_number()
            try:
                with self.db.write() as conn:
                    conn.execute(
                        "insert into rmas (number, user, brand, status, data, outcome, created_at, updated_at, "
                        "expires_on, reminded) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                        [
                            number,
                            user,
                            brand,
                            status,
                            json.dumps(data, ensure_ascii=False),
                            outcome,
                            utc(at),
                            utc(at),
                            expires_on,
                        ],
                    )
                    self._history(conn, number, at, "requested", "customer", None)
                    if status != "requested":
                        self._history(conn, number, at, status, "assistant", None)
                    self._notices.add_all(notices(number) if notices else (), at)
                return number
            except sqlite3.IntegrityError:
                continue
        raise RuntimeError("could not draw an unused RMA number")

    def get(self, number: str) -> dict[str, Any] | None:
        """One RMA with its data decoded, or None."""
        rows = self.db.rows("select * from rmas where number = ?", [number])
        return _decoded(rows[0]) if rows else None

    def find(
        self,
        *,
        user: str | None = None,
        status: str | None = None,
        brand: str | None = None,
        expiring: bool = False,
        limit: int = 1000,
    ) -> list[dict[str, Any]]:
        """RMAs, newest first: a customer's own, or by status or brand (``expiring``: only numbers with a validity)."""
        where, args = ["expires_on is not null"] if expiring else [], []
        for column, value in (("user", user), ("status", status), ("brand", brand)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        clause = f"where {' and '.join(where)}" if where else ""
        rows = self.db.rows(f"select * from rmas {clause} order by created_at desc, rowid desc limit ?", [*args, limit])
        return [_decoded(r) for r in rows]

    def history(self, number: str) -> list[dict[str, Any]]:
        """An RMA's status changes, oldest first."""
        return self.db.rows("select at, status, by, note from rma_history where number = ? order by id", [number])

    def change(
        self,
        number: str,
        *,
        expect: str,
        status: str,
        by: str,
        at: datetime,
        note: str | None = None,
        fields: Mapping[str, Any] | None = None,
        notices: Sequence[Notice] = (),
        match: Mapping[str, Any] | None = None,
    ) -> bool:
        """Move an RMA from ``expect`` to ``status`` with its history line and notices, atomically.

        False (and nothing changed) when the RMA is no longer in ``expect``, or a column of ``match`` no longer
        holds its value (the quote a customer answers is still the one quoted): someone else changed it first.
        """
        columns = {"status": status, "updated_at": utc(at), **(fields or {})}
        assignments = ", ".join(f"{c} = ?" for c in columns)
        matches = "".join(f" and {c} is ?" for c in match or {})
        with self.db.write() as conn:
            cursor = conn.execute(
                f"update rmas set {assignments} where number = ? and status = ?{matches}",
                [*columns.values(), number, expect, *(match or {}).values()],
            )
            if cursor.rowcount != 1:
                return False
            if status != expect or note:
                self._history(conn, number, at, status, by, note)
            self._notices.add_all(notices, at)
        return True

    @staticmethod
    def _history(conn: sqlite3.Connection, number: str, at: datetime, status: str, by: str, note: str | None) -> None:
        conn.execute(
            "insert into rma_history (number, at, status, by, note) values (?, ?, ?, ?, ?)",
            [number, utc(at), status, by, note],
        )


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    row["data"] = json.loads(row["data"] or "{}")
    return row
