"""What the Telegram adapter is configured with, and how it names customers to the engine.

One installation may run several bots (one token per brand, ``SUPPORTBOT_BOTS``) on one database. The
first bot names its customers ``tg:<chat id>``, as a single bot always did (an installation's customers
keep their conversations when a second bot is added); every further bot puts its name in the key,
``tg:<bot>:<chat id>``, so the same person writing to two bots has two conversations.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BotSettings:
    """One Telegram bot of the installation."""

    token: str
    name: str = ""  # "" for the first bot (keys tg:<id>); a further bot's name, its brand (keys tg:<name>:<id>)
    brand: str | None = None  # the brand its customers are served as (None: the engine's default)
    brands: tuple[str, ...] = ()  # two or more: one bot serving several brands, the customer chooses

    def key(self, user_id: int) -> str:
        """The engine's conversation key for a customer of this bot."""
        return user_key(user_id, self.name)

    def update_id(self, update_id: int) -> str:
        """The engine's id for one of this bot's updates (each bot counts its updates on its own)."""
        return f"tg:{self.name}:{update_id}" if self.name else f"tg:{update_id}"


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
    bots: tuple[BotSettings, ...] = ()  # several bots in one process; empty: the one bot of ``token``

    @property
    def all_bots(self) -> tuple[BotSettings, ...]:
        """The bots to run, the first being the one that posts in the staff chat."""
        return self.bots or (BotSettings(self.token),)


def user_key(user_id: int, bot: str = "") -> str:
    """The engine's conversation key for a Telegram user of a bot ("" the first bot)."""
    return f"tg:{bot}:{user_id}" if bot else f"tg:{user_id}"


def customer_chat(key: str) -> tuple[str, int] | None:
    """The bot ("" the first) and chat id of a customer's conversation key, or None when it is no Telegram key."""
    if not key.startswith("tg:"):
        return None
    bot, _, chat = key[3:].rpartition(":")
    return (bot, int(chat)) if chat.lstrip("-").isdigit() and ":" not in bot else None
