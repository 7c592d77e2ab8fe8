"""What admins do from a private chat: edit the FAQ, work the unanswered inbox, read the statistics.

The engine sends an admin's ``/faq``, ``/unanswered`` and ``/stats`` here (everybody else is told the
command is not for them). Multi-step work (the new answer after ``/faq edit``, the question and answer
of ``/faq add``, a confirmation) is kept in the admin's conversation state, so a restart loses nothing.

    /faq edit <id> [lang] ─► send the answer ─► refused with the reason │ preview ─► Save │ Cancel
    /faq add [question]   ─► (question) ─► answer ─► preview ─► Save │ Cancel
    /faq phrase <id> <text> · /faq delete <id> ─► Delete │ Cancel · /faq undo <id> · /faq history <id>
    /unanswered [page] ─► groups of similar questions ─► add as a phrasing │ new entry │ edit │ dismiss

Every change goes through :class:`bot.faqedit.FaqBook`, which renders it for the brand before storing it.
Admin wording is in ``faq/_common/admin.toml`` (English).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz, process

from bot.backoffice.faqbook import MAX_ANSWER, FaqBook
from bot.core.errors import FaqError
from bot.core.messages import Button, Reply
from bot.core.text import fold
from bot.knowledge.faq import Content, Entry, base_context
from bot.knowledge.langtext import LANGUAGES
from bot.knowledge.packs import BrandPack
from bot.rmaflow import Said
from bot.store import Conversation, FaqConflict, Store
from bot.understand.matcher import Matcher
from bot.understand.normalise import Normaliser

COMMANDS = frozenset({"faq", "unanswered", "stats"})
SUBCOMMANDS = ("list", "show", "edit", "add", "phrase", "delete", "undo", "history", "values")
PAGE = 5  # inbox groups shown at once (each is a message with its own buttons)
SIMILAR = 72  # rapidfuzz token_sort_ratio over normalised words: questions this close are one group
MAX_PHRASE = 200
GUESS = 0.25  # the matcher's score an entry needs to be offered as "same as" for an inbox question


@dataclass(frozen=True)
class Group:
    """Similar inbox questions: their row ids, how often each wording came, why they are here."""

    ids: tuple[int, ...]
    texts: tuple[tuple[str, int], ...]  # wording and count, most frequent first
    reasons: Mapping[str, int]
    entries: tuple[str, ...]  # entries whose answers were marked unhelpful
    latest: str

    @property
    def count(self) -> int:
        """How many questions the group holds."""
        return len(self.ids)

    @property
    def text(self) -> str:
        """The group's most frequent wording."""
        return self.texts[0][0]


def group_questions(rows: Sequence[Mapping[str, Any]], normaliser: Normaliser) -> list[Group]:
    """Inbox rows grouped by similar wording (after the matcher's normalising), most frequent first."""
    keys: list[str] = []
    members: list[list[Mapping[str, Any]]] = []
    for row in sorted(rows, key=lambda r: r["id"]):
        key = " ".join(sorted(set(normaliser.tokens(row["text"])))) or fold(row["text"]).strip()
        found = process.extractOne(key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR) if keys else None
        if found is None:
            keys.append(key)
            members.append([row])
        else:
            members[found[2]].append(row)
    groups = []
    for rows_of in members:
        # one wording whatever its case and final punctuation; shown as first asked
        shown: dict[str, str] = {}
        texts: Counter[str] = Counter()
        for r in rows_of:
            said = " ".join(r["text"].split())
            key = fold(said).strip(" ?!.？！。")
            shown.setdefault(key, said)
            texts[key] += 1
        order = list(shown)
        ranked = sorted(texts.items(), key=lambda item: (-item[1], order.index(item[0])))
        groups.append(
            Group(
                ids=tuple(r["id"] for r in rows_of),
                texts=tuple((shown[k], n) for k, n in ranked),
                reasons=dict(Counter(r["reason"] for r in rows_of)),
                entries=tuple(
                    dict.fromkeys(r["entry_id"] for r in rows_of if r["reason"] == "unhelpful" and r["entry_id"])
                ),
                latest=max(r["at"] for r in rows_of),
            )
        )
    groups.sort(key=lambda g: g.latest, reverse=True)
    groups.sort(key=lambda g: -g.count)  # most frequent first; among equals, the most recent
    return groups


def slug(text: str, taken: set[str]) -> str:
    """An entry id made from a question ("Do you ship to Norway?" → "do-you-ship-to-norway")."""
    words = re.findall(r"[a-z0-9]+", fold(text))
    base = ""
    for word in words:
        if len(base) + len(word) + 1 > 36:  # room for "-2"…: ids are at most 40 characters
            break
        base = f"{base}-{word}" if base else word
    base = base or "entry"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


class Admin:
    """The admin commands for one engine: FAQ changes, the unanswered inbox, statistics."""

    def __init__(
        self,
        *,
        book: FaqBook,
        content: Content,
        store: Store,
        matcher: Callable[[str], Matcher],
        normaliser: Normaliser,
        changed: Callable[[], None],
        stats: Callable[[BrandPack, datetime], list[Reply]],
    ) -> None:
        self.book = book
        self.content = content
        self.store = store
        self.matcher = matcher
        self.normaliser = normaliser
        self.changed = changed  # tells the engine to take the change in (re-index the brand)
        self.stats = stats

    # -- wording ------------------------------------------------------------------------------------

    def say(self, pack: BrandPack, name: str, now: datetime, /, **extra: Any) -> str:
        """Render an admin message (English)."""
        return self.content.render_message(pack.id, name, "en", {**base_context(pack, now), **extra})

    def _button(self, pack: BrandPack, name: str, data: str, now: datetime, **extra: Any) -> Button:
        label = self.say(pack, name, now, **extra)
        return Button(label if len(label) <= 60 else label[:59] + "…", data)

    def _reply(
        self,
        conv: Conversation,
        pack: BrandPack,
        outcome: str,
        name: str,
        now: datetime,
        buttons: Sequence[Button] = (),
        **extra: Any,
    ) -> Said:
        conv.offer(buttons)
        return Said(outcome, [Reply(self.say(pack, name, now, **extra), tuple(buttons))])

    # -- commands ------------------------------------------------------------------------------------

    def command(self, conv: Conversation, pack: BrandPack, text: str, now: datetime, *, by: str) -> Said:
        """An admin's ``/faq …``, ``/unanswered`` or ``/stats``."""
        words = text.split(None, 1)
        command = words[0][1:].split("@")[0].lower()
        rest = words[1].strip() if len(words) > 1 else ""
        conv.state.pop("admin", None)  # a new command drops whatever was half done
        if command == "stats":
            return Said("admin_stats", self.stats(pack, now))
        if command == "unanswered":
            page = int(rest) if rest.isdigit() and int(rest) > 0 else 1
            return self.inbox(conv, pack, now, page=page)
        sub, _, arg = rest.partition(" ")
        sub, arg = sub.lower(), arg.strip()
        if sub in ("", "help"):
            return self._reply(conv, pack, "admin_help", "admin_faq_help", now)
        if sub == "list":
            return self.listing(conv, pack, arg, now)
        if sub == "add":
            return self.start_add(conv, pack, arg, now)
        if sub == "values":
            return self.values(conv, pack, arg, now)
        if sub not in SUBCOMMANDS:
            near = process.extractOne(sub, SUBCOMMANDS, scorer=fuzz.ratio, score_cutoff=60)
            return self._reply(
                conv, pack, "admin_usage", "admin_faq_help", now, unknown=sub[:40], near=near[0] if near else None
            )
        entry_id, _, more = arg.partition(" ")
        if not entry_id:
            return self._reply(conv, pack, "admin_usage", "admin_usage", now, sub=sub)
        entry = self._find(pack, entry_id)
        if entry is None and sub not in ("undo", "history"):
            return self._unknown(conv, pack, entry_id, now)
        found_id = entry.id if entry is not None else entry_id
        if sub == "show":
            return self.show(conv, pack, found_id, now)
        if sub == "history":
            return self.history(conv, pack, found_id, now)
        if sub == "undo":
            return self.undo(conv, pack, found_id, now, by=by)
        assert entry is not None
        if sub == "edit":
            return self.start_edit(conv, pack, entry, more.strip().lower() or "en", now)
        if sub == "phrase":
            return self.add_phrase(conv, pack, entry, more.strip(), now, by=by)
        return self.confirm_delete(conv, pack, entry, now)

    def _seen(self, pack: BrandPack, entry_id: str) -> int:
        """The entry's latest change id, then the entries brought up to date.

        A table read after this is at least that new, so a change made after it (by another admin) is
        caught when saving.
        """
        seen = self.store.faq_last_change(pack.id, entry_id)
        self.changed()
        return seen

    def _find(self, pack: BrandPack, entry_id: str) -> Entry | None:
        entries = self.content.entries[pack.id]
        return entries.get(entry_id) or entries.get(entry_id.lower())

    def _unknown(self, conv: Conversation, pack: BrandPack, entry_id: str, now: datetime) -> Said:
        entries = self.content.entries[pack.id]
        choices = {e.id: f"{e.id} {e.title('en')}" for e in entries.values()}
        near = [key for _, _, key in process.extract(entry_id, choices, scorer=fuzz.WRatio, limit=3, score_cutoff=60)]
        return self._reply(
            conv,
            pack,
            "admin_unknown_entry",
            "admin_unknown_entry",
            now,
            id=entry_id[:60],
            near=[entries[n] for n in near],
        )

    def listing(self, conv: Conversation, pack: BrandPack, query: str, now: datetime) -> Said:
        """``/faq list [words]``: the brand's entries (or those a customer's words would find)."""
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
        return self._reply(
            conv, pack, "admin_list", "admin_faq_list", now, rows=rows, query=query[:80], total=len(entries)
        )

    def show(self, conv: Conversation, pack: BrandPack, entry_id: str, now: datetime) -> Said:
        """``/faq show <id>``: the entry's wording as stored, and its answer as customers see it now."""
        entry = self._find(pack, entry_id)
        if entry is None:
            return self._unknown(conv, pack, entry_id, now)
        context = base_context(pack, now)
        rendered = {lang: self.content.render_entry(pack.id, entry, lang, context) for lang in entry.answers}
        history = [
            {**c, "at": datetime.fromisoformat(c["at"]).astimezone(pack.timezone)}
            for c in self.store.faq_history(pack.id, entry.id)[:1]
        ]
        buttons = [self._button(pack, "admin_button_edit", f"adm:edit:{entry.id}", now)]
        undoable = self.store.faq_undoable(pack.id, entry.id)
        if undoable is not None:  # the button names the change it undoes: pressed late, it undoes nothing else
            buttons.append(self._button(pack, "admin_button_undo", f"adm:undo:{entry.id}:{undoable['id']}", now))
        return self._reply(
            conv,
            pack,
            "admin_show",
            "admin_faq_show",
            now,
            buttons,
            entry=entry,
            rendered=rendered,
            last=history[0] if history else None,
            edited=self.book.edited(pack.id, entry.id),
            broken=self.book.broken.get((pack.id, entry.id)),
        )

    def values(self, conv: Conversation, pack: BrandPack, words: str, now: datetime) -> Said:
        """``/faq values [word]``: the policy values answers can quote, with what they hold for this brand."""
        found = []
        for name, value in sorted(_leaves(pack.data).items()):
            if not words or fold(words) in fold(name):
                found.append({"name": name, "value": value if len(value) <= 60 else value[:59] + "…"})
        return self._reply(
            conv, pack, "admin_values", "admin_values", now, values=found[:60], more=len(found) - 60, words=words[:40]
        )

    def history(self, conv: Conversation, pack: BrandPack, entry_id: str, now: datetime) -> Said:
        """``/faq history <id>``: who changed the entry, when, and how."""
        changes = self.store.faq_history(pack.id, entry_id)[:10]
        if not changes and self._find(pack, entry_id) is None:
            return self._unknown(conv, pack, entry_id, now)
        return self._reply(
            conv,
            pack,
            "admin_history",
            "admin_faq_history",
            now,
            id=entry_id[:60],
            changes=[{**c, "at": datetime.fromisoformat(c["at"]).astimezone(pack.timezone)} for c in changes],
        )

    # -- edit and add ---------------------------------------------------------------------------------

    def start_edit(self, conv: Conversation, pack: BrandPack, entry: Entry, lang: str, now: datetime) -> Said:
        """``/faq edit <id> [lang]``: ask for the new answer."""
        if lang not in LANGUAGES:
            return self._reply(
                conv, pack, "admin_usage", "admin_bad_language", now, language=lang[:20], languages=LANGUAGES
            )
        if entry.kind == "oos" and not entry.answers:
            return self._reply(conv, pack, "admin_refused", "admin_refused", now, reason="no_answer", id=entry.id)
        seen = self._seen(pack, entry.id)
        conv.state["admin"] = {
            "step": "answer",
            "action": "edit",
            "id": entry.id,
            "lang": lang,
            "base": self.book.table(pack.id, entry.id),
            "seen": seen,
        }
        return self._reply(
            conv,
            pack,
            "admin_edit",
            "admin_edit_prompt",
            now,
            entry=entry,
            language=lang,
            source=entry.answers.get(lang),
        )

    def start_add(
        self, conv: Conversation, pack: BrandPack, question: str, now: datetime, inbox: Sequence[int] = ()
    ) -> Said:
        """``/faq add [question]``: ask for the question (unless given), then the answer."""
        conv.state["admin"] = {"step": "question", "action": "add", "inbox": list(inbox)}
        if not question:
            return self._reply(conv, pack, "admin_add", "admin_add_question", now)
        return self._question(conv, pack, question, now)

    def _question(self, conv: Conversation, pack: BrandPack, question: str, now: datetime) -> Said:
        question = " ".join(question.split())
        if not 2 <= len(question) <= MAX_PHRASE:
            return self._reply(
                conv, pack, "admin_refused", "admin_refused", now, reason="phrase_length", limit=MAX_PHRASE
            )
        state = conv.state["admin"]
        state.update(step="answer", question=question)
        decision = self.matcher(pack.id).decide(question)
        best = decision.best
        today = self.content.entries[pack.id].get(best.entry_id) if best and decision.outcome != "unknown" else None
        return self._reply(
            conv, pack, "admin_add", "admin_add_answer", now, question=question, today=today, result=decision.outcome
        )

    def text(self, conv: Conversation, pack: BrandPack, text: str, now: datetime) -> Said:
        """Typed text while an admin step waits for it (a question, an answer)."""
        state = conv.state["admin"]
        if not text.strip() and state["step"] in ("question", "answer"):
            return self._reply(
                conv, pack, "admin_refused", "admin_refused", now, reason="empty_text", step=state["step"]
            )
        if state["step"] == "question":
            return self._question(conv, pack, text, now)
        if state["step"] != "answer":  # waiting for a button: say so
            return self._reply(conv, pack, "admin_waiting", "admin_waiting", now, self._pending_buttons(pack, now))
        answer = text.strip()
        if len(answer) > MAX_ANSWER:
            return self._reply(
                conv,
                pack,
                "admin_refused",
                "admin_refused",
                now,
                reason="too_long",
                limit=MAX_ANSWER,
                length=len(answer),
            )
        if state["action"] == "edit":
            table = dict(state["base"] or {})
            if not table:
                conv.state.pop("admin", None)
                return self._unknown(conv, pack, state["id"], now)
            table["answer"] = {**table.get("answer", {}), state["lang"]: answer}
            lang = state["lang"]
        else:
            taken = set(self.content.entries[pack.id]) | set(self.book.base[pack.id])
            question = state["question"]
            title = question[0].upper() + question[1:]
            table = {
                "id": slug(question, taken),
                "title": {"en": title},
                "phrasings": [question],
                "answer": {"en": answer},
            }
            lang = "en"
        try:
            entry = self.book.check(pack.id, table, now)
        except FaqError as exc:
            return self._reply(
                conv,
                pack,
                "admin_refused",
                "admin_refused",
                now,
                reason="template",
                detail=exc.problem,
                hint=self._hint(pack, exc.problem),
            )
        state.update(step="confirm", table=table)
        preview = self.content.render_entry(pack.id, entry, lang, base_context(pack, now))
        others = [other for other in entry.answers if other != lang]
        return self._reply(
            conv,
            pack,
            "admin_preview",
            "admin_preview",
            now,
            self._pending_buttons(pack, now),
            entry=entry,
            language=lang,
            preview=preview,
            others=others,
            action=state["action"],
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

    def _pending_buttons(self, pack: BrandPack, now: datetime) -> list[Button]:
        return [
            self._button(pack, "admin_button_save", "adm:save", now),
            self._button(pack, "admin_button_cancel", "adm:cancel", now),
        ]

    def save(self, conv: Conversation, pack: BrandPack, now: datetime, *, by: str) -> Said:
        """The Save button under a preview."""
        state = conv.state.get("admin")
        if not state or state.get("step") != "confirm":
            return self._reply(conv, pack, "admin_nothing", "admin_nothing_pending", now)
        table = state["table"]
        entry_id = table["id"]
        if state["action"] == "add" and entry_id in self.content.entries[pack.id]:
            table["id"] = entry_id = slug(entry_id, set(self.content.entries[pack.id]))
        seen = state["seen"] if state["action"] == "edit" else self.store.faq_last_change(pack.id, entry_id)
        try:
            self.book.check(pack.id, table, now)  # the pack may have changed since the preview
        except FaqError as exc:
            conv.state.pop("admin", None)
            return self._reply(
                conv,
                pack,
                "admin_refused",
                "admin_refused",
                now,
                reason="template",
                detail=exc.problem,
                hint=self._hint(pack, exc.problem),
            )
        try:
            self.book.change(
                brand=pack.id, entry_id=entry_id, after=table, action=state["action"], by=by, at=now, expect=seen
            )
        except FaqConflict:  # someone else changed it since the admin started
            conv.state.pop("admin", None)
            return self._reply(conv, pack, "admin_conflict", "admin_conflict", now, id=entry_id)
        if state.get("inbox"):
            self.store.close_unanswered(state["inbox"], by=by, action=f"added:{entry_id}", at=now)
        conv.state.pop("admin", None)
        self.changed()
        entry = self.content.entries[pack.id][entry_id]
        others = [lang for lang in entry.answers if lang != state.get("lang", "en")]
        return self._reply(
            conv,
            pack,
            "admin_saved",
            "admin_saved",
            now,
            entry=entry,
            action=state["action"],
            others=others,
            language=state.get("lang", "en"),
        )

    # -- phrasings, deleting, undoing --------------------------------------------------------------------

    def add_phrase(
        self, conv: Conversation, pack: BrandPack, entry: Entry, phrase: str, now: datetime, *, by: str
    ) -> Said:
        """``/faq phrase <id> <text>``: one more way customers ask for this entry."""
        phrase = " ".join(phrase.split())
        if not phrase:
            return self._reply(conv, pack, "admin_usage", "admin_usage", now, sub="phrase")
        if len(phrase) > MAX_PHRASE:
            return self._reply(
                conv, pack, "admin_refused", "admin_refused", now, reason="phrase_length", limit=MAX_PHRASE
            )
        if fold(phrase) in {fold(p) for p in entry.phrasings}:
            return self._reply(
                conv, pack, "admin_phrase_known", "admin_refused", now, reason="phrase_known", id=entry.id
            )
        seen = self._seen(pack, entry.id)
        table = self.book.table(pack.id, entry.id)
        if table is None:
            return self._unknown(conv, pack, entry.id, now)
        before = self.matcher(pack.id).decide(phrase)
        was = (
            self.content.entries[pack.id].get(before.best.entry_id)
            if before.best and before.outcome == "answer"
            else None
        )
        assert table is not None
        table["phrasings"] = [*table["phrasings"], phrase]
        try:
            self.book.check(pack.id, table, now)
        except FaqError as exc:
            return self._reply(
                conv, pack, "admin_refused", "admin_refused", now, reason="template", detail=exc.problem, hint=None
            )
        try:
            self.book.change(brand=pack.id, entry_id=entry.id, after=table, action="phrase", by=by, at=now, expect=seen)
        except FaqConflict:
            return self._reply(conv, pack, "admin_conflict", "admin_conflict", now, id=entry.id)
        self.changed()
        decision = self.matcher(pack.id).decide(phrase)
        best = decision.best
        finds = self.content.entries[pack.id].get(best.entry_id) if best is not None else None
        return self._reply(
            conv,
            pack,
            "admin_phrased",
            "admin_phrase_added",
            now,
            entry=entry,
            phrase=phrase,
            finds=finds,
            result=decision.outcome,
            was=was if was is not None and was.id != entry.id else None,
        )

    def confirm_delete(self, conv: Conversation, pack: BrandPack, entry: Entry, now: datetime) -> Said:
        """``/faq delete <id>``: ask before deleting (only plain FAQ answers can go)."""
        if entry.kind != "faq":
            return self._reply(
                conv, pack, "admin_refused", "admin_refused", now, reason="kind", id=entry.id, kind=entry.kind
            )
        conv.state["admin"] = {"step": "delete", "id": entry.id, "seen": self._seen(pack, entry.id)}
        buttons = [
            self._button(pack, "admin_button_delete", f"adm:del:{entry.id}", now),
            self._button(pack, "admin_button_cancel", "adm:cancel", now),
        ]
        return self._reply(conv, pack, "admin_delete", "admin_delete_confirm", now, buttons, entry=entry)

    def delete(self, conv: Conversation, pack: BrandPack, entry_id: str, now: datetime, *, by: str) -> Said:
        """The Delete button."""
        state = conv.state.get("admin")
        if not state or state.get("step") != "delete" or state.get("id") != entry_id:
            return self._reply(conv, pack, "admin_nothing", "admin_nothing_pending", now)
        conv.state.pop("admin", None)
        entry = self.content.entries[pack.id].get(entry_id)
        try:
            if entry is None:
                raise FaqConflict(entry_id)
            self.book.change(
                brand=pack.id, entry_id=entry_id, after=None, action="delete", by=by, at=now, expect=state["seen"]
            )
        except FaqConflict:
            return self._reply(conv, pack, "admin_conflict", "admin_conflict", now, id=entry_id)
        self.changed()
        return self._reply(conv, pack, "admin_deleted", "admin_deleted", now, entry=entry)

    def undo(
        self, conv: Conversation, pack: BrandPack, entry_id: str, now: datetime, *, by: str, expected: int | None = None
    ) -> Said:
        """``/faq undo <id>``: take back the entry's latest change (again: the one before it)."""
        seen = self._seen(pack, entry_id)
        change = self.store.faq_undoable(pack.id, entry_id)
        if change is not None and expected is not None and change["id"] != expected:
            return self._reply(conv, pack, "admin_stale", "admin_stale", now)  # an old button: not someone else's
        if change is None:
            return self._reply(conv, pack, "admin_undo_nothing", "admin_undo_nothing", now, id=entry_id[:60])
        target = self.book.undo_target(pack.id, change)
        if target is not None:
            try:
                self.book.check(pack.id, target, now)
            except FaqError as exc:
                return self._reply(
                    conv,
                    pack,
                    "admin_refused",
                    "admin_refused",
                    now,
                    reason="undo_broken",
                    id=entry_id,
                    detail=exc.problem,
                    hint=self._hint(pack, exc.problem),
                )
        try:
            self.book.change(
                brand=pack.id,
                entry_id=entry_id,
                after=target,
                action="undo",
                by=by,
                at=now,
                expect=seen,
                undoes=change["id"],
            )
        except FaqConflict:
            return self._reply(conv, pack, "admin_conflict", "admin_conflict", now, id=entry_id)
        self.changed()
        entry = self.content.entries[pack.id].get(entry_id)
        preview = (
            self.content.render_entry(pack.id, entry, "en", base_context(pack, now))
            if entry is not None and entry.answers
            else None
        )
        at = datetime.fromisoformat(change["at"]).astimezone(pack.timezone)
        return self._reply(
            conv,
            pack,
            "admin_undone",
            "admin_undone",
            now,
            id=entry_id,
            change={**change, "at": at},
            entry=entry,
            preview=preview,
        )

    # -- the unanswered inbox -----------------------------------------------------------------------------

    def inbox(self, conv: Conversation, pack: BrandPack, now: datetime, *, page: int = 1) -> Said:
        """``/unanswered``: questions the bot could not answer or whose answer did not help, grouped."""
        groups = group_questions(self.store.unanswered(pack.id), self.normaliser)
        pages = max(1, -(-len(groups) // PAGE))
        page = min(page, pages)
        shown = groups[(page - 1) * PAGE : page * PAGE]
        replies = [
            Reply(
                self.say(
                    pack,
                    "admin_inbox_header",
                    now,
                    groups=len(groups),
                    questions=sum(g.count for g in groups),
                    page=page,
                    pages=pages,
                    first=(page - 1) * PAGE + 1,
                )
            )
        ]
        state: list[dict[str, Any]] = []
        offered: list[Button] = []
        entries = self.content.entries[pack.id]
        for n, group in enumerate(shown):
            _, ranked = self.matcher(pack.id).rank(group.text, limit=6)
            # "same as" only where the bot was not sure, for entries that come reasonably close; a 👎 on an
            # answer asks for a better answer, not for the question to go to another entry
            unhelpful_only = set(group.reasons) == {"unhelpful"}
            guesses = (
                [
                    c.entry_id
                    for c in ranked
                    if c.entry_id in entries
                    and entries[c.entry_id].kind == "faq"
                    and c.entry_id not in group.entries
                    and c.score >= GUESS
                ][:2]
                if not unhelpful_only
                else []
            )
            buttons = [
                self._button(pack, "admin_button_phrase", f"adm:ph:{n}:{k}", now, title=entries[g].title("en"))
                for k, g in enumerate(guesses)
            ]
            buttons += [
                self._button(pack, "admin_button_edit_entry", f"adm:ed:{n}:{k}", now, title=entries[e].title("en"))
                for k, e in enumerate(group.entries[:2])
                if e in entries
            ]
            buttons += [
                self._button(pack, "admin_button_new", f"adm:new:{n}", now),
                self._button(pack, "admin_button_dismiss", f"adm:dis:{n}", now),
            ]
            offered += buttons
            state.append(
                {"ids": list(group.ids), "text": group.text, "guesses": guesses, "entries": list(group.entries[:2])}
            )
            replies.append(
                Reply(
                    self.say(
                        pack,
                        "admin_inbox_group",
                        now,
                        group=group,
                        unhelpful=[entries[e] for e in group.entries if e in entries],
                        guesses=[entries[g] for g in guesses],
                    ),
                    tuple(buttons),
                )
            )
        conv.state["admin_inbox"] = state
        conv.offer(offered)
        return Said("admin_inbox", replies)

    def inbox_press(self, conv: Conversation, pack: BrandPack, data: str, now: datetime, *, by: str) -> Said:
        """A button under an inbox group."""
        parts = data.split(":")
        groups = conv.state.get("admin_inbox") or []
        index = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else -1
        if not 0 <= index < len(groups):
            return self._reply(conv, pack, "admin_stale", "admin_stale", now)
        group = groups[index]
        still_open = {row["id"] for row in self.store.unanswered(pack.id)}
        if not still_open & set(group["ids"]):
            return self._reply(conv, pack, "admin_stale", "admin_stale", now)
        action = parts[1]
        pick = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else -1
        if action == "ph" and 0 <= pick < len(group["guesses"]):
            entry = self.content.entries[pack.id].get(group["guesses"][pick])
            if entry is None:
                return self._reply(conv, pack, "admin_stale", "admin_stale", now)
            said = self.add_phrase(conv, pack, entry, group["text"], now, by=by)
            if said.outcome in ("admin_phrased", "admin_phrase_known"):
                self.store.close_unanswered(group["ids"], by=by, action=f"phrase:{entry.id}", at=now)
            return said
        if action == "ed" and 0 <= pick < len(group["entries"]):
            entry = self.content.entries[pack.id].get(group["entries"][pick])
            if entry is None:
                return self._reply(conv, pack, "admin_stale", "admin_stale", now)
            said = self.start_edit(conv, pack, entry, "en", now)
            conv.state["admin"]["inbox"] = group["ids"]
            return said
        if action == "new":
            return self.start_add(conv, pack, group["text"], now, inbox=group["ids"])
        if action == "dis":
            self.store.close_unanswered(group["ids"], by=by, action="dismissed", at=now)
            return self._reply(conv, pack, "admin_dismissed", "admin_dismissed", now, count=len(group["ids"]))
        return self._reply(conv, pack, "admin_stale", "admin_stale", now)

    # -- buttons and /cancel ----------------------------------------------------------------------------

    def press(self, conv: Conversation, pack: BrandPack, data: str, now: datetime, *, by: str) -> Said:
        """Any ``adm:`` button."""
        if data == "adm:save":
            return self.save(conv, pack, now, by=by)
        if data == "adm:cancel":
            return self.cancel(conv, pack, now)
        if data.startswith("adm:del:"):
            return self.delete(conv, pack, data[8:], now, by=by)
        if data.startswith("adm:edit:"):
            entry = self._find(pack, data[9:])
            return self.start_edit(conv, pack, entry, "en", now) if entry else self._unknown(conv, pack, data[9:], now)
        if data.startswith("adm:undo:"):
            entry_id, _, change = data[9:].partition(":")
            return self.undo(conv, pack, entry_id, now, by=by, expected=int(change) if change.isdigit() else -1)
        return self.inbox_press(conv, pack, data, now, by=by)

    def cancel(self, conv: Conversation, pack: BrandPack, now: datetime) -> Said:
        """Drop a half-done change."""
        had = conv.state.pop("admin", None)
        return self._reply(conv, pack, "admin_cancelled", "admin_cancelled", now, had=bool(had))


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


def _samples(entry: Entry, group: Group, moment: datetime) -> dict[str, list[dict[str, Any]]]:
    """Contexts that take every admin message through its branches (see :func:`check_wording`)."""
    change = {"id": 1, "action": "edit", "by": "Check (tg:1)", "at": moment, "undone": 0}
    row = {"id": entry.id, "title": "Title", "kind": "faq", "edited": True, "added": False, "set_aside": True}
    refused = [
        {"reason": r, "id": entry.id, "limit": 10, "length": 20, "detail": "x", "hint": h, "kind": "hours", "step": s}
        for r in (
            "template",
            "too_long",
            "phrase_length",
            "phrase_known",
            "kind",
            "no_answer",
            "undo_broken",
            "empty_text",
        )
        for h in (None, "warranty.years")
        for s in ("question", "answer")
    ]
    return {
        "admin_faq_help": [{}, {"unknown": "x", "near": "edit"}, {"unknown": "x", "near": None}],
        "admin_values": [
            {"values": [{"name": "brand.name", "value": "X"}], "more": m, "words": w}
            for m in (-3, 5)
            for w in ("", "x")
        ]
        + [{"values": [], "more": -60, "words": "x"}],
        "admin_usage": [{"sub": "phrase"}, {"sub": "show"}],
        "admin_unknown_entry": [{"id": "x", "near": [entry]}, {"id": "x", "near": []}],
        "admin_faq_list": [
            {"rows": [row, {**row, "kind": "hours", "added": True}], "query": q, "total": 2} for q in ("", "x")
        ]
        + [{"rows": [], "query": "x", "total": 0}],
        "admin_faq_show": [
            {
                "entry": entry,
                "rendered": dict.fromkeys(entry.answers, "x"),
                "last": last,
                "edited": edited,
                "broken": broken,
            }
            for last, edited, broken in (
                (None, False, None),
                (change, True, ("render", "x")),
                (change, True, ("files", "")),
            )
        ],
        "admin_faq_history": [{"id": entry.id, "changes": [change]}, {"id": entry.id, "changes": []}],
        "admin_bad_language": [{"language": "fr", "languages": LANGUAGES}],
        "admin_refused": refused,
        "admin_edit_prompt": [{"entry": entry, "language": "en", "source": s} for s in ("x", None)],
        "admin_add_question": [{}],
        "admin_add_answer": [
            {"question": "x", "today": t, "result": r} for t in (entry, None) for r in ("answer", "clarify", "unknown")
        ],
        "admin_waiting": [{}],
        "admin_preview": [
            {"entry": entry, "language": "en", "preview": "x", "others": o, "action": a}
            for o in ([], ["zh"])
            for a in ("edit", "add")
        ],
        "admin_nothing_pending": [{}],
        "admin_conflict": [{"id": entry.id}],
        "admin_saved": [
            {"entry": entry, "action": a, "others": o, "language": "en"} for o in ([], ["zh"]) for a in ("edit", "add")
        ],
        "admin_phrase_added": [
            {"entry": entry, "phrase": "x", "finds": f, "result": r, "was": f}
            for f in (entry, None)
            for r in ("answer", "clarify", "unknown")
        ],
        "admin_delete_confirm": [{"entry": entry}],
        "admin_deleted": [{"entry": entry}],
        "admin_undo_nothing": [{"id": entry.id}],
        "admin_undone": [
            {"id": entry.id, "change": change, "entry": e, "preview": p}
            for e, p in ((entry, "x"), (None, None), (entry, None))
        ],
        "admin_inbox_header": [
            {"groups": g, "questions": g * 2, "page": p, "pages": n, "first": 1}
            for g, p, n in ((0, 1, 1), (1, 1, 1), (12, 1, 3), (12, 3, 3))
        ],
        "admin_inbox_group": [{"group": group, "unhelpful": u, "guesses": u} for u in ([entry], [])],
        "admin_stale": [{}],
        "admin_dismissed": [{"count": 1}, {"count": 3}],
        "admin_cancelled": [{"had": True}, {"had": False}],
        "admin_button_save": [{}],
        "admin_button_cancel": [{}],
        "admin_button_edit": [{}],
        "admin_button_undo": [{}],
        "admin_button_delete": [{}],
        "admin_button_new": [{}],
        "admin_button_dismiss": [{}],
        "admin_button_phrase": [{"title": "x"}],
        "admin_button_edit_entry": [{"title": "x"}],
        "admin_command_faq": [{}],
        "admin_command_unanswered": [{}],
        "admin_command_stats": [{}],
    }


def check_wording(packs: Mapping[str, BrandPack], content: Content, moment: datetime) -> None:
    """Render every admin message for every brand through its branches, so a broken one stops start-up."""
    group = Group(
        ids=(1, 2, 3, 4, 5, 6),
        texts=tuple((f"question {n}", 6 - n) for n in range(6)),
        reasons={"unknown": 4, "unhelpful": 2},
        entries=(),
        latest=moment.isoformat(),
    )
    for pack in packs.values():
        entry = next(e for e in content.entries[pack.id].values() if e.kind == "faq")
        samples = _samples(entry, group, moment)
        names = {
            name
            for (folder, name), path in content.message_paths.items()
            if path.name == "admin.toml" and folder in ("_common", pack.id)
        }
        missing = names - set(samples)
        if missing:
            path = next(p for (_, n), p in content.message_paths.items() if n in missing)
            raise FaqError(path, sorted(missing)[0], "not a message the admin commands use")
        context = base_context(pack, moment)
        for name in names:
            for extra in samples[name]:
                content.render_message(pack.id, name, "en", {**context, **extra})
