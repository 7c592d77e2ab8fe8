"""The FAQ as ``faq/`` files plus admins' changes in SQLite (moving it between the two: :mod:`.faqfiles`).

:class:`FaqBook` keeps the entries the files give and lays the database's overlay on top
(``faq_overrides``: an entry's new table, or None where an admin removed it for a brand). Every change
is checked by rendering it for its brand in each of its languages before it is stored, so a broken
template never reaches a customer; history (who, when, before, after) lives in ``faq_changes``.

"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.core.errors import FaqError
from bot.knowledge.faq import Content, Entry, base_context, entry_from_table, entry_table
from bot.knowledge.limits import budget
from bot.knowledge.packs import BrandPack
from bot.store import UNKNOWN, Store

log = logging.getLogger(__name__)

EDITS_FILE = "edits.toml"  # where export puts entries the files of a brand's folder do not hold
MAX_ANSWER = 3500  # characters of template an admin may send (Telegram shows 4096 at most)
_CHECK_MOMENT = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # a Monday in opening hours


def _where(brand: str, entry_id: str) -> Path:
    return Path(f"(database) {brand}/{entry_id}")


def check_entry(content: Content, pack: BrandPack, entry: Entry, now: datetime | None = None) -> None:
    """Render an entry for its brand in each of its languages (open and closed hours); FaqError if it can't.

    All the renders share one budget (:func:`bot.knowledge.limits.budget`): an answer that does too much
    work or builds too much text is refused within the time one render may take.
    """
    moments = [_CHECK_MOMENT, _CHECK_MOMENT.replace(hour=20)] + ([now] if now is not None else [])
    with budget():
        for moment in moments:
            context = base_context(pack, moment)
            for lang in entry.answers:
                text = content.render_entry(pack.id, entry, lang, context, check=True)
                if not text.strip():
                    raise FaqError(entry.file, f"entry[{entry.id}].answer.{lang}", "renders as an empty answer")
                if len(text) > 4000:
                    raise FaqError(
                        entry.file,
                        f"entry[{entry.id}].answer.{lang}",
                        f"renders to {len(text)} characters; Telegram shows at most 4096",
                    )


@dataclass(frozen=True)
class Change:
    """One entry's change for a brand: the effective table before and after (None: absent)."""

    brand: str
    entry_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class FaqBook:
    """Entries from ``faq/`` with the database's changes laid over them; keeps ``content.entries`` current."""

    def __init__(self, content: Content, store: Store) -> None:
        self.content = content
        self.store = store
        self.base: dict[str, dict[str, Entry]] = {
            brand: dict(entries) for brand, entries in content.file_entries.items()
        }
        self.version = -1
        # overlay rows not applied: ("render", the error) when they no longer render; ("files", "") when the
        # faq/ files changed the entry since the admin did (the files are newer: a deploy wins over an old edit)
        self.broken: dict[tuple[str, str], tuple[str, str]] = {}
        # overlay rows already checked, by their content: a change re-checks only the rows it touched
        self._checked: dict[tuple[str, str, str], Entry | FaqError] = {}
        self._lock = threading.Lock()

    def apply(self, pending: Mapping[str, dict[str, Entry]]) -> None:
        """Make the entries :meth:`pending` worked out the ones customers get."""
        for brand, entries in pending.items():
            self.content.entries[brand] = entries

    def pending(self) -> dict[str, dict[str, Entry]]:
        """The entries of each brand whose FAQ changed since the last look (not applied yet: see :meth:`apply`)."""
        with self._lock:
            version = self.store.faq.version()
            if version == self.version:
                return {}
            entries = {brand: dict(found) for brand, found in self.base.items()}
            broken: dict[tuple[str, str], tuple[str, str]] = {}
            checked: dict[tuple[str, str, str], Entry | FaqError] = {}
            for brand, entry_id, table, base in self.store.faq.overrides():
                if brand not in entries:
                    continue
                files_now = self._base_table(brand, entry_id)
                if base is not UNKNOWN and base != files_now:
                    log.warning(
                        "faq/ changed %s/%s after an admin did; customers get the files' version", brand, entry_id
                    )
                    broken[(brand, entry_id)] = ("files", "")
                    continue
                if table is None:
                    entries[brand].pop(entry_id, None)
                    continue
                key = (brand, entry_id, json.dumps(table, sort_keys=True, ensure_ascii=False))
                result = self._checked.get(key)
                if result is None:
                    try:
                        result = entry_from_table(table, _where(brand, entry_id), brand)
                        check_entry(self.content, self.content.packs[brand], result)
                    except FaqError as exc:  # the pack changed under it: customers keep the file's answer
                        log.error(
                            "the edited FAQ entry %s/%s no longer renders, using faq/'s: %s", brand, entry_id, exc
                        )
                        result = exc
                checked[key] = result
                if isinstance(result, FaqError):
                    broken[(brand, entry_id)] = ("render", result.problem)
                    continue
                entries[brand][entry_id] = result
            self._checked = checked
            self.broken = broken
            self.version = version
            return {brand: found for brand, found in entries.items() if found != self.content.entries.get(brand)}

    def entry(self, brand: str, entry_id: str) -> Entry | None:
        """The entry customers of ``brand`` get now."""
        return self.content.entries[brand].get(entry_id)

    def table(self, brand: str, entry_id: str) -> dict[str, Any] | None:
        """The current entry as a table (None: no such entry for the brand)."""
        entry = self.entry(brand, entry_id)
        return entry_table(entry) if entry is not None else None

    def check(self, brand: str, table: Mapping[str, Any], now: datetime) -> Entry:
        """A proposed entry, checked for shape and rendered for the brand; FaqError names the problem."""
        entry = entry_from_table(dict(table), _where(brand, str(table.get("id", "?"))), brand)
        check_entry(self.content, self.content.packs[brand], entry, now)
        return entry

    def _base_table(self, brand: str, entry_id: str) -> dict[str, Any] | None:
        base = self.base[brand].get(entry_id)
        return entry_table(base) if base is not None else None

    def change(
        self,
        *,
        brand: str,
        entry_id: str,
        after: Mapping[str, Any] | None,
        action: str,
        by: str,
        at: datetime,
        expect: int,
        undoes: int | None = None,
    ) -> int:
        """Store a checked change with its history and make it live; returns the change's id.

        ``expect`` is the entry's latest change id when the admin looked (FaqConflict if there is a newer one).
        """
        before = self.table(brand, entry_id)
        base = self._base_table(brand, entry_id)
        after_table = dict(after) if after is not None else None
        return self.store.faq.change(
            brand=brand,
            entry_id=entry_id,
            action=action,
            by=by,
            at=at,
            before=before,
            after=after_table,
            override=after_table != base,
            base=base,
            expect=expect,
            undoes=undoes,
        )

    def undo_target(self, brand: str, change: Mapping[str, Any]) -> dict[str, Any] | None:
        """What undoing ``change`` brings back.

        Its ``before``, or the files' version now when that is what it was (so an undo never brings back
        files that a deploy has replaced since).
        """
        if change["base"] is not UNKNOWN and change["before"] == change["base"]:
            return self._base_table(brand, change["entry_id"])
        return change["before"]

    def edited(self, brand: str, entry_id: str) -> bool:
        """Whether the entry customers get differs from what ``faq/`` says."""
        base = self.base[brand].get(entry_id)
        now = self.entry(brand, entry_id)
        return (entry_table(base) if base else None) != (entry_table(now) if now else None)
