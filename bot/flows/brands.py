"""One bot serving several brands: which brand the customer's product is.

A transport whose entry serves two or more brands says so in :attr:`Message.brands` (a Telegram bot with
``SUPPORTBOT_BRANDS=kimpok,ktnc``). Until the customer has chosen, every message is answered with the
question, buttons one per brand; the choice is kept in the conversation's state and its brand:

    /start ktnc (a deep link t.me/<bot>?start=ktnc) ─► that brand, welcome + menu
    /start xyz (not a brand this bot serves)          ─► a polite word and the choices
    a brand's button (brand:<id>)                      ─► that brand: the question asked before the
                                                          choice is answered (else welcome + menu)
    /brand                                             ─► the choices again (to switch)
    anything else, no brand chosen yet                 ─► the question (typed words are held)

Switching to another brand starts the conversation afresh (what was under way was about the other
brand's product), keeping only who the customer is.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.clock import customer_moment, customer_zone
from bot.core.messages import Button, Reply
from bot.core.outcomes import Outcome
from bot.flows.base import Kit, Result, Turn
from bot.flows.state import State
from bot.understand.reading import MAX_CHARS, Reader

PREFIX = "brand:"  # a brand's button: brand:<id>
COMMAND = "brand"  # /brand: choose again


class BrandChoice:
    """The gate that asks a customer of a bot serving several brands which brand they mean."""

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.reader = Reader(lexicon=kit.lexicon, index=kit.index, situations=kit.situations, intents=kit.intents)

    def gate(self, turn: Turn) -> Result | None:
        """The question, or the choice made; None when the brand is settled (or the bot serves one)."""
        choices = tuple(dict.fromkeys(b for b in turn.message.brands if b in self.kit.packs))
        if len(choices) < 2:
            return None
        reading = turn.reading
        if reading.press is not None and reading.press.startswith(PREFIX):
            brand = reading.press[len(PREFIX) :]
            return self.choose(turn, brand) if brand in choices else self.ask(turn, choices)
        if reading.command == "start" and len(words := reading.text.split()) > 1:
            wanted = words[1].strip().lower()
            if wanted in choices:
                return self.choose(turn, wanted)
            return self.ask(turn, choices, unknown=words[1][:64])
        if reading.command == COMMAND:
            return self.ask(turn, choices)
        if turn.state.brand in choices and turn.conv.brand == turn.state.brand:
            return None
        return self.ask(turn, choices)

    def ask(self, turn: Turn, choices: tuple[str, ...], *, unknown: str | None = None) -> Result:
        """Which brand: one button each (after a word on a deep link's unknown brand)."""
        hint = turn.message.language
        if turn.state.brand is None and hint and hint[:2] in turn.pack.languages:
            turn.conv.lang = hint[:2]  # a first message: answer in the customer's language
        if turn.reading.text and turn.reading.command is None and turn.message.text:
            turn.state.held = turn.message.text[:MAX_CHARS]  # answered once the brand is chosen
        buttons = [Button(self.kit.packs[b].name, f"{PREFIX}{b}") for b in choices]
        names = [self.kit.packs[b].name for b in choices]
        replies = [Reply(turn.say("brand_unknown", asked=unknown, names=names))] if unknown else []
        replies.append(turn.reply("brand_question", *buttons, names=names))
        return Result(Outcome.BRAND_ASKED, replies)

    def choose(self, turn: Turn, brand: str) -> Result:
        """The customer's brand from now on: welcome and the menu in that brand."""
        held = turn.state.held if turn.reading.press is not None else None  # a deep link is no answer to it
        if brand != turn.conv.brand or turn.state.brand not in (None, brand):
            turn.conv.state = State(name=turn.state.name, tz=turn.state.tz)  # another product: start afresh
        turn.state.held = None
        pack = self.kit.packs[brand]
        turn.conv.brand = brand
        turn.state.brand = brand
        turn.pack = pack
        turn.moment = customer_moment(turn.now, pack.timezone, customer_zone(turn.state.tz))
        turn.__dict__.pop("context", None)  # the cached template values were the other brand's
        hint = turn.message.language
        if hint and hint[:2] in pack.languages:
            turn.conv.lang = hint[:2]
        if held:
            return self.answer(turn, held)
        menu = self.kit.flows.general.menu(turn)
        return Result(Outcome.BRAND_CHOSEN, [Reply(turn.say("welcome")), menu])

    def answer(self, turn: Turn, text: str) -> Result:
        """The question held while the brand was asked, answered for the brand chosen (as typed text is)."""
        message = replace(turn.message, text=text, press=None)
        reading = self.reader.read(message, pack=turn.pack, lang=turn.lang, offered=(), moment=turn.local)
        asked = Turn(turn.conv, turn.pack, turn.now, message, reading, turn.content, turn.shared, moment=turn.moment)
        flows = self.kit.flows
        result = flows.handoff.text(asked) or flows.rma.text(asked) or flows.answer.text(asked)
        turn.notes.extend(asked.notes)  # said before the answer ("your message was cut")
        return result
