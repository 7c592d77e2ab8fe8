"""Questions answered from the brand's FAQ and policy.

    typed text ─► a break-in request? refused ─► the answer to a fact we asked for? ─► out of scope?
               ─► the customer's own situation (dates, product, what happened): the policy applied
               ─► the matcher's decision: answer │ offer a troubleshooting walk │ clarify │ don't know

An FAQ answer ends with "Did this help?" 👍 / 👎; an unhelpful one, an unanswered question and a
"None of these" go to the admins' inbox. An answer about sending something back offers a repair request.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import ClassVar

from bot.core.messages import Button, Reply
from bot.core.outcomes import ANSWERS, Outcome
from bot.core.text import fold
from bot.flows.base import Kit, Result, Turn
from bot.flows.parts import and_the_rest, described_cause, general_cover, one_part, own_case_first, without_denied
from bot.flows.situational import situational
from bot.flows.state import FlowName, Pending
from bot.knowledge.faq import Entry, base_context
from bot.policy.verdicts import several_fees
from bot.understand.index import TREE
from bot.understand.matcher import Decision
from bot.understand.reading import Part
from bot.understand.situation import Situation, settle_date, with_category

FAQ = "faq"  # faq:<entry>: answer an entry
NONE = "none"  # none of the offered entries
CATEGORY = "cat"  # cat:<category>: the product type we asked for
DATE = "date"  # date:<iso day>: the reading of an ambiguous date
FEEDBACK = "fb"  # fb:<entry>:<1|0>: 👍 / 👎 under an answer
FOLLOW_UP_WANTS = frozenset({"free", "cost", "refund", "replace", "credit", "shipping"})
OWN_CASE_WANTS = frozenset({"free", "cost", "refund", "replace", "credit"})
OTHER_MAKER = "agent_product"  # the lexicon's token for another maker's brand (a Hikvision camera, a FLIR scope)


class AnswerFlow:
    """The FAQ and the policy, applied to what the customer asks."""

    name: ClassVar[FlowName] = FlowName.ANSWER
    commands: ClassVar[frozenset[str]] = frozenset()
    prefixes: ClassVar[frozenset[str]] = frozenset({FAQ, NONE, CATEGORY, DATE, FEEDBACK})
    durable: ClassVar[frozenset[str]] = frozenset({FEEDBACK})  # 👍 / 👎 stay valid under older answers

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self._leads: dict[tuple[str, int], dict[str, str]] = {}

    def command(self, turn: Turn, command: str) -> Result:
        """The answer flow has no commands of its own."""
        return self.kit.flows.general.unknown_command(turn)

    # -- typed questions ------------------------------------------------------------------------------

    def text(self, turn: Turn) -> Result:
        """A question: answered, clarified, or not understood (and then kept for the admins)."""
        reading = turn.reading
        turn.state.answer.question = reading.text[:500]
        result = self.understood(turn)
        if result.outcome in (Outcome.UNKNOWN, Outcome.OUT_OF_SCOPE):  # "I don't have information": admins see it
            self.kit.store.inbox.add(
                brand=turn.pack.id,
                user=turn.user,
                text=reading.text[:500],
                reason=result.outcome,
                entry_id=result.entry_id,
                at=turn.now,
            )
        self.ask_feedback(turn, result)
        return result

    def understood(self, turn: Turn) -> Result:
        """Typed text read as a question: a situation, or an FAQ answer (without 👍 / 👎)."""
        reading = turn.reading
        turn.conv.lang = reading.language
        notes = [Reply(turn.say("too_long", limit=len(reading.words)))] if reading.too_long else []
        answer = turn.state.answer
        if reading.breaks_in:
            turn.state.clear_offer()
            answer.pending = None
            return Result(Outcome.REFUSED, [*notes, Reply(turn.say("refuse_breakin"))])
        situation = reading.situation
        earlier = answer.situation
        if earlier is not None and not situation.dates and situation.wants & FOLLOW_UP_WANTS:
            situation = earlier.merged(situation)  # "and is shipping free then?"
        elif earlier is not None and situation.dates and not situation.wants:
            situation = replace(situation, wants=earlier.wants)  # "and one from 2025?"
        pending, answer.pending = answer.pending, None
        if pending is not None and (situation.dates or situation.category):
            prior = pending.situation.answered_with(situation)
            result = self.situational(turn, prior, pending.tokens, pending.entry, answered=True)
            if result is not None:
                return result.before(*notes)
        decision = without_denied(reading.decision, self.kit, turn, reading.text)  # "never dropped it…"
        if reading.out_of_domain or self.kit.lexicon.out_of_scope(decision.tokens):
            return self.kit.flows.general.dont_know(turn, outcome=Outcome.OUT_OF_SCOPE).before(*notes)
        result = self.decided(turn, decision, situation).before(*notes)
        self._offer_rma(turn, result)
        return result

    def decided(self, turn: Turn, decision: Decision, situation: Situation) -> Result:
        """Answer what the matcher decided, with the customer's situation applied where it matters."""
        entries = self.kit.content.entries[turn.pack.id]
        if any(not c.entry_id.startswith(TREE) and c.entry_id not in entries for c in decision.candidates):
            # an admin removed an entry this very moment: decide without it
            kept = tuple(c for c in decision.candidates if c.entry_id.startswith(TREE) or c.entry_id in entries)
            top_kept = bool(kept) and kept[0] == decision.candidates[0]
            decision = replace(decision, candidates=kept, outcome=decision.outcome if top_kept else "unknown")
        decision = own_case_first(self.kit, turn.pack, decision)
        best = decision.best
        best_entry = entries.get(best.entry_id) if best is not None else None
        out_of_scope = decision.outcome == "answer" and best_entry is not None and best_entry.kind == "oos"
        runner_up = len(decision.candidates) > 1 and best is not None and decision.candidates[1].score > best.score
        doubtful = out_of_scope and runner_up
        if reading_parts_first(turn, situation):  # several questions and no situation told: answer each
            several = self._several(turn)
            if several is not None:
                return several
        # their own product failing or damaged: not pre-sales ("paid half, it broke"; not "pay in installments?")
        broke, told = "faulty" in decision.tokens, bool(situation.events)
        asked = bool(situation.events & self.kit.advisor.damage) or ("free" in situation.wants and told)
        own_fault = (bool(situation.wants & OWN_CASE_WANTS) and (broke or asked)) or (broke and told)
        # another maker's product out of scope for the brand is not the customer's own case with it
        foreign = (
            out_of_scope
            and OTHER_MAKER in decision.tokens
            and not self.kit.intents.bought_here(fold(turn.reading.text), turn.pack.brand.name)
        )
        own_fault = own_fault and not foreign
        if not out_of_scope or (doubtful and situation.dates) or own_fault:  # a dated situation outweighs a doubt
            entry_id = best.entry_id if best is not None and decision.outcome == "answer" else None
            entry_id = entry_id or general_cover(self.kit, turn.pack, decision, situation)
            result = self.situational(
                turn, situation, list(decision.tokens), entry_id, score=best.score if best else None
            )
            if result is not None:
                return and_the_rest(self.kit, turn, result)
        several = self._several(turn)
        if several is not None:
            return several
        walk = self.kit.flows.walk
        if decision.outcome == "answer" and best is not None and best.entry_id.startswith(TREE):
            return walk.offer(turn, best.entry_id[len(TREE) :], score=best.score)
        if decision.outcome == "answer" and best is not None:
            result = self.answer(turn, entries[best.entry_id], score=best.score)
            tree = next(
                (
                    c.entry_id[len(TREE) :]
                    for c in decision.candidates[1:]
                    if c.entry_id.startswith(TREE) and c.score >= 0.75 * best.score
                ),
                None,
            )
            if tree is not None and entries[best.entry_id].kind == "faq" and result.replies:
                result.with_buttons(walk.start_button(turn, tree))
                turn.offer(result.replies[-1].buttons)
            return result
        if decision.outcome == "clarify" and best is not None and self._same_verdict(turn, decision):
            return self.answer(turn, entries[best.entry_id], score=best.score)
        if decision.outcome in ("clarify", "unknown") and (
            described := described_cause(decision, self.kit, turn.pack, situation.events)
        ):
            return self.answer(turn, entries[described.entry_id], score=described.score)
        if decision.outcome == "clarify" and best is not None:
            # one answer against troubleshooting walks: a near tie goes to the answer, the walk offered below it
            faqs = [c for c in decision.candidates if not c.entry_id.startswith(TREE)]
            if len(faqs) == 1 and faqs[0].score >= self.kit.index.matchers[turn.pack.id].thresholds.answer:
                result = self.answer(turn, entries[faqs[0].entry_id], score=faqs[0].score)
                if best.entry_id.startswith(TREE) and entries[faqs[0].entry_id].kind == "faq" and result.replies:
                    result.with_buttons(walk.start_button(turn, best.entry_id[len(TREE) :]))
                    turn.offer(result.replies[-1].buttons)
                return result
        if decision.outcome == "clarify":
            buttons = [
                walk.candidate_button(turn, c.entry_id[len(TREE) :])
                if c.entry_id.startswith(TREE)
                else Button(entries[c.entry_id].title(turn.lang), f"{FAQ}:{c.entry_id}")
                for c in decision.candidates
            ]
            titles = [b.label for b in buttons]
            reply = turn.reply("clarify", *buttons, turn.button("button_none", NONE), options=titles)
            return Result(Outcome.CLARIFY, [reply], best.entry_id if best else None, best.score if best else None)
        if decision.outcome == "unknown":
            one = self._one_part(turn)
            if one is not None:
                return one
        return self.kit.flows.general.dont_know(
            turn, outcome=Outcome.UNKNOWN, score=best.score if best else None, entry_id=best.entry_id if best else None
        )

    def _one_part(self, turn: Turn) -> Result | None:
        """The one question of a message the matcher can't read as a whole that it answers (see ``one_part``)."""
        found = one_part(turn.reading.parts, self.kit.content.entries[turn.pack.id])
        if found is None:
            return None
        entry, score, tree = found
        result = self.answer(turn, entry, score=score)
        rest = [
            p
            for p in turn.reading.parts
            if p.asks and (p.decision.best is None or p.decision.best.entry_id != entry.id)
        ]
        if rest and tree is None and result.replies and entry.kind == "faq":  # the other questions are not left unsaid
            last = result.replies[-1]
            result.replies[-1] = Reply(f"{last.text}\n\n{turn.say('rest_to_consultant')}", last.buttons, last.media)
        if tree is not None and result.replies:
            result.with_buttons(self.kit.flows.walk.start_button(turn, tree))
            turn.offer(result.replies[-1].buttons)
        return result

    def situational(
        self,
        turn: Turn,
        situation: Situation,
        tokens: list[str],
        entry_id: str | None,
        *,
        score: float | None = None,
        answered: bool = False,
    ) -> Result | None:
        """Apply the policy to the customer's situation; None when it has nothing to add."""
        return situational(self.kit, turn, situation, tokens, entry_id, score=score, answered=answered)

    def answer(self, turn: Turn, entry: Entry, *, score: float | None, handoff: bool = True) -> Result:
        """One entry's answer (a request for a person goes to a consultant, out of scope says so)."""
        if entry.kind == "handoff" and handoff and self.kit.consultants:
            return self.kit.flows.handoff.start(turn, "asked")
        if entry.kind == "oos":
            return self.kit.flows.general.dont_know(turn, outcome=Outcome.OUT_OF_SCOPE, score=score, entry_id=entry.id)
        text = self.kit.content.render_entry(turn.pack.id, entry, turn.lang, turn.context)
        if turn.reading.text and not turn.reading.keeps_lead_of(
            entry.kind
        ):  # "what…?", "is that a problem?": no Yes / No first
            text = self.kit.intents.without_lead(text, turn.lang)
        turn.state.clear_offer()
        turn.state.answer.last_entry = entry.id
        return Result(Outcome.ANSWERED, [Reply(text)], entry.id, score)

    def _several(self, turn: Turn) -> Result | None:
        """A message that asks several things: each question's own answer, in one reply (None: one question).

        Only questions answered with confidence count, each once; fewer than two answers: it is one question.
        """
        entries = self.kit.content.entries[turn.pack.id]
        whole = turn.reading.decision.best if turn.reading.decision.outcome == "answer" else None
        if whole is not None and whole.entry_id in entries and entries[whole.entry_id].kind == "oos":
            return None  # out of scope as a whole: its parts only echo words of it
        chosen: dict[str, Part] = {}
        for part in turn.reading.parts:
            best = (decision := without_denied(part.decision, self.kit, turn, part.text)).best
            usable = decision.outcome == "answer" and best is not None and best.entry_id in entries
            kind = entries[best.entry_id].kind if usable and best is not None else ""
            # hours or a consultant only for a part that asks ("nobody told me anything" asks for no one)
            if best is not None and (kind == "faq" or (kind in ("hours", "handoff") and part.asks)):
                chosen.setdefault(best.entry_id, part)
        if len(chosen) < 2:
            return None
        texts = []
        for entry_id, part in chosen.items():
            entry = entries[entry_id]
            if entry.kind == "handoff":
                continue  # asking for a person among other questions: the answers first, a consultant button below
            text = self.kit.content.render_entry(turn.pack.id, entry, turn.lang, turn.context)
            texts.append(text if part.keeps_lead_of(entry.kind) else self.kit.intents.without_lead(text, turn.lang))
        turn.state.clear_offer()
        first = next(iter(chosen))
        turn.state.answer.last_entry = first
        best = chosen[first].decision.best
        return Result(Outcome.ANSWERED, [Reply("\n\n".join(texts))], first, best.score if best else None)

    def _same_verdict(self, turn: Turn, decision: Decision) -> bool:
        """Whether every close candidate answers with the same "Yes" or "No".

        Then asking which one the customer means only delays the answer (a scratched housing: wear, or
        appearance? Not covered either way).
        """
        pack = turn.pack
        key = (pack.id, self.kit.index.generation.get(pack.id, 0))
        if key not in self._leads:
            context = base_context(pack, datetime(2026, 1, 5, 10, tzinfo=UTC))
            leads = {}
            for entry in self.kit.content.entries[pack.id].values():
                if entry.kind == "faq":
                    rendered = self.kit.content.render_entry(pack.id, entry, "en", context)
                    first = re.match(r"\W*(yes|no)\b", rendered, re.I)
                    if first:
                        leads[entry.id] = first.group(1).lower()
            self._leads[key] = leads
        found = {self._leads[key].get(c.entry_id) for c in decision.candidates}
        return len(found) == 1 and None not in found

    def _offer_rma(self, turn: Turn, result: Result) -> None:
        """Add "Start a repair request" under an answer about sending something back."""
        if turn.state.rma.draft is not None or not result.replies:
            return
        if result.outcome not in (Outcome.ANSWERED, Outcome.ADVISED, Outcome.ASKED):
            return
        entry = result.entry_id
        about_rma = entry is not None and any(fnmatch.fnmatch(entry, p) for p in self.kit.intents.rma_offer_after)
        if not about_rma and not turn.reading.wants_rma:
            return
        result.with_buttons(turn.button("rma_button_start", "rma:start"))
        turn.offer(result.replies[-1].buttons)

    # -- buttons --------------------------------------------------------------------------------------

    def press(self, turn: Turn, data: str) -> Result:
        """An entry chosen, "None of these", a fact we asked for, or 👍 / 👎."""
        kind, _, value = data.partition(":")
        if kind == FEEDBACK:
            return self.feedback(turn, value)
        answer = turn.state.answer
        pending, answer.pending = answer.pending, None
        if kind in (CATEGORY, DATE) and pending is not None:
            situation = pending.situation
            if kind == CATEGORY:
                situation = with_category(situation, value)
            else:
                situation = settle_date(situation, date.fromisoformat(value)) or situation
            result = self.situational(turn, situation, pending.tokens, pending.entry, answered=True)
            if result is not None:
                return result
        entries = self.kit.content.entries[turn.pack.id]
        if kind == FAQ and value in entries:
            result = self.answer(turn, entries[value], score=None)
            self.ask_feedback(turn, result)
            return result
        if kind == NONE:  # none of the offered entries: the question goes to the admins' inbox
            if answer.question:
                self.kit.store.inbox.add(
                    brand=turn.pack.id,
                    user=turn.user,
                    text=answer.question,
                    reason="none_fit",
                    entry_id=None,
                    at=turn.now,
                )
            return self.kit.flows.general.dont_know(turn, outcome=Outcome.UNKNOWN)
        return self.kit.flows.general.unknown_button(turn)

    def ask_feedback(self, turn: Turn, result: Result) -> None:
        """Ask "Did this help?" with 👍 / 👎 under an FAQ answer (not under a question the bot asks back)."""
        entry = self.kit.content.entries[turn.pack.id].get(result.entry_id) if result.entry_id else None
        answer = turn.state.answer
        question = answer.question
        if (
            result.outcome not in ANSWERS
            or entry is None
            or entry.kind != "faq"
            or not question
            or not result.replies
            or answer.pending is not None
        ):
            return
        answer.feedback.pop(entry.id, None)
        answer.feedback[entry.id] = question
        while len(answer.feedback) > 5:
            answer.feedback.pop(next(iter(answer.feedback)))
        last = result.replies[-1]
        buttons = (
            *last.buttons,
            turn.button("button_helpful", f"{FEEDBACK}:{entry.id}:1"),
            turn.button("button_unhelpful", f"{FEEDBACK}:{entry.id}:0"),
        )
        result.replies[-1] = Reply(f"{last.text}\n{turn.say('feedback_ask')}", buttons, last.media)
        turn.offer(buttons)

    def feedback(self, turn: Turn, value: str) -> Result:
        """A 👍 / 👎 press: stored; an unhelpful answer's question goes to the admins' inbox."""
        entry_id, _, helpful_flag = value.rpartition(":")
        question = turn.state.answer.feedback.get(entry_id)
        if question is None or helpful_flag not in ("0", "1"):
            return self.kit.flows.general.unknown_button(turn)
        helpful = helpful_flag == "1"
        store = self.kit.store
        brand = turn.pack.id
        before = store.feedback.record(
            user=turn.user, brand=brand, entry_id=entry_id, question=question, helpful=helpful, at=turn.now
        )
        if helpful:
            return Result(Outcome.FEEDBACK_HELPFUL, [Reply(turn.say("feedback_thanks"))], entry_id)
        if before is None or (
            before and not store.inbox.has(user=turn.user, brand=brand, text=question, entry_id=entry_id)
        ):  # (a second 👎 on the same answer is not a second inbox question)
            store.inbox.add(
                brand=brand, user=turn.user, text=question, reason="unhelpful", entry_id=entry_id, at=turn.now
            )
        reply = turn.reply("feedback_sorry", turn.button("button_consultant", "consultant"))
        return Result(Outcome.FEEDBACK_UNHELPFUL, [reply], entry_id)


def remember_pending(
    turn: Turn, situation: Situation, tokens: list[str], entry_id: str | None, need: str | None
) -> None:
    """Keep what we knew when we asked for a fact, to finish the answer when it comes."""
    turn.state.answer.pending = Pending(situation=situation, tokens=tokens, entry=entry_id, need=need)


def reading_parts_first(turn: Turn, situation: Situation) -> bool:
    """Whether a message's questions are answered each before its situation (none told: no date to ask for)."""
    own_fault = "free" in situation.wants and "faulty" in turn.reading.decision.tokens  # "it's faulty, covered?"
    told = situation.dates or situation.events or situation.amounts or several_fees(situation)
    return len(turn.reading.parts) > 1 and not (told or own_fault)
