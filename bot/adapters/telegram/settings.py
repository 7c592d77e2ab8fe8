"""What the Telegram adapter is configured with, and how it names customers to the engine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TelegramSettings:
    """What the Telegram adapter needs beyond the engine."""

    token: str
    api_base_url: str = "https://api.telegram.org"
    staff_chat_id: int | None = None
    admin_ids: frozenset[int] = frozenset()
    max_rate: float = 30  # messages a second to all chats together (Telegram asks for about 30)
    group_rate: float = 20  # messages a minute to one group, the staff chat (Telegram allows about 20)
    chat_rate: float = 1  # messages a second to one chat (Telegram asks for no more than one)
    db_path: str = "supportbot.db"  # the bot's SQLite file: the adapter keeps its own tables in it


def user_key(user_id: int) -> str:
    """The engine's conversation key for a Telegram user."""
    return f"tg:{user_id}"
