"""FAQ content: entries per brand (``faq/<brand>/*.toml``) plus shared entries and messages (``faq/_common``).

An entry has an id, a title per language, customer phrasings, the document passages it answers
(``sources``) and an answer per language as a jinja2 template over the brand pack. A brand's entry
replaces a shared entry with the same id (specific first, generic second). Every entry is rendered
for its brand at load time, so a template that does not render stops start-up with one line.
"""

from __future__ import annotations

import copy
import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from bot.core.errors import FaqError
from bot.knowledge.hours import status as hours_status
from bot.knowledge.langtext import lang_table
from bot.knowledge.packs import BrandPack
from bot.knowledge.templating import Sandbox, Sources, bytecode_cache, problem, render
from bot.knowledge.trees import Tree, load_trees

log = logging.getLogger(__name__)

COMMON = "_common"
MESSAGE_FILES = ("messages.toml", "verdicts.toml", "rma.toml", "handoff.toml", "admin.toml", "stats.toml")
# (named templates, not FAQ entries; admin.toml and stats.toml are what admins read, in English)
OTHER_FILES = ("canned.toml",)  # consultants' canned replies (bot.handoff), not FAQ entries
KINDS = ("faq", "oos", "hours", "smalltalk", "handoff", "safety")


@dataclass(frozen=True)
class Entry:
    """One FAQ entry as loaded (templates not yet rendered)."""

    id: str
    kind: str
    titles: Mapping[str, str]
    phrasings: tuple[str, ...]
    answers: Mapping[str, str]
    sources: tuple[str, ...]
    file: Path
    brand: str  # the brand folder it came from, or "_common"
    topics: tuple[str, ...] = field(default=())

    def title(self, lang: str) -> str:
        """The entry's title in a language, falling back to English."""
        return self.titles.get(lang) or self.titles["en"]

    def what_happened(self) -> str | None:
        """An exclusion entry's English title and phrasings, which tell what happened to a product (else None)."""
        if self.kind != "faq" or ("exclusion" not in self.topics and not self.id.startswith("excl")):
            return None
        return " . ".join([self.title("en"), *self.phrasings])


def read_toml(path: Path) -> dict[str, Any]:
    """A content TOML file, or FaqError naming the file and the problem."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise FaqError(path, "(file)", f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise FaqError(path, "(syntax)", str(exc)) from None
    except UnicodeDecodeError as exc:
        raise FaqError(path, "(encoding)", f"not UTF-8: {exc.reason}") from None


def load_entries(path: Path, brand: str) -> list[Entry]:
    """Load and check the shape of one FAQ file."""
    return read_faq_file(path, brand)[0]


def read_faq_file(path: Path, brand: str) -> tuple[list[Entry], list[str]]:
    """One FAQ file's entries, and the shared entries it removes for its brand (``removed = [ids]``)."""
    data = read_toml(path)
    unknown = set(data) - {"entry", "removed"}
    if unknown:
        raise FaqError(path, sorted(unknown)[0], "unknown top-level key (expected [[entry]] tables)")
    removed = data.get("removed", [])
    if not isinstance(removed, list) or not all(isinstance(r, str) and r.strip() for r in removed):
        raise FaqError(path, "removed", "expected a list of shared entry ids")
    if removed and brand == COMMON:
        raise FaqError(path, "removed", "only a brand's folder can remove shared entries")
    raw_entries = data.get("entry", [])
    if not isinstance(raw_entries, list):
        raise FaqError(path, "entry", "expected [[entry]] tables")
    entries = []
    for i, raw in enumerate(raw_entries):
        entries.append(entry_from_table(raw, path, brand, f"entry[{i}]"))
    return entries, removed


_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
ENTRY_KEYS = ("id", "kind", "title", "sources", "phrasings", "answer", "topics")  # in the order files write them


def entry_from_table(raw: Any, path: Path, brand: str, where: str = "entry") -> Entry:
    """One ``[[entry]]`` table checked and turned into an :class:`Entry` (FaqError names what is wrong)."""
    if not isinstance(raw, dict):
        raise FaqError(path, where, "expected a table")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not entry_id.strip():
        raise FaqError(path, f"{where}.id", "missing")
    if not _ID.fullmatch(entry_id):  # typed in /faq commands and carried in 64-byte button data
        raise FaqError(path, f"{where}.id", f"{entry_id!r}: use 1–40 lower-case letters, digits and hyphens")
    where = f"entry[{entry_id}]"
    kind = raw.get("kind", "faq")
    if kind not in KINDS:
        raise FaqError(path, f"{where}.kind", f"unknown kind {kind!r} (allowed: {', '.join(KINDS)})")
    phrasings = raw.get("phrasings")
    if not isinstance(phrasings, list) or not phrasings:
        raise FaqError(path, f"{where}.phrasings", "needs at least one phrasing")
    for j, phrase in enumerate(phrasings):
        if not isinstance(phrase, str) or not phrase.strip():
            raise FaqError(path, f"{where}.phrasings[{j}]", "expected non-empty text")
    sources = raw.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) and s.strip() for s in sources):
        raise FaqError(path, f"{where}.sources", "expected a list of quotes from the brand's document")
    topics = raw.get("topics", [])
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise FaqError(path, f"{where}.topics", "expected a list of strings")
    for key in raw:
        if key not in ENTRY_KEYS:
            raise FaqError(path, f"{where}.{key}", "unknown key")
    return Entry(
        id=entry_id,
        kind=kind,
        titles=lang_table(path, f"{where}.title", raw.get("title")),
        phrasings=tuple(p.strip() for p in phrasings),
        answers=(
            {} if kind == "oos" and "answer" not in raw else lang_table(path, f"{where}.answer", raw.get("answer"))
        ),
        sources=tuple(sources),
        file=path,
        brand=brand,
        topics=tuple(topics),
    )


def entry_table(entry: Entry) -> dict[str, Any]:
    """An entry as the table a FAQ file (or the database) holds; :func:`entry_from_table` reads it back."""
    table: dict[str, Any] = {"id": entry.id}
    if entry.kind != "faq":
        table["kind"] = entry.kind
    table["title"] = dict(entry.titles)
    if entry.sources:
        table["sources"] = list(entry.sources)
    table["phrasings"] = list(entry.phrasings)
    if entry.answers:
        table["answer"] = dict(entry.answers)
    if entry.topics:
        table["topics"] = list(entry.topics)
    return table


def _messages(path: Path) -> dict[str, dict[str, str]]:
    data = read_toml(path)
    out: dict[str, dict[str, str]] = {}
    for name, table in data.items():
        out[name] = lang_table(path, name, table)
    return out


def entry_files(folder: Path) -> list[Path]:
    """The files of a FAQ folder that hold entries (not named messages, canned replies or ``_`` files)."""
    return [
        path
        for path in sorted(folder.glob("*.toml"))
        if path.name not in MESSAGE_FILES and path.name not in OTHER_FILES and not path.name.startswith("_")
    ]


class Content:
    """All FAQ content and shared messages, with one jinja2 environment."""

    def __init__(self, faq_dir: Path, packs: Mapping[str, BrandPack]) -> None:
        self.faq_dir = faq_dir
        self.packs = packs
        self._templating()
        self.message_paths: dict[tuple[str, str], Path] = {}
        common, _ = self._load_dir(faq_dir / COMMON, COMMON)
        trees_dir = faq_dir / COMMON / "troubleshooting"
        self.trees: dict[str, Tree] = load_trees(trees_dir) if trees_dir.is_dir() else {}
        self.messages = self._message_files(faq_dir / COMMON, required=True)
        self.brand_messages: dict[str, dict[str, dict[str, str]]] = {}
        self.entries: dict[str, dict[str, Entry]] = {}
        for brand in packs:
            folder = faq_dir / brand
            if not folder.is_dir():
                raise FaqError(folder, "(folder)", f"no FAQ folder for brand {brand!r}")
            own, removed = self._load_dir(folder, brand)
            merged = {e.id: e for e in common}
            for entry_id, path in removed.items():
                if entry_id not in merged:
                    raise FaqError(path, "removed", f"{entry_id!r} is not a shared entry")
                del merged[entry_id]
            merged.update({e.id: e for e in own})
            self.entries[brand] = merged
            self.brand_messages[brand] = self._message_files(folder, required=False)
        # what the files say, never changed: each engine lays admins' changes over its own copy
        self.file_entries: Mapping[str, Mapping[str, Entry]] = {b: dict(e) for b, e in self.entries.items()}

    def _templating(self) -> None:
        """The jinja2 environment and the compiled wordings (none yet)."""
        # wordings are served by a name made of their hash, so compiled code is kept in jinja2's bytecode
        # cache (SUPPORTBOT_CACHE, else a private folder in the temp dir) and later processes skip it
        self._sources = Sources()
        loader = jinja2.ChoiceLoader([self._sources, jinja2.FileSystemLoader(str(self.faq_dir / COMMON / "templates"))])
        # sandboxed: admins write answers from a chat, and a template must not reach beyond the pack's values
        self.env = Sandbox(
            loader=loader,
            bytecode_cache=bytecode_cache(),
            auto_reload=False,
            cache_size=-1,
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=False,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.env.filters["cause_name"] = self.cause_name
        self._compiled: dict[str, jinja2.Template] = {}
        self._trials: dict[str, jinja2.Template] = {}  # answers being checked: not kept, not cached on disk

    def __getstate__(self) -> dict[str, Any]:
        """What a snapshot of the loaded content keeps: not the environment, which is made again."""
        state = dict(self.__dict__)
        for name in ("_sources", "env", "_compiled", "_trials"):
            del state[name]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._templating()

    def __copy__(self) -> Content:
        other = object.__new__(Content)
        other.__dict__.update(self.__dict__)  # the same environment and compiled wordings
        return other

    def own_entries(self) -> Content:
        """A copy sharing everything but the entries (as the files give them), which an engine changes."""
        other = copy.copy(self)
        other.entries = {brand: dict(entries) for brand, entries in self.file_entries.items()}
        return other

    def cause_name(self, tag: str, lang: str = "en") -> str:
        """What happened to a product (a situation tag) in words: ``cause_<tag>`` of the shared wording.

        A template's filter: ``damage | map("cause_name", lang)``.
        """
        texts = self.messages.get(f"cause_{tag}")
        if texts is None:
            return tag.replace("_", " ")
        return texts.get(lang) or texts["en"]

    def verdict_names(self) -> set[str]:
        """Names of the templates that need a verdict in their context (from ``verdicts.toml`` files)."""
        return self.names_in("verdicts.toml")

    def names_in(self, file_name: str) -> set[str]:
        """Names of the templates defined in files called ``file_name`` (shared or a brand's)."""
        return {name for (_, name), path in self.message_paths.items() if path.name == file_name}

    def _message_files(self, folder: Path, *, required: bool) -> dict[str, dict[str, str]]:
        merged: dict[str, dict[str, str]] = {}
        seen: dict[str, Path] = {}
        for name in MESSAGE_FILES:
            path = folder / name
            if not path.is_file():
                if required:
                    raise FaqError(path, "(file)", "not found")
                continue
            for key, texts in _messages(path).items():
                if key in seen:
                    raise FaqError(path, key, f"defined twice (also in {seen[key].name})")
                seen[key] = path
                merged[key] = texts
                self.message_paths[(folder.name, key)] = path
        return merged

    def _load_dir(self, folder: Path, brand: str) -> tuple[list[Entry], dict[str, Path]]:
        """A folder's entries, and the shared entries its files remove (with the file saying so)."""
        entries: list[Entry] = []
        seen: dict[str, Path] = {}
        removed: dict[str, Path] = {}
        for path in entry_files(folder):
            found, gone = read_faq_file(path, brand)
            for entry in found:
                if entry.id in seen:
                    raise FaqError(path, f"entry[{entry.id}].id", f"duplicate id (also in {seen[entry.id].name})")
                seen[entry.id] = path
                entries.append(entry)
            removed.update(dict.fromkeys(gone, path))
        return entries, removed  # an entry the folder defines wins over its removal of the shared one

    # -- templates ---------------------------------------------------------------------------------

    def template(
        self, key: tuple[str, str, str], source: str, file: Path, where: str, *, keep: bool = True
    ) -> jinja2.Template:
        """Compile (once per wording: brands share it) a template; the language's macros are imported into it.

        ``keep=False`` for an answer being checked: compiled on the side (the last few kept), so that an
        admin's attempts neither grow the cache for good nor fill the disk's.
        """
        lang = key[2]
        # the macros come in only where used: importing them with the context costs each render a module
        header = f'{{% import "macros.{lang}.j2" as m with context %}}' if "m." in source else ""
        full = header + source
        compiled = self._compiled.get(full)
        if compiled is None:
            compiled = self._trials.get(full)
        if compiled is None:
            try:
                compiled = self.env.get_template(self._sources.name_for(full)) if keep else self.env.from_string(full)
            except Exception as exc:  # a syntax error; a template too deep or too big to compile
                raise FaqError(file, where, problem(exc)) from None
        if keep:
            self._compiled[full] = compiled
        elif full not in self._compiled:
            if len(self._trials) >= 32:
                self._trials.clear()
            self._trials[full] = compiled
        return compiled

    def render_entry(
        self, brand: str, entry: Entry, lang: str, context: Mapping[str, Any], *, check: bool = False
    ) -> str:
        """Render an entry's answer in ``lang`` (falling back to English).

        An admin's answer that fails for a customer (it went over a limit with this customer's values) gives
        the ``faq/`` files' answer instead, and is logged; ``check=True`` (an answer being checked) raises.
        """
        lang = lang if lang in entry.answers else "en"
        where = f"entry[{entry.id}].answer.{lang}"
        try:
            template = self.template(
                (brand, f"entry:{entry.id}", lang), entry.answers[lang], entry.file, where, keep=not check
            )
            return self._render(template, context, entry.file, where)
        except FaqError as exc:
            files = self.file_entries.get(brand, {}).get(entry.id)
            if check or files is None or files == entry:
                raise
            log.error("the edited FAQ entry %s/%s did not render, a customer got faq/'s: %s", brand, entry.id, exc)
            return self.render_entry(brand, files, lang, context)

    def render_step(self, brand: str, tree: Tree, step_id: str, lang: str, context: Mapping[str, Any]) -> str:
        """A troubleshooting step's text in ``lang`` (English when the tree has none)."""
        texts = tree.steps[step_id].texts
        use = lang if lang in texts else "en"
        where = f"steps.{step_id}.text.{use}"
        template = self.template((brand, f"tree:{tree.id}:{step_id}", use), texts[use], tree.file, where)
        return self._render(template, context, tree.file, where)

    def message_text(self, brand: str, name: str, lang: str) -> tuple[str, str, Path]:
        """The wording of a shared message, the brand's own first; returns (source, lang, file)."""
        for table, folder in ((self.brand_messages.get(brand, {}), brand), (self.messages, COMMON)):
            if name in table:
                texts = table[name]
                use = lang if lang in texts else "en"
                file = self.message_paths.get((folder, name))
                return texts[use], use, file or self.faq_dir / folder / MESSAGE_FILES[0]
        raise FaqError(self.faq_dir / COMMON / "messages.toml", name, "message missing")

    def render_message(self, brand: str, name: str, lang: str, context: Mapping[str, Any]) -> str:
        """Render a shared message (greeting, don't-know, clarify…) for a brand."""
        source, use, file = self.message_text(brand, name, lang)
        if "{" not in source:  # plain wording (a button's label): nothing to render
            return _tidy(source)
        template = self.template((brand, f"msg:{name}", use), source, file, f"{name}.{use}")
        return self._render(template, {**context, "lang": use}, file, f"{name}.{use}")

    def render_source(
        self, brand: str, name: str, texts: Mapping[str, str], lang: str, context: Mapping[str, Any], file: Path
    ) -> str:
        """Render wording kept outside the message files (a canned reply): ``texts`` by language."""
        use = lang if lang in texts else "en"
        template = self.template((brand, name, use), texts[use], file, f"{name}.{use}")
        return self._render(template, {**context, "lang": use}, file, f"{name}.{use}")

    @staticmethod
    def _render(template: jinja2.Template, context: Mapping[str, Any], file: Path, where: str) -> str:
        try:
            text = render(template, context)
        except Exception as exc:  # whatever a template does wrong is the template's problem, said in one line
            raise FaqError(file, where, problem(exc)) from None
        return _tidy(text)


def _tidy(text: str) -> str:
    """Drop the blank lines template tags leave behind and trim each line's end."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())


def base_context(pack: BrandPack, now: datetime) -> dict[str, Any]:
    """What every template sees: the pack's values at top level, the hours status and the time."""
    context: dict[str, Any] = dict(pack.data)
    context["status"] = hours_status(pack, now)
    context["now"] = now.astimezone(pack.timezone)
    context["pack"] = pack.data
    return context
