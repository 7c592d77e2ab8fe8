"""Troubleshooting trees: data in ``faq/_common/troubleshooting/*.toml``, checked at start-up.

A tree is a set of steps. A step asks or instructs, with answer options that each lead to another step;
a leaf ends the walk with one of three outcomes: ``solved``, ``repair`` or ``consultant``. A broken tree
(a step pointing nowhere, a loop, a leaf with no outcome, a step nobody reaches) stops start-up with one
line naming the file and the step.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.core.errors import FaqError
from bot.knowledge.langtext import lang_table

OUTCOMES = ("solved", "repair", "consultant")


@dataclass(frozen=True)
class Option:
    """An answer button and the step it leads to."""

    labels: Mapping[str, str]
    next: str

    def label(self, lang: str) -> str:
        """The label in a language, English when there is none."""
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True)
class Step:
    """A question or instruction (with options), or a leaf (with an outcome)."""

    id: str
    texts: Mapping[str, str]
    options: tuple[Option, ...] = ()
    outcome: str | None = None


@dataclass(frozen=True)
class Tree:
    """One troubleshooting tree."""

    id: str
    titles: Mapping[str, str]
    phrasings: tuple[str, ...]
    start: str
    steps: Mapping[str, Step]
    file: Path
    brands: tuple[str, ...] = ()  # the brands whose products it is for; empty: every brand

    def for_brand(self, brand: str) -> bool:
        """Whether the tree fits a brand's products."""
        return not self.brands or brand in self.brands

    def title(self, lang: str) -> str:
        """The title in a language, English when there is none."""
        return self.titles.get(lang) or self.titles["en"]

    def paths(self) -> list[list[str]]:
        """Every path from the start to a leaf (step ids)."""
        out: list[list[str]] = []

        def walk(path: list[str]) -> None:
            step = self.steps[path[-1]]
            if step.outcome is not None:
                out.append(path)
                return
            for option in step.options:
                walk([*path, option.next])

        walk([self.start])
        return out


def load_tree(file: Path) -> Tree:
    """Load and check one tree file."""
    try:
        with file.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise FaqError(file, "(syntax)", str(exc)) from None
    tree_id = data.get("id")
    if not isinstance(tree_id, str) or not tree_id.strip():
        raise FaqError(file, "id", "missing")
    phrasings = data.get("phrasings")
    if not isinstance(phrasings, list) or not phrasings or not all(isinstance(p, str) and p.strip() for p in phrasings):
        raise FaqError(file, "phrasings", "needs at least one phrasing")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, dict) or not raw_steps:
        raise FaqError(file, "steps", "no steps")
    steps: dict[str, Step] = {}
    for step_id, raw in raw_steps.items():
        where = f"steps.{step_id}"
        if not isinstance(raw, dict):
            raise FaqError(file, where, "expected a table")
        texts = lang_table(file, f"{where}.text", raw.get("text"))
        outcome = raw.get("outcome")
        raw_options = raw.get("options", [])
        if outcome is not None and outcome not in OUTCOMES:
            raise FaqError(file, f"{where}.outcome", f"unknown outcome {outcome!r} (allowed: {', '.join(OUTCOMES)})")
        if outcome is not None and raw_options:
            raise FaqError(file, where, "a leaf with an outcome cannot also have options")
        if outcome is None and not raw_options:
            raise FaqError(file, where, "a leaf with no outcome (give it options or an outcome)")
        options = []
        for i, raw_option in enumerate(raw_options):
            key = f"{where}.options[{i}]"
            if not isinstance(raw_option, dict):
                raise FaqError(file, key, "expected a table")
            target = raw_option.get("next")
            if not isinstance(target, str):
                raise FaqError(file, f"{key}.next", "missing")
            options.append(Option(lang_table(file, f"{key}.label", raw_option.get("label")), target))
        steps[step_id] = Step(step_id, texts, tuple(options), outcome)
    start = data.get("start")
    if start not in steps:
        raise FaqError(file, "start", f"points to unknown step {start!r}")
    for step in steps.values():
        for i, option in enumerate(step.options):
            if option.next not in steps:
                raise FaqError(file, f"steps.{step.id}.options[{i}].next", f"points to unknown step {option.next!r}")
    _check_loops_and_reach(file, steps, str(start))
    brands = data.get("brands", [])
    if not isinstance(brands, list) or not all(isinstance(b, str) for b in brands):
        raise FaqError(file, "brands", "expected a list of brand ids")
    return Tree(
        tree_id,
        lang_table(file, "title", data.get("title")),
        tuple(p.strip() for p in phrasings),
        str(start),
        steps,
        file,
        tuple(brands),
    )


def _check_loops_and_reach(file: Path, steps: Mapping[str, Step], start: str) -> None:
    reached: set[str] = set()
    state: dict[str, str] = {}  # grey while on the current path, black when done

    def visit(step_id: str, path: list[str]) -> None:
        if state.get(step_id) == "grey":
            loop = " -> ".join([*path[path.index(step_id) :], step_id])
            raise FaqError(file, f"steps.{step_id}", f"loop: {loop}")
        if state.get(step_id) == "black":
            return
        state[step_id] = "grey"
        reached.add(step_id)
        for option in steps[step_id].options:
            visit(option.next, [*path, step_id])
        state[step_id] = "black"

    visit(start, [])
    unreached = [s for s in steps if s not in reached]
    if unreached:
        raise FaqError(file, f"steps.{unreached[0]}", "never reached from the start step")


def load_trees(folder: Path) -> dict[str, Tree]:
    """Every tree in a folder, by id."""
    trees: dict[str, Tree] = {}
    for file in sorted(folder.glob("*.toml")):
        tree = load_tree(file)
        if tree.id in trees:
            raise FaqError(file, "id", f"duplicate tree id {tree.id!r} (also in {trees[tree.id].file.name})")
        trees[tree.id] = tree
    return trees
