"""What admins look up: the entries, one entry's wording and history, the values answers can quote.

/faq list [words] · /faq show <id> · /faq values [word] · /faq history <id>
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz, process

from bot.core.messages import Button, Reply
from bot.core.outcomes import Outcome
from bot.core.text import fold
from bot.flows.base import Kit, Result, Turn
from bot.knowledge.faq import Entry, base_context
from bot.knowledge.packs import BrandPack
from bot.understand.matcher import Matcher


class AdminDesk:
    """Looking the FAQ up, and the wording every admin command shares."""

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.content = kit.content
        self.store = kit.store
        self.book = kit.book

    def matcher(self, brand: str) -> Matcher:
        """The brand's matcher as it is now."""
        return self.kit.index.matchers[brand]

    def changed(self) -> None:
        """Take the FAQ's latest changes in (this process's or another's)."""
        self.kit.sync_faq()

    # -- wording ------------------------------------------------------------------------------------

    def say(self, turn: Turn, name: str, /, **extra: Any) -> str:
        """An admin message (admins read English)."""
        return self.kit.say(turn.pack, name, "en", turn.now, **extra)

    def _button(self, turn: Turn, name: str, data: str, **extra: Any) -> Button:
        label = self.say(turn, name, **extra)
        return Button(label if len(label) <= 60 else label[:59] + "…", data)

    def reply(self, turn: Turn, outcome: Outcome, name: str, buttons: Sequence[Button] = (), **extra: Any) -> Result:
        """A result of one admin message, offering ``buttons``."""
        turn.offer(buttons)
        return Result(outcome, [Reply(self.say(turn, name, **extra), tuple(buttons))])

    # -- looking up ------------------------------------------------------------------------------------

    def _seen(self, pack: BrandPack, entry_id: str) -> int:
        """The entry's latest change id, then the entries brought up to date.

        A table read after this is at least that new, so a change made after it (by another admin) is
        caught when saving.
        """
        seen = self.store.faq.last_change(pack.id, entry_id)
        self.changed()
        return seen

    def find(self, pack: BrandPack, entry_id: str) -> Entry | None:
        """An entry by its id (case aside), or None."""
        entries = self.content.entries[pack.id]
        return entries.get(entry_id) or entries.get(entry_id.lower())

    def unknown(self, turn: Turn, entry_id: str) -> Result:
        """No entry has this id: say so, with the nearest ids."""
        pack = turn.pack
        entries = self.content.entries[pack.id]
        choices = {e.id: f"{e.id} {e.title('en')}" for e in entries.values()}
        near = [key for _, _, key in process.extract(entry_id, choices, scorer=fuzz.WRatio, limit=3, score_cutoff=60)]
        return self.reply(
            turn, Outcome.ADMIN_UNKNOWN_ENTRY, "admin_unknown_entry", id=entry_id[:60], near=[entries[n] for n in near]
        )

    def listing(self, turn: Turn, query: str) -> Result:
        """``/faq list [words]``: the brand's entries (or those a customer's words would find)."""
        pack = turn.pack
        entries = self.content.entries[pack.id]
        if query:
            wanted = fold(query)
            ids = [e.id for e in entries.values() if wanted in e.id or wanted in fold(e.title("en"))]
            _, ranked = self.matcher(pack.id).rank(query, limit=8)
            ids += [c.entry_id for c in ranked if c.entry_id in entries and c.score >= 0.2]
            shown = [entries[i] for i in dict.fromkeys(ids)]
        else:
            shown = sorted(entries.values(), key=lambda e: (e.kind != "faq", e.kind, e.id))
        rows = [
            {
                "id": e.id,
                "title": e.title("en"),
                "kind": e.kind,
                "edited": self.book.edited(pack.id, e.id),
                "added": e.id not in self.book.base[pack.id],
                "set_aside": (pack.id, e.id) in self.book.broken,
            }
            for e in shown
        ]
        return self.reply(turn, Outcome.ADMIN_LIST, "admin_faq_list", rows=rows, query=query[:80], total=len(entries))

    def show(self, turn: Turn, entry_id: str) -> Result:
        """``/faq show <id>``: the entry's wording as stored, and its answer as customers see it now."""
        pack, now = turn.pack, turn.now
        entry = self.find(pack, entry_id)
        if entry is None:
            return self.unknown(turn, entry_id)
        context = base_context(pack, now)
        rendered = {lang: self.content.render_entry(pack.id, entry, lang, context) for lang in entry.answers}
        history = [
            {**c, "at": datetime.fromisoformat(c["at"]).astimezone(pack.timezone)}
            for c in self.store.faq.history(pack.id, entry.id)[:1]
        ]
        buttons = [self._button(turn, "admin_button_edit", f"adm:edit:{entry.id}")]
        undoable = self.store.faq.undoable(pack.id, entry.id)
        if undoable is not None:  # the button names the change it undoes: pressed late, it undoes nothing else
            buttons.append(self._button(turn, "admin_button_undo", f"adm:undo:{entry.id}:{undoable['id']}"))
        return self.reply(
            turn,
            Outcome.ADMIN_SHOW,
            "admin_faq_show",
            buttons,
            entry=entry,
            rendered=rendered,
            last=history[0] if history else None,
            edited=self.book.edited(pack.id, entry.id),
            broken=self.book.broken.get((pack.id, entry.id)),
        )

    def values(self, turn: Turn, words: str) -> Result:
        """``/faq values [word]``: the policy values answers can quote, with what they hold for this brand."""
        pack = turn.pack
        found = []
        for name, value in sorted(_leaves(pack.data).items()):
            if not words or fold(words) in fold(name):
                found.append({"name": name, "value": value if len(value) <= 60 else value[:59] + "…"})
        return self.reply(
            turn, Outcome.ADMIN_VALUES, "admin_values", values=found[:60], more=len(found) - 60, words=words[:40]
        )

    def history(self, turn: Turn, entry_id: str) -> Result:
        """``/faq history <id>``: who changed the entry, when, and how."""
        pack = turn.pack
        changes = self.store.faq.history(pack.id, entry_id)[:10]
        if not changes and self.find(pack, entry_id) is None:
            return self.unknown(turn, entry_id)
        return self.reply(
            turn,
            Outcome.ADMIN_HISTORY,
            "admin_faq_history",
            id=entry_id[:60],
            changes=[{**c, "at": datetime.fromisoformat(c["at"]).astimezone(pack.timezone)} for c in changes],
        )

    def _hint(self, pack: BrandPack, problem: str) -> str | None:
        """For an unknown policy value, the nearest name the brand's pack has."""
        found = re.search(r"'(\w+)' is undefined|has no attribute '(\w+)'", problem)
        if found is None:
            return None
        name = found.group(1) or found.group(2)
        leaves = {dotted: dotted.rpartition(".")[2] for dotted in sorted(_dotted(pack.data))}
        near = process.extractOne(name, leaves, scorer=fuzz.ratio, score_cutoff=70)
        return str(near[2]) if near else None


def _leaves(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """The pack's plain values by the name a template writes (``warranty.default_months``: "12")."""
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_leaves(value, f"{name}."))
        elif isinstance(value, (str, int, float, bool)):
            out[name] = str(value)
    return out


def _dotted(data: Mapping[str, Any], prefix: str = "") -> set[str]:
    """Every value name in a pack as templates write it (``warranty.years``)."""
    names = set()
    for key, value in data.items():
        name = f"{prefix}{key}"
        names.add(name)
        if isinstance(value, Mapping):
            names |= _dotted(value, f"{name}.")
    return names
