"""What a failed Bot API call means for delivery: retry it, set it aside, or take it as done.

Every delivery has an owner and an end. :func:`fault_of` sorts a ``TelegramError`` into one of these
kinds, and each caller acts on the kind, never on the exception class alone (PTB makes a 400 a
``NetworkError``, and a 502 too):

* ``RETRY``: a transient fault (429 with ``retry_after``, 5xx, a dropped connection, a request that
  could not be sent in time): sent again later, with backoff, up to a cap;
* ``UNSURE``: the request reached the server and the answer came too late (a read timeout): it was
  most likely done, and sending it again would show it twice, so it is taken as sent (and logged);
* ``BLOCKED``: a customer blocked the bot (or deleted their account): set aside until they write again;
* ``GONE``: the bot cannot post in a group (removed, kicked, not a member, no right to write, the chat
  is gone): the group's messages wait until it is back;
* ``TOPIC_GONE`` and ``TOPIC_CLOSED``: the forum topic was deleted or closed: made again or reopened;
* ``NO_RIGHTS``: the bot may post in the group but not manage its topics;
* ``REFUSED``: Telegram refused this one message for good (malformed, a stale file id): set aside.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.adapters.telegram.transport import AnswerLate

RETRY = "retry"
UNSURE = "unsure"
BLOCKED = "blocked"
GONE = "gone"
TOPIC_GONE = "topic gone"
TOPIC_CLOSED = "topic closed"
NO_RIGHTS = "no rights"
REFUSED = "refused"

_GONE_WORDS = (
    "kicked",
    "not a member",
    "chat not found",
    "chat_write_forbidden",
    "have no rights to send",
    "not enough rights to send",
    "need administrator rights",
    "group chat was deactivated",
    "chat was deleted",
    "upgraded to a supergroup",
)
_BLOCKED_WORDS = ("blocked by the user", "user is deactivated", "bot can't initiate conversation")
_TOPIC_GONE_WORDS = ("thread not found", "topic_deleted", "topic_id_invalid")
_NO_RIGHTS_WORDS = ("not enough rights", "chat_admin_required", "not a forum", "topics are disabled")


def fault_of(exc: BaseException) -> str:
    """The kind of a failed call (see the module's docstring)."""
    if isinstance(exc, RetryAfter):
        return RETRY
    if isinstance(exc, ChatMigrated):
        return GONE  # the group became a supergroup: the staff chat id must be changed
    text = str(exc).lower()
    if isinstance(exc, Forbidden):
        if any(w in text for w in _BLOCKED_WORDS):
            return BLOCKED
        return GONE
    if isinstance(exc, BadRequest):
        if "topic_closed" in text:
            return TOPIC_CLOSED
        if any(w in text for w in _TOPIC_GONE_WORDS):
            return TOPIC_GONE
        if any(w in text for w in _GONE_WORDS):
            return GONE
        if any(w in text for w in _NO_RIGHTS_WORDS):
            return NO_RIGHTS
        return REFUSED
    if isinstance(exc, TimedOut):
        return UNSURE if isinstance(exc, AnswerLate) else RETRY
    if isinstance(exc, NetworkError | TelegramError):
        return RETRY  # 5xx, a dropped connection, a connection refused
    return REFUSED


def retry_after(exc: BaseException) -> float | None:
    """The seconds Telegram asked to wait (a 429), or None."""
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that it will become a timedelta: either is read
            warnings.simplefilter("ignore")
            value: Any = exc.retry_after
        return float(value.total_seconds() if hasattr(value, "total_seconds") else value)
    return None


def backoff(tries: int, *, first: float = 1.0, cap: float = 60.0) -> float:
    """Seconds to wait before try number ``tries + 1``: doubling from ``first``, at most ``cap``."""
    return float(min(cap, first * 2 ** max(0, tries - 1)))


def wait_for(exc: BaseException, tries: int, *, first: float = 1.0, cap: float = 60.0) -> float:
    """How long to wait after a transient fault: what a 429 asks for, else the backoff."""
    asked = retry_after(exc)
    return max(asked, 0.1) if asked is not None else backoff(tries, first=first, cap=cap)


class Undeliverable(Exception):
    """A delivery that failed with a kind that is not ``RETRY``: the caller decides what it means."""

    def __init__(self, kind: str, cause: BaseException) -> None:
        super().__init__(f"{kind}: {cause}")
        self.kind = kind
        self.cause = cause
