"""The FAQ with admins' changes as files, and back: ``supportbot faq export`` and ``supportbot faq import``.

:func:`export_faq` writes the FAQ as files in the layout of ``faq/``: files nobody changed are copied
byte for byte, a changed entry's ``[[entry]]`` block is rewritten in place, entries an admin added (or a
shared entry changed for one brand) go to ``<brand>/edits.toml``. :func:`import_faq` reads such a folder,
checks all of it, and only then replaces the overlay in one transaction, so a bad import changes nothing.
"""

from __future__ import annotations

import filecmp
import re
import shutil
import tomllib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.backoffice.faqbook import EDITS_FILE, Change, FaqBook, check_entry
from bot.core.errors import FaqError
from bot.knowledge.faq import COMMON, Content, Entry, entry_files, entry_from_table, entry_table

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
    quotes = 0  # unescaped quotes just written: a third in a row would close the string
    for char in text:
        if char == '"':
            quotes += 1
            if quotes == 3:
                body.append('\\"')
                quotes = 0
                continue
        else:
            quotes = 0
        if char == "\\":
            body.append("\\\\")
        elif char in "\n\t":
            body.append(char)
        elif ord(char) < 0x20 or ord(char) == 0x7F or char == "\r":
            body.append(f"\\u{ord(char):04X}")
        else:
            body.append(char)
    return '"""\n' + "".join(body) + '\n"""'


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
    book.store.faq.change_all(rows, expect_version=version)
    return changes  # engines take them in at their next look (Engine.sync_faq)
