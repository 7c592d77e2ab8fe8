"""Small persisted settings by key (the staff desk's open/closed state…)."""

from __future__ import annotations

from bot.store.db import Database


class Settings:
    """The ``kv`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str) -> str | None:
        """A setting's value, or None."""
        row = self.db.one("select value from kv where key = ?", [key])
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        """Persist a setting."""
        with self.db.write() as conn:
            conn.execute(
                "insert into kv (key, value) values (?, ?) on conflict(key) do update set value = excluded.value",
                [key, value],
            )

    def delete(self, key: str) -> None:
        """Forget a setting."""
        with self.db.write() as conn:
            conn.execute("delete from kv where key = ?", [key])
