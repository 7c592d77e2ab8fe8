"""Guided troubleshooting: every tree is sound, every path ends usefully, and walks behave as customers expect."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest

from bot.core.errors import FaqError
from bot.engine import Engine, Message, fixed_clock
from bot.knowledge.trees import OUTCOMES, load_tree, load_trees
from bot.selfcheck import check_root
from bot.store import Store

from .conftest import MONDAY_10, ROOT, Chat

ChatFactory = Callable[..., Chat]
TREES = load_trees(ROOT / "faq" / "_common" / "troubleshooting")
REQUIRED = {
    "no-power",
    "no-picture",
    "night-vision",
    "blurry-dark",
    "remote-offline",
    "not-recording",
    "forgotten-password",
    "pan-tilt",
    "scope",
}


def test_the_required_trees_exist() -> None:
    assert set(TREES) >= REQUIRED


@pytest.mark.parametrize("tree_id", sorted(TREES))
def test_every_path_of_every_tree_ends_in_an_outcome(shared_engine: Engine, tree_id: str) -> None:
    """Walk every path by pressing the buttons, as a customer would, for every brand."""
    tree = TREES[tree_id]
    paths = tree.paths()
    assert paths
    for brand in shared_engine.packs:
        for number, path in enumerate(paths):
            user = f"walker-{brand}-{tree_id}-{number}"
            replies = shared_engine.handle(Message(user=user, brand=brand, press=None, text="/troubleshoot"))
            labels = [b.label for r in replies for b in r.buttons]
            assert (tree.title("en") in labels) == tree.for_brand(brand)
            if not tree.for_brand(brand):
                continue
            replies = shared_engine.handle(Message(user=user, press=tree.title("en")))
            for depth, (here, there) in enumerate(pairwise(path), start=1):
                label = next(o.label("en") for o in tree.steps[here].options if o.next == there)
                assert label in [b.label for r in replies for b in r.buttons]
                replies = shared_engine.handle(Message(user=user, press=label))
                assert depth
            outcome = tree.steps[path[-1]].outcome
            assert outcome in OUTCOMES
            assert len(replies) == 2, (tree_id, path)
            expected = {
                "solved": "rate this help",
                "repair": "file the repair request (RMA) with you",
                "consultant": "so a consultant can pick up",
            }[outcome]
            assert expected in replies[1].text or expected in replies[-1].text, (tree_id, path, replies)


def test_forgotten_password_only_ever_hands_over() -> None:
    tree = TREES["forgotten-password"]
    assert {tree.steps[p[-1]].outcome for p in tree.paths()} == {"consultant"}
    offered = [
        (step, sentence)
        for step in tree.steps.values()
        for sentence in re.split(r"(?<=[.!?])\s+", step.texts["en"])
        if _offers_a_way_around(sentence)
    ]
    assert not offered, offered


_AROUND = ("bypass", "default password", "backdoor", "master code", "reset code")


def _offers_a_way_around(sentence: str) -> bool:
    """A sentence that names a way around the password without saying there is none ("we never give…")."""
    low = sentence.lower()
    return any(
        word in low and not re.search(r"\b(no|never|not|cannot|can't|won't)\b", low[: low.index(word)])
        for word in _AROUND
    )


def test_the_way_around_check_tells_an_offer_from_a_refusal() -> None:
    # the check above must be able to fail: an offer is caught, a refusal is not
    assert _offers_a_way_around("Try the default password admin/12345.")
    assert _offers_a_way_around("Ask a consultant for the master code.")
    assert not _offers_a_way_around("There is no master code and we never give out a backdoor.")
    assert not _offers_a_way_around("A consultant can't bypass it for you.")


def test_solved_asks_for_a_rating_and_records_it(chat: ChatFactory) -> None:
    c = chat("kimpok", now=MONDAY_10)
    c.say("/troubleshoot")
    c.press("No power / won't turn on")
    c.press("Power adapter")
    c.press("No, or not sure")
    reply = c.press("Yes, it works")
    assert "rate this help" in reply and c.buttons == ["1", "2", "3", "4", "5"]
    assert "Thanks for rating it 4/5" in c.press("4")
    (walk,) = c.engine.store.walks.all()
    assert (walk["tree"], walk["outcome"], walk["rating"]) == ("no-power", "solved", 4)


def test_repair_starts_a_request_pre_filled_with_what_was_tried(chat: ChatFactory) -> None:
    c = chat("kimpok", now=MONDAY_10)
    c.say("my camera won't turn on at all")
    assert "No power" in c.text and c.buttons[0].startswith("Start:")
    c.press(c.buttons[0])
    c.press("Power adapter")
    c.press("Yes, both right")
    reply = c.press("No, still dead")
    assert "file the repair request (RMA) with you" in reply
    c.press("📦 Start a repair request (RMA)")
    assert "What we checked together is already on the request" in c.log[-1][0].text  # no "troubleshoot first?"
    for answer in ("IPC-B2M camera", "SN K7F2-99812", "bought 1 October 2026"):
        c.say(answer)
    c.press("Directly from Kimpok")
    assert "so far I have: “No power / won't turn on”" in c.text
    c.say("it has no power at all, no lights, with two different adapters")
    c.press("Skip photos")
    c.press("No")
    c.press("No, none of these")
    c.say("ann@example.com")
    c.say("5 Harbour Road, Kowloon, Hong Kong")
    c.press("✅ Confirm and file the request")
    (rma,) = c.engine.store.rmas.find(user="customer-1")
    tried = rma["data"]["tried"]
    assert any("Power adapter" in line for line in tried)
    assert any("known-good adapter" in line and "No, still dead" in line for line in tried)
    assert rma["number"] in " ".join(r.text for r in c.log[-1])


def test_consultant_handoff_carries_the_steps_tried(chat: ChatFactory) -> None:
    c = chat("kimpok", now=MONDAY_10)
    c.say("/troubleshoot")
    c.press("No power / won't turn on")
    c.press("PoE (network cable)")
    reply = c.press("I can't check this")
    assert "so a consultant can pick up" in reply and "PoE (network cable)" in reply
    assert "86-755-26786281" in reply
    assert c.buttons == ["Talk to a consultant"]


def test_back_start_over_and_stop(chat: ChatFactory) -> None:
    c = chat("kimpok", now=MONDAY_10)
    c.say("/troubleshoot")
    first = c.press("No power / won't turn on")
    c.press("Power adapter")
    assert "⬅ Back" in c.buttons
    assert c.press("⬅ Back") == first
    c.press("Power adapter")
    c.press("No, or not sure")
    assert c.press("↺ Start over") == first
    assert "stopped the checks" in c.press("✖ Stop")
    assert "no longer active" in c.press("Power adapter")


def test_a_walk_survives_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "bot.db")
    first = Engine.from_root(ROOT, store=Store(db), clock=fixed_clock(MONDAY_10))
    first.handle(Message(user="r", brand="kimpok", text="/troubleshoot"))
    first.handle(Message(user="r", press="tsstart:no-power"))
    first.store.close()
    second = Engine.from_root(ROOT, store=Store(db), clock=fixed_clock(MONDAY_10))
    reply = second.handle(Message(user="r", press="Power adapter"))
    assert "adapter's label" in reply[0].text


def test_walks_speak_the_customers_language(chat: ChatFactory) -> None:
    c = chat("poesec", now=MONDAY_10)
    c.say("camera không lên nguồn")
    assert "Bắt đầu" in c.buttons[0]


# -- broken tree files ---------------------------------------------------------------------------------

GOOD = """
id = "t"
title.en = "T"
phrasings = ["t"]
start = "a"
[steps.a]
text.en = "A?"
[[steps.a.options]]
label.en = "yes"
next = "b"
[steps.b]
text.en = "done"
outcome = "solved"
"""


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (('next = "b"', 'next = "nowhere"'), "steps.a.options[0].next", "points to unknown step 'nowhere'"),
        (('outcome = "solved"', '[[steps.b.options]]\nlabel.en = "again"\nnext = "a"'), "steps.a", "loop: a -> b -> a"),
        (('outcome = "solved"', ""), "steps.b", "a leaf with no outcome"),
        (('outcome = "solved"', 'outcome = "maybe"'), "steps.b.outcome", "unknown outcome 'maybe'"),
        (('start = "a"', 'start = "z"'), "start", "points to unknown step 'z'"),
        (
            ("[steps.b]", '[steps.lost]\ntext.en = "x"\noutcome = "repair"\n[steps.b]'),
            "steps.lost",
            "never reached from the start step",
        ),
        (('text.en = "A?"', 'text.fr = "A?"'), "steps.a.text.fr", "unknown language"),
    ],
)
def test_broken_tree_files_are_rejected_with_one_line(
    tmp_path: Path, change: tuple[str, str], key: str, problem: str
) -> None:
    path = tmp_path / "t.toml"
    path.write_text(GOOD.replace(*change, 1), encoding="utf-8")
    with pytest.raises(FaqError) as caught:
        load_tree(path)
    line = str(caught.value)
    assert "\n" not in line
    assert line == f"{path}: {key}: {problem}" or line.startswith(f"{path}: {key}: {problem}")


def test_a_broken_tree_stops_start_up(content_copy: Path) -> None:
    path = content_copy / "faq" / "_common" / "troubleshooting" / "no-power.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('next = "solved"', 'next = "gone"', 1), encoding="utf-8")
    with pytest.raises(FaqError) as caught:
        check_root(content_copy)
    assert str(caught.value).startswith(f"{path}: steps.")
    assert "points to unknown step 'gone'" in str(caught.value)


def test_a_double_tap_or_an_old_button_does_not_answer_the_next_step(chat: ChatFactory) -> None:
    c = chat("kimpok", now=MONDAY_10)
    c.say("/troubleshoot")
    c.press("No power / won't turn on")
    first = c.engine.handle(Message(user="customer-1", press="ts:1.0"))  # "Power adapter"
    again = c.engine.handle(Message(user="customer-1", press="ts:1.0"))  # the same tap, delivered twice
    assert again[0].text == first[0].text  # still at the voltage question, nothing answered twice
    assert not c.engine.store.walks.all()


def test_typing_an_answer_works_like_pressing_it(chat: ChatFactory) -> None:
    c = chat("kimpok", now=MONDAY_10)
    c.say("/troubleshoot")
    c.press("No power / won't turn on")
    assert "adapter's label" in c.say("power adapter")


def test_cancel_ends_a_walk_and_records_where_it_stopped(chat: ChatFactory) -> None:
    c = chat("kimpok", now=MONDAY_10)
    c.say("/troubleshoot")
    c.press("No power / won't turn on")
    c.say("/cancel")
    (walk,) = c.engine.store.walks.all()
    assert walk["outcome"] == "left"
    assert "no longer active" in c.press("Power adapter")


def test_repair_outcome_offers_a_consultant(chat: ChatFactory) -> None:
    c = chat("poesec", now=MONDAY_10)
    c.say("/troubleshoot")
    c.press("No power / won't turn on")
    c.press("Power adapter")
    c.press("Yes, both right")
    c.press("No, still dead")
    assert "Talk to a consultant" in c.buttons


def test_trees_fit_the_brand(chat: ChatFactory) -> None:
    cctv = chat("kimpok", user="a", now=MONDAY_10)
    cctv.say("/troubleshoot")
    assert not any("scope" in b.lower() for b in cctv.buttons)
    scopes = chat("jingpin", user="b", now=MONDAY_10)
    scopes.say("/troubleshoot")
    assert any("scope" in b.lower() for b in scopes.buttons)
    assert not any("recording" in b.lower() for b in scopes.buttons)
