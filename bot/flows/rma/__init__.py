"""Repair requests (RMA): collecting one, filing it, and following it; no transport in here.

    /rma, the menu, "I need an RMA" ─► (troubleshoot first?) ─► the steps (:mod:`.steps`) ─► confirm
        ─► eligibility from the pack ─► an RMA number and instructions, or a consultant's review
    /status, "where is my repair?", an RMA number ─► the customer's own requests (:mod:`.status`)
    a quote's Approve / Decline ─► recorded; consultants change statuses from the staff chat (:mod:`.desk`)

The draft lives in the conversation state, so a restart resumes it. A question typed in the middle of
a request is answered, and the request's question asked again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from bot.core.messages import Button, Media, Reply
from bot.core.outcomes import Outcome
from bot.core.text import fold
from bot.flows.base import Kit, Result, Turn
from bot.flows.rma.desk import RmaDesk
from bot.flows.rma.filing import file_request
from bot.flows.rma.status import QUOTE, RmaStatus
from bot.flows.rma.steps import EDITABLE, SOURCES, TEXT_STEPS, Steps
from bot.flows.state import Answer, FlowName, RmaDraft, RmaFacts
from bot.understand.reading import typed_button

RMA = "rma"  # rma:<action>: the request's buttons
MAX_PHOTOS = 10


class RmaFlow:
    """Repair requests, from the first question to the repaired product."""

    name: ClassVar[FlowName] = FlowName.RMA
    commands: ClassVar[frozenset[str]] = frozenset({"rma", "status", "back", "cancel"})
    prefixes: ClassVar[frozenset[str]] = frozenset({RMA, QUOTE})
    durable: ClassVar[frozenset[str]] = frozenset({QUOTE})

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.steps = Steps(kit)
        self.status_view = RmaStatus(kit)
        self.desk = RmaDesk(kit, self.status_view)
        self.described = self.status_view.described

    # -- the protocol ------------------------------------------------------------------------------------

    def command(self, turn: Turn, command: str) -> Result:
        """``/rma`` starts a request (or looks one up); ``/status`` lists them; ``/back``, ``/cancel``."""
        draft = turn.state.rma.draft
        if command == "cancel" and draft is not None:
            return self.cancel(turn)
        if command == "back" and draft is not None:
            return self.back(turn, draft)
        if command in ("back", "cancel"):
            return self.kit.flows.general.command(turn, command)
        if command == "status":
            return self.status(turn)
        text = turn.reading.text
        if self.kit.intents.asks_rma_status(fold(text[1:])) or (len(text.split()) > 1 and draft is None):
            return self.status(turn)  # "/rma RMA-004-…": look it up, never change it
        return self.start(turn, source="command")

    def press(self, turn: Turn, data: str) -> Result:
        """A button of a request, the menu's Repair request and Repair status, a quote's Approve / Decline."""
        kind, _, action = data.partition(":")
        if kind == QUOTE:
            return self.status_view.quote_decision(turn, data)
        state = turn.state.rma
        if action in ("go", "restart"):
            previous, state.draft = state.draft, None
            source = previous.source if previous is not None else (state.source or "menu")
            state.source = None
            return self.start(turn, source=source, fresh=True)
        if action == "start":  # under an answer, or after a walk that ended in "repair"
            walk, turn.state.walk.repair = turn.state.walk.repair, None
            source = "troubleshoot" if walk is not None else "question"
            return self.start(turn, source=source, fault=walk.fault if walk else None, tried=walk.tried if walk else ())
        if action == "menu":
            return self.start(turn, source="menu")
        if action == "status":
            return self.status(turn)
        draft = state.draft
        if draft is None:
            return self.start(turn, source="menu")
        return self._in_draft(turn, draft, action)

    def text(self, turn: Turn) -> Result | None:
        """A typed answer to the current step (a question is answered and the step asked again).

        Without a request in progress: "where is my repair?" or an RMA number shows the customer's own
        requests, and a short "I need an RMA" starts one.
        """
        draft = turn.state.rma.draft
        reading = turn.reading
        if draft is None:
            if reading.rma_status or reading.rma_number:
                turn.conv.lang = reading.language
                return self.status(turn)
            if reading.rma_start:
                turn.conv.lang = reading.language
                return self.start(turn, source="question")
            return None
        result = self._typed(turn, draft)
        if result is not None:
            return result
        if not turn.reading.asks:  # not a button's answer, nor a question: ask again
            return self.reask(turn, draft)
        lang = turn.conv.lang
        result = self.kit.flows.answer.understood(turn)
        turn.conv.lang = lang  # a request is finished in the language it was started in
        if result.outcome not in (Outcome.ANSWERED, Outcome.ADVISED, Outcome.CLARIFY, Outcome.REFUSED):
            return self.reask(turn, draft)
        step = self.steps.ask(turn, draft)
        offered = [*result.replies[-1].buttons, *step.buttons] if result.replies else list(step.buttons)
        turn.offer(offered)
        result.replies.append(Reply(turn.say("rma_waiting"), step.buttons))
        return result

    # -- starting and stopping --------------------------------------------------------------------------

    def start(
        self, turn: Turn, *, source: str, fault: str | None = None, tried: Sequence[str] = (), fresh: bool = False
    ) -> Result:
        """Begin a request, or offer to continue the one in progress."""
        state = turn.state.rma
        if state.draft is not None and not fresh:
            buttons: tuple[Button, ...] = (
                turn.button("rma_button_continue", "rma:resume"),
                turn.button("rma_button_restart", "rma:restart"),
                turn.button("rma_button_cancel", "rma:cancel"),
            )
            return turn.result(Outcome.RMA_IN_PROGRESS, "rma_in_progress", *buttons, step=state.draft.step)
        first = turn.pack.rma.troubleshoot_first
        if source in ("menu", "command", "question") and not fresh and first and not state.troubleshoot_offered:
            state.troubleshoot_offered = True
            state.source = source
            buttons = (turn.button("rma_button_troubleshoot", "tsmenu"), turn.button("rma_button_go", "rma:go"))
            return turn.result(Outcome.RMA_TROUBLESHOOT_FIRST, "rma_troubleshoot_first", *buttons)
        state.draft = RmaDraft(facts=RmaFacts(tried=list(tried), walk_fault=fault or ""), source=source)
        turn.state.enter(FlowName.RMA)
        questions = len(self.kit.workflow.questions_for(turn.pack))
        intro = Reply(turn.say("rma_intro", source=source, questions=questions))
        return Result(Outcome.RMA_STARTED, [intro, self.steps.ask(turn, state.draft)])

    def cancel(self, turn: Turn) -> Result:
        """Drop the request being collected (nothing was filed)."""
        turn.state.rma.draft = None
        turn.state.leave(FlowName.RMA)
        turn.state.clear_offer()
        return Result(Outcome.RMA_CANCELLED, [Reply(turn.say("rma_cancelled"))])

    def back(self, turn: Turn, draft: RmaDraft) -> Result:
        """Go back to the previous question."""
        if draft.vague_asked and not draft.facts.fault_done:
            draft.facts.fault = None  # the vague answer we asked about is dropped with its question
        draft.vague_asked = False
        draft.exact_asked = False
        if draft.editing:
            draft.editing = False
            draft.step = "summary"
        elif draft.step == "questions" and draft.facts.answers:
            draft.facts.answers.pop(list(draft.facts.answers)[-1])
        elif draft.trail:
            draft.step = draft.trail.pop()
            if draft.step == "questions":
                draft.facts.answers = dict(list(draft.facts.answers.items())[:-1])
        return Result(Outcome.RMA_BACK, [self.steps.ask(turn, draft)])

    def reask(self, turn: Turn, draft: RmaDraft) -> Result:
        """The current question again, for an answer that fits none of its buttons."""
        return Result(Outcome.RMA_REASK, [Reply(turn.say("rma_use_buttons")), self.steps.ask(turn, draft)])

    def prompt(self, turn: Turn) -> Reply | None:
        """The question a request in progress waits for (None: no request)."""
        draft = turn.state.rma.draft
        return self.steps.ask(turn, draft) if draft is not None else None

    # -- inside a request ----------------------------------------------------------------------------------

    def media(self, turn: Turn, items: Sequence[Media]) -> Result:
        """Photos, a video or a document: kept as evidence at any step."""
        draft = turn.state.rma.draft
        assert draft is not None
        room = MAX_PHOTOS - len(draft.photos)
        draft.photos.extend((item.kind, item.ref) for item in items[: max(room, 0)])
        if draft.step == "photos":
            name = "rma_photo_received" if room > 0 else "rma_photos_full"
            done = turn.button("rma_button_photos_done", "rma:photos:done")
            return turn.result(Outcome.RMA_PHOTO, name, done, count=len(draft.photos), limit=MAX_PHOTOS)
        note = Reply(turn.say("rma_photo_kept", count=len(draft.photos)))
        return Result(Outcome.RMA_PHOTO, [note, self.steps.ask(turn, draft)])

    def _typed(self, turn: Turn, draft: RmaDraft) -> Result | None:
        """Typed text as the current step's answer, or None when it is no answer to it."""
        if draft.step in TEXT_STEPS:
            return self.steps.take(turn, draft)
        typed = typed_button(turn.reading.text, turn.state.offered, f"{RMA}:")
        if typed is not None:
            return self.press(turn, typed)
        if draft.step == "category" and turn.reading.situation.category is not None:
            return self._in_draft(turn, draft, f"cat:{turn.reading.situation.category}")
        if draft.step == "photos":
            done = self.kit.answers.photos_done(turn.reading.text)
            if done is not None:
                return self._in_draft(turn, draft, f"photos:{done}")
        if draft.step == "questions":
            yes_no = self.kit.intents.yes_no(fold(turn.reading.text))
            question = self.steps.question(draft, turn.pack)
            if yes_no and question is not None and question.choice(yes_no):
                return self._in_draft(turn, draft, f"q:{question.id}:{yes_no}")
            if yes_no == "no" and question is not None:  # "no" to "damaged by any of these?": none of them
                clean = next((c for c in question.choices if not c.tags and c.id != "unsure"), None)
                if clean is not None:
                    return self._in_draft(turn, draft, f"q:{question.id}:{clean.id}")
        return None

    def _in_draft(self, turn: Turn, draft: RmaDraft, action: str) -> Result:
        """A button of the request being collected (or typed text that says one)."""
        steps = self.steps
        if action == "resume":
            return Result(Outcome.RMA_RESUMED, [steps.ask(turn, draft)])
        if action == "cancel":
            return self.cancel(turn)
        if action == "back":
            return self.back(turn, draft)
        if action == "confirm" and draft.step == "summary":
            return file_request(self.kit, turn, draft)
        if action.startswith("edit:") and draft.step == "summary" and action[5:] in EDITABLE:
            draft.editing = True
            draft.step = action[5:]
            if draft.step == "questions":
                draft.facts.answers = {}
            if draft.step == "photos":
                draft.photos = []
            return Result(Outcome.RMA_EDIT, [steps.ask(turn, draft)])
        kind, _, value = action.partition(":")
        facts = draft.facts
        if kind == "cat" and draft.step == "category":
            if value != "none" and turn.pack.category(value) is None:
                return Result(Outcome.RMA_REASK, [steps.ask(turn, draft)])
            facts.category = None if value == "none" else value
            return steps.advance(turn, draft)
        if kind == "date" and draft.step == "date":
            return steps.settle_date(turn, draft, value)
        if kind == "from" and draft.step == "bought_from" and value in SOURCES:
            facts.bought_from = value
            return steps.advance(turn, draft)
        if kind == "photos" and draft.step == "photos" and value in ("done", "skip"):
            if value == "done" and not draft.photos:
                return Result(Outcome.RMA_REASK, [steps.ask(turn, draft, again=True)])
            facts.photos_skipped = value == "skip" and not draft.photos
            return steps.advance(turn, draft)
        if kind == "q" and draft.step == "questions":
            qid, _, choice_id = value.partition(":")
            question = steps.question(draft, turn.pack)
            choice = question.choice(choice_id) if question is not None and question.id == qid else None
            if choice is None:
                return Result(Outcome.RMA_REASK, [steps.ask(turn, draft)])
            facts.answers[qid] = Answer(choice=choice.id, tags=sorted(choice.tags))
            if steps.question(draft, turn.pack) is not None:
                return Result(Outcome.RMA_ANSWER, [steps.ask(turn, draft)])
            return steps.advance(turn, draft)
        return Result(Outcome.RMA_REASK, [steps.ask(turn, draft)])  # an old button: show where we are

    # -- after filing ----------------------------------------------------------------------------------------

    def status(self, turn: Turn) -> Result:
        """The customer's own requests (one, when the message names its number)."""
        return self.status_view.status(turn)
