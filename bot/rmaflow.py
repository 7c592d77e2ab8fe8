"""The RMA request as a conversation, and the repair's life after it; no transport in here.

The engine hands a customer's turn to :class:`RmaFlow` while a request is being collected (the draft lives
in the conversation state, so a restart resumes it), and for ``/status`` and quote decisions. Consultants
change statuses through :meth:`RmaFlow.set_status` (the staff chat's ``/rma`` and the ``supportbot rma`` CLI
both call it); each change queues a notice to the customer in the store, which the adapters deliver.

    start ─► (troubleshoot first?) ─► model ─► category? ─► serial ─► date ─► bought from ─► fault
          ─► photos ─► exclusion questions ─► contact ─► address ─► summary (edit…) ─► confirm
          ─► eligibility ─► RMA number + instructions (or a consultant's review) ─► staff card
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.errors import InputError
from bot.core.messages import Button, Media, Reply
from bot.core.text import fold
from bot.knowledge.faq import Content, base_context
from bot.knowledge.packs import BrandPack
from bot.policy import verdicts as policy
from bot.rma import RmaRules, address, assess, contact, find_number, model, new_number, serial_in, situation_of
from bot.store import Conversation, Store
from bot.understand.situation import AGE_KINDS, DateFact, Situation, SituationReader, settle_date

TEXT_STEPS = ("model", "serial", "date", "fault", "contact", "address")
EDITABLE = ("model", "serial", "date", "bought_from", "fault", "photos", "questions", "contact", "address")
MAX_PHOTOS = 10
FAULT_MAX = 2000  # characters of a fault description kept (the customer is told when it is cut)
ADDRESS_MAX = 500


@dataclass
class Said:
    """What the flow concluded in a turn: an outcome for the event log, and the replies."""

    outcome: str
    replies: list[Reply] = field(default_factory=list)


class RmaFlow:
    """Collects RMA requests, issues numbers, and moves them through their statuses."""

    def __init__(
        self,
        *,
        rules: RmaRules,
        content: Content,
        store: Store,
        reader: SituationReader,
        packs: Mapping[str, BrandPack],
    ) -> None:
        self.rules = rules
        self.content = content
        self.store = store
        self.reader = reader
        self.packs = packs

    # -- wording ---------------------------------------------------------------------------------------

    def say(self, pack: BrandPack, name: str, lang: str, now: datetime, **extra: Any) -> str:
        """Render one of the RMA messages for a brand."""
        context = {**base_context(pack, now), **extra}
        return self.content.render_message(pack.id, name, lang, context)

    def _button(self, pack: BrandPack, name: str, lang: str, now: datetime, data: str, **extra: Any) -> Button:
        return Button(self.say(pack, name, lang, now, **extra), data)

    # -- starting ----------------------------------------------------------------------------------------

    def active(self, conv: Conversation) -> bool:
        """Whether a request is being collected."""
        return "rma" in conv.state

    def start(
        self,
        conv: Conversation,
        pack: BrandPack,
        now: datetime,
        *,
        source: str,
        fault: str | None = None,
        tried: Sequence[str] = (),
        fresh: bool = False,
    ) -> Said:
        """Begin a request, or offer to continue the one in progress."""
        draft = conv.state.get("rma")
        lang = conv.lang
        if draft is not None and not fresh:
            buttons = [
                self._button(pack, "rma_button_continue", lang, now, "rma:resume"),
                self._button(pack, "rma_button_restart", lang, now, "rma:restart"),
                self._button(pack, "rma_button_cancel", lang, now, "rma:cancel"),
            ]
            conv.offer(buttons)
            return Said(
                "rma_in_progress",
                [Reply(self.say(pack, "rma_in_progress", lang, now, step=draft["step"]), tuple(buttons))],
            )
        rma = pack.data.get("rma", {})
        if (
            source in ("menu", "command", "question")
            and not fresh
            and rma.get("troubleshoot_first")
            and not conv.state.get("rma_ts_offered")
        ):
            conv.state["rma_ts_offered"] = True
            conv.state["rma_source"] = source
            buttons = [
                self._button(pack, "rma_button_troubleshoot", lang, now, "menu:troubleshoot"),
                self._button(pack, "rma_button_go", lang, now, "rma:go"),
            ]
            conv.offer(buttons)
            return Said(
                "rma_troubleshoot_first", [Reply(self.say(pack, "rma_troubleshoot_first", lang, now), tuple(buttons))]
            )
        conv.state["rma"] = {
            "step": "model",
            "data": {"tried": list(tried), "walk_fault": fault or ""},
            "trail": [],
            "photos": [],
            "source": source,
        }
        intro = Reply(self.say(pack, "rma_intro", lang, now, source=source, questions=self._question_count(pack)))
        return Said("rma_started", [intro, self._ask(conv, pack, now)])

    def _question_count(self, pack: BrandPack) -> int:
        return len(self.rules.questions_for(pack))

    # -- one turn inside the flow ---------------------------------------------------------------------

    def text(self, conv: Conversation, pack: BrandPack, text: str, now: datetime) -> Said | None:
        """A typed answer to the current step.

        None when the step wants a button and the text isn't one of them: the engine then answers it as a
        question and reminds the customer of the step.
        """
        draft = conv.state["rma"]
        step = draft["step"]
        if step in TEXT_STEPS:
            return self._take_text(conv, pack, step, text, now)
        typed = conv.typed_button(text, "rma:")
        if typed is not None:
            return self.press(conv, pack, typed, now)
        wanted = fold(text).strip(" .!?")
        if step == "category":
            found = self.reader.read(text, now.astimezone(pack.timezone), pack, language=conv.lang).category
            if found is not None:
                return self.press(conv, pack, f"rma:cat:{found}", now)
        if step == "photos":
            done = self.rules.photos_done(text)
            if done is not None:
                return self.press(conv, pack, f"rma:photos:{done}", now)
        if step == "questions":
            yes_no = _yes_no(wanted)
            question = self._current_question(conv, pack)
            if yes_no and question is not None and question.choice(yes_no):
                return self.press(conv, pack, f"rma:q:{question.id}:{yes_no}", now)
            if yes_no == "no" and question is not None:  # "no" to "damaged by any of these?": none of them
                clean = next((c for c in question.choices if not c.tags and c.id != "unsure"), None)
                if clean is not None:
                    return self.press(conv, pack, f"rma:q:{question.id}:{clean.id}", now)
        return None

    def reask(self, conv: Conversation, pack: BrandPack, now: datetime) -> Said:
        """The current question again, for an answer that fits none of its buttons."""
        return Said("rma_reask", [Reply(self.say(pack, "rma_use_buttons", conv.lang, now)), self._ask(conv, pack, now)])

    def media(self, conv: Conversation, pack: BrandPack, items: Sequence[Media], now: datetime) -> Said:
        """Photos, a video or a document: kept as evidence at any step."""
        draft = conv.state["rma"]
        photos = draft["photos"]
        room = MAX_PHOTOS - len(photos)
        for item in items[: max(room, 0)]:
            photos.append([item.kind, item.ref])
        lang = conv.lang
        if draft["step"] == "photos":
            buttons = [self._button(pack, "rma_button_photos_done", lang, now, "rma:photos:done")]
            conv.offer(buttons)
            name = "rma_photo_received" if room > 0 else "rma_photos_full"
            return Said(
                "rma_photo",
                [Reply(self.say(pack, name, lang, now, count=len(photos), limit=MAX_PHOTOS), tuple(buttons))],
            )
        note = Reply(self.say(pack, "rma_photo_kept", lang, now, count=len(photos)))
        return Said("rma_photo", [note, self._ask(conv, pack, now)])

    def press(self, conv: Conversation, pack: BrandPack, data: str, now: datetime) -> Said:
        """A button of the flow."""
        action = data[4:]
        if action in ("go", "restart"):
            previous = conv.state.pop("rma", None) or {}
            source = previous.get("source") or conv.state.pop("rma_source", None) or "menu"
            return self.start(conv, pack, now, source=source, fresh=True)
        if action == "start":
            walk = conv.state.pop("rma_from_walk", None) or {}
            return self.start(
                conv,
                pack,
                now,
                source="troubleshoot" if walk else "question",
                fault=walk.get("fault"),
                tried=walk.get("tried", ()),
            )
        draft = conv.state.get("rma")
        if draft is None:
            return self.start(conv, pack, now, source="menu")
        if action == "resume":
            return Said("rma_resumed", [self._ask(conv, pack, now)])
        if action == "cancel":
            return self.cancel(conv, pack, now)
        if action == "back":
            return self.back(conv, pack, now)
        if action == "confirm" and draft["step"] == "summary":
            return self._confirm(conv, pack, now)
        if action.startswith("edit:") and draft["step"] == "summary" and action[5:] in EDITABLE:
            draft["editing"] = True
            draft["step"] = action[5:]
            if draft["step"] == "questions":
                draft["data"]["answers"] = {}
            if draft["step"] == "photos":
                draft["photos"] = []
            return Said("rma_edit", [self._ask(conv, pack, now)])
        kind, _, value = action.partition(":")
        data_ = draft["data"]
        if kind == "cat" and draft["step"] == "category":
            if value != "none" and pack.category(value) is None:
                return Said("rma_reask", [self._ask(conv, pack, now)])
            data_["category"] = None if value == "none" else value
            return self._advance(conv, pack, now)
        if kind == "date" and draft["step"] == "date":
            return self._settle_date(conv, pack, value, now)
        if kind == "from" and draft["step"] == "bought_from" and value in ("direct", "agent", "unsure"):
            data_["bought_from"] = value
            return self._advance(conv, pack, now)
        if kind == "photos" and draft["step"] == "photos" and value in ("done", "skip"):
            if value == "done" and not draft["photos"]:
                return Said("rma_reask", [self._ask(conv, pack, now, again=True)])
            data_["photos_skipped"] = value == "skip" and not draft["photos"]
            return self._advance(conv, pack, now)
        if kind == "q" and draft["step"] == "questions":
            qid, _, choice_id = value.partition(":")
            question = self._current_question(conv, pack)
            choice = question.choice(choice_id) if question is not None and question.id == qid else None
            if choice is None:
                return Said("rma_reask", [self._ask(conv, pack, now)])
            data_.setdefault("answers", {})[qid] = {"choice": choice.id, "tags": sorted(choice.tags)}
            if self._current_question(conv, pack) is not None:
                return Said("rma_answer", [self._ask(conv, pack, now)])
            return self._advance(conv, pack, now)
        return Said("rma_reask", [self._ask(conv, pack, now)])  # an old button: show where we are

    def cancel(self, conv: Conversation, pack: BrandPack, now: datetime) -> Said:
        """Drop the request being collected (nothing was filed)."""
        conv.state.pop("rma", None)
        conv.state.pop("buttons", None)
        return Said("rma_cancelled", [Reply(self.say(pack, "rma_cancelled", conv.lang, now))])

    def back(self, conv: Conversation, pack: BrandPack, now: datetime) -> Said:
        """Go back to the previous question."""
        draft = conv.state["rma"]
        if draft.pop("vague_asked", False) and not draft["data"].get("fault_done"):
            draft["data"].pop("fault", None)  # the vague answer we asked about is dropped with its question
        draft.pop("exact_asked", None)
        if draft.get("editing"):
            draft["editing"] = False
            draft["step"] = "summary"
        elif draft["step"] == "questions" and draft["data"].get("answers"):
            answers = draft["data"]["answers"]
            answers.pop(list(answers)[-1])
        elif draft["trail"]:
            draft["step"] = draft["trail"].pop()
            if draft["step"] == "questions":
                draft["data"]["answers"] = dict(list(draft["data"].get("answers", {}).items())[:-1])
        return Said("rma_back", [self._ask(conv, pack, now)])

    # -- the steps ---------------------------------------------------------------------------------------

    def _steps(self, conv: Conversation, pack: BrandPack) -> list[str]:
        draft = conv.state["rma"]
        steps = ["model"]
        if pack.categories and draft["data"].get("category_asked", True):
            steps.append("category")
        steps += ["serial", "date", "bought_from", "fault", "photos"]
        if self.rules.questions_for(pack):
            steps.append("questions")
        return [*steps, "contact", "address", "summary"]

    def _advance(self, conv: Conversation, pack: BrandPack, now: datetime, notes: Sequence[Reply] = ()) -> Said:
        draft = conv.state["rma"]
        if draft.pop("editing", False):
            draft["step"] = "summary"
            return Said("rma_answer", [*notes, self._ask(conv, pack, now)])
        steps = self._steps(conv, pack)
        current = draft["step"]
        following = steps[steps.index(current) + 1] if current in steps and current != "summary" else "summary"
        if current != "summary":
            draft["trail"].append(current)
        prefilled = draft["data"].pop("prefilled", [])  # given with the model: not asked again
        while following in prefilled:
            following = steps[steps.index(following) + 1]
        draft["step"] = following
        return Said("rma_answer", [*notes, self._ask(conv, pack, now)])

    def _current_question(self, conv: Conversation, pack: BrandPack) -> Any:
        answers = conv.state["rma"]["data"].get("answers", {})
        return next((q for q in self.rules.questions_for(pack) if q.id not in answers), None)

    def _ask(
        self,
        conv: Conversation,
        pack: BrandPack,
        now: datetime,
        *,
        again: bool = False,
        problem: str | None = None,
        **extra: Any,
    ) -> Reply:
        """The current step's question, with its buttons (always: back and cancel)."""
        draft = conv.state["rma"]
        step, data, lang = draft["step"], draft["data"], conv.lang
        buttons: list[Button] = []
        context: dict[str, Any] = {
            "again": again,
            "problem": problem,
            "d": data,
            "serial_min": self.rules.serial_min,
            "serial_max": self.rules.serial_max,
            **extra,
        }
        name = f"rma_ask_{step}"
        if step == "category":
            buttons = [Button(str(c.data.get(f"name_{lang}", c.name)), f"rma:cat:{c.id}") for c in pack.categories]
            buttons.append(self._button(pack, "rma_button_not_sure", lang, now, "rma:cat:none"))
        elif step == "bought_from":
            buttons = [
                self._button(pack, f"rma_button_from_{k}", lang, now, f"rma:from:{k}")
                for k in ("direct", "agent", "unsure")
            ]
        elif step == "photos":
            if draft["photos"]:
                buttons.append(self._button(pack, "rma_button_photos_done", lang, now, "rma:photos:done"))
            buttons.append(self._button(pack, "rma_button_photos_skip", lang, now, "rma:photos:skip"))
            context["count"] = len(draft["photos"])
        elif step == "questions":
            question = self._current_question(conv, pack)
            if question is None:
                return self._ask_summary(conv, pack, now)
            name = f"rma_q_{question.id}"
            buttons = [
                self._button(pack, f"rma_q_{question.id}_{c.id}", lang, now, f"rma:q:{question.id}:{c.id}")
                for c in question.choices
            ]
            context["exclusions"] = [e for e in pack.exclusions() if set(e.get("tags", ())) & question.tags()]
        elif step == "date":
            context["counts_from"] = pack.data["warranty"]["counts_from"]
            buttons = [
                Button(self.say(pack, "date_label", lang, now, d=date.fromisoformat(d)), f"rma:date:{d}")
                for d in extra.get("options", ())
            ]
        elif step == "summary":
            return self._ask_summary(conv, pack, now)
        text = self.say(pack, name, lang, now, **self._progress(conv, pack), **context)
        if draft["trail"] or draft.get("editing"):
            buttons.append(self._button(pack, "rma_button_back", lang, now, "rma:back"))
        buttons.append(self._button(pack, "rma_button_cancel", lang, now, "rma:cancel"))
        conv.offer(buttons)
        return Reply(text, tuple(buttons))

    def _progress(self, conv: Conversation, pack: BrandPack) -> dict[str, int]:
        """Which question this is, of how many ("(3/11)"): each exclusion question counts as one."""
        steps = [s for s in self._steps(conv, pack)[:-1] if s != "category"]  # asked only for some models
        draft = conv.state["rma"]
        extra = max(len(self.rules.questions_for(pack)) - 1, 0)
        if draft["step"] not in steps:
            return {"step_number": len(steps) + extra, "steps": len(steps) + extra}
        number = steps.index(draft["step"]) + 1
        if draft["step"] == "questions":
            number += len(draft["data"].get("answers", {}))
        elif "questions" in steps and steps.index(draft["step"]) > steps.index("questions"):
            number += extra
        return {"step_number": number, "steps": len(steps) + extra}

    def _ask_summary(self, conv: Conversation, pack: BrandPack, now: datetime) -> Reply:
        draft = conv.state["rma"]
        draft["step"] = "summary"
        lang = conv.lang
        buttons = [self._button(pack, "rma_button_confirm", lang, now, "rma:confirm")]
        buttons += [
            self._button(
                pack, "rma_button_edit", lang, now, f"rma:edit:{f}", field=self.say(pack, f"rma_field_{f}", lang, now)
            )
            for f in EDITABLE
            if f != "questions" or self.rules.questions_for(pack)
        ]
        buttons.append(self._button(pack, "rma_button_cancel", lang, now, "rma:cancel"))
        conv.offer(buttons)
        text = self.say(
            pack, "rma_summary", lang, now, d=self._described(pack, draft, lang, now), photos=len(draft["photos"])
        )
        return Reply(text, tuple(buttons))

    def _described(self, pack: BrandPack, draft: Mapping[str, Any], lang: str, now: datetime) -> dict[str, Any]:
        """The draft's answers as a customer reads them (names for ids, wording for choices)."""
        data = dict(draft["data"])
        data["date"] = date.fromisoformat(data["date"]) if isinstance(data.get("date"), str) else data.get("date")
        dates = (data.get("situation") or {}).get("dates") or []
        data["date_range"] = (
            f"{dates[0]['earliest']} to {dates[0]['latest']}"
            if dates and dates[0]["earliest"] != dates[0]["latest"]
            else None
        )
        category = pack.category(data.get("category") or "")
        data["category_name"] = str(category.data.get(f"name_{lang}", category.name)) if category else None
        data["bought_from_text"] = self.say(pack, f"rma_button_from_{data.get('bought_from', 'unsure')}", lang, now)
        data["answers_text"] = [
            (self.say(pack, f"rma_q_{qid}_short", lang, now), self.say(pack, f"rma_q_{qid}_{a['choice']}", lang, now))
            for qid, a in (data.get("answers") or {}).items()
        ]
        return data

    def _take_text(self, conv: Conversation, pack: BrandPack, step: str, text: str, now: datetime) -> Said:
        draft = conv.state["rma"]
        data = draft["data"]
        if step == "model":
            value = model(text)
            if value is None:
                return Said("rma_reask", [self._ask(conv, pack, now, again=True)])
            data["model"] = value
            local = now.astimezone(pack.timezone)
            situation = self.reader.read(f"{text} {data.get('walk_fault', '')}", local, pack, language=conv.lang)
            data["category"] = situation.category
            data["category_asked"] = bool(pack.categories) and situation.category is None
            data["prefilled"] = []
            typed_serial = serial_in(text)
            if typed_serial and self.rules.serial(typed_serial):  # "LG-IPC2, serial LG99887766, bought jan 2026"
                data["serial"] = self.rules.serial(typed_serial)
                data["prefilled"].append("serial")
            facts = [
                f
                for f in situation.dates
                if f.kind in AGE_KINDS and f.reading.problem is None and not f.reading.alternatives
            ]
            if facts and len(text) > len(value):
                kind = (
                    facts[0].kind if facts[0].kind in ("purchase", "delivery") else pack.data["warranty"]["counts_from"]
                )
                data["situation"] = Situation(dates=(DateFact(facts[0].reading, kind),)).to_state()
                data["date_text"] = facts[0].reading.text
                data["date"] = facts[0].reading.earliest.isoformat() if facts[0].reading.exact else None
                data["prefilled"].append("date")
            return self._advance(conv, pack, now)
        if step == "serial":
            value = self.rules.serial(text)
            if value is None:
                return Said("rma_reask", [self._ask(conv, pack, now, again=True)])
            data["serial"] = value
            return self._advance(conv, pack, now)
        if step == "date":
            return self._take_date(conv, pack, text, now)
        if step == "fault":
            notes_cut = len(" ".join(text.split())) > FAULT_MAX
            cleaned = " ".join(text.split())[:FAULT_MAX]
            if self.rules.vague(cleaned) and not draft.get("vague_asked"):
                draft["vague_asked"] = True
                data["fault"] = cleaned
                return Said("rma_vague", [self._ask(conv, pack, now, again=True, problem="vague")])
            vague = self.rules.vague(cleaned)
            if draft.pop("vague_asked", False) and data.get("fault") and not data.get("fault_done"):
                vague = vague and self.rules.vague(data["fault"])  # two vague answers are still vague
                stop = "。" if re.search(r"[\u3400-\u9fff]$", data["fault"]) else ". "
                cleaned = f"{data['fault']}{stop}{cleaned}" if fold(cleaned) != fold(data["fault"]) else cleaned
            data["fault"] = cleaned
            data["fault_done"] = True
            data["fault_vague"] = vague
            local = now.astimezone(pack.timezone)
            data["fault_events"] = sorted(self.reader.read(cleaned, local, pack, language=conv.lang).events)
            notes = [Reply(self.say(pack, "rma_fault_vague_kept", conv.lang, now))] if data["fault_vague"] else []
            if notes_cut:
                notes.append(Reply(self.say(pack, "too_long", conv.lang, now, limit=FAULT_MAX)))
            return self._advance(conv, pack, now, notes)
        if step == "contact":
            found = contact(text)
            if found is None:
                return Said("rma_reask", [self._ask(conv, pack, now, again=True)])
            data["contact"] = {"kind": found[0], "value": found[1]}
            return self._advance(conv, pack, now)
        value = address(text)
        if value is None:
            return Said(
                "rma_reask",
                [self._ask(conv, pack, now, again=True, too_long=len(text.strip()) > ADDRESS_MAX, limit=ADDRESS_MAX)],
            )
        data["address"] = value
        return self._advance(conv, pack, now)

    def _take_date(self, conv: Conversation, pack: BrandPack, text: str, now: datetime) -> Said:
        draft = conv.state["rma"]
        local = now.astimezone(pack.timezone)
        found = self.reader.read(text, local, pack, language=conv.lang)
        facts = [f for f in found.dates if f.kind in AGE_KINDS or f.kind in ("unknown", "fault")]
        if not facts:
            return Said("rma_reask", [self._ask(conv, pack, now, again=True)])
        fact = facts[0]
        reading = fact.reading
        if reading.problem is not None:
            return Said(
                "rma_reask", [self._ask(conv, pack, now, again=True, problem=reading.problem, typed=reading.text)]
            )
        counts_from = pack.data["warranty"]["counts_from"]
        kind = fact.kind if fact.kind in ("purchase", "delivery") else counts_from
        situation = Situation(dates=(DateFact(reading, kind),), category=draft["data"].get("category"))
        draft["data"]["situation"] = situation.to_state()
        draft["data"]["date_text"] = reading.text
        draft["data"]["date"] = reading.earliest.isoformat() if reading.exact else None
        if reading.alternatives:
            return Said(
                "rma_ask_day_month",
                [
                    self._ask(
                        conv,
                        pack,
                        now,
                        problem="day_month",
                        typed=reading.text,
                        options=[d.isoformat() for d in reading.alternatives],
                    )
                ],
            )
        verdict = policy.warranty(pack, situation, local.date())
        if verdict.need == "exact_date" and not draft.get("exact_asked"):
            draft["exact_asked"] = True
            return Said(
                "rma_reask",
                [
                    self._ask(
                        conv,
                        pack,
                        now,
                        again=True,
                        problem="exact",
                        typed=reading.text,
                        end=verdict.end,
                        past=verdict.end is not None and verdict.end < local.date(),
                    )
                ],
            )
        draft.pop("exact_asked", None)
        return self._advance(conv, pack, now)

    def _settle_date(self, conv: Conversation, pack: BrandPack, iso: str, now: datetime) -> Said:
        draft = conv.state["rma"]
        try:
            day = date.fromisoformat(iso)
        except ValueError:
            return Said("rma_reask", [self._ask(conv, pack, now)])
        settled = settle_date(Situation.from_state(draft["data"].get("situation") or {}), day)
        if settled is None:
            return Said("rma_reask", [self._ask(conv, pack, now)])
        draft["data"]["situation"] = settled.to_state()
        draft["data"]["date"] = day.isoformat()
        return self._advance(conv, pack, now)

    # -- confirming ---------------------------------------------------------------------------------------

    def _confirm(self, conv: Conversation, pack: BrandPack, now: datetime) -> Said:
        draft = conv.state["rma"]
        data = draft["data"]
        local = now.astimezone(pack.timezone)
        situation = situation_of(data, data.get("fault_events", ()))
        e = assess(pack, situation, local.date(), reported_damage=self.rules.reported_damage(data.get("answers") or {}))
        record = {
            **{k: v for k, v in data.items() if k not in ("category_asked", "fault_done", "walk_fault")},
            "photos": draft["photos"],
            "lang": conv.lang,
            "name": conv.state.get("name"),
            "situation": situation.to_state(),
            "source": draft.get("source"),
        }
        lang = conv.lang

        def staff_card(number: str) -> list[tuple[str, Mapping[str, Any]]]:
            row = {
                "number": number,
                "user": conv.user,
                "brand": pack.id,
                "status": e.status,
                "data": record,
                "outcome": e.outcome,
                "expires_on": e.expires.isoformat() if e.expires else None,
            }
            return [("staff", self.staff_card(row, now).to_dict())]

        number = self.store.create_rma(
            make_number=lambda: new_number(pack),
            user=conv.user,
            brand=pack.id,
            status=e.status,
            data=record,
            outcome=e.outcome,
            at=now,
            expires_on=e.expires.isoformat() if e.expires else None,
            notices=staff_card,
        )
        conv.state.pop("rma", None)
        conv.state["last_rma"] = number
        damaged = bool(self.rules.reported_damage(data.get("answers") or {}))
        replies = [
            Reply(
                self.say(
                    pack,
                    f"rma_outcome_{e.outcome}",
                    lang,
                    now,
                    number=number,
                    e=e,
                    damaged=damaged,
                    d=self._described(pack, {"data": record}, lang, now),
                )
            )
        ]
        if e.status == "awaiting_shipment":
            replies.append(Reply(self.say(pack, "rma_instructions", lang, now, number=number, e=e, d=record)))
        buttons: list[Button] = [
            self._button(pack, "rma_button_status", lang, now, "menu:status"),
            Button(self.say(pack, "button_consultant", lang, now), "consultant"),
        ]
        if e.status == "requested":
            buttons.reverse()
        conv.offer(buttons)
        replies.append(Reply(self.say(pack, "rma_next", lang, now, number=number, e=e), tuple(buttons)))
        return Said(f"rma_filed_{e.outcome}", replies)

    # -- after filing: status, quotes, consultants ----------------------------------------------------------

    def status(self, conv: Conversation, pack: BrandPack, now: datetime, text: str = "") -> Said:
        """The customer's own RMAs with their history; never anyone else's."""
        lang = conv.lang
        asked = find_number(text)
        rows = self.store.rmas(user=conv.user, limit=20)
        if asked is not None:
            mine = [r for r in rows if r["number"] == asked]
            if not mine:
                own = self.store.rma(asked)
                if own is not None and own["user"] == conv.user:
                    mine = [own]
            if not mine:
                return Said(
                    "rma_status_unknown", [Reply(self.say(pack, "rma_status_not_found", lang, now, number=asked))]
                )
            rows = mine
        drafting = conv.state.get("rma")
        buttons: list[Button] = []
        if drafting is not None:
            buttons.append(self._button(pack, "rma_button_continue", lang, now, "rma:resume"))
        if not rows:
            buttons.append(self._button(pack, "button_rma", lang, now, "menu:rma"))
            conv.offer(buttons)
            return Said(
                "rma_status_none",
                [Reply(self.say(pack, "rma_status_none", lang, now, drafting=drafting is not None), tuple(buttons))],
            )
        shown = [self._for_customer(r, lang, now) for r in rows]
        for row in rows:
            if row["status"] == "quote_sent" and not row.get("quote_decision"):
                buttons += self._quote_buttons(self.packs.get(row["brand"], pack), row["number"], lang, now)
        conv.offer(buttons)
        return Said("rma_status", [Reply(self.say(pack, "rma_status", lang, now, rmas=shown), tuple(buttons))])

    def _for_customer(self, row: Mapping[str, Any], lang: str, now: datetime) -> dict[str, Any]:
        pack = self.packs.get(row["brand"]) or next(iter(self.packs.values()))
        history = []
        for h in self.store.rma_history(row["number"]):
            by_system = h["by"] in ("customer", "assistant")  # their notes are for staff ("quote declined")
            shown = "quote_declined" if h["status"] == "quote_sent" and h["by"] == "customer" else h["status"]
            history.append(
                {
                    **h,
                    "note": None if by_system else h["note"],
                    "label": self.say(pack, f"rma_status_{shown}", lang, now),
                    "when": datetime.fromisoformat(h["at"]).astimezone(pack.timezone),
                }
            )
        status = (
            "quote_declined"
            if row["status"] == "quote_sent" and row.get("quote_decision") == "declined"
            else row["status"]
        )
        return {
            **row,
            "label": self.say(pack, f"rma_status_{status}", lang, now),
            "history": history,
            "price": price(pack, row.get("quote_amount"), row.get("quote_currency")),
            "expires": date.fromisoformat(row["expires_on"]) if row.get("expires_on") else None,
        }

    def _quote_buttons(self, pack: BrandPack, number: str, lang: str, now: datetime) -> list[Button]:
        return [
            self._button(pack, "rma_button_quote_approve", lang, now, f"rmaq:{number}:approve", number=number),
            self._button(pack, "rma_button_quote_decline", lang, now, f"rmaq:{number}:decline", number=number),
        ]

    def quote_decision(self, conv: Conversation, pack: BrandPack, data: str, now: datetime) -> Said:
        """The customer approves or declines a repair quote (only their own, only while it is open)."""
        _, number, decision = [*data.split(":"), "", ""][:3]
        row = self.store.rma(number)
        lang = conv.lang
        if row is None or row["user"] != conv.user:
            return Said("rma_status_unknown", [Reply(self.say(pack, "rma_status_not_found", lang, now, number=number))])
        pack = self.packs.get(row["brand"], pack)
        if row["status"] != "quote_sent" or row.get("quote_decision") or decision not in ("approve", "decline"):
            return Said(
                "rma_quote_closed",
                [Reply(self.say(pack, "rma_quote_closed", lang, now, r=self._for_customer(row, lang, now)))],
            )
        approved = decision == "approve"
        shown_price = price(pack, row["quote_amount"], row.get("quote_currency"))
        staff = (
            "staff",
            Reply(
                self.say(
                    pack, "rma_staff_quote_decision", "en", now, number=number, approved=approved, price=shown_price
                )
            ).to_dict(),
        )
        changed = self.store.change_rma(
            number,
            expect="quote_sent",
            status="repairing" if approved else "quote_sent",
            by="customer",
            at=now,
            note="quote approved" if approved else "quote declined",
            fields={"quote_decision": "approved" if approved else "declined"},
            notices=[staff],
        )
        if not changed:
            return Said(
                "rma_quote_closed",
                [Reply(self.say(pack, "rma_quote_closed", lang, now, r=self._for_customer(row, lang, now)))],
            )
        conv.state.pop("buttons", None)
        name = "rma_quote_approved" if approved else "rma_quote_declined"
        return Said(name, [Reply(self.say(pack, name, lang, now, number=number, price=shown_price))])

    def set_status(self, number: str, word: str, *, by: str, now: datetime, extra: str = "") -> dict[str, Any]:
        """A consultant changes an RMA's status; the customer is told at once. Raises InputError when refused."""
        found = find_number(number) or number.strip().upper()
        row = self.store.rma(found)
        if row is None:
            raise InputError(f"no RMA {found}")
        status = self.rules.status_word(word)
        if status is None:
            raise InputError(f"unknown status {word!r} (known: {', '.join(self.rules.statuses)})")
        self.rules.check_change(row["status"], status)
        pack = self.packs[row["brand"]]
        fields: dict[str, Any] = {}
        extra = " ".join(extra.split())[:300]
        note = extra or None
        need = self.rules.needs.get(status)
        if need == "tracking":
            tracking = extra.split()[0] if extra else ""
            if not re.fullmatch(r"[A-Za-z0-9-]{4,40}", tracking):
                raise InputError("shipped needs the tracking number: /rma RMA-… shipped <tracking number>")
            fields["tracking"] = tracking
        if need == "amount":
            quote = self.rules.quote(extra)
            if quote is None:
                raise InputError("a quote needs its amount: /rma RMA-… quote <amount> [currency] [what it covers]")
            fields["quote_amount"], fields["quote_currency"], covers = quote
            fields["quote_decision"] = None
            note = covers or None
        if status in ("repairing", "replacing") and row.get("quote_decision") == "declined":
            raise InputError(
                f"the customer declined the quote for {row['number']}: it can only be shipped back, "
                "closed or cancelled (or quoted again)"
            )
        lang = row["data"].get("lang") or "en"
        if status == "approved":
            validity = pack.data.get("rma", {}).get("validity_days")
            local = now.astimezone(pack.timezone).date()
            if validity:
                fields["expires_on"] = (local + timedelta(days=int(validity))).isoformat()
            status_after = "awaiting_shipment"
        else:
            status_after = status
        updated = {**row, **fields, "status": status_after}
        customer = self._update_reply(pack, updated, status, lang, now, note)
        staff_note = Reply(
            self.say(
                pack,
                "rma_staff_changed",
                "en",
                now,
                number=row["number"],
                by=by,
                label=status_after.replace("_", " "),
                note=note,
            )
        )
        notices = [(row["user"], customer.to_dict()), ("staff", staff_note.to_dict())]
        if not self.store.change_rma(
            row["number"],
            expect=row["status"],
            status=status,
            by=by,
            at=now,
            note=note,
            fields=fields,
            notices=notices if status_after == status else [],
        ):
            raise InputError(f"{row['number']} was changed by someone else just now; look again")
        if status_after != status:
            self.store.change_rma(row["number"], expect=status, status=status_after, by=by, at=now, notices=notices)
        result = self.store.rma(row["number"])
        assert result is not None
        return result

    def _update_reply(
        self, pack: BrandPack, row: Mapping[str, Any], status: str, lang: str, now: datetime, note: str | None
    ) -> Reply:
        shown = self._for_customer({**row, "status": row["status"]}, lang, now)
        text = self.say(pack, "rma_update", lang, now, r=shown, changed=status, note=note)
        buttons: tuple[Button, ...] = ()
        if status == "approved":
            situation = situation_of(row["data"], row["data"].get("fault_events", ()))
            damage = self.rules.reported_damage(row["data"].get("answers") or {})
            e = assess(pack, situation, now.astimezone(pack.timezone).date(), reported_damage=damage)
            e = replace(
                e,
                status="awaiting_shipment",
                expires=date.fromisoformat(row["expires_on"]) if row.get("expires_on") else None,
            )
            text += "\n" + self.say(pack, "rma_instructions", lang, now, number=row["number"], e=e, d=row["data"])
        if status == "quote_sent":
            buttons = tuple(self._quote_buttons(pack, row["number"], lang, now))
        return Reply(text, buttons)

    def staff_card(self, row: Mapping[str, Any], now: datetime) -> Reply:
        """The summary card consultants see, with the customer's photos."""
        pack = self.packs[row["brand"]]
        data = row["data"]
        media = tuple(Media(kind, ref) for kind, ref in data.get("photos", ()))
        described = self._described(pack, {"data": data}, "en", now)
        text = self.say(pack, "rma_staff_card", "en", now, r=row, d=described, label=row["status"].replace("_", " "))
        return Reply(text, (), media)

    def staff_list(self, status: str | None, now: datetime) -> str:
        """Open RMAs (or those with one status), newest first, for consultants."""
        pack = self.packs[next(iter(self.packs))]
        if status is not None and status not in self.rules.statuses:
            raise InputError(f"unknown status {status!r} (known: {', '.join(self.rules.statuses)})")
        rows = (
            self.store.rmas(status=status, limit=50)
            if status
            else [r for r in self.store.rmas(limit=500) if r["status"] not in self.rules.final][:50]
        )
        return self.say(pack, "rma_staff_list", "en", now, rmas=rows, status=status)

    def staff_show(self, number: str, now: datetime) -> Reply:
        """One RMA in full for consultants: the card and its history."""
        found = find_number(number) or number.strip().upper()
        row = self.store.rma(found)
        if row is None:
            raise InputError(f"no RMA {found}")
        card = self.staff_card(row, now)
        pack = self.packs[row["brand"]]
        history = self.say(pack, "rma_staff_history", "en", now, r=self._for_customer(row, "en", now))
        return Reply(f"{card.text}\n{history}", (), card.media)

    def staff_command(self, text: str, *, by: str, now: datetime) -> list[Reply]:
        """``/rma`` in the staff chat: list, show, or change a status. Errors come back as a reply."""
        pack = self.packs[next(iter(self.packs))]
        parts = text.split(maxsplit=3)[1:]
        try:
            if not parts or parts[0].lower() in ("help", "?"):
                return [Reply(self.say(pack, "rma_staff_help", "en", now))]
            if parts[0].lower() == "list":
                return [Reply(self.staff_list(self.rules.status_word(parts[1]) if len(parts) > 1 else None, now))]
            if parts[0].lower() == "show" and len(parts) > 1:
                return [self.staff_show(parts[1], now)]
            number = find_number(" ".join(parts[:1]))
            if number is None or len(parts) < 2:
                return [Reply(self.say(pack, "rma_staff_help", "en", now))]
            self.set_status(number, parts[1], by=by, now=now, extra=" ".join(parts[2:]))
            return []  # the change is announced to the staff chat by its notice
        except InputError as exc:
            return [Reply(self.say(pack, "rma_staff_refused", "en", now, reason=str(exc)))]

    def sweep(self, now: datetime) -> int:
        """Remind customers whose RMA number is about to expire; mark expired ones. Returns changes made.

        Run at start-up and then every few minutes: everything it needs is in SQLite.
        """
        changes = 0
        for row in self.store.rmas(status="awaiting_shipment", expiring=True, limit=100000):
            if not row.get("expires_on"):
                continue
            pack = self.packs.get(row["brand"])
            if pack is None:
                continue
            today = now.astimezone(pack.timezone).date()
            expires = date.fromisoformat(row["expires_on"])
            lang = row["data"].get("lang") or "en"
            if today > expires:
                notice = Reply(self.say(pack, "rma_expired", lang, now, r=self._for_customer(row, lang, now)))
                staff = Reply(
                    self.say(
                        pack,
                        "rma_staff_changed",
                        "en",
                        now,
                        number=row["number"],
                        by="assistant",
                        label="expired",
                        note=None,
                    )
                )
                if self.store.change_rma(
                    row["number"],
                    expect="awaiting_shipment",
                    status="expired",
                    by="assistant",
                    at=now,
                    notices=[(row["user"], notice.to_dict()), ("staff", staff.to_dict())],
                ):
                    changes += 1
            elif not row.get("reminded") and (expires - today).days <= self.rules.reminder_days:
                notice = Reply(
                    self.say(
                        pack,
                        "rma_reminder",
                        lang,
                        now,
                        r=self._for_customer(row, lang, now),
                        days=(expires - today).days,
                    )
                )
                if self.store.change_rma(
                    row["number"],
                    expect="awaiting_shipment",
                    status="awaiting_shipment",
                    by="assistant",
                    at=now,
                    note="expiry reminder sent",
                    fields={"reminded": 1},
                    notices=[(row["user"], notice.to_dict())],
                ):
                    changes += 1
        return changes


def price(pack: BrandPack, amount: float | None, currency: str | None) -> str | None:
    """A quoted amount as the customer reads it: the currency the consultant typed, else the brand's own."""
    if amount is None:
        return None
    figure = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    symbol = currency or pack.data.get("fees", {}).get("currency_symbol") or pack.data.get("fees", {}).get("currency")
    if not symbol:
        return figure
    return f"{figure} {symbol}" if len(symbol) == 3 and symbol.isalpha() else f"{symbol}{figure}"


def _yes_no(folded: str) -> str | None:
    if re.fullmatch(r"(?:yes|yeah|yep|y|yes it (?:was|is)|co|dung|是|是的|对)", folded):
        return "yes"
    if re.fullmatch(r"(?:no|nope|n|no it (?:wasn.?t|isn.?t)|never|khong|chua|没有|不是|否)", folded):
        return "no"
    return None


def check_wording(root: Path, packs: Mapping[str, BrandPack], content: Content, moment: datetime) -> None:
    """Run requests through every path of the flow, for every brand in every language.

    A template that does not render (a typo, an unknown policy value) then stops start-up instead of
    reaching a customer.
    """
    rules = RmaRules.load(root)
    reader = SituationReader(root / "faq" / "_common" / "matching" / "situations.toml")
    store = Store(":memory:")
    flow = RmaFlow(rules=rules, content=content, store=store, reader=reader, packs=packs)
    try:
        for pack in packs.values():
            for lang in pack.languages:  # a customer's language is always one of the brand's
                for bought, damage in (("2025-12-28", "none"), ("2012-03-04", "none"), ("2025-12-28", "water")):
                    conv = Conversation(user=f"check:{pack.id}:{lang}:{bought}:{damage}", brand=pack.id, lang=lang)
                    _check_request(flow, conv, pack, moment, bought, damage)
                number = store.rmas(user=f"check:{pack.id}:{lang}:2025-12-28:none")[0]["number"]
                for status, extra in (("received", ""), ("diagnosing", "bench test"), ("quote", "120 new board")):
                    flow.set_status(number, status, by="check", now=moment, extra=extra)
                conv = Conversation(user=f"check:{pack.id}:{lang}:2025-12-28:none", brand=pack.id, lang=lang)
                flow.status(conv, pack, moment)
                flow.quote_decision(conv, pack, f"rmaq:{number}:approve", moment)
                flow.quote_decision(conv, pack, f"rmaq:{number}:approve", moment)
                flow.set_status(number, "shipped", by="check", now=moment, extra="1Z999AA10123456784")
                flow.staff_show(number, moment)
                for row in store.rmas(status="requested"):
                    flow.set_status(row["number"], "approved", by="check", now=moment)
                flow.status(conv, pack, moment, f"RMA-{pack.code}-0000-0000")
                flow.sweep(moment + timedelta(days=13))
                flow.sweep(moment + timedelta(days=40))
        flow.staff_list(None, moment)
        flow.staff_command("/rma", by="check", now=moment)
        flow.staff_command("/rma RMA-000-0000-0000 received", by="check", now=moment)
    finally:
        store.close()


def _check_request(flow: RmaFlow, conv: Conversation, pack: BrandPack, now: datetime, bought: str, damage: str) -> None:
    flow.start(conv, pack, now, source="menu")
    flow.press(conv, pack, "rma:go", now)
    flow.text(conv, pack, "x", now)
    flow.text(conv, pack, "Model 5 camera", now)
    if conv.state["rma"]["step"] == "category":
        flow.press(conv, pack, f"rma:cat:{pack.categories[0].id}", now)
    flow.text(conv, pack, "000", now)
    flow.text(conv, pack, "S/N: AB12 345 678", now)
    for typed in ("no idea", "30 February 2025", "2030-01-01", "1985-01-01", "03/04/2025"):
        flow.text(conv, pack, typed, now)
    if conv.state["rma"]["step"] == "date":
        flow.press(conv, pack, "rma:date:2025-04-03", now)
    flow.press(conv, pack, "rma:back", now)
    flow.text(conv, pack, bought, now)
    if conv.state["rma"]["step"] == "date":
        flow.text(conv, pack, bought, now)
    flow.press(conv, pack, "rma:from:agent", now)
    flow.text(conv, pack, "broken", now)
    flow.text(conv, pack, "no picture at night, the IR lights stay off", now)
    flow.press(conv, pack, "rma:photos:done", now)
    flow.media(conv, pack, [Media("photo", "check-file")], now)
    flow.press(conv, pack, "rma:photos:done", now)
    while conv.state["rma"]["step"] == "questions":
        question = flow._current_question(conv, pack)
        choice = damage if question.choice(damage) else question.choices[0].id
        flow.press(conv, pack, f"rma:q:{question.id}:{choice}", now)
    flow.text(conv, pack, "nope", now)
    flow.text(conv, pack, "+86 755 1234 5678", now)
    flow.text(conv, pack, "x", now)
    flow.text(conv, pack, "12 Garden Road, Central, Hong Kong", now)
    flow.press(conv, pack, "rma:edit:serial", now)
    flow.text(conv, pack, "AB12345679", now)
    flow.press(conv, pack, "rma:confirm", now)
    flow.start(conv, pack, now, source="menu")
