"""The questions of a repair request, one step at a time: asking each, and taking its typed answer.

    model ─► category? ─► serial ─► date ─► bought from ─► fault ─► photos ─► exclusion questions
          ─► contact ─► address ─► summary (change any answer) ─► confirm

Facts typed along with the model ("LG-IPC2, serial LG99887766, bought jan 2026") are taken and their
steps skipped. Every question carries Back (once there is something to go back to) and Cancel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import msgspec

from bot.core.messages import Button, Reply
from bot.core.outcomes import Outcome
from bot.core.text import fold
from bot.flows.base import Kit, Result, Turn
from bot.flows.state import Contact, RmaDraft
from bot.knowledge.packs import BrandPack
from bot.knowledge.workflow import Question
from bot.policy import verdicts as policy
from bot.understand.answers import ADDRESS_MAX, address, contact
from bot.understand.situation import AGE_KINDS, DateFact, Situation, settle_date

TEXT_STEPS = ("model", "serial", "date", "fault", "contact", "address")
EDITABLE = ("model", "serial", "date", "bought_from", "fault", "photos", "questions", "contact", "address")
SOURCES = ("direct", "agent", "unsure")  # where the product was bought
FAULT_MAX = 2000  # characters of a fault description kept (the customer is told when it is cut)


class Steps:
    """Asking a request's questions and taking their answers."""

    def __init__(self, kit: Kit) -> None:
        self.kit = kit

    # -- which step comes next --------------------------------------------------------------------------

    def order(self, draft: RmaDraft, pack: BrandPack) -> list[str]:
        """The request's steps for this brand (the category only where the model didn't say it)."""
        steps = ["model"]
        if pack.categories and draft.facts.category_asked:
            steps.append("category")
        steps += ["serial", "date", "bought_from", "fault", "photos"]
        if self.kit.workflow.questions_for(pack):
            steps.append("questions")
        return [*steps, "contact", "address", "summary"]

    def advance(self, turn: Turn, draft: RmaDraft, notes: Sequence[Reply] = ()) -> Result:
        """The next question (or the summary, after changing one answer)."""
        if draft.editing:
            draft.editing = False
            draft.step = "summary"
            return Result(Outcome.RMA_ANSWER, [*notes, self.ask(turn, draft)])
        steps = self.order(draft, turn.pack)
        current = draft.step
        following = steps[steps.index(current) + 1] if current in steps and current != "summary" else "summary"
        if current != "summary":
            draft.trail.append(current)
        prefilled, draft.facts.prefilled = draft.facts.prefilled, []  # given with the model: not asked again
        while following in prefilled:
            following = steps[steps.index(following) + 1]
        draft.step = following
        return Result(Outcome.RMA_ANSWER, [*notes, self.ask(turn, draft)])

    def question(self, draft: RmaDraft, pack: BrandPack) -> Question | None:
        """The exclusion question not answered yet, if any."""
        return next((q for q in self.kit.workflow.questions_for(pack) if q.id not in draft.facts.answers), None)

    # -- asking -------------------------------------------------------------------------------------------

    def ask(
        self, turn: Turn, draft: RmaDraft, *, again: bool = False, problem: str | None = None, **extra: Any
    ) -> Reply:
        """The current step's question, with its buttons (always: back and cancel)."""
        step, facts, pack = draft.step, draft.facts, turn.pack
        buttons: list[Button] = []
        context: dict[str, Any] = {
            "again": again,
            "problem": problem,
            "d": msgspec.structs.asdict(facts),
            "serial_min": self.kit.answers.serial_min,
            "serial_max": self.kit.answers.serial_max,
            **extra,
        }
        name = f"rma_ask_{step}"
        if step == "category":
            buttons = [Button(c.name_in(turn.lang), f"rma:cat:{c.id}") for c in pack.categories]
            buttons.append(turn.button("rma_button_not_sure", "rma:cat:none"))
        elif step == "bought_from":
            buttons = [turn.button(f"rma_button_from_{k}", f"rma:from:{k}") for k in SOURCES]
        elif step == "photos":
            if draft.photos:
                buttons.append(turn.button("rma_button_photos_done", "rma:photos:done"))
            buttons.append(turn.button("rma_button_photos_skip", "rma:photos:skip"))
            context["count"] = len(draft.photos)
        elif step == "questions":
            question = self.question(draft, pack)
            if question is None:
                return self.summary(turn, draft)
            name = f"rma_q_{question.id}"
            buttons = [
                turn.button(f"rma_q_{question.id}_{c.id}", f"rma:q:{question.id}:{c.id}") for c in question.choices
            ]
            context["exclusions"] = [e for e in pack.exclusions() if not question.tags().isdisjoint(e.tags)]
        elif step == "date":
            context["counts_from"] = pack.warranty.counts_from
            buttons = [
                Button(turn.say("date_label", d=date.fromisoformat(d)), f"rma:date:{d}")
                for d in extra.get("options", ())
            ]
        elif step == "summary":
            return self.summary(turn, draft)
        text = turn.say(name, **{**self._progress(draft, pack), **context})
        if draft.trail or draft.editing:
            buttons.append(turn.button("rma_button_back", "rma:back"))
        buttons.append(turn.button("rma_button_cancel", "rma:cancel"))
        turn.offer(buttons)
        return Reply(text, tuple(buttons))

    def _progress(self, draft: RmaDraft, pack: BrandPack) -> dict[str, int]:
        """Which question this is, of how many ("(3/11)"): each exclusion question counts as one."""
        steps = [s for s in self.order(draft, pack)[:-1] if s != "category"]  # asked only for some models
        extra = max(len(self.kit.workflow.questions_for(pack)) - 1, 0)
        if draft.step not in steps:
            return {"step_number": len(steps) + extra, "steps": len(steps) + extra}
        number = steps.index(draft.step) + 1
        if draft.step == "questions":
            number += len(draft.facts.answers)
        elif "questions" in steps and steps.index(draft.step) > steps.index("questions"):
            number += extra
        return {"step_number": number, "steps": len(steps) + extra}

    def summary(self, turn: Turn, draft: RmaDraft) -> Reply:
        """Everything the customer gave, with Confirm and a button to change each answer."""
        draft.step = "summary"
        buttons = [turn.button("rma_button_confirm", "rma:confirm")]
        buttons += [
            turn.button("rma_button_edit", f"rma:edit:{f}", field=turn.say(f"rma_field_{f}"))
            for f in EDITABLE
            if f != "questions" or self.kit.workflow.questions_for(turn.pack)
        ]
        buttons.append(turn.button("rma_button_cancel", "rma:cancel"))
        described = self.kit.flows.rma.described(turn.pack, self.record(draft), turn.lang, turn.now)
        return turn.reply("rma_summary", *buttons, d=described, photos=len(draft.photos))

    @staticmethod
    def record(draft: RmaDraft) -> dict[str, Any]:
        """The draft's facts as the request keeps them (and templates read them)."""
        record: dict[str, Any] = msgspec.to_builtins(draft.facts)
        record["situation"] = draft.facts.situation.to_state() if draft.facts.situation else None
        return record

    # -- typed answers --------------------------------------------------------------------------------------

    def take(self, turn: Turn, draft: RmaDraft) -> Result:
        """The typed answer to a step that takes text (model, serial, date, fault, contact, address)."""
        text, facts, answers = turn.reading.text, draft.facts, self.kit.answers
        reask = Result(Outcome.RMA_REASK, [])
        if draft.step == "model":
            value = answers.model(text)
            if value is None:
                reask.replies.append(self.ask(turn, draft, again=True))
                return reask
            self._take_model(turn, draft, value)
            return self.advance(turn, draft)
        if draft.step == "serial":
            serial = answers.serial(text)
            if serial is None:
                reask.replies.append(self.ask(turn, draft, again=True))
                return reask
            facts.serial = serial
            return self.advance(turn, draft)
        if draft.step == "date":
            return self.take_date(turn, draft)
        if draft.step == "fault":
            return self._take_fault(turn, draft)
        if draft.step == "contact":
            found = contact(text)
            if found is None:
                reask.replies.append(self.ask(turn, draft, again=True))
                return reask
            facts.contact = Contact(kind=found[0], value=found[1])
            return self.advance(turn, draft)
        value = address(text)
        if value is None:
            too_long = len(text.strip()) > ADDRESS_MAX
            reask.replies.append(self.ask(turn, draft, again=True, too_long=too_long, limit=ADDRESS_MAX))
            return reask
        facts.address = value
        return self.advance(turn, draft)

    def _take_model(self, turn: Turn, draft: RmaDraft, value: str) -> None:
        text, facts, pack = turn.reading.text, draft.facts, turn.pack
        facts.model = value
        situation = turn.reading.situation
        category = situation.category
        if category is None and facts.walk_fault:  # the fault the walk was about may name the product
            moment = turn.local
            category = self.kit.situations.read(f"{text} {facts.walk_fault}", moment, pack, language=turn.lang).category
        facts.category = category
        facts.category_asked = bool(pack.categories) and category is None
        facts.prefilled = []
        typed_serial = self.kit.answers.serial_in(text)
        if typed_serial and self.kit.answers.serial(typed_serial):  # "LG-IPC2, serial LG99887766, bought jan 2026"
            facts.serial = self.kit.answers.serial(typed_serial)
            facts.prefilled.append("serial")
        dated = [
            f
            for f in situation.dates
            if f.kind in AGE_KINDS and f.reading.problem is None and not f.reading.alternatives
        ]
        if dated and len(text) > len(value):
            first = dated[0]
            kind = first.kind if first.kind in ("purchase", "delivery") else pack.warranty.counts_from
            facts.situation = Situation(dates=(DateFact(first.reading, kind),))
            facts.date_text = first.reading.text
            facts.date = first.reading.earliest.isoformat() if first.reading.exact else None
            facts.prefilled.append("date")

    def _take_fault(self, turn: Turn, draft: RmaDraft) -> Result:
        facts, answers = draft.facts, self.kit.answers
        flat = " ".join(turn.reading.text.split())
        cut = len(flat) > FAULT_MAX
        cleaned = flat[:FAULT_MAX]
        if answers.vague(cleaned) and not draft.vague_asked:
            draft.vague_asked = True
            facts.fault = cleaned
            return Result(Outcome.RMA_VAGUE, [self.ask(turn, draft, again=True, problem="vague")])
        vague = answers.vague(cleaned)
        if draft.vague_asked and facts.fault and not facts.fault_done:
            vague = vague and answers.vague(facts.fault)  # two vague answers are still vague
            stop = "。" if re.search(r"[\u3400-\u9fff]$", facts.fault) else ". "
            cleaned = f"{facts.fault}{stop}{cleaned}" if fold(cleaned) != fold(facts.fault) else cleaned
        draft.vague_asked = False
        facts.fault = cleaned
        facts.fault_done = True
        facts.fault_vague = vague
        if cleaned == flat[:FAULT_MAX]:
            events = turn.reading.situation.events
        else:  # the vague first answer and this one, read together
            moment = turn.local
            events = self.kit.situations.read(cleaned, moment, turn.pack, language=turn.lang).events
        facts.fault_events = sorted(events)
        notes = [Reply(turn.say("rma_fault_vague_kept"))] if vague else []
        if cut:
            notes.append(Reply(turn.say("too_long", limit=FAULT_MAX)))
        return self.advance(turn, draft, notes)

    def take_date(self, turn: Turn, draft: RmaDraft) -> Result:
        """The purchase date: exact enough for the warranty, a real day, and which day for 03/04."""
        pack = turn.pack
        today = turn.today
        found = [f for f in turn.reading.situation.dates if f.kind in AGE_KINDS or f.kind in ("unknown", "fault")]
        if not found:
            return Result(Outcome.RMA_REASK, [self.ask(turn, draft, again=True)])
        reading = found[0].reading
        if reading.problem is not None:
            return Result(
                Outcome.RMA_REASK, [self.ask(turn, draft, again=True, problem=reading.problem, typed=reading.text)]
            )
        counts_from = pack.warranty.counts_from
        kind = found[0].kind if found[0].kind in ("purchase", "delivery") else counts_from
        situation = Situation(dates=(DateFact(reading, kind),), category=draft.facts.category)
        draft.facts.situation = situation
        draft.facts.date_text = reading.text
        draft.facts.date = reading.earliest.isoformat() if reading.exact else None
        if reading.alternatives:
            options = [d.isoformat() for d in reading.alternatives]
            ask = self.ask(turn, draft, problem="day_month", typed=reading.text, options=options)
            return Result(Outcome.RMA_ASK_DAY_MONTH, [ask])
        verdict = policy.warranty(pack, situation, today)
        if verdict.need == "exact_date" and not draft.exact_asked:
            draft.exact_asked = True
            past = verdict.end is not None and verdict.end < today
            ask = self.ask(turn, draft, again=True, problem="exact", typed=reading.text, end=verdict.end, past=past)
            return Result(Outcome.RMA_REASK, [ask])
        draft.exact_asked = False
        return self.advance(turn, draft)

    def settle_date(self, turn: Turn, draft: RmaDraft, iso: str) -> Result:
        """The day the customer meant, pressed among the two readings of a date like 03/04/2025."""
        try:
            day = date.fromisoformat(iso)
        except ValueError:
            return Result(Outcome.RMA_REASK, [self.ask(turn, draft)])
        settled = settle_date(draft.facts.situation or Situation(), day)
        if settled is None:
            return Result(Outcome.RMA_REASK, [self.ask(turn, draft)])
        draft.facts.situation = settled
        draft.facts.date = day.isoformat()
        return self.advance(turn, draft)
