"""Support statistics for admins: what the bot answered, what people thought of it, who needed a person.

:func:`gather` reads one window, ``[now - days, now]``, for one brand or all of them, straight from SQLite;
:func:`daily` the questions and handoffs of each day. How admins read them is :mod:`.report`.

Questions are the ``events`` rows of typed text that went to the answer matcher (see
:meth:`bot.engine.Engine._understood`). A button press is logged as ``[data]`` and a command as ``/word``:
neither is a question, whatever its outcome (pressing "None of these" logs ``unknown`` for ``[none]``, and
``/human`` without a staff chat logs ``answered``). The outcomes, by bucket:

* **answered**: ``answered`` (a FAQ entry, small talk such as "thanks" included), ``advised`` (the policy
  applied to the customer's own dates and facts), ``troubleshoot_offered`` (a guided walk that fits was
  offered), ``refused`` (a request to break into a device, understood and declined; also counted apart);
* **clarified**: ``clarify`` (a choice of entries offered) and ``asked`` (a missing fact asked for: the
  purchase date, the product category);
* **not understood**: ``unknown``, ``handoff_not_understood`` (the second miss in a row, which hands the
  chat to a consultant and is logged under that outcome instead) and ``out_of_scope`` (pre-sales and
  other questions the bot does not handle: it says it does not know; also counted apart).

Everything else is not a question: ``handoff_asked`` (asking for a person, counted as a handoff),
``handoff_already`` / ``handoff_banned``, the troubleshooting walk's steps (a typed answer to a step
included), the RMA flow's turns (a question typed during a repair request that is not understood is logged
as the request's re-ask, so it cannot be counted), ``relayed`` / ``kept`` (with a consultant), ``error``,
``empty``, ``non_text`` and the menu and command outcomes.

The other figures: 👍 / 👎 from ``feedback``; troubleshooting walks ended (``walk_outcomes``) per outcome,
with the average of their 1–5 ratings; handoffs, the tickets opened in the window (by reason), with the
median wait from ``opened_at`` to the first of ``claimed_at`` and the first message with direction
``consultant`` (tickets without either are counted as still waiting while open, never answered once
closed); RMAs created in the window by their current status; the consultants' chat ratings of those
tickets. ``claimed_at`` is the latest claim (a second consultant's /take moves it), so a wait can read long
when a ticket changed hands before anyone wrote.

Moments are stored as UTC ISO 8601 strings (see :func:`bot.store.db.utc`), which sort as time does: a
window is a plain string range, ``column >= start and column <= end`` with both edges in UTC, which the
``at`` indexes serve. Waits are worked out from the same strings, read back as datetimes.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.store import Store, utc

log = logging.getLogger(__name__)

ANSWERED = frozenset({"answered", "advised", "troubleshoot_offered", "refused"})
CLARIFIED = frozenset({"clarify", "asked"})
NOT_UNDERSTOOD = frozenset({"unknown", "handoff_not_understood", "out_of_scope"})
QUESTION_OUTCOMES = ANSWERED | CLARIFIED | NOT_UNDERSTOOD
WALK_OUTCOMES = ("solved", "repair", "consultant", "left")  # shown in this order, any other after them
DEFAULT_DAYS = (7, 30)

# typed text only: a press is logged as "[data]", a command as "/word…" (bot.engine._COMMAND)
_TYPED = "not (coalesce(text, '') glob '[[]*]' or coalesce(text, '') glob '/[A-Za-z]*')"
_QUESTIONS = f"+outcome in ({', '.join(repr(o) for o in sorted(QUESTION_OUTCOMES))}) and {_TYPED}"


@dataclass(frozen=True)
class Stats:
    """The figures of one window, ``[start, end]``, for one brand (``brand``) or all brands (None)."""

    brand: str | None
    days: int
    start: datetime
    end: datetime
    answered: int = 0
    clarified: int = 0
    not_understood: int = 0
    refused: int = 0  # of the answered: break-in requests declined
    out_of_scope: int = 0  # of the not understood: questions the bot does not handle
    helpful: int = 0  # 👍
    unhelpful: int = 0  # 👎
    walks: tuple[tuple[str, int], ...] = ()  # (outcome, walks), solved / repair / consultant / left first
    walk_rating: float | None = None
    walk_ratings: int = 0
    handoffs: int = 0
    handoff_reasons: tuple[tuple[str, int], ...] = ()  # (reason, tickets), most first
    waits: tuple[float, ...] = field(default=(), repr=False)  # seconds to a consultant's first answer
    still_waiting: int = 0  # open, no consultant yet
    never_answered: int = 0  # closed without a consultant ever answering
    rmas: tuple[tuple[str, int], ...] = ()  # (current status, RMAs), most first
    ticket_rating: float | None = None
    ticket_ratings: int = 0

    @property
    def questions(self) -> int:
        """Typed questions, all buckets."""
        return self.answered + self.clarified + self.not_understood

    @property
    def feedback(self) -> int:
        """👍 and 👎 together."""
        return self.helpful + self.unhelpful

    @property
    def helpful_ratio(self) -> float | None:
        """👍 / (👍 + 👎), or None without any."""
        return self.helpful / self.feedback if self.feedback else None

    @property
    def walks_total(self) -> int:
        """Troubleshooting walks ended."""
        return sum(n for _, n in self.walks)

    @property
    def answered_tickets(self) -> int:
        """Handoffs a consultant answered (those the median wait is over)."""
        return len(self.waits)

    @property
    def median_wait(self) -> float | None:
        """The median wait for a consultant, in seconds, or None when no ticket was answered."""
        return statistics.median(self.waits) if self.waits else None

    @property
    def rmas_total(self) -> int:
        """RMAs created."""
        return sum(n for _, n in self.rmas)

    @property
    def empty(self) -> bool:
        """Whether nothing at all happened in the window."""
        return not (self.questions or self.feedback or self.walks or self.handoffs or self.rmas)

    def share(self, part: int, whole: int | None = None) -> int:
        """``part`` as a whole percentage of ``whole`` (the questions by default); 0 of nothing is 0."""
        whole = self.questions if whole is None else whole
        return round(100 * part / whole) if whole else 0


@dataclass(frozen=True)
class Day:
    """One day of the chart: questions by bucket, and handoffs."""

    day: date
    answered: int = 0
    clarified: int = 0
    not_understood: int = 0
    handoffs: int = 0


# -- reading -------------------------------------------------------------------------------------------


def _window(column: str, start: datetime, end: datetime) -> tuple[str, list[Any]]:
    """A ``where`` clause (and its arguments) keeping rows whose ``column`` moment lies in ``[start, end]``."""
    return f"{column} >= ? and {column} <= ?", [utc(start), utc(end)]


def _rows(store: Store, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
    return store.db.read(sql, args)


def _seconds(later: str, earlier: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


def _brand(brand: str | None, column: str = "brand") -> tuple[str, list[Any]]:
    return (f" and {column} = ?", [brand]) if brand is not None else ("", [])


def _bucket(outcome: str) -> str:
    if outcome in ANSWERED:
        return "answered"
    if outcome in CLARIFIED:
        return "clarified"
    return "not_understood"


def _ordered(counts: Mapping[str, int], first: Sequence[str] = ()) -> tuple[tuple[str, int], ...]:
    """Counts as pairs: the names in ``first`` in that order, then the rest by count (most first), then name."""
    head = [(name, counts[name]) for name in first if counts.get(name)]
    rest = sorted(((n, c) for n, c in counts.items() if n not in first and c), key=lambda x: (-x[1], x[0]))
    return (*head, *rest)


def gather(store: Store, *, brand: str | None, now: datetime, days: int) -> Stats:
    """The figures of ``[now - days, now]`` for ``brand`` (None: every brand)."""
    if now.tzinfo is None:
        raise ValueError("now must carry its UTC offset")
    start, end = now - timedelta(days=days), now
    brand_clause, brand_args = _brand(brand)

    where, args = _window("at", start, end)
    buckets = {"answered": 0, "clarified": 0, "not_understood": 0}
    outcomes: dict[str, int] = {}
    for outcome, count in _rows(
        store,
        f"select outcome, count(*) from events where {where}{brand_clause} and {_QUESTIONS} group by outcome",
        [*args, *brand_args],
    ):
        buckets[_bucket(outcome)] += count
        outcomes[outcome] = count

    ((helpful, unhelpful),) = _rows(
        store,
        "select coalesce(sum(helpful = 1), 0), coalesce(sum(helpful = 0), 0) "
        f"from feedback where {where}{brand_clause}",
        [*args, *brand_args],
    )

    walks = dict(
        _rows(
            store,
            f"select outcome, count(*) from walk_outcomes where {where}{brand_clause} group by outcome",
            [*args, *brand_args],
        )
    )
    ((walk_rating, walk_ratings),) = _rows(
        store, f"select avg(rating), count(rating) from walk_outcomes where {where}{brand_clause}", [*args, *brand_args]
    )

    where, args = _window("t.opened_at", start, end)
    tickets = _rows(
        store,
        (
            "select t.status, t.reason, t.rating, t.opened_at, t.claimed_at, "
            "(select min(m.at) from ticket_messages m where m.ticket = t.id and m.direction = 'consultant') "
            f"from tickets t where {where}{_brand(brand, 't.brand')[0]}"
        ),
        [*args, *brand_args],
    )
    reasons: dict[str, int] = {}
    waits: list[float] = []
    still_waiting = never_answered = 0
    ticket_ratings: list[int] = []
    for status, reason, rating, opened, claimed, replied in tickets:
        reasons[reason or "?"] = reasons.get(reason or "?", 0) + 1
        if rating is not None:
            ticket_ratings.append(int(rating))
        answered = [moment for moment in (claimed, replied) if moment is not None]
        if answered:
            waits.append(max(0.0, round(_seconds(min(answered), opened), 3)))
        elif status == "closed":
            never_answered += 1
        else:
            still_waiting += 1

    where, args = _window("created_at", start, end)
    rmas = dict(
        _rows(
            store,
            f"select status, count(*) from rmas where {where}{brand_clause} group by status",
            [*args, *brand_args],
        )
    )

    return Stats(
        brand=brand,
        days=days,
        start=start,
        end=end,
        **buckets,
        refused=outcomes.get("refused", 0),
        out_of_scope=outcomes.get("out_of_scope", 0),
        helpful=int(helpful),
        unhelpful=int(unhelpful),
        walks=_ordered(walks, WALK_OUTCOMES),
        walk_rating=walk_rating,
        walk_ratings=int(walk_ratings),
        handoffs=len(tickets),
        handoff_reasons=_ordered(reasons),
        waits=tuple(sorted(waits)),
        still_waiting=still_waiting,
        never_answered=never_answered,
        rmas=_ordered(rmas),
        ticket_rating=statistics.fmean(ticket_ratings) if ticket_ratings else None,
        ticket_ratings=len(ticket_ratings),
    )


def daily(store: Store, *, brand: str | None, now: datetime, days: int = 30) -> list[Day]:
    """Questions by bucket and handoffs for each of the last ``days`` calendar days, in ``now``'s time zone.

    The days end with today (so far); ``now``'s current UTC offset places every row on a day.
    """
    if now.tzinfo is None:
        raise ValueError("now must carry its UTC offset")
    today = now.date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time(), tzinfo=now.tzinfo)
    offset = now.utcoffset() or timedelta()
    shift = f"{int(offset.total_seconds() // 60):+d} minutes"
    brand_clause, brand_args = _brand(brand)
    counts: dict[date, dict[str, int]] = {first + timedelta(days=i): {} for i in range(days)}

    def add(day: str, key: str, count: int) -> None:
        found = counts.get(date.fromisoformat(day))
        if found is not None:  # a row an offset change puts a day outside: left out
            found[key] = found.get(key, 0) + count

    where, args = _window("at", start, now)
    for day, outcome, count in _rows(
        store,
        f"select date(at, ?), outcome, count(*) from events where {where}{brand_clause} and {_QUESTIONS} group by 1, 2",
        [shift, *args, *brand_args],
    ):
        add(day, _bucket(outcome), count)
    where, args = _window("opened_at", start, now)
    for day, count in _rows(
        store,
        f"select date(opened_at, ?), count(*) from tickets where {where}{brand_clause} group by 1",
        [shift, *args, *brand_args],
    ):
        add(day, "handoffs", count)
    return [Day(day, **found) for day, found in counts.items()]
