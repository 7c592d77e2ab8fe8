"""Troubleshooting walks: where each ended, what was tried, and the customer's rating."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.store.db import Database, utc


class Walks:
    """The ``walk_outcomes`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self, *, user: str, brand: str, tree: str, leaf: str, outcome: str, tried: list[str], at: datetime
    ) -> int:
        """Record where a troubleshooting walk ended; returns the record's id (for a rating)."""
        with self.db.write() as conn:
            cursor = conn.execute(
                "insert into walk_outcomes (user, brand, tree, leaf, outcome, tried, at) values (?, ?, ?, ?, ?, ?, ?)",
                [user, brand, tree, leaf, outcome, json.dumps(tried, ensure_ascii=False), utc(at)],
            )
        return int(cursor.lastrowid or 0)

    def rate(self, walk_id: int, rating: int) -> None:
        """Store the customer's 1–5 rating of a solved walk."""
        with self.db.write() as conn:
            conn.execute("update walk_outcomes set rating = ? where id = ?", [rating, walk_id])

    def all(self) -> list[dict[str, Any]]:
        """Every recorded walk, oldest first."""
        return self.db.rows("select * from walk_outcomes order by id")

    def last(self, user: str) -> dict[str, Any] | None:
        """The customer's most recent troubleshooting walk (steps tried decoded), or None."""
        rows = self.db.rows("select * from walk_outcomes where user = ? order by id desc limit 1", [user])
        if not rows:
            return None
        rows[0]["tried"] = json.loads(rows[0]["tried"] or "[]")
        return rows[0]

    def summary(self) -> list[dict[str, Any]]:
        """Walks by tree, outcome and leaf: how many, and their average rating."""
        return self.db.rows(
            "select tree, outcome, leaf, count(*) as walks, round(avg(rating), 2) as rating "
            "from walk_outcomes group by tree, outcome, leaf order by tree, outcome, walks desc"
        )
