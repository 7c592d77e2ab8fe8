"""Admins edit the FAQ from a private chat, with a rendered preview, history and undo.

    /faq edit <id> [lang] ─► send the answer ─► refused with the reason │ preview ─► Save │ Cancel
    /faq add [question]   ─► (question) ─► answer ─► preview ─► Save │ Cancel
    /faq phrase <id> <text> · /faq delete <id> ─► Delete │ Cancel · /faq undo <id>

Multi-step work is kept in the admin's conversation state (:class:`~bot.flows.state.AdminChange`), so a
restart loses nothing. Every change goes through :class:`bot.backoffice.faqbook.FaqBook`, which renders
it for the brand before storing it. Admin wording is in ``faq/_common/admin.toml`` (English).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from bot.backoffice.faqbook import MAX_ANSWER
from bot.core.errors import FaqError
from bot.core.messages import Button
from bot.core.outcomes import Outcome
from bot.core.text import fold
from bot.flows.admin.desk import AdminDesk
from bot.flows.admin.figures import differences
from bot.flows.base import Result, Turn
from bot.flows.state import AdminChange
from bot.knowledge.faq import Entry, base_context
from bot.knowledge.langtext import LANGUAGES
from bot.store import FaqConflict

SUBCOMMANDS = ("list", "show", "edit", "add", "phrase", "delete", "undo", "history", "values")
MAX_PHRASE = 200


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


class FaqAdmin(AdminDesk):
    """The FAQ editing commands and buttons."""

    def start_edit(self, turn: Turn, entry: Entry, lang: str) -> Result:
        """``/faq edit <id> [lang]``: ask for the new answer."""
        pack = turn.pack
        if lang not in LANGUAGES:
            return self.reply(turn, Outcome.ADMIN_USAGE, "admin_bad_language", language=lang[:20], languages=LANGUAGES)
        if entry.kind == "oos" and not entry.answers:
            return self.reply(turn, Outcome.ADMIN_REFUSED, "admin_refused", reason="no_answer", id=entry.id)
        seen = self._seen(pack, entry.id)
        turn.state.admin.change = AdminChange(
            step="answer", action="edit", id=entry.id, lang=lang, base=self.book.table(pack.id, entry.id), seen=seen
        )
        return self.reply(
            turn, Outcome.ADMIN_EDIT, "admin_edit_prompt", entry=entry, language=lang, source=entry.answers.get(lang)
        )

    def start_add(self, turn: Turn, question: str, inbox: Sequence[int] = ()) -> Result:
        """``/faq add [question]``: ask for the question (unless given), then the answer."""
        turn.state.admin.change = AdminChange(step="question", action="add", inbox=list(inbox))
        if not question:
            return self.reply(turn, Outcome.ADMIN_ADD, "admin_add_question")
        return self._question(turn, question)

    def _question(self, turn: Turn, question: str) -> Result:
        pack = turn.pack
        question = " ".join(question.split())
        if not 2 <= len(question) <= MAX_PHRASE:
            return self.reply(turn, Outcome.ADMIN_REFUSED, "admin_refused", reason="phrase_length", limit=MAX_PHRASE)
        state = turn.state.admin.change
        assert state is not None
        state.step, state.question = "answer", question
        decision = self.matcher(pack.id).decide(question)
        best = decision.best
        today = self.content.entries[pack.id].get(best.entry_id) if best and decision.outcome != "unknown" else None
        return self.reply(
            turn, Outcome.ADMIN_ADD, "admin_add_answer", question=question, today=today, result=decision.outcome
        )

    def text(self, turn: Turn, text: str) -> Result:
        """Typed text while an admin step waits for it (a question, an answer)."""
        pack, now = turn.pack, turn.now
        state = turn.state.admin.change
        assert state is not None
        if not text.strip() and state.step in ("question", "answer"):
            return self.reply(turn, Outcome.ADMIN_REFUSED, "admin_refused", reason="empty_text", step=state.step)
        if state.step == "question":
            return self._question(turn, text)
        if state.step != "answer":  # waiting for a button: say so
            return self.reply(turn, Outcome.ADMIN_WAITING, "admin_waiting", self._pending_buttons(turn))
        answer = text.strip()
        if len(answer) > MAX_ANSWER:
            return self.reply(
                turn, Outcome.ADMIN_REFUSED, "admin_refused", reason="too_long", limit=MAX_ANSWER, length=len(answer)
            )
        if state.action == "edit":
            table = dict(state.base or {})
            if not table:
                turn.state.admin.change = None
                return self.unknown(turn, state.id or "")
            table["answer"] = {**table.get("answer", {}), state.lang: answer}
            lang = state.lang
        else:
            taken = set(self.content.entries[pack.id]) | set(self.book.base[pack.id])
            question = state.question or ""
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
            return self.reply(
                turn,
                Outcome.ADMIN_REFUSED,
                "admin_refused",
                reason="template",
                detail=exc.problem,
                hint=self._hint(pack, exc.problem),
            )
        state.step, state.table = "confirm", table
        context = base_context(pack, now)
        preview = self.content.render_entry(pack.id, entry, lang, context, check=True)
        current = self.content.entries[pack.id].get(state.id or "") if state.action == "edit" else None
        before = self.content.render_entry(pack.id, current, lang, context) if current is not None else ""
        unknown = differences(preview, before, pack.data, self.kit.situations.date_words)
        others = [other for other in entry.answers if other != lang]
        return self.reply(
            turn,
            Outcome.ADMIN_PREVIEW,
            "admin_preview",
            self._pending_buttons(turn, anyway=bool(unknown)),
            entry=entry,
            language=lang,
            preview=preview,
            others=others,
            action=state.action,
            differences=unknown,
        )

    def _pending_buttons(self, turn: Turn, *, anyway: bool = False) -> list[Button]:
        return [
            self._button(turn, "admin_button_save", "adm:save", anyway=anyway),
            self._button(turn, "admin_button_cancel", "adm:cancel"),
        ]

    def save(self, turn: Turn, *, by: str) -> Result:
        """The Save button under a preview."""
        pack, now = turn.pack, turn.now
        state = turn.state.admin.change
        if not state or state.step != "confirm":
            return self.reply(turn, Outcome.ADMIN_NOTHING, "admin_nothing_pending")
        table = state.table
        assert table is not None
        entry_id = table["id"]
        if state.action == "add" and entry_id in self.content.entries[pack.id]:
            table["id"] = entry_id = slug(entry_id, set(self.content.entries[pack.id]))
        seen = state.seen if state.action == "edit" else self.store.faq.last_change(pack.id, entry_id)
        try:
            self.book.check(pack.id, table, now)  # the pack may have changed since the preview
        except FaqError as exc:
            turn.state.admin.change = None
            return self.reply(
                turn,
                Outcome.ADMIN_REFUSED,
                "admin_refused",
                reason="template",
                detail=exc.problem,
                hint=self._hint(pack, exc.problem),
            )
        try:
            self.book.change(
                brand=pack.id, entry_id=entry_id, after=table, action=state.action, by=by, at=now, expect=seen
            )
        except FaqConflict:  # someone else changed it since the admin started
            turn.state.admin.change = None
            return self.reply(turn, Outcome.ADMIN_CONFLICT, "admin_conflict", id=entry_id)
        if state.inbox:
            self.store.inbox.close(state.inbox, by=by, action=f"added:{entry_id}", at=now)
        turn.state.admin.change = None
        self.changed()
        entry = self.content.entries[pack.id][entry_id]
        others = [lang for lang in entry.answers if lang != state.lang]
        return self.reply(
            turn,
            Outcome.ADMIN_SAVED,
            "admin_saved",
            entry=entry,
            action=state.action,
            others=others,
            language=state.lang,
        )

    def add_phrase(self, turn: Turn, entry: Entry, phrase: str, *, by: str) -> Result:
        """``/faq phrase <id> <text>``: one more way customers ask for this entry."""
        pack, now = turn.pack, turn.now
        phrase = " ".join(phrase.split())
        if not phrase:
            return self.reply(turn, Outcome.ADMIN_USAGE, "admin_usage", sub="phrase")
        if len(phrase) > MAX_PHRASE:
            return self.reply(turn, Outcome.ADMIN_REFUSED, "admin_refused", reason="phrase_length", limit=MAX_PHRASE)
        if fold(phrase) in {fold(p) for p in entry.phrasings}:
            return self.reply(turn, Outcome.ADMIN_PHRASE_KNOWN, "admin_refused", reason="phrase_known", id=entry.id)
        seen = self._seen(pack, entry.id)
        table = self.book.table(pack.id, entry.id)
        if table is None:
            return self.unknown(turn, entry.id)
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
            return self.reply(
                turn, Outcome.ADMIN_REFUSED, "admin_refused", reason="template", detail=exc.problem, hint=None
            )
        try:
            self.book.change(brand=pack.id, entry_id=entry.id, after=table, action="phrase", by=by, at=now, expect=seen)
        except FaqConflict:
            return self.reply(turn, Outcome.ADMIN_CONFLICT, "admin_conflict", id=entry.id)
        self.changed()
        decision = self.matcher(pack.id).decide(phrase)
        best = decision.best
        finds = self.content.entries[pack.id].get(best.entry_id) if best is not None else None
        return self.reply(
            turn,
            Outcome.ADMIN_PHRASED,
            "admin_phrase_added",
            entry=entry,
            phrase=phrase,
            finds=finds,
            result=decision.outcome,
            was=was if was is not None and was.id != entry.id else None,
        )

    def confirm_delete(self, turn: Turn, entry: Entry) -> Result:
        """``/faq delete <id>``: ask before deleting (only plain FAQ answers can go)."""
        pack = turn.pack
        if entry.kind != "faq":
            return self.reply(turn, Outcome.ADMIN_REFUSED, "admin_refused", reason="kind", id=entry.id, kind=entry.kind)
        turn.state.admin.change = AdminChange(
            step="delete", action="delete", id=entry.id, seen=self._seen(pack, entry.id)
        )
        buttons = [
            self._button(turn, "admin_button_delete", f"adm:del:{entry.id}"),
            self._button(turn, "admin_button_cancel", "adm:cancel"),
        ]
        return self.reply(turn, Outcome.ADMIN_DELETE, "admin_delete_confirm", buttons, entry=entry)

    def delete(self, turn: Turn, entry_id: str, *, by: str) -> Result:
        """The Delete button."""
        pack, now = turn.pack, turn.now
        state = turn.state.admin.change
        if not state or state.step != "delete" or state.id != entry_id:
            return self.reply(turn, Outcome.ADMIN_NOTHING, "admin_nothing_pending")
        turn.state.admin.change = None
        entry = self.content.entries[pack.id].get(entry_id)
        try:
            if entry is None:
                raise FaqConflict(entry_id)
            self.book.change(
                brand=pack.id, entry_id=entry_id, after=None, action="delete", by=by, at=now, expect=state.seen
            )
        except FaqConflict:
            return self.reply(turn, Outcome.ADMIN_CONFLICT, "admin_conflict", id=entry_id)
        self.changed()
        return self.reply(turn, Outcome.ADMIN_DELETED, "admin_deleted", entry=entry)

    def undo(self, turn: Turn, entry_id: str, *, by: str, expected: int | None = None) -> Result:
        """``/faq undo <id>``: take back the entry's latest change (again: the one before it)."""
        pack, now = turn.pack, turn.now
        seen = self._seen(pack, entry_id)
        change = self.store.faq.undoable(pack.id, entry_id)
        if change is not None and expected is not None and change["id"] != expected:
            return self.reply(turn, Outcome.ADMIN_STALE, "admin_stale")  # an old button: not someone else's
        if change is None:
            return self.reply(turn, Outcome.ADMIN_UNDO_NOTHING, "admin_undo_nothing", id=entry_id[:60])
        target = self.book.undo_target(pack.id, change)
        if target is not None:
            try:
                self.book.check(pack.id, target, now)
            except FaqError as exc:
                return self.reply(
                    turn,
                    Outcome.ADMIN_REFUSED,
                    "admin_refused",
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
            return self.reply(turn, Outcome.ADMIN_CONFLICT, "admin_conflict", id=entry_id)
        self.changed()
        entry = self.content.entries[pack.id].get(entry_id)
        preview = (
            self.content.render_entry(pack.id, entry, "en", base_context(pack, now))
            if entry is not None and entry.answers
            else None
        )
        at = datetime.fromisoformat(change["at"]).astimezone(pack.timezone)
        return self.reply(
            turn,
            Outcome.ADMIN_UNDONE,
            "admin_undone",
            id=entry_id,
            change={**change, "at": at},
            entry=entry,
            preview=preview,
        )
