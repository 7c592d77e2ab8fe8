"""Guided troubleshooting: walking a customer through a tree, one step and its buttons at a time.

    /troubleshoot, the menu ─► choose a tree ─► step ─► (an option) ─► step … ─► leaf
    a fault question ─► offer the tree that fits ─► start │ no thanks
    leaf: solved ─► rate 1–5 · repair ─► start a request (pre-filled) │ consultant · consultant ─► hand over

Buttons name the step they belong to (``ts:<depth>.<option>``): a double tap or an old button shows
where the walk is instead of walking on. Back, start over and stop are buttons too; ``/back`` and
``/cancel`` work as well. Where a walk ends is recorded (``walk_outcomes``) for the statistics.
"""

from __future__ import annotations

import re
from typing import ClassVar

from bot.core.messages import Button, Reply
from bot.core.outcomes import Outcome
from bot.flows.base import Kit, Result, Turn
from bot.flows.state import FlowName, RepairOffer, Walk
from bot.knowledge.trees import Tree
from bot.understand.reading import typed_button

START = "tsstart"  # tsstart:<tree>: start a walk
STEP = "ts"  # ts:<depth>.<option|back|restart>, ts:leave
MENU = "tsmenu"  # the menu's Troubleshoot button: choose a tree
RATE = "rate"  # rate:<1-5> after a solved walk


class WalkFlow:
    """Troubleshooting walks."""

    name: ClassVar[FlowName] = FlowName.WALK
    commands: ClassVar[frozenset[str]] = frozenset({"troubleshoot", "back", "cancel"})
    prefixes: ClassVar[frozenset[str]] = frozenset({START, STEP, MENU, RATE})
    durable: ClassVar[frozenset[str]] = frozenset({STEP})  # an old step's button shows the current step

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.trees = kit.content.trees

    # -- the protocol ----------------------------------------------------------------------------------

    def command(self, turn: Turn, command: str) -> Result:
        """``/troubleshoot`` chooses a tree; ``/back`` goes a step back; ``/cancel`` stops the walk."""
        walk = turn.state.walk.walk
        if command == "back" and walk is not None:
            return self.press(turn, f"{STEP}:{len(walk.path)}.back")
        if command == "cancel" and walk is not None:
            self.leave(turn)
            return self.kit.flows.general.command(turn, "cancel")
        return self.choose(turn)

    def press(self, turn: Turn, data: str) -> Result:
        """A walk's button."""
        kind, _, action = data.partition(":")
        if kind == MENU:
            return self.choose(turn)
        if kind == RATE:
            return self.rate(turn, action)
        if kind == START:
            if action not in self.trees:
                return self.kit.flows.general.unknown_button(turn)
            if turn.state.walk.walk is not None:
                self.leave(turn)
            tree = self.trees[action]
            turn.state.walk.walk = Walk(tree=tree.id, path=[tree.start])
            turn.state.enter(FlowName.WALK)
            return self.step(turn)
        walk = turn.state.walk.walk
        if not turn.reading.offered and walk is None:
            return self.kit.flows.general.unknown_button(turn)
        found = self.trees.get(walk.tree) if walk is not None else None
        if action == "leave" or walk is None or found is None or walk.path[-1] not in found.steps:
            return self.leave(turn, declined=walk is None)
        tree = found
        depth, _, action = action.rpartition(".")
        if depth and depth != str(len(walk.path)):
            return self.step(turn)  # a button from an earlier step: show where we are
        if action == "back" and len(walk.path) > 1:
            walk.path.pop()
            walk.answers.pop()
        elif action == "restart":
            walk.path, walk.answers = [tree.start], []
        elif action.isdigit() and int(action) < len(tree.steps[walk.path[-1]].options):
            option = tree.steps[walk.path[-1]].options[int(action)]
            walk.path.append(option.next)
            walk.answers.append(int(action))
        return self.step(turn)

    def text(self, turn: Turn) -> Result | None:
        """Typed text that says one of the current step's answers ("power adapter") walks on."""
        typed = typed_button(turn.reading.text, turn.state.offered, f"{STEP}:")
        return self.press(turn, typed) if typed is not None else None

    # -- offering and choosing --------------------------------------------------------------------------

    def offer(self, turn: Turn, tree_id: str, *, score: float | None) -> Result:
        """A fault question that a tree fits: offer to walk through it."""
        title = self.trees[tree_id].title(turn.lang)
        buttons = (
            turn.button("button_ts_start", f"{START}:{tree_id}", title=title),
            turn.button("button_no_thanks", f"{STEP}:leave"),
        )
        return Result(
            Outcome.TROUBLESHOOT_OFFERED, [turn.reply("ts_offer", *buttons, title=title)], f"tree:{tree_id}", score
        )

    def start_button(self, turn: Turn, tree_id: str) -> Button:
        """The button that starts a tree's walk (under an answer the tree may also help with)."""
        return turn.button("button_ts_start", f"{START}:{tree_id}", title=self.trees[tree_id].title(turn.lang))

    def candidate_button(self, turn: Turn, tree_id: str) -> Button:
        """A tree as one of several candidates to choose from."""
        tree = self.trees[tree_id]
        return Button(tree.title(turn.lang), f"{START}:{tree.id}")

    def choose(self, turn: Turn) -> Result:
        """The brand's trees, to choose one."""
        buttons = [
            Button(t.title(turn.lang), f"{START}:{t.id}") for t in self.trees.values() if t.for_brand(turn.pack.id)
        ]
        return turn.result(Outcome.TROUBLESHOOT_MENU, "ts_choose", *buttons)

    def leave(self, turn: Turn, *, declined: bool = False) -> Result:
        """Stop a walk (recording where it was left), or decline one that was only offered."""
        walk = turn.state.walk.walk
        turn.state.walk.walk = None
        turn.state.leave(FlowName.WALK)
        turn.state.clear_offer()
        if walk is not None:
            self.kit.store.walks.record(
                user=turn.user,
                brand=turn.pack.id,
                tree=walk.tree,
                leaf=walk.path[-1],
                outcome="left",
                tried=[],
                at=turn.now,
            )
        return Result(Outcome.TROUBLESHOOT_LEFT, [Reply(turn.say("ts_declined" if declined else "ts_left"))])

    # -- walking ------------------------------------------------------------------------------------------

    def step(self, turn: Turn) -> Result:
        """The current step, with its options (and back, start over, stop), or the walk's end."""
        walk = turn.state.walk.walk
        assert walk is not None
        tree = self.trees[walk.tree]
        step = tree.steps[walk.path[-1]]
        text = self.kit.content.render_step(turn.pack.id, tree, step.id, turn.lang, turn.context)
        if step.outcome is not None:
            return self._end(turn, tree, walk, step.id, text)
        depth = len(walk.path)  # buttons name the step they belong to: a stale or double tap can't walk on
        buttons = [Button(o.label(turn.lang), f"{STEP}:{depth}.{i}") for i, o in enumerate(step.options)]
        if depth > 1:
            buttons += [
                turn.button("button_back", f"{STEP}:{depth}.back"),
                turn.button("button_restart", f"{STEP}:{depth}.restart"),
            ]
        buttons.append(turn.button("button_leave", f"{STEP}:leave"))
        turn.offer(buttons)
        return Result(Outcome.TROUBLESHOOT_STEP, [Reply(text, tuple(buttons))], f"tree:{tree.id}")

    def _end(self, turn: Turn, tree: Tree, walk: Walk, leaf: str, text: str) -> Result:
        turn.state.walk.walk = None
        turn.state.leave(FlowName.WALK)
        tried = []
        for step_id, answer in zip(walk.path, walk.answers, strict=False):
            question = _first_sentence(
                self.kit.content.render_step(turn.pack.id, tree, step_id, turn.lang, turn.context)
            )
            tried.append(f"{question} — {tree.steps[step_id].options[answer].label(turn.lang)}")
        outcome = tree.steps[leaf].outcome or "consultant"
        walk_id = self.kit.store.walks.record(
            user=turn.user, brand=turn.pack.id, tree=tree.id, leaf=leaf, outcome=outcome, tried=tried, at=turn.now
        )
        replies = [Reply(text)]
        if outcome == "solved":
            turn.state.walk.rating_for = walk_id
            buttons = [Button(str(n), f"{RATE}:{n}") for n in range(1, 6)]
            replies.append(turn.reply("ts_rate", *buttons))
        elif outcome == "repair":
            turn.state.walk.repair = RepairOffer(fault=tree.title(turn.lang), tried=tried)
            buttons = [
                turn.button("rma_button_start", "rma:start"),
                turn.button("button_consultant", "consultant:walk"),
            ]
            procedure = self.kit.content.entries[turn.pack.id].get("rma-procedure")
            if procedure is not None:
                buttons.append(turn.button("button_more", "faq:rma-procedure", title=procedure.title(turn.lang)))
            replies.append(turn.reply("ts_repair", *buttons, tried=tried))
        else:
            replies.append(turn.reply("ts_handoff", turn.button("button_consultant", "consultant:walk"), tried=tried))
        return Result(Outcome.walk_ended(outcome), replies, f"tree:{tree.id}")

    def rate(self, turn: Turn, value: str) -> Result:
        """A 1–5 rating of a solved walk."""
        if not value.isdigit():
            return self.kit.flows.general.unknown_button(turn)
        rating = int(value)
        walk_id = turn.state.walk.rating_for
        turn.state.walk.rating_for = None
        if walk_id is not None:
            self.kit.store.walks.rate(int(walk_id), rating)
        turn.state.clear_offer()
        return Result(Outcome.RATED, [Reply(turn.say("ts_rated", rating=rating))])


def _first_sentence(text: str) -> str:
    """The question a step asks (its last sentence ending in "?"), or its first sentence, to sum it up."""
    sentences = [s.strip() for s in re.findall(r"[^.?!。？！]+[.?!。？！]?", text.strip()) if s.strip()]
    questions = [s for s in sentences if s.endswith(("?", "？"))]
    sentence = questions[-1] if questions else (sentences[0] if sentences else text.strip())
    return sentence if len(sentence) <= 160 else sentence[:157] + "…"
