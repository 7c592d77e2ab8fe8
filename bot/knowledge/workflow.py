"""The shared RMA workflow (``policies/_rma.toml``) and the handoff's numbers (``policies/_handoff.toml``).

Each brand's own procedure (who issues the number, its validity, the label, who pays shipping) is its
pack; these files hold what every brand shares: the statuses a request goes through and which may
follow which, the exclusion questions asked before a number is issued, and the consultant handoff's
timings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.errors import FaqError, InputError
from bot.knowledge.faq import read_toml
from bot.knowledge.packs import BrandPack


@dataclass(frozen=True)
class Choice:
    """One button of an exclusion question."""

    id: str
    tags: frozenset[str]


@dataclass(frozen=True)
class Question:
    """An exclusion question ("was it opened?") and its choices."""

    id: str
    choices: tuple[Choice, ...]
    damage: bool = False  # a choice reports damage: not a defect, even where no exclusion names it

    def tags(self) -> frozenset[str]:
        """Every tag a choice can mean."""
        return frozenset(t for c in self.choices for t in c.tags)

    def choice(self, choice_id: str) -> Choice | None:
        """The choice with this id."""
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Workflow:
    """The statuses of a repair request and the questions asked before one is filed."""

    statuses: tuple[str, ...]
    final: frozenset[str]
    next: Mapping[str, tuple[str, ...]]
    needs: Mapping[str, str]  # what a status needs from the consultant: "tracking", "amount"
    aliases: Mapping[str, str]  # words consultants may type for a status
    reminder_days: int
    questions: tuple[Question, ...]

    @classmethod
    def load(cls, path: Path) -> Workflow:
        """Read ``policies/_rma.toml``; a problem names the file and the key."""
        data = read_toml(path)
        try:
            workflow = cls(
                statuses=tuple(data["statuses"]),
                final=frozenset(data["final"]),
                next={k: tuple(v) for k, v in data["next"].items()},
                needs=dict(data.get("needs", {})),
                aliases=dict(data.get("aliases", {})),
                reminder_days=int(data["reminder_days_before"]),
                questions=tuple(
                    Question(
                        q["id"],
                        tuple(Choice(c["id"], frozenset(c["tags"])) for c in q["choices"]),
                        bool(q.get("damage", False)),
                    )
                    for q in data["questions"]
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise FaqError(path, "(workflow)", f"cannot read: {exc!r}") from None
        for status, following in workflow.next.items():
            unknown = (set(following) | {status}) - set(workflow.statuses)
            if unknown:
                raise FaqError(path, f"next.{status}", f"unknown status {sorted(unknown)[0]!r}")
        missing = set(workflow.statuses) - set(workflow.next)
        if missing:
            raise FaqError(path, "next", f"no entry for status {sorted(missing)[0]!r}")
        return workflow

    def status_word(self, word: str) -> str | None:
        """A status from what a consultant typed ("ship", "received", "awaiting-shipment")."""
        key = word.strip().lower().replace("-", "_")
        if key in self.statuses:
            return key
        return self.aliases.get(key)

    def check_change(self, current: str, new: str) -> None:
        """Raise InputError when ``new`` may not follow ``current``."""
        if new not in self.statuses:
            raise InputError(f"unknown status {new!r} (known: {', '.join(self.statuses)})")
        if new not in self.next.get(current, ()):
            allowed = ", ".join(self.next.get(current, ())) or "none, it is final"
            raise InputError(f"an RMA that is {current} cannot become {new} (next may be: {allowed})")

    def reported_damage(self, answers: Mapping[str, Any]) -> frozenset[str]:
        """The tags of damage the customer reported at the exclusion questions (water, a drop…).

        ``answers`` maps question ids to answers that have ``tags``.
        """
        damage = {q.id for q in self.questions if q.damage}
        return frozenset(t for qid, a in answers.items() if qid in damage for t in _tags(a))

    def damage_tags(self) -> frozenset[str]:
        """The situation tags that report damage (a drop, water, lightning…): never a product defect."""
        return frozenset(t for q in self.questions if q.damage for c in q.choices for t in c.tags)

    def questions_for(self, pack: BrandPack) -> tuple[Question, ...]:
        """The exclusion questions that matter for a brand: one of its exclusions names a choice's tag."""
        tags = {t for e in pack.exclusions() if e.scope == "warranty" for t in e.tags}
        return tuple(q for q in self.questions if q.tags() & tags)


def _tags(answer: Any) -> list[str]:
    return list(answer.get("tags", ()) if isinstance(answer, Mapping) else answer.tags)


@dataclass(frozen=True)
class HandoffSettings:
    """The consultant handoff's numbers."""

    misunderstandings: int  # "didn't understand" turns in a row that bring a consultant
    reopen_minutes: int  # a closed chat reopens when the customer writes within this
    card_exchanges: int  # exchanges shown on a ticket's card
    ack_every_minutes: int  # out of hours, "kept for the consultants" at most this often
    sweep_seconds: int  # how often the opening-time sweep looks
    values: Mapping[str, Any]  # all of ``[handoff]``, for templates

    @classmethod
    def load(cls, path: Path) -> HandoffSettings:
        """Read ``policies/_handoff.toml``; a problem names the file and the key."""
        settings = read_toml(path).get("handoff")
        if not isinstance(settings, dict):
            raise FaqError(path, "handoff", "missing [handoff] table")
        numbers = {}
        for key in (
            "misunderstandings",
            "reopen_minutes",
            "card_exchanges",
            "ack_every_minutes",
            "opening_sweep_seconds",
        ):
            value = settings.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise FaqError(path, f"handoff.{key}", f"expected a whole number of at least 1, got {value!r}")
            numbers[key] = value
        return cls(
            misunderstandings=numbers["misunderstandings"],
            reopen_minutes=numbers["reopen_minutes"],
            card_exchanges=numbers["card_exchanges"],
            ack_every_minutes=numbers["ack_every_minutes"],
            sweep_seconds=numbers["opening_sweep_seconds"],
            values=settings,
        )
