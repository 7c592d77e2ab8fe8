"""What admins do from a private chat: edit the FAQ (:mod:`.faq`), work the inbox (:mod:`.inbox`), read statistics.

The transport vouches for who is an admin (``Message.admin``); everybody else is told, politely and in
their language, that ``/faq``, ``/unanswered``, ``/stats`` and the ``adm:`` buttons are for the support team.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from rapidfuzz import fuzz, process

from bot.backoffice.report import replies as stats_replies
from bot.core.messages import Reply
from bot.core.outcomes import Outcome
from bot.flows.admin.faq import SUBCOMMANDS
from bot.flows.admin.inbox import Admin
from bot.flows.base import Kit, Result, Turn
from bot.flows.state import FlowName
from bot.knowledge.packs import BrandPack

COMMANDS = frozenset({"faq", "unanswered", "stats"})
PREFIX = "adm"


class AdminFlow:
    """Admin commands and buttons, and the text an admin's half-done change waits for."""

    name: ClassVar[FlowName] = FlowName.ADMIN
    commands: ClassVar[frozenset[str]] = COMMANDS
    prefixes: ClassVar[frozenset[str]] = frozenset({PREFIX})
    durable: ClassVar[frozenset[str]] = frozenset({PREFIX})  # refused for customers whatever they press

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.work = Admin(kit)
        self._charts: Path | None = None

    def intercept(self, turn: Turn) -> Result | None:
        """Admin commands and buttons (refused for everybody else), and the text an admin step waits for."""
        reading, message = turn.reading, turn.message
        pressed = reading.press is not None and reading.press.startswith(f"{PREFIX}:")
        waiting = message.admin and turn.state.admin.change is not None
        if reading.command not in COMMANDS and not pressed and not waiting:
            return None
        if not message.admin:
            word = f"/{reading.command}" if reading.command else "/faq"
            return Result(Outcome.ADMIN_REFUSED, [Reply(turn.say("admin_only", command=word))])
        by = f"{turn.state.name} ({turn.user})" if turn.state.name else turn.user
        if pressed:
            assert reading.press is not None
            return self._press(turn, reading.press, by=by)
        if reading.command in COMMANDS:
            return self._command(turn, reading.text, by=by)
        if reading.command == "cancel":
            return self._cancel(turn)
        if reading.command is not None or reading.press is not None:
            turn.state.admin.change = None  # another command or a customer's button: the admin moved on
            return None
        return self.work.text(turn, reading.text)  # a sticker or spaces are no answer: it says so

    def command(self, turn: Turn, command: str) -> Result:
        """Admin commands reach :meth:`intercept` first; this is for a table that routes one here anyway."""
        result = self.intercept(turn)
        return result if result is not None else self.kit.flows.general.unknown_command(turn)

    def press(self, turn: Turn, data: str) -> Result:
        """Admin buttons reach :meth:`intercept` first (see :meth:`command`)."""
        result = self.intercept(turn)
        return result if result is not None else self.kit.flows.general.unknown_button(turn)

    def text(self, turn: Turn) -> Result | None:
        """Typed text goes to an admin's half-done change through :meth:`intercept`."""
        return None

    # -- what admins type and press ------------------------------------------------------------------

    def _command(self, turn: Turn, text: str, *, by: str) -> Result:
        """An admin's ``/faq …``, ``/unanswered`` or ``/stats``."""
        w, pack, now = self.work, turn.pack, turn.now
        words = text.split(None, 1)
        command = words[0][1:].split("@")[0].lower()
        rest = words[1].strip() if len(words) > 1 else ""
        turn.state.admin.change = None  # a new command drops whatever was half done
        if command == "stats":
            return Result(Outcome.ADMIN_STATS, self._stats(pack, now))
        if command == "unanswered":
            page = int(rest) if rest.isdigit() and int(rest) > 0 else 1
            return w.inbox(turn, page=page)
        sub, _, arg = rest.partition(" ")
        sub, arg = sub.lower(), arg.strip()
        if sub in ("", "help"):
            return w.reply(turn, Outcome.ADMIN_HELP, "admin_faq_help")
        if sub == "list":
            return w.listing(turn, arg)
        if sub == "add":
            return w.start_add(turn, arg)
        if sub == "values":
            return w.values(turn, arg)
        if sub not in SUBCOMMANDS:
            near = process.extractOne(sub, SUBCOMMANDS, scorer=fuzz.ratio, score_cutoff=60)
            return w.reply(
                turn, Outcome.ADMIN_USAGE, "admin_faq_help", unknown=sub[:40], near=near[0] if near else None
            )
        entry_id, _, more = arg.partition(" ")
        if not entry_id:
            return w.reply(turn, Outcome.ADMIN_USAGE, "admin_usage", sub=sub)
        entry = w.find(pack, entry_id)
        if entry is None and sub not in ("undo", "history"):
            return w.unknown(turn, entry_id)
        found_id = entry.id if entry is not None else entry_id
        if sub == "show":
            return w.show(turn, found_id)
        if sub == "history":
            return w.history(turn, found_id)
        if sub == "undo":
            return w.undo(turn, found_id, by=by)
        assert entry is not None
        if sub == "edit":
            return w.start_edit(turn, entry, more.strip().lower() or "en")
        if sub == "phrase":
            return w.add_phrase(turn, entry, more.strip(), by=by)
        return w.confirm_delete(turn, entry)

    def _press(self, turn: Turn, data: str, *, by: str) -> Result:
        """Any ``adm:`` button."""
        w, pack = self.work, turn.pack
        if data == "adm:save":
            return w.save(turn, by=by)
        if data == "adm:cancel":
            return self._cancel(turn)
        if data.startswith("adm:del:"):
            return w.delete(turn, data[8:], by=by)
        if data.startswith("adm:edit:"):
            entry = w.find(pack, data[9:])
            return w.start_edit(turn, entry, "en") if entry else w.unknown(turn, data[9:])
        if data.startswith("adm:undo:"):
            entry_id, _, change = data[9:].partition(":")
            return w.undo(turn, entry_id, by=by, expected=int(change) if change.isdigit() else -1)
        return w.inbox_press(turn, data, by=by)

    def _cancel(self, turn: Turn) -> Result:
        """Drop a half-done change."""
        w = self.work
        had, turn.state.admin.change = turn.state.admin.change, None
        return w.reply(turn, Outcome.ADMIN_CANCELLED, "admin_cancelled", had=bool(had))

    def _stats(self, pack: BrandPack, now: datetime) -> list[Reply]:
        """``/stats``: the brand's figures for 7 and 30 days, and a chart."""
        if self._charts is None:  # a folder of this process's own (0700), not a guessable shared path
            self._charts = Path(tempfile.mkdtemp(prefix="supportbot-charts-"))
        return stats_replies(self.kit.store, self.kit.content, pack, now, folder=self._charts)
