"""What the Telegram adapter needs of an engine: the named calls it makes, and nothing else.

:class:`bot.engine.Engine` provides them; the adapter is typed against this protocol, so it can reach
neither the engine's store nor its content, and a stand-in engine for a test needs only these.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.messages import Button, Media, Message, Notice, Reply, Unsent


class EnginePort(Protocol):
    """The engine, as a transport sees it."""

    @property
    def opening_sweep_seconds(self) -> int:
        """How often :meth:`open_desk` should run."""
        ...

    # -- customers ---------------------------------------------------------------------------------------

    def handle(self, message: Message) -> list[Reply]:
        """Handle a customer's message; the replies to send, recorded (outbox) before they are returned."""
        ...

    def offered(self, user: str) -> tuple[Button, ...]:
        """The buttons the customer was offered last (to resolve shortened button data)."""
        ...

    def say_to(self, user: str, name: str = ...) -> str:
        """A named message in the customer's language (by default "sorry, your message was not kept")."""
        ...

    # -- the outbox: deliver each recorded reply once ------------------------------------------------------

    def delivered(self, message_id: str) -> int:
        """How many of a message's recorded replies were delivered."""
        ...

    def mark_sent(self, message_id: str, count: int) -> None:
        """Record that the first ``count`` replies to a message were delivered."""
        ...

    def unsent(self) -> list[Unsent]:
        """Messages whose replies were not all delivered, oldest first."""
        ...

    def prune(self) -> int:
        """Forget old events, delivered replies and dealt-with inbox questions, by the retention settings."""
        ...

    # -- consultants and notices -------------------------------------------------------------------------

    def staff(
        self,
        text: str,
        *,
        by: str,
        name: str = "",
        customer: str | None = None,
        media: tuple[Media, ...] = (),
        now: datetime | None = None,
    ) -> list[Reply]:
        """A consultant's message or command in the staff chat; the replies for the staff chat."""
        ...

    def staff_press(self, data: str, *, by: str, name: str, now: datetime | None = None) -> list[Reply]:
        """A button pressed in the staff chat; the replies for the staff chat."""
        ...

    def topic_title(self, user: str) -> str | None:
        """The title of a customer's topic in the staff chat."""
        ...

    def topic_card(self, user: str) -> Reply | None:
        """The context card that heads a customer's topic."""
        ...

    def notices(self, *, target: str | None = None, prefix: str | None = None, limit: int = 100) -> list[Notice]:
        """Messages waiting for delivery outside a turn, oldest first."""
        ...

    def notice_sent(self, notice: Notice) -> None:
        """Record a notice as delivered."""
        ...

    def sweep(self, now: datetime | None = None) -> int:
        """RMA expiry reminders and expiries."""
        ...

    def open_desk(self, now: datetime | None = None) -> int:
        """At opening time, post the chats that waited while consultants were away."""
        ...

    # -- wording for the transport's own menus ---------------------------------------------------------------

    def wording(self, name: str, lang: str) -> str:
        """A named message of the default brand."""
        ...

    def languages(self) -> tuple[str, ...]:
        """The languages the default brand has wording for."""
        ...
