"""The conversation around the flows: welcome, the menu, help, /cancel, and what is not a question.

/start ─► welcome + menu · /menu ─► menu · /help ─► help · /cancel ─► cancelled + menu
menu: Ask a question │ Troubleshoot │ Repair request │ Repair status │ Talk to a consultant
a sticker, an empty message, an unknown command or an old button ─► a polite word on what works
an earlier message edited while a step waits for its answer ─► a polite word: it is not the answer
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from bot.core.messages import Reply
from bot.core.outcomes import Outcome
from bot.flows.base import Kit, Result, Turn
from bot.flows.brands import BrandChoice
from bot.flows.state import FlowName

ASK = "ask"  # the menu's "Ask a question"
CONSULTANT = "consultant"  # "Talk to a consultant" (consultant:walk after a troubleshooting walk)


class GeneralFlow:
    """Greeting, menu, help and cancel; the answers to what the other flows do not take."""

    name: ClassVar[FlowName] = FlowName.GENERAL
    commands: ClassVar[frozenset[str]] = frozenset({"start", "menu", "help", "cancel", "back"})
    prefixes: ClassVar[frozenset[str]] = frozenset({ASK})
    durable: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.brands = BrandChoice(kit)  # a gate: which brand, where one bot serves several

    def command(self, turn: Turn, command: str) -> Result:
        """``/start``, ``/menu``, ``/help``, ``/cancel`` (and ``/back`` with nothing to go back in)."""
        hint = turn.message.language
        if command == "start" and hint and hint[:2] in turn.pack.languages:
            turn.conv.lang = hint[:2]
        if command in ("start", "menu", "cancel") and turn.state.walk.walk is not None:
            self.kit.flows.walk.leave(turn)
        if command in ("start", "menu"):
            turn.state.answer.pending = None
            replies = [Reply(turn.say("welcome"))] if command == "start" else []
            return Result(Outcome(command), [*replies, self.menu(turn)])
        if command == "help":
            return Result(Outcome.HELP, [Reply(turn.say("help"))])
        if command == "cancel":
            turn.state.answer.pending = None
            return Result(Outcome.CANCEL, [Reply(turn.say("cancelled")), self.menu(turn)])
        return self.unknown_command(turn)

    def press(self, turn: Turn, data: str) -> Result:
        """The menu's "Ask a question"."""
        return Result(Outcome.MENU, [Reply(turn.say("ask_prompt"))])

    def text(self, turn: Turn) -> Result | None:
        """Typed text goes to the answer flow."""
        return None

    @property
    def gates(self) -> tuple[Callable[[Turn], Result | None], ...]:
        """The engine's gates this flow keeps, in order: an edited earlier message; which brand."""
        return (self.edited, self.brands.gate)

    def edited(self, turn: Turn) -> Result | None:
        """A gate: an earlier message, edited while a step waits for its answer, is never taken as that answer.

        (While a consultant has the chat, the handoff gate before this one relays the edit to them.)
        """
        state = turn.state
        if not turn.message.edited or not (state.flows or state.rma.draft is not None or state.answer.pending):
            return None
        return Result(Outcome.EDITED, [Reply(turn.say("edited_earlier"))])

    # -- replies the other flows share ------------------------------------------------------------------

    def menu(self, turn: Turn) -> Reply:
        """The main menu."""
        buttons = (
            turn.button("button_ask", ASK),
            turn.button("button_troubleshoot", "tsmenu"),
            turn.button("button_rma", "rma:menu"),
            turn.button("button_status", "rma:status"),
            turn.button("button_consultant", CONSULTANT),
        )
        return turn.reply("menu", *buttons)

    def unknown_command(self, turn: Turn) -> Result:
        """A command nobody answers."""
        word = turn.reading.text.split()[0][:64] if turn.reading.text.split() else "/"
        return Result(Outcome.UNKNOWN_COMMAND, [Reply(turn.say("unknown_command", command=word))])

    def unknown_button(self, turn: Turn) -> Result:
        """A button that was never offered, or is no longer active."""
        return Result(Outcome.UNKNOWN_BUTTON, [Reply(turn.say("unknown_button"))])

    def not_text(self, turn: Turn) -> Result:
        """A sticker, a voice message, a location… (or nothing at all): say what works."""
        if turn.reading.kind != "text":
            return Result(Outcome.NON_TEXT, [Reply(turn.say("non_text"))])
        return Result(Outcome.EMPTY, [Reply(turn.say("empty"))])

    def not_available(self, turn: Turn, feature: str) -> Result:
        """A feature the brand has nothing for (no troubleshooting trees): a consultant instead."""
        return turn.result(
            Outcome.NOT_AVAILABLE, "not_available", turn.button("button_consultant", CONSULTANT), feature=feature
        )

    def dont_know(
        self, turn: Turn, *, outcome: Outcome, score: float | None = None, entry_id: str | None = None
    ) -> Result:
        """Say "I don't have information on that", with a consultant button."""
        reply = turn.reply("dont_know", turn.button("button_consultant", CONSULTANT))
        return Result(outcome, [reply], entry_id, score)
