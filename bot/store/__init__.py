"""The bot's SQLite storage, one area per module, over one shared :class:`~bot.store.db.Database`.

All database work goes through a :class:`Store`, so that adapters and flows never touch SQL; each area is
an attribute named for what it holds (``store.conversations.load(user)``, ``store.rmas.create(…)``,
``store.tickets.active(user)``, ``store.notices.pending(…)``). What must happen together happens in one
transaction: a turn's state, event and replies; an RMA or ticket change and the notices it causes; an
admin's compare-and-set FAQ change. The schema is versioned (:mod:`.schema`) and every moment is stored
in UTC (:func:`~bot.store.db.utc`). ``store.retention.prune(now)`` forgets old events, delivered replies
and dealt-with inbox questions, by the days :class:`~bot.store.retention.Keep` gives (:mod:`.retention`).

Transport-specific data (the Telegram staff chat's topics, the polling offset…) is the transport's own:
it keeps its tables in the same file, not here.
"""

from __future__ import annotations

from bot.store.conversations import ConversationRow, Conversations
from bot.store.db import Database, SchemaError, StoreBusy, utc
from bot.store.events import Events
from bot.store.faq import UNKNOWN, FaqChanges, FaqConflict, Feedback, Inbox
from bot.store.kv import Settings
from bot.store.notices import Notices
from bot.store.outbox import Outbox, Recorded
from bot.store.retention import Keep, Pruned, Retention
from bot.store.rmas import Rmas
from bot.store.schema import MIGRATIONS
from bot.store.tickets import Bans, Tickets
from bot.store.walks import Walks

__all__ = [
    "UNKNOWN",
    "ConversationRow",
    "Database",
    "FaqConflict",
    "Keep",
    "Pruned",
    "Recorded",
    "SchemaError",
    "Store",
    "StoreBusy",
    "utc",
]


class Store:
    """The areas of the bot's database; thread-safe for one process, several processes share the file."""

    def __init__(self, path: str = "supportbot.db", *, keep: Keep | None = None) -> None:
        self.db = Database(path)
        self.db.migrate(MIGRATIONS)
        self.events = Events(self.db)
        self.outbox = Outbox(self.db)
        self.conversations = Conversations(self.db, self.events, self.outbox)
        self.notices = Notices(self.db)
        self.rmas = Rmas(self.db, self.notices)
        self.tickets = Tickets(self.db, self.notices)
        self.bans = Bans(self.db)
        self.walks = Walks(self.db)
        self.faq = FaqChanges(self.db)
        self.feedback = Feedback(self.db)
        self.inbox = Inbox(self.db)
        self.settings = Settings(self.db)
        self.retention = Retention(self.db, keep or Keep())

    def checkpoint_behind(self) -> None:
        """Checkpoint the database's log in a thread, off the answer path (:meth:`Database.checkpoint_behind`)."""
        self.db.checkpoint_behind()

    def close(self) -> None:
        """Close the database."""
        self.db.close()
