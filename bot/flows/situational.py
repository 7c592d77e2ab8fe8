"""The customer's own situation answered: the policy's verdicts rendered, or the one fact still missing asked.

The :class:`~bot.policy.advice.Advisor` decides which verdicts apply (warranty status, a return window,
shipping, a repair's cost…) and what to ask when a verdict needs a fact the customer has not given. This
module renders that advice in the customer's language and remembers what was asked (so the answer,
typed or pressed, finishes the reply).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.messages import Button, Reply
from bot.core.outcomes import Outcome
from bot.flows.base import Kit, Result, Turn
from bot.flows.state import Pending
from bot.knowledge.faq import Entry
from bot.knowledge.packs import BrandPack
from bot.understand.situation import Situation


def situational(
    kit: Kit,
    turn: Turn,
    situation: Situation,
    tokens: list[str],
    entry_id: str | None,
    *,
    score: float | None = None,
    answered: bool = False,
) -> Result | None:
    """Apply the policy to the customer's situation; None when it has nothing to add.

    ``answered``: the customer just gave a fact we asked for, so a question back is in order even
    when no entry fits.
    """
    pack = turn.pack
    today = turn.today
    advice = kit.advisor.advise(pack, situation, tokens, entry_id, today)
    entry = kit.content.entries[pack.id].get(entry_id) if entry_id else None
    if not advice.parts and advice.ask is None:
        return None
    if not advice.parts and entry is None and not answered and not situation.dates:
        return None  # a question we'd ask about something we didn't understand: say so instead
    texts: list[str] = []
    happened = False  # a verdict on what happened to the product leads: the chosen entry only as a button
    for name, extra in advice.parts:
        about = _about(pack, name, extra, situation)
        happened = happened or bool(about)
        own = _cause_entries(kit, turn, about, entry) if about else []
        if not own:
            texts.append(turn.say(name, **extra))
        for cause_entry in own:  # the brand's own answers about what happened say it best (and what can be done)
            text = kit.content.render_entry(pack.id, cause_entry, turn.lang, turn.context)
            texts.append(kit.intents.without_lead(text, turn.lang) if texts or not turn.reading.keeps_lead else text)
        if about and entry is not None and (entry in own or entry.id in kit.cause_entries(pack)):
            entry = None  # the entry the matcher chose said this already, or is about another cause
    buttons: list[Button] = []
    if entry is not None and entry.kind == "faq":
        if advice.parts and (advice.supersede or happened):
            buttons.append(turn.button("button_more", f"faq:{entry.id}", title=entry.title(turn.lang)))
        else:
            text = kit.content.render_entry(pack.id, entry, turn.lang, turn.context)
            if texts or not turn.reading.keeps_lead:  # after a verdict, the verdict leads
                text = kit.intents.without_lead(text, turn.lang)
            texts.append(text)
    if advice.ask is not None:
        name, extra = advice.ask
        texts.append(turn.say(name, **extra))
        buttons.extend(Button(_choice_label(turn, label, data), data) for label, data in advice.choices)
        turn.state.answer.pending = Pending(situation=situation, tokens=tokens, entry=entry_id, need=advice.need)
    turn.offer(buttons)
    turn.state.answer.situation = situation
    outcome = Outcome.ADVISED if advice.parts else Outcome.ASKED
    return Result(outcome, [Reply("\n".join(texts), tuple(buttons))], entry_id, score)


def _about(pack: BrandPack, name: str, extra: dict[str, Any], situation: Situation) -> frozenset[str]:
    """The causes a verdict is about.

    What happened that a clause (or one of its examples) excludes, or damage that is no defect.
    """
    if name == "exclusion":
        return _clause_tags(pack, {e.id for e in extra["excl"]}) & situation.events
    if name == "damage_review":
        return frozenset(extra["damage"])
    return frozenset()


def _cause_entries(kit: Kit, turn: Turn, about: frozenset[str], matched: Entry | None) -> list[Entry]:
    """The brand's FAQ entries about what happened, together covering all of it (none: the verdict speaks).

    The one the matcher chose when it is about some of it, then, for what is left ("a fire burned one, a
    repair shop opened the other"), the entry that covers the most of it, as long as only one does.
    ("together": as much of it as the brand's entries speak of.)
    """
    causes = kit.cause_entries(turn.pack)
    entries = kit.content.entries[turn.pack.id]
    chosen: list[Entry] = []
    left = about
    pick = matched.id if matched is not None and causes.get(matched.id, frozenset()) & about else None
    while left:
        if pick is None:
            overlap = {entry_id: len(found & left) for entry_id, found in causes.items() if found & left}
            best = max(overlap.values(), default=0)
            top = [entry_id for entry_id, n in overlap.items() if n == best]
            if not overlap or len(top) != 1 or top[0] not in entries:
                return []  # a clause no entry speaks of: the verdict names them all
            pick = top[0]
        chosen.append(entries[pick])
        found = causes[pick] & left  # (a damage no clause names is its own: take it off too, or this never ends)
        left, pick = left - found - _clauses_of(turn.pack, found), None
    return chosen


def _clauses_of(pack: BrandPack, tags: frozenset[str]) -> frozenset[str]:
    """All the tags of the brand's exclusion clauses that ``tags`` fall under (a clause and its examples)."""
    return _clause_tags(pack, {e.part_of or e.id for e in pack.exclusion_list if not tags.isdisjoint(e.tags)})


def _clause_tags(pack: BrandPack, clauses: set[str]) -> frozenset[str]:
    """The tags of the named exclusion clauses and of their examples."""
    return frozenset(t for e in pack.exclusion_list if (e.part_of or e.id) in clauses for t in e.tags)


def _choice_label(turn: Turn, label: str, data: str) -> str:
    """A choice's label in the customer's language: the product type's name, or the date as they write it."""
    kind, _, value = data.partition(":")
    if kind == "cat":
        category = turn.pack.category(value)
        if category is not None:
            return category.name_in(turn.lang)
    if kind == "date":
        return turn.say("date_label", d=date.fromisoformat(value))
    return label
