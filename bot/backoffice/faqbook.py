"""The FAQ as ``faq/`` files plus admins' changes in SQLite, and moving it between the two.

:class:`FaqBook` keeps the entries the files give and lays the database's overlay on top
(``faq_overrides``: an entry's new table, or None where an admin removed it for a brand). Every change
is checked by rendering it for its brand in each of its languages before it is stored, so a broken
template never reaches a customer; history (who, when, before, after) lives in ``faq_changes``.

:func:`export_faq` writes the FAQ as files in the layout of ``faq/``: files nobody changed are copied
byte for byte, a changed entry's ``[[entry]]`` block is rewritten in place, entries an admin added (or a
shared entry changed for one brand) go to ``<brand>/edits.toml``. :func:`import_faq` reads such a folder,
checks all of it, and only then replaces the overlay in one transaction, so a bad import changes nothing.
"""

from __future__ import annotations

import filecmp
import json
import logging
import re
import shutil
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.core.errors import FaqError
from bot.knowledge.faq import COMMON, Content, Entry, base_context, entry_files, entry_from_table, entry_table
from bot.knowledge.packs import BrandPack
from bot.store import UNKNOWN, Store

log = logging.getLogger(__name__)

EDITS_FILE = "edits.toml"  # where export puts entries the files of a brand's folder do not hold
MAX_ANSWER = 3500  # characters of template an admin may send (Telegram shows 4096 at most)
_CHECK_MOMENT = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # a Monday in opening hours


def _where(brand: str, entry_id: str) -> Path:
    return Path(f"(database) {brand}/{entry_id}")


def check_entry(content: Content, pack: BrandPack, entry: Entry, now: datetime | None = None) -> None:
    """Render an entry for its brand in each of its languages (open and closed hours); FaqError if it can't."""
    moments = [_CHECK_MOMENT, _CHECK_MOMENT.replace(hour=20)] + ([now] if now is not None else [])
    for moment in moments:
        context = base_context(pack, moment)
        for lang in entry.answers:
            text = content.render_entry(pack.id, entry, lang, context)
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
            version = self.store.faq_version()
            if version == self.version:
                return {}
            entries = {brand: dict(found) for brand, found in self.base.items()}
            broken: dict[tuple[str, str], tuple[str, str]] = {}
            checked: dict[tuple[str, str, str], Entry | FaqError] = {}
            for brand, entry_id, table, base in self.store.faq_overrides():
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
        return self.store.faq_change(
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


# -- TOML, written the way the FAQ files are ---------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _basic(text: str) -> str:
    out = []
    for char in text:
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _multiline(text: str) -> str:
    body = []
    for char in text:
        if char == "\\":
            body.append("\\\\")
        elif char in "\n\t":
            body.append(char)
        elif ord(char) < 0x20 or ord(char) == 0x7F or char == "\r":
            body.append(f"\\u{ord(char):04X}")
        else:
            body.append(char)
    joined = "".join(body).replace('"""', '""\\"')
    if joined.endswith('"'):
        joined = joined[:-1] + '\\"'
    return '"""\n' + joined + '\n"""'


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _basic(key)


def entry_toml(table: Mapping[str, Any]) -> str:
    """One ``[[entry]]`` block (ending in a newline) that reads back as ``table``."""
    lines = ["[[entry]]"]
    for key in table:
        value = table[key]
        if isinstance(value, dict):
            for lang, text in value.items():
                rendered = _multiline(text) if key == "answer" else _basic(text)
                lines.append(f"{key}.{_key(lang)} = {rendered}")
        elif isinstance(value, list):
            items = [_basic(v) for v in value]
            one_line = f"{key} = [{', '.join(items)}]"
            lines.append(
                one_line
                if len(one_line) <= 100 and len(items) <= 3
                else f"{key} = [\n" + "".join(f"    {item},\n" for item in items) + "]"
            )
        else:
            lines.append(f"{key} = {_basic(str(value))}")
    text = "\n".join(lines) + "\n"
    parsed = tomllib.loads(text)["entry"][0]
    where = Path("(written)")
    if entry_table(entry_from_table(parsed, where, "")) != entry_table(entry_from_table(dict(table), where, "")):
        # never write what would read back differently
        raise ValueError(f"entry {table.get('id')!r} does not survive being written as TOML")
    return text


def _blocks(text: str) -> tuple[str, list[tuple[str | None, str, str]]]:
    """A FAQ file as its preamble and its ``[[entry]]`` blocks: (entry id, block, trailing comments/blank lines)."""
    parts = re.split(r"(?m)^(?=\[\[entry\]\][ \t]*(?:#.*)?$)", text)
    preamble, blocks = parts[0], []
    for part in parts[1:]:
        lines = part.splitlines(keepends=True)
        cut = len(lines)
        while cut > 1 and (not lines[cut - 1].strip() or lines[cut - 1].lstrip().startswith("#")):
            cut -= 1
        block, trailing = "".join(lines[:cut]), "".join(lines[cut:])
        try:
            entry_id = tomllib.loads(block)["entry"][0].get("id")
        except (tomllib.TOMLDecodeError, KeyError, IndexError):
            entry_id = None
        blocks.append((entry_id if isinstance(entry_id, str) else None, block, trailing))
    return preamble, blocks


def _rewrite(text: str, replace: Mapping[str, Mapping[str, Any] | None]) -> str:
    """A FAQ file's text with the named entries' blocks rewritten (None: removed); the rest byte for byte."""
    preamble, blocks = _blocks(text)
    out = [preamble]
    for entry_id, block, trailing in blocks:
        if entry_id is not None and entry_id in replace:
            table = replace[entry_id]
            if table is not None:
                new = entry_toml(table)
                out.append(new + ("\n" if not trailing and block.endswith("\n\n") else ""))
            out.append(trailing)
        else:
            out.append(block + trailing)
    return "".join(out)


# -- export and import ------------------------------------------------------------------------------


def _own_ids(folder: Path) -> dict[str, Path]:
    """Which file of a brand's folder holds each of its own entries."""
    owners: dict[str, Path] = {}
    for path in entry_files(folder):
        with path.open("rb") as handle:
            for raw in tomllib.load(handle).get("entry", []):
                owners[raw["id"]] = path
    return owners


def export_faq(book: FaqBook, faq_dir: Path, out: Path) -> list[Path]:
    """Write the FAQ customers get now as a folder laid out like ``faq/``; returns the files rewritten."""
    if out.exists() and any(out.iterdir()):
        raise FaqError(out, "(folder)", "not empty: export into a new or empty folder")
    shutil.copytree(faq_dir, out, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    written: list[Path] = []
    shared = _own_ids(faq_dir / COMMON)
    for brand in book.base:
        folder = faq_dir / brand
        owners = _own_ids(folder)
        in_file: dict[Path, dict[str, dict[str, Any] | None]] = {}
        extra: dict[str, dict[str, Any]] = {}
        removed: list[str] = []
        current, base = book.content.entries[brand], book.base[brand]
        for entry_id in sorted(set(current) | set(base)):
            now = entry_table(current[entry_id]) if entry_id in current else None
            was = entry_table(base[entry_id]) if entry_id in base else None
            if now == was:
                continue
            if entry_id in owners:
                in_file.setdefault(owners[entry_id], {})[entry_id] = now
                if now is None and entry_id in shared:
                    removed.append(entry_id)  # else the shared entry it hid would come back
            elif now is not None:
                extra[entry_id] = now
            else:
                removed.append(entry_id)  # a shared entry taken away for this brand
        for path, replace in in_file.items():
            target = out / brand / path.name
            target.write_text(_rewrite(path.read_text(encoding="utf-8"), replace), encoding="utf-8")
            written.append(target)
        if extra or removed:
            target = out / brand / _free_name(folder)
            target.write_text(_edits_text(brand, extra, removed), encoding="utf-8")
            written.append(target)
    return written


def _free_name(folder: Path) -> str:
    """``edits.toml``, or ``edits-N.toml`` when the repository already keeps a file of that name."""
    name, n = EDITS_FILE, 1
    while (folder / name).exists():
        name, n = f"edits-{n}.toml", n + 1
    return name


def _edits_text(brand: str, extra: Mapping[str, Mapping[str, Any]], removed: list[str]) -> str:
    """The brand's added entries (and shared ones changed for it) and the shared entries it removes."""
    head = f"# {brand}: FAQ entries added or changed by admins (supportbot faq export).\n"
    parts = [head]
    if removed:
        parts.append("removed = [" + ", ".join(_basic(r) for r in removed) + "]\n")
    for table in extra.values():
        parts.append("\n" + entry_toml(table))
    return "".join(parts)


def read_folder(book: FaqBook, folder: Path) -> dict[str, dict[str, Entry]]:
    """The entries a FAQ folder gives every brand, checked as start-up checks ``faq/``; FaqError if any fails."""
    if not folder.is_dir():
        raise FaqError(folder, "(folder)", "not found")
    differs = _non_entry_differences(book.content.faq_dir, folder)
    if differs:
        raise FaqError(
            folder / differs[0],
            "(file)",
            "differs from faq/: an import changes FAQ entries only; "
            "change messages, templates and matching in the repository",
        )
    content = Content(folder, book.content.packs)
    problems: list[FaqError] = []
    for brand, entries in content.entries.items():
        pack = content.packs[brand]
        for entry in entries.values():
            try:
                check_entry(content, pack, entry)
            except FaqError as exc:  # every broken answer at once, not one per attempt
                if str(exc) not in {str(p) for p in problems}:
                    problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        listed = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  …and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise FaqError(folder, "(entries)", f"{len(problems)} answers do not render:\n{listed}{more}")
    return content.entries


def _non_entry_differences(faq_dir: Path, folder: Path) -> list[str]:
    """Files other than FAQ entry files that are not the same in both folders (relative paths)."""

    def others(root: Path) -> set[str]:
        entry_paths = {path for folder in root.iterdir() if folder.is_dir() for path in entry_files(folder)}
        found = set()
        for path in root.rglob("*"):
            if not path.is_file() or "__pycache__" in path.parts or path in entry_paths:
                continue
            found.add(str(path.relative_to(root)))
        return found

    mine, theirs = others(faq_dir), others(folder)
    changed = {p for p in mine & theirs if not filecmp.cmp(faq_dir / p, folder / p, shallow=False)}
    return sorted((mine ^ theirs) | changed)


def import_changes(book: FaqBook, entries: Mapping[str, Mapping[str, Entry]]) -> list[Change]:
    """What importing ``entries`` would change, entry by entry, against what customers get now."""
    changes = []
    for brand in book.base:
        wanted, current = entries.get(brand, {}), book.content.entries[brand]
        for entry_id in sorted(set(wanted) | set(current)):
            after = entry_table(wanted[entry_id]) if entry_id in wanted else None
            before = entry_table(current[entry_id]) if entry_id in current else None
            if after != before:
                changes.append(Change(brand, entry_id, before, after))
    return changes


def import_faq(book: FaqBook, folder: Path, *, by: str, at: datetime, dry_run: bool = False) -> list[Change]:
    """Check a folder of FAQ files, then make it what customers get (one transaction); returns the changes."""
    version = book.version  # what the changes are worked out against: a change since refuses the import
    entries = read_folder(book, folder)
    changes = import_changes(book, entries)
    for change in changes:
        gone = book.content.entries[change.brand].get(change.entry_id)
        if change.after is None and gone is not None and gone.kind != "faq":
            raise FaqError(
                folder / change.brand,
                change.entry_id,
                f"a {gone.kind} entry is part of how the bot behaves: change it, don't leave it out",
            )
    if dry_run or not changes:
        return changes
    rows = []
    for change in changes:
        base = book._base_table(change.brand, change.entry_id)
        rows.append(
            {
                "brand": change.brand,
                "entry_id": change.entry_id,
                "action": "import",
                "by": by,
                "at": at,
                "before": change.before,
                "after": change.after,
                "override": change.after != base,
                "base": base,
            }
        )
    book.store.faq_changes_at_once(rows, expect_version=version)
    return changes  # engines take them in at their next look (Engine.sync_faq)
