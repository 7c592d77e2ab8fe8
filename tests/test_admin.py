"""Admins keep the FAQ current from a chat: /faq list|show|edit|add|phrase|delete|undo|history, /unanswered.

Everybody else is refused every admin command. Changes are checked by rendering before customers see them,
kept with their history in SQLite, and reach every customer (and every process on the database) at once.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import jinja2
import pytest

from bot.engine import Engine, Message, Reply
from bot.knowledge.faq import entry_table
from bot.knowledge.templating import problem
from bot.store import Store

from .conftest import MONDAY_10, ROOT, fresh_engine
from .template_payloads import PAYLOADS


@dataclass
class Person:
    """Someone in a private chat with the bot: an admin, or a customer."""

    engine: Engine
    user: str
    admin: bool = False
    brand: str | None = None
    log: list[list[Reply]] = field(default_factory=list)

    def say(self, text: str) -> str:
        self.log.append(
            self.engine.handle(
                Message(
                    user=self.user, text=text, admin=self.admin, brand=self.brand, name="Ada" if self.admin else None
                )
            )
        )
        return self.text

    def press(self, label_or_data: str) -> str:
        self.log.append(
            self.engine.handle(Message(user=self.user, press=label_or_data, admin=self.admin, brand=self.brand))
        )
        return self.text

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.log[-1])

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return [(b.label, b.data) for r in self.log[-1] for b in r.buttons]


@pytest.fixture
def engine(shared_engine: Engine) -> Engine:
    return fresh_engine(shared_engine)


@pytest.fixture
def admin(engine: Engine) -> Person:
    return Person(engine, "tg:1", admin=True)


@pytest.fixture
def customer(engine: Engine) -> Person:
    return Person(engine, "tg:2")


WARRANTY_Q = "how long is the warranty"


def edit(admin: Person, entry_id: str, answer: str, lang: str = "") -> str:
    admin.say(f"/faq edit {entry_id} {lang}".strip())
    admin.say(answer)
    return admin.text


# -- who may ---------------------------------------------------------------------------------------

ADMIN_COMMANDS = [
    "/faq",
    "/faq help",
    "/faq list",
    "/faq list warranty",
    "/faq show warranty-length",
    "/faq edit warranty-length",
    "/faq add",
    "/faq add do you ship to mars",
    "/faq phrase warranty-length how many years cover",
    "/faq delete warranty-length",
    "/faq undo warranty-length",
    "/faq history warranty-length",
    "/unanswered",
    "/unanswered 2",
    "/stats",
    "/FAQ@SupportBot list",
]


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
def test_everybody_else_is_refused_every_admin_command(engine: Engine, customer: Person, command: str) -> None:
    before = customer.say(WARRANTY_Q)
    reply = customer.say(command)
    assert "only for the Kimpok support team" in reply
    assert engine.store.faq.version() == 0
    assert customer.say(WARRANTY_Q) == before


@pytest.mark.parametrize(
    "data",
    [
        "adm:save",
        "adm:del:warranty-length",
        "adm:undo:warranty-length",
        "adm:ph:0:0",
        "adm:new:0",
        "adm:dis:0",
        "adm:edit:warranty-length",
    ],
)
def test_everybody_else_is_refused_admin_buttons(engine: Engine, customer: Person, data: str) -> None:
    assert "only for the Kimpok support team" in customer.press(data)
    assert engine.store.faq.version() == 0


def test_a_customer_who_types_an_answer_is_not_taken_for_an_admin(
    engine: Engine, admin: Person, customer: Person
) -> None:
    admin.say("/faq edit warranty-length")
    customer.say("Everything is free forever.")
    assert engine.store.faq.version() == 0
    assert "free forever" not in customer.say(WARRANTY_Q)


def test_refusal_is_in_the_customers_language(customer: Person) -> None:
    customer.say("保修期多久")
    assert "仅供" in customer.say("/faq list")


# -- reading ----------------------------------------------------------------------------------------


def test_faq_help_lists_every_command(admin: Person) -> None:
    text = admin.say("/faq")
    for sub in ("list", "show", "edit", "add", "phrase", "delete", "undo", "history"):
        assert f"/faq {sub}" in text
    assert "/unanswered" in text and "/stats" in text
    assert "I don't know /faq frobnicate" in admin.say("/faq frobnicate")


def test_faq_list_shows_the_brands_entries_and_searches(admin: Person) -> None:
    text = admin.say("/faq list")
    assert "Kimpok: " in text and "warranty-length: How long is the warranty?" in text
    found = admin.say("/faq list who pays the postage")
    assert "shipping-cost" in found and "greeting" not in found
    assert "Nothing found" in admin.say("/faq list zzqxj")


def test_faq_list_is_per_brand(engine: Engine) -> None:
    other = Person(engine, "tg:9", admin=True, brand="longgang")
    text = other.say("/faq list")
    assert "Longgang" in text and "kimpok" not in text.lower()


def test_faq_show_gives_the_template_and_what_customers_read(admin: Person) -> None:
    text = admin.say("/faq show warranty-length")
    assert "{{ m.period(warranty.default_months) }}" in text  # the template, to copy and change
    assert "1 year from the date of purchase" in text  # rendered with Kimpok's values
    assert "As in the faq/ files." in text
    assert [label for label, _ in admin.buttons] == ["✎ Edit the answer"]


def test_an_unknown_id_is_answered_with_the_nearest_ones(admin: Person) -> None:
    text = admin.say("/faq show warranty-period")
    assert 'no FAQ entry "warranty-period"' in text and "warranty-length" in text


# -- editing ----------------------------------------------------------------------------------------


def test_edit_preview_save_then_every_customer_gets_it_and_undo_restores(
    admin: Person, customer: Person, engine: Engine
) -> None:
    old = customer.say(WARRANTY_Q)
    prompt = admin.say("/faq edit warranty-length")
    assert "Send the new en answer" in prompt and "{{ m.period(warranty.default_months) }}" in prompt
    preview = admin.say("Every {{ brand.name }} product: {{ m.period(warranty.default_months) }}, parts and labour.")
    assert "Every Kimpok product: 1 year, parts and labour." in preview  # rendered with the brand's values
    assert "zh and vi answers stay as they are" in preview  # the other languages are not touched
    assert "parts and labour" not in customer.say(WARRANTY_Q)  # nothing changes before Save
    assert "Saved: warranty-length" in admin.press("✅ Save")
    assert "Every Kimpok product: 1 year, parts and labour." in customer.say(WARRANTY_Q)
    assert "Every Kimpok product" in Person(engine, "tg:3").say("warranty how long?")
    assert "Undone: the edit by Ada (tg:1)" in admin.say("/faq undo warranty-length")
    assert customer.say(WARRANTY_Q) == old


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("Our warranty is {{ warranty.yearz }} years.", "unknown policy value"),
        ("Our warranty is {{ warranty.default_months }.", "template syntax error"),
        ("{% if %}yes{% endif %}", "template syntax error"),
        ("{{ ''.__class__.__mro__ }}", "unsafe"),
        ("{{ 1 / 0 }}", "template error"),
        ("{% if false %}never{% endif %}", "empty answer"),
    ],
)
def test_a_broken_template_is_refused_and_customers_keep_the_old_answer(
    admin: Person, customer: Person, engine: Engine, answer: str, reason: str
) -> None:
    old = customer.say(WARRANTY_Q)
    text = edit(admin, "warranty-length", answer)
    assert text.startswith("Not saved.") and reason in text and "Customers keep the current answer" in text
    assert not admin.buttons
    assert "Saved" not in admin.press("✅ Save")
    assert engine.store.faq.version() == 0
    assert customer.say(WARRANTY_Q) == old


def test_after_a_refusal_the_admin_can_send_a_corrected_answer(admin: Person, customer: Person) -> None:
    assert "Not saved" in edit(admin, "warranty-length", "{{ warranty.nope }}")
    assert "Preview" in admin.say("It is {{ m.period(warranty.default_months) }}.")
    admin.press("adm:save")
    assert customer.say(WARRANTY_Q).startswith("It is 1 year.")


def test_an_unknown_value_is_answered_with_the_nearest_name(admin: Person) -> None:
    assert "Did you mean {{ warranty.default_months }}" in edit(
        admin, "warranty-length", "{{ warranty.default_month }} months"
    )


def test_cancel_changes_nothing(admin: Person, customer: Person, engine: Engine) -> None:
    edit(admin, "warranty-length", "Forever.")
    assert "Cancelled: nothing was changed" in admin.press("✖ Cancel")
    assert "Nothing to cancel" in admin.press("adm:cancel")
    assert engine.store.faq.version() == 0
    assert "Forever" not in customer.say(WARRANTY_Q)


def test_another_command_drops_a_half_done_edit(admin: Person, engine: Engine) -> None:
    admin.say("/faq edit warranty-length")
    admin.say("/menu")
    admin.say(WARRANTY_Q)  # a question again, not an answer
    assert engine.store.faq.version() == 0
    assert "1 year from the date of purchase" in admin.text


def test_a_change_made_meanwhile_is_not_overwritten(engine: Engine, admin: Person) -> None:
    other = Person(engine, "tg:5", admin=True)
    edit(admin, "warranty-length", "Mine.")
    edit(other, "warranty-length", "Theirs.")
    other.press("✅ Save")
    assert "changed by someone else" in admin.press("✅ Save")
    assert "Theirs." in Person(engine, "tg:6").say(WARRANTY_Q)


def test_editing_another_language_leaves_english_alone(admin: Person, engine: Engine) -> None:
    edit(admin, "warranty-length", "{{ brand.name }} 产品保修一年。", "zh")
    admin.press("✅ Save")
    assert "Kimpok 产品保修一年。" in Person(engine, "tg:7").say("保修期多久")
    assert "1 year from the date of purchase" in Person(engine, "tg:8").say(WARRANTY_Q)
    assert 'can\'t edit the answer in "fr"' in admin.say("/faq edit warranty-length fr")


def test_an_edit_is_for_the_admins_brand_only(engine: Engine) -> None:
    admin = Person(engine, "tg:1", admin=True)
    edit(admin, "greeting", "Hi from {{ brand.name }}!")
    admin.press("✅ Save")
    assert Person(engine, "tg:2").say("hello") == "Hi from Kimpok!"
    assert "Hi from" not in Person(engine, "tg:3", brand="longgang").say("hello")


def test_a_long_answer_is_refused_with_the_limit(admin: Person) -> None:
    assert "3500 at most" in edit(admin, "warranty-length", "x" * 3600)


# -- adding, phrasings, deleting, history ----------------------------------------------------------------


def test_add_a_new_entry_then_undo_takes_it_away(admin: Person, customer: Person) -> None:
    assert "don't have information" in customer.say("is the moon made of cheese")
    assert "Send the customer's question" in admin.say("/faq add")
    assert "does not understand it" in admin.say("is the moon made of cheese")
    assert "a new entry is-the-moon-made-of-cheese" in admin.say("No, and {{ brand.name }} cameras can prove it.")
    assert "Saved: is-the-moon-made-of-cheese (new)" in admin.press("✅ Save")
    assert "No, and Kimpok cameras can prove it." in customer.say("is the moon made of cheese")
    assert "is-the-moon-made-of-cheese ＋" in admin.say("/faq list")
    admin.say("/faq undo is-the-moon-made-of-cheese")
    assert "gone again" in admin.text
    assert "don't have information" in customer.say("is the moon made of cheese")


def test_add_warns_when_an_entry_already_answers_the_question(admin: Person) -> None:
    text = admin.say("/faq add who pays shipping for an rma")
    assert "answers it with" in text and "shipping-cost" in text


def test_a_new_phrasing_teaches_the_bot_a_way_of_asking(admin: Person, customer: Person) -> None:
    question = "can my missus ring somebody about her telly box"
    assert "don't have information" in customer.say(question)
    text = admin.say(f"/faq phrase contact {question}")
    assert f'Added to contact: "{question}"' in text and 'now get "How do I contact' in text
    assert "86-755-26786281" in customer.say(question)
    assert "already has that phrasing" in admin.say(f"/faq phrase contact {question.upper()}")
    assert "Usage: /faq phrase" in admin.say("/faq phrase contact")


def test_delete_asks_first_then_undo_brings_it_back(admin: Person, customer: Person) -> None:
    old = customer.say("who pays shipping for an rma")
    assert "Delete shipping-cost" in admin.say("/faq delete shipping-cost")
    assert old == customer.say("who pays shipping for an rma")
    assert "Deleted shipping-cost" in admin.press("🗑 Delete")
    assert "who pays shipping" not in customer.say("who pays shipping for an rma")
    assert customer.say("who pays shipping for an rma") != old
    admin.say("/faq undo shipping-cost")
    assert customer.say("who pays shipping for an rma") == old


def test_entries_that_drive_the_bot_cannot_be_deleted(admin: Person) -> None:
    assert "can't be deleted" in admin.say("/faq delete greeting")
    assert "can't be deleted" in admin.say("/faq delete human")


def test_undo_steps_back_through_the_history(admin: Person, customer: Person, engine: Engine) -> None:
    original = customer.say(WARRANTY_Q)
    for answer in ("First.", "Second."):
        edit(admin, "warranty-length", answer)
        admin.press("✅ Save")
    admin.say("/faq undo warranty-length")
    assert customer.say(WARRANTY_Q).startswith("First.")
    admin.say("/faq undo warranty-length")
    assert customer.say(WARRANTY_Q) == original
    assert "nothing to undo" in admin.say("/faq undo warranty-length")


def test_history_records_who_when_before_and_after(admin: Person, engine: Engine) -> None:
    edit(admin, "warranty-length", "New.")
    admin.press("✅ Save")
    rows = engine.store.faq.history("kimpok", "warranty-length")
    assert len(rows) == 1
    row = rows[0]
    assert (
        row["action"] == "edit" and row["by"] == "Ada (tg:1)" and row["at"] == "2026-11-23T02:00:00+00:00"
    )  # stored in UTC
    assert row["before"]["answer"]["en"].startswith("{{ m.period(")
    assert row["after"]["answer"]["en"] == "New."
    assert row["after"]["answer"]["zh"] == row["before"]["answer"]["zh"]
    text = admin.say("/faq history warranty-length")
    assert "2026-11-23 10:00 (China time) edit by Ada (tg:1)" in text
    assert "Last change: edit by Ada (tg:1)" in admin.say("/faq show warranty-length")


# -- lasting ----------------------------------------------------------------------------------------


def test_changes_survive_a_restart_and_reach_other_processes(shared_engine: Engine, tmp_path: Path) -> None:
    db = str(tmp_path / "bot.db")
    first = fresh_engine(shared_engine, store=Store(db))
    other_process = fresh_engine(shared_engine, store=Store(db))
    Person(other_process, "tg:2").say(WARRANTY_Q)
    admin = Person(first, "tg:1", admin=True)
    admin.say("/faq edit warranty-length")
    restarted = fresh_engine(shared_engine, store=Store(db))  # the bot restarts mid-edit
    admin = Person(restarted, "tg:1", admin=True)
    assert "Preview" in admin.say("Two years, everywhere.")
    admin.press("✅ Save")
    assert Person(other_process, "tg:2").say(WARRANTY_Q).startswith("Two years, everywhere.")
    assert Person(fresh_engine(shared_engine, store=Store(db)), "tg:4").say(WARRANTY_Q).startswith("Two years")


def test_engines_on_separate_databases_do_not_share_edits(shared_engine: Engine) -> None:
    one, two = fresh_engine(shared_engine), fresh_engine(shared_engine)
    edit(Person(one, "tg:1", admin=True), "warranty-length", "Only here.")
    Person(one, "tg:1", admin=True).press("✅ Save")
    assert Person(one, "tg:2").say(WARRANTY_Q).startswith("Only here.")
    assert not Person(two, "tg:2").say(WARRANTY_Q).startswith("Only here.")


def test_an_edit_that_stops_rendering_falls_back_to_the_files(
    shared_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(":memory:")
    table = {
        "id": "warranty-length",
        "title": {"en": "How long?"},
        "phrasings": ["how long is the warranty"],
        "answer": {"en": "{{ warranty.gone_value }}"},
    }
    base = entry_table(shared_engine.content.file_entries["kimpok"]["warranty-length"])
    store.faq.change(
        brand="kimpok",
        entry_id="warranty-length",
        action="edit",
        by="x",
        at=MONDAY_10,
        before=base,
        after=table,
        override=True,
        base=base,
    )
    engine = fresh_engine(shared_engine, store=store)
    assert "1 year from the date of purchase" in Person(engine, "tg:2").say(WARRANTY_Q)
    assert "no longer renders" in caplog.text
    assert "⚠" in Person(engine, "tg:1", admin=True).say("/faq show warranty-length")


# -- feedback and the unanswered inbox --------------------------------------------------------------


def test_answers_ask_whether_they_helped_and_votes_are_kept(customer: Person, engine: Engine) -> None:
    assert customer.say(WARRANTY_Q).endswith("Did this help?")
    assert [label for label, _ in customer.buttons][-2:] == ["👍 Yes", "👎 No"]
    assert "Thanks for telling us" in customer.press("👍 Yes")
    rows = list(engine.store.db.rows("select entry_id, question, helpful from feedback"))
    assert rows == [{"entry_id": "warranty-length", "question": WARRANTY_Q, "helpful": 1}]
    assert "Did this help?" not in customer.say("hello")  # small talk is not an answer to rate


def test_unhelpful_answers_reach_the_inbox_once(customer: Person, admin: Person, engine: Engine) -> None:
    customer.say(WARRANTY_Q)
    text = customer.press("👎 No")
    assert "passed your question on" in text and customer.buttons[-1][1] == "consultant"
    customer.press("fb:warranty-length:0")
    assert len(engine.store.inbox.open("kimpok")) == 1
    inbox = admin.say("/unanswered")
    assert f'1× "{WARRANTY_Q}"' in inbox and "Marked unhelpful: warranty-length" in inbox
    assert "✎ Edit: How long is the warranty?" in [label for label, _ in admin.buttons]


def test_questions_the_bot_did_not_understand_are_grouped_most_frequent_first(engine: Engine, admin: Person) -> None:
    asked = [
        "is the moon made of cheese",
        "is the moon made of cheese?",
        "Is the moon made of cheese",
        "moon made of cheese",
        "can the camera film ghosts",
        "can the camera film ghosts?",
        "is the sky blue",
    ]
    for n, question in enumerate(asked):
        Person(engine, f"tg:{100 + n}").say(question)
    admin.say("/unanswered")
    texts = [r.text for r in admin.log[-1]]
    assert texts[0].startswith("7 questions") and "3 groups" in texts[0]
    assert texts[1].startswith('4× "is the moon made of cheese"\n  also: "moon made of cheese"')
    assert texts[2].startswith('2× "can the camera film ghosts')
    assert texts[3].startswith('1× "is the sky blue"')


def test_one_tap_adds_a_question_as_a_phrasing(engine: Engine, admin: Person) -> None:
    question = "who should i holler at about my gizmo"
    customer = Person(engine, "tg:50")
    customer.say(question)
    customer.say(question)
    admin.say("/unanswered")
    tap = next(label for label, data in admin.buttons if data == "adm:ph:0:0")
    assert tap.startswith("➕ Same as: ")
    admin.press(tap)
    assert "Added to" in admin.text
    assert "don't have information" not in Person(engine, "tg:51").say(question)
    assert admin.say("/unanswered").startswith("The inbox is empty")
    assert "older list" in admin.press("adm:ph:0:0")


def test_new_entry_from_the_inbox_starts_faq_add_with_the_question(engine: Engine, admin: Person) -> None:
    Person(engine, "tg:60").say("is the moon made of cheese")
    admin.say("/unanswered")
    assert "Question: is the moon made of cheese" in admin.press("✚ New entry")
    admin.say("It is not.")
    admin.press("✅ Save")
    assert "It is not." in Person(engine, "tg:61").say("is the moon made of cheese?")
    assert admin.say("/unanswered").startswith("The inbox is empty")


def test_dismiss_empties_the_group_and_pages_go_on(engine: Engine, admin: Person) -> None:
    for n, question in enumerate(
        [
            "is the moon made of cheese",
            "can the camera film ghosts",
            "is the sky blue",
            "what is the meaning of life",
            "my parrot sings opera",
            "how tall is the eiffel tower",
            "can my dog drive a car",
        ]
    ):
        Person(engine, f"tg:{70 + n}").say(question)
    assert len(engine.store.inbox.open("kimpok")) == 7
    text = admin.say("/unanswered")
    assert "7 questions" in text and "page 1 of 2" in text
    assert len(admin.log[-1]) == 6  # the header and five groups
    assert "Dismissed 1 question" in admin.press("adm:dis:0")
    assert "page 2 of 2" in admin.say("/unanswered 2") and len(admin.log[-1]) == 2
    assert "6 questions" in admin.say("/unanswered")


def test_none_of_these_sends_the_question_to_the_inbox(engine: Engine, customer: Person) -> None:
    customer.say("do you ship to antarctica")
    assert any(data == "none" for _, data in customer.buttons)
    customer.press("none")
    rows = engine.store.inbox.open("kimpok")
    assert [(r["text"], r["reason"]) for r in rows] == [("do you ship to antarctica", "none_fit")]


# -- the wording ----------------------------------------------------------------------------------------


def test_a_broken_admin_message_fails_the_check(content_copy: Path) -> None:
    from bot.core.errors import FaqError
    from bot.selfcheck import check_root

    path = content_copy / "faq" / "_common" / "admin.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("{{ id }} was changed", "{{ idd }} was", 1), encoding="utf-8"
    )
    with pytest.raises(FaqError, match="admin_conflict"):
        check_root(content_copy)


def test_every_admin_message_is_used(content_copy: Path) -> None:
    from bot.core.errors import FaqError
    from bot.selfcheck import check_root

    path = content_copy / "faq" / "_common" / "admin.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[admin_spare]\nen = "x"\n', encoding="utf-8")
    with pytest.raises(FaqError, match="admin_spare"):
        check_root(content_copy)


def test_admin_wording_lives_in_the_content(shared_engine: Engine) -> None:
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "bot" / "flows" / "admin").glob("*.py"))
    assert "Not saved" not in source and "Preview" not in source


# -- statistics ------------------------------------------------------------------------------------------


def test_stats_count_what_customers_did_and_come_with_a_chart(engine: Engine, admin: Person, customer: Person) -> None:
    customer.say(WARRANTY_Q)
    customer.press("👍 Yes")
    customer.say("is the moon made of cheese")
    admin.say("/stats")
    (reply,) = admin.log[-1]
    assert "Kimpok · last 7 days" in reply.text and "Kimpok · last 30 days" in reply.text
    assert "❓ Questions: 2\n• answered 1 (50%)" in reply.text and "not understood 1 (50%)" in reply.text
    assert "👍 Helpful: 100% (1 of 1)" in reply.text
    (chart,) = reply.media
    assert chart.kind == "chart" and Path(chart.ref).read_bytes().startswith(b"\x89PNG")


# -- the files change under an admin's edit (a deploy) ------------------------------------------------


def _engine_on(root: Path, db: str) -> Engine:
    from bot.engine import fixed_clock

    return Engine.from_root(root, store=Store(db), clock=fixed_clock(MONDAY_10))


def _edit_then_deploy(root: Path, db: str, old: str, new: str) -> Engine:
    """An admin edits warranty-length; then a deploy changes ``old`` to ``new`` in its file; the bot restarts."""
    admin = Person(_engine_on(root, db), "tg:1", admin=True)
    edit(admin, "warranty-length", "Admin's answer.")
    admin.press("✅ Save")
    path = root / "faq" / "kimpok" / "warranty.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return _engine_on(root, db)


def test_a_deploy_that_changes_an_edited_entry_wins_and_is_flagged(content_copy: Path, tmp_path: Path) -> None:
    restarted = _edit_then_deploy(
        content_copy, str(tmp_path / "bot.db"), "generally our warranties are", "REPO FIX: our warranties are"
    )
    assert "REPO FIX" in Person(restarted, "tg:2").say(WARRANTY_Q)
    admin = Person(restarted, "tg:1", admin=True)
    assert "set aside: the faq/ files changed it since" in admin.say("/faq show warranty-length")
    assert "• warranty-length ⚠: How long is the warranty?" in admin.say("/faq list")


def test_an_edited_entry_renamed_in_the_files_does_not_come_back(content_copy: Path, tmp_path: Path) -> None:
    restarted = _edit_then_deploy(
        content_copy, str(tmp_path / "bot.db"), 'id = "warranty-length"', 'id = "warranty-period"'
    )
    assert "warranty-length" not in restarted.content.entries["kimpok"]
    assert "Admin's answer" not in Person(restarted, "tg:2").say(WARRANTY_Q)


def test_undo_after_a_deploy_never_brings_back_the_old_files(content_copy: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "bot.db")
    restarted = _edit_then_deploy(content_copy, db, "generally our warranties are", "NEW FILES: our warranties are")
    admin = Person(restarted, "tg:1", admin=True)
    admin.say("/faq undo warranty-length")
    assert "NEW FILES" in admin.text
    assert "NEW FILES" in Person(_engine_on(content_copy, db), "tg:2").say(WARRANTY_Q)
    assert "NEW FILES" in Person(restarted, "tg:3").say(WARRANTY_Q)


# -- two admins at once ----------------------------------------------------------------------------------


def test_two_admins_at_once_never_lose_a_change_silently(shared_engine: Engine, tmp_path: Path) -> None:
    import threading

    engine = fresh_engine(shared_engine, store=Store(str(tmp_path / "bot.db")))
    admins = [Person(engine, f"tg:{n}", admin=True) for n in range(1, 9)]
    start = threading.Barrier(len(admins))
    said: dict[str, str] = {}

    def add(person: Person) -> None:
        start.wait()
        said[person.user] = person.say(f"/faq phrase warranty-length phrasing from {person.user}")

    threads = [threading.Thread(target=add, args=(p,)) for p in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    added = [user for user, text in said.items() if text.startswith("Added to warranty-length")]
    refused = [user for user, text in said.items() if "changed by someone else" in text]
    assert added and len(added) + len(refused) == len(admins)
    phrasings = engine.content.entries["kimpok"]["warranty-length"].phrasings
    assert sorted(p for p in phrasings if p.startswith("phrasing from")) == sorted(f"phrasing from {u}" for u in added)
    assert len(engine.store.faq.history("kimpok", "warranty-length")) == len(added)


def test_an_entry_deleted_while_a_customer_asks_is_never_a_crash(engine: Engine, admin: Person) -> None:
    matcher = engine.index.matchers["kimpok"]  # a turn that read the matcher before the delete…
    admin.say("/faq delete refund")
    admin.press("🗑 Delete")
    engine.index.matchers["kimpok"] = matcher  # …and meets the entries after it
    text = Person(engine, "tg:2").say("can i get a refund")
    assert "something went wrong" not in text


# -- templates stay in their box ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer", ["{{ 'x' * 100000000 }}", "{{ 9 ** 99999 }}", "{{ cycler.__init__.__globals__ }}", "{{ range.__self__ }}"]
)
def test_templates_cannot_escape_or_exhaust_the_bot(admin: Person, answer: str) -> None:
    assert edit(admin, "warranty-length", answer).startswith("Not saved.")


class MemoryWatch:
    """The process's resident memory, sampled every few milliseconds while the block runs (and its peak)."""

    def __enter__(self) -> MemoryWatch:
        self.start = self.peak = _rss_mb()
        self.max_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self.began = time.perf_counter()
        return self

    def _sample(self) -> None:
        while not self._done.wait(0.002):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.began
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())
        # a peak between two samples still shows in the kernel's high-water mark
        self.max_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - self.max_before

    @property
    def growth(self) -> float:
        return max(self.peak - self.start, self.max_growth)


def _rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.parametrize(("answer", "reason"), [p[1:] for p in PAYLOADS], ids=[p[0] for p in PAYLOADS])
def test_an_answer_that_would_stop_or_bloat_the_bot_is_refused_at_preview_at_once(
    admin: Person, customer: Person, engine: Engine, answer: str, reason: str
) -> None:
    old = customer.say(WARRANTY_Q)
    admin.say("/faq edit warranty-length")
    with MemoryWatch() as watch:
        text = admin.say(answer)
    assert text.startswith("Not saved.") and reason in text, text
    assert "Customers keep the current answer" in text and not admin.buttons
    assert watch.seconds < 2.0  # the limit is 0.5 s of work; the bound leaves room for a loaded machine
    assert watch.growth < 50  # MB: nothing huge was built, even for a moment
    assert engine.store.faq.version() == 0
    assert customer.say(WARRANTY_Q) == old  # and the bot answers at once


def test_the_refusal_names_the_limit_and_never_a_server_path(admin: Person) -> None:
    text = edit(admin, "warranty-length", "{% for i in range(5000) %}x{% endfor %}")
    assert "too much work: range() gives at most 1,000 numbers" in text
    text = edit(admin, "warranty-length", "{{ 'ab' | center(5000) }}")
    assert "output too long: a width of 5000 (1,000 at most)" in text
    text = edit(admin, "warranty-length", '{% from "macros.en.j2" import nothing %}{{ nothing() }}')
    assert "does not export the requested name 'nothing'" in text
    assert "wording:" not in text and str(ROOT) not in text and "/faq/" not in text


def test_a_template_problem_names_the_template_never_the_servers_folders() -> None:
    missing = jinja2.TemplateNotFound(str(ROOT / "faq" / "_common" / "templates" / "macros.xx.j2"))
    assert problem(missing) == "template error: macros.xx.j2"
    hashed = jinja2.UndefinedError(f"'x' is undefined in 'wording:{'0' * 64}'")
    assert problem(hashed) == "unknown policy value: 'x' is undefined in the answer"


def test_an_answer_within_the_limits_is_previewed_and_saved(admin: Person, customer: Person) -> None:
    answer = "{% for i in range(3) %}{{ loop.index }}{{ '.' | center(3) }}{% endfor %}{{ 'ok' ~ '!' * 3 }}"
    assert "1 . 2 . 3 . ok!!!" in edit(admin, "warranty-length", answer)
    assert "Saved" in admin.press("✅ Save")
    assert customer.say(WARRANTY_Q).startswith("1 . 2 . 3 . ok!!!")


def test_an_answer_over_the_limits_at_save_time_is_refused_and_nothing_changes(
    admin: Person, customer: Person, engine: Engine
) -> None:
    old = customer.say(WARRANTY_Q)
    heavy = "{% if now.day == 24 %}{{ range(100000) | list }}{% endif %}Fine today."
    assert "Fine today." in edit(admin, "warranty-length", heavy)  # the preview is on the 23rd
    replies = engine.handle(Message(user="tg:1", press="adm:save", admin=True, now=MONDAY_10 + timedelta(days=1)))
    text = "\n".join(r.text for r in replies)
    assert text.startswith("Not saved.") and "too much work" in text
    assert engine.store.faq.version() == 0
    assert customer.say(WARRANTY_Q) == old


def test_a_saved_answer_that_goes_over_a_limit_for_a_customer_gives_the_files_answer(
    admin: Person, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    files_answer = Person(engine, "tg:40").say(WARRANTY_Q)
    heavy = "{% if now.weekday() == 2 %}{{ range(100000) | list }}{% endif %}Every product: one year."
    edit(admin, "warranty-length", heavy)
    assert "Saved" in admin.press("✅ Save")  # Monday: it renders
    assert Person(engine, "tg:41").say(WARRANTY_Q).startswith("Every product: one year.")
    wednesday = MONDAY_10 + timedelta(days=2)
    replies = engine.handle(Message(user="tg:42", text=WARRANTY_Q, now=wednesday))
    assert "\n".join(r.text for r in replies) == files_answer  # not an apology, not a half answer
    assert "did not render" in caplog.text and "too much work" in caplog.text


def test_an_admins_previews_are_not_kept_in_the_compiled_cache(admin: Person, engine: Engine) -> None:
    edit(admin, "warranty-length", "warm {{ brand.name }}")
    admin.press("✖ Cancel")
    kept = len(engine.content._compiled)
    for n in range(60):
        assert "Preview" in edit(admin, "warranty-length", f"Attempt {n}: {{{{ brand.name }}}}.")
        admin.press("✖ Cancel")
    assert len(engine.content._compiled) == kept
    assert len(engine.content._trials) <= 32


def test_an_unhelpful_answer_is_not_offered_as_the_same_as_another_entry(engine: Engine, admin: Person) -> None:
    customer = Person(engine, "tg:80")
    customer.say(WARRANTY_Q)
    customer.press("👎 No")
    admin.say("/unanswered")
    assert not [data for _, data in admin.buttons if data.startswith("adm:ph:")]
    assert "✎ Edit: How long is the warranty?" in [label for label, _ in admin.buttons]


def test_an_old_undo_button_does_not_undo_a_newer_change(engine: Engine, admin: Person) -> None:
    edit(admin, "warranty-length", "First.")
    admin.press("✅ Save")
    admin.say("/faq show warranty-length")
    old_button = next(data for _, data in admin.buttons if data.startswith("adm:undo:"))
    other = Person(engine, "tg:5", admin=True)
    edit(other, "warranty-length", "Second.")
    other.press("✅ Save")
    assert "older list" in admin.press(old_button)
    assert Person(engine, "tg:6").say(WARRANTY_Q).startswith("Second.")


def test_adding_a_phrasing_says_which_entry_answered_it_before(admin: Person) -> None:
    text = admin.say("/faq phrase refund how long is the warranty")
    assert 'Until now that question got "How long is the warranty?" (warranty-length)' in text


def test_values_lists_what_answers_can_quote(admin: Person) -> None:
    text = admin.say("/faq values warranty")
    assert "warranty.default_months = 12" in text
    assert "No policy value" in admin.say("/faq values zzz")
    assert "Did you mean /faq edit?" in admin.say("/faq edti warranty-length")


def test_an_empty_answer_is_asked_for_again(admin: Person, engine: Engine) -> None:
    admin.say("/faq edit warranty-length")
    assert "That has no text" in admin.say("   ")
    assert "Preview" in admin.say("Now with text.")


def test_questions_answered_as_out_of_scope_reach_the_inbox(engine: Engine, admin: Person) -> None:
    Person(engine, "tg:81").say("can i pay with paypal")
    assert [r["reason"] for r in engine.store.inbox.open("kimpok")] == ["out_of_scope"]


# -- figures that contradict the pack (issue 16) -----------------------------------------------------------


def test_an_admin_edit_that_contradicts_the_pack_is_shown_and_saved_only_when_confirmed(
    admin: Person, customer: Person, engine: Engine
) -> None:
    preview = edit(admin, "warranty-length", "5 years on everything, parts and labour.")
    assert "5 years, which no value of the Kimpok pack gives" in preview
    assert "warranty.default_months = 12" in preview  # the value it should quote, beside it
    assert ("⚠ Save anyway", "adm:save") in admin.buttons
    assert engine.store.faq.version() == 0 and "5 years" not in customer.say(WARRANTY_Q)
    assert "Saved: warranty-length" in admin.press("⚠ Save anyway")  # the admin confirmed it
    assert "5 years on everything" in customer.say(WARRANTY_Q)


@pytest.mark.parametrize(
    "answer",
    [
        "Every product: {{ m.period(warranty.default_months) }}.",  # the pack's value, quoted
        "One year, that is 12 months, from the date of purchase.",  # the same figure, written out
        "Call 86-755-26786281, 9AM to 5PM.",  # numbers that are no period, percentage or sum
    ],
)
def test_an_answer_that_agrees_with_the_pack_needs_no_second_look(admin: Person, answer: str) -> None:
    preview = edit(admin, "warranty-length", answer)
    assert "Check the figures" not in preview and ("✅ Save", "adm:save") in admin.buttons


def test_a_sum_that_is_not_the_brands_fee_is_shown(engine: Engine) -> None:
    ktnc_admin = Person(engine, "tg:9", admin=True, brand="ktnc")
    preview = edit(ktnc_admin, "diagnosis-fee", "The diagnosis fee is $60 per product.")
    assert "$60, which no value of the KT&C pack gives" in preview and "fees.diagnosis = 50" in preview
