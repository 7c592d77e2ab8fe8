"""Repair requests (RMA) as customers and consultants live them: transcripts per brand, from /rma to the
repair's last status, asserting what a customer would notice (texts, buttons, stored status)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.errors import InputError
from bot.engine import Engine, Media, Message, fixed_clock
from bot.store import Store

from .conftest import ROOT, Chat

ChatFactory = Callable[..., Chat]

# Wednesday 18 November 2026, 11:00 in Shenzhen.
NOW = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)
BRANDS = ("kimpok", "longgang", "jingpin", "poesec", "ktnc")
# Brands whose pack issues the number as soon as a request is eligible; jingpin's waits for a consultant's review.
ISSUED_AT_ONCE = ("kimpok", "longgang", "poesec", "ktnc")

SERIAL = "SN AB12-345678"
FAULT = "the picture freezes every few minutes and the infrared lights stay off at night"
CONTACT = "ann@example.com"
ADDRESS = "5 Harbour Road, Kowloon, Hong Kong"
# The answer to each exclusion question that excludes nothing.
CLEAN = {"opened": "no", "damage": "none", "seal": "yes"}


@dataclass(frozen=True)
class Case:
    """A product that fits the brand, and the warranty category it falls in (None: the brand's default)."""

    brand: str
    model: str
    category: str | None = None


CASES = {
    "kimpok": Case("kimpok", "IPC-B2M camera"),
    "longgang": Case("longgang", "LG-NVR8 recorder"),
    "jingpin": Case("jingpin", "JP-TH35 thermal monocular", "terminal"),  # read from the model
    "poesec": Case("poesec", "PS-IPC200 camera", "cameras_recorders"),  # read from the model
    "ktnc": Case("ktnc", "KPT-2000", "pan_tilt_camera"),  # asked with buttons
}


# -- helpers ----------------------------------------------------------------------------------------------


def spoken(day: date) -> str:
    """A date as a customer types it and as the bot writes it: "18 March 2026"."""
    return f"{day.day} {day:%B %Y}"


def months_before(months: int) -> date:
    total = NOW.year * 12 + NOW.month - 1 - months
    return date(total // 12, total % 12 + 1, NOW.day)


def warranty_months(engine: Engine, case: Case) -> int:
    """The warranty length from the brand's pack: the category's own period, else the default."""
    pack = engine.packs[case.brand]
    category = pack.category(case.category) if case.category else None
    months = category.months if category is not None else pack.warranty.default_months
    assert months, f"{case.brand} states no warranty length for {case.category}"
    return months


def in_warranty(engine: Engine, case: Case) -> date:
    return months_before(warranty_months(engine, case) - 4)


def out_of_warranty(engine: Engine, case: Case) -> date:
    """Eight months after the warranty ended."""
    return months_before(warranty_months(engine, case) + 8)


def offered(c: Chat) -> dict[str, str]:
    """The buttons of the last turn: data -> label."""
    return {b.data: b.label for r in c.log[-1] for b in r.buttons}


def tap(c: Chat, data: str) -> str:
    """Press the offered button with this data, by its label, as a customer would."""
    buttons = offered(c)
    assert data in buttons, f"{data!r} is not offered: {buttons}"
    return c.press(buttons[data])


def start(c: Chat) -> None:
    """/rma, past the offer to troubleshoot first where the brand makes it."""
    c.say("/rma")
    if "rma:go" in offered(c):
        assert "troubleshoot" in c.text.lower()
        tap(c, "rma:go")
    assert "Which product is it?" in c.text


def answer_questions(c: Chat, answers: Mapping[str, str]) -> list[str]:
    """Answer the yes/no exclusion questions as they come; returns which were asked."""
    asked = []
    while questions := [d for d in offered(c) if d.startswith("rma:q:")]:
        qid = questions[0].split(":")[2]
        asked.append(qid)
        tap(c, f"rma:q:{qid}:{answers.get(qid, CLEAN[qid])}")
    return asked


def fill(
    c: Chat,
    case: Case,
    bought: date,
    *,
    serial: str = SERIAL,
    answers: Mapping[str, str] | None = None,
    fault: str = FAULT,
) -> list[str]:
    """Answer every question up to the summary; returns the exclusion questions asked."""
    start(c)
    c.say(case.model)
    if "Which kind of product" in c.text:
        tap(c, f"rma:cat:{case.category or 'none'}")
    assert "What's the serial number?" in c.text
    assert "When did you" in c.say(serial)
    assert "Where did you buy it?" in c.say(spoken(bought))
    tap(c, "rma:from:agent")
    assert "What's wrong with it?" in c.text
    assert "Please send photos" in c.say(fault)
    tap(c, "rma:photos:skip")
    asked = answer_questions(c, answers or {})
    assert "How can we reach you" in c.text
    c.say(CONTACT)
    assert "return address" in c.text
    c.say(ADDRESS)
    assert "Please check your request" in c.text
    return asked


def file_request(
    c: Chat, case: Case, bought: date, *, serial: str = SERIAL, answers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A whole request, confirmed; returns the stored RMA."""
    fill(c, case, bought, serial=serial, answers=answers)
    tap(c, "rma:confirm")
    (row,) = c.engine.store.rmas.find(user=c.user)
    return row


def status_of(engine: Engine, number: str) -> str:
    row = engine.store.rmas.get(number)
    assert row is not None
    return str(row["status"])


def staff_cards(engine: Engine, number: str) -> list[str]:
    return [n.reply.text for n in engine.notices(target="staff") if n.reply.text.startswith(f"📦 {number}")]


def notices_to(engine: Engine, user: str) -> list[str]:
    return [n.reply.text for n in engine.notices(target=user)]


# -- 1. eligible: free, a number, the brand's own shipping instructions ------------------------------------


def shipping_phrases(engine: Engine, brand: str) -> list[str]:
    """What the brand's pack says about sending the product, as the instructions must quote it."""
    pack = engine.packs[brand]
    rma = pack.data.get("rma", {})
    if brand == "kimpok":
        return [
            f"with {rma['pack_with']}",
            f"on the {rma['number_on']}, never on the {rma['never_on']}",
            "in the ATTN line of the shipping label",
        ]
    if brand == "ktnc":
        days = pack.rma.validity_days
        assert days is not None
        valid_until = NOW.astimezone(pack.timezone).date() + timedelta(days=days)
        return [
            f"valid until {spoken(valid_until)} ({days} days)",
            "for this one shipment only",
            "Put the RMA form inside the box",
            "on the outer box, clearly visible",
        ]
    if brand == "longgang":
        return [f"Where to: {pack.data['contacts']['address']}"]
    if brand == "poesec":  # no address, phone or email in its document: the consultant gives the address
        return ["a consultant gives you the address to ship to", "ask for a consultant right here in this chat"]
    raise AssertionError(brand)


@pytest.mark.parametrize("brand", ISSUED_AT_ONCE)
def test_in_warranty_request_is_free_with_a_number_and_the_brands_instructions(
    engine: Engine, chat: ChatFactory, brand: str
) -> None:
    case = CASES[brand]
    c = chat(brand, now=NOW)
    bought = in_warranty(engine, case)
    row = file_request(c, case, bought)
    reply = c.text
    number = str(row["number"])
    assert re.fullmatch(rf"RMA-{engine.packs[brand].code}-[0-9A-Z]{{4}}-[0-9A-Z]{{4}}", number)
    assert "is in warranty" in reply and "free of charge" in reply
    assert f"Your RMA number is {number}." in reply
    assert "How to send it:" in reply
    for phrase in shipping_phrases(engine, brand):
        assert phrase in reply, phrase
    assert f"We'll send it back to: {ADDRESS}." in reply
    assert "📋 My RMA status" in c.buttons

    assert (row["status"], row["outcome"]) == ("awaiting_shipment", "free")
    data = row["data"]
    assert data["model"] == case.model and data["serial"] == "AB12-345678" and data["date"] == bought.isoformat()
    assert data["category"] == case.category
    assert (data["bought_from"], data["fault"], data["address"]) == ("agent", FAULT, ADDRESS)
    assert data["contact"] == {"kind": "email", "value": CONTACT}
    assert all(a["choice"] == CLEAN[q] for q, a in data["answers"].items())
    (card,) = staff_cards(engine, number)
    assert case.model in card and "AB12-345678" in card and CONTACT in card and "Eligibility: free" in card


def test_ktnc_instructions_say_the_number_is_valid_15_days_single_use_with_the_form_in_the_box(
    engine: Engine, chat: ChatFactory
) -> None:
    c = chat("ktnc", now=NOW)
    row = file_request(c, CASES["ktnc"], in_warranty(engine, CASES["ktnc"]))
    assert "valid until 3 December 2026 (15 days) and for this one shipment only" in c.text
    assert "after that, request a new RMA number" in c.text
    assert row["expires_on"] == "2026-12-03"


def test_jingpin_request_waits_for_a_consultant_then_the_paper_form_goes_in_the_box(
    engine: Engine, chat: ChatFactory
) -> None:
    """Jingpin's customers need the company's consent and a preliminary judgment before anything ships."""
    case = CASES["jingpin"]
    c = chat("jingpin", now=NOW)
    row = file_request(c, case, in_warranty(engine, case))
    number = str(row["number"])
    assert re.fullmatch(r"RMA-002-[0-9A-Z]{4}-[0-9A-Z]{4}", number)
    assert number in c.text
    assert "How to send it" not in c.text
    assert f"as soon as a consultant has looked at {number}" in c.text
    assert (row["status"], row["outcome"]) == ("requested", "free")
    (card,) = staff_cards(engine, number)
    assert "· requested" in card  # the staff card names the raw status

    engine.set_rma_status(number, "approved", by="staff", now=NOW + timedelta(hours=2))
    (update,) = notices_to(engine, c.user)
    rma = engine.packs["jingpin"].data["rma"]
    assert "How to send it:" in update
    assert f"Fill in the paper {rma['form']} with {rma['form_guided_by']} and put it inside the box" in update
    assert status_of(engine, number) == "awaiting_shipment"


def test_jingpin_reply_says_not_to_ship_before_the_review(engine: Engine, chat: ChatFactory) -> None:
    c = chat("jingpin", now=NOW)
    file_request(c, CASES["jingpin"], in_warranty(engine, CASES["jingpin"]))
    assert "don't ship" in c.text.lower()


@pytest.mark.parametrize(
    ("brand", "asked"),
    [
        ("kimpok", ["opened", "damage"]),
        ("longgang", ["opened", "damage"]),
        ("jingpin", ["opened", "damage", "seal"]),
        ("poesec", ["opened", "damage", "seal"]),
        ("ktnc", ["opened", "damage", "seal"]),
    ],
)
def test_only_the_exclusion_questions_that_matter_for_the_brand_are_asked(
    engine: Engine, chat: ChatFactory, brand: str, asked: list[str]
) -> None:
    c = chat(brand, now=NOW)
    assert fill(c, CASES[brand], in_warranty(engine, CASES[brand])) == asked
    summary = c.text
    assert ("Serial sticker and seal intact" in summary) == ("seal" in asked)


def test_the_category_question_offers_the_brands_categories_and_not_sure(engine: Engine, chat: ChatFactory) -> None:
    c = chat("ktnc", now=NOW)
    start(c)
    c.say("KPT-2000")
    assert "Which kind of product is it?" in c.text
    names = [category.name for category in engine.packs["ktnc"].categories]
    assert c.buttons[: len(names)] == names
    assert "Not sure" in c.buttons
    tap(c, "rma:cat:pan_tilt_camera")
    assert "What's the serial number?" in c.text


# -- 2. out of warranty: the brand's fees, or a consultant where the document offers no paid repair ------------

PAID = {
    "kimpok": ["out of warranty", "charged at basic cost"],
    "longgang": ["in the band for years 1–2 beyond the warranty: the cost of parts is charged, and labour is free"],
    "ktnc": [
        "Out-of-warranty repairs cost a $50 diagnosis fee per product",
        "(diagnosis fee, parts and shipping & handling), prepaid by credit card if you approve",
        "you pay to ship it to us and you pay for the way back too",
    ],
}


@pytest.mark.parametrize("brand", sorted(PAID))
def test_out_of_warranty_quotes_the_brands_fees_and_issues_a_number(
    engine: Engine, chat: ChatFactory, brand: str
) -> None:
    case = CASES[brand]
    bought = out_of_warranty(engine, case)
    end = months_before(8)
    c = chat(brand, now=NOW)
    row = file_request(c, case, bought)
    assert f"is out of warranty: its warranty ({warranty_months(engine, case) // 12} year" in c.text
    assert f"ended on {spoken(end)}" in c.text
    for phrase in PAID[brand]:
        assert phrase in c.text, phrase
    assert f"Your RMA number is {row['number']}." in c.text and "How to send it:" in c.text
    assert (row["status"], row["outcome"]) == ("awaiting_shipment", "paid")


def test_jingpin_out_of_warranty_is_a_paid_repair_agreed_first_and_waits_for_review(
    engine: Engine, chat: ChatFactory
) -> None:
    case = CASES["jingpin"]
    c = chat("jingpin", now=NOW)
    row = file_request(c, case, out_of_warranty(engine, case))
    assert "is out of warranty" in c.text
    assert "Jingpin provides a paid repair service, charging for replacement or repair of parts" in c.text
    assert "The charge is set and agreed with you before any paid repair starts." in c.text
    assert "How to send it" not in c.text
    assert (row["status"], row["outcome"]) == ("requested", "paid")


def test_poesec_out_of_warranty_goes_to_a_consultant_no_paid_repair_is_promised(
    engine: Engine, chat: ChatFactory
) -> None:
    """POE Sec's document offers no repair after the warranty: nothing is quoted, a consultant reviews it."""
    case = CASES["poesec"]
    c = chat("poesec", now=NOW)
    row = file_request(c, case, out_of_warranty(engine, case))
    number = row["number"]
    assert f"I've recorded your request as {number}." in c.text
    assert "Please don't ship anything until a consultant sends you the shipping instructions." in c.text
    assert "How to send it" not in c.text and "at a cost" not in c.text
    assert "consultant" in offered(c)
    assert (row["status"], row["outcome"]) == ("requested", "review")


def test_poesec_out_of_warranty_review_says_the_warranty_ended(engine: Engine, chat: ChatFactory) -> None:
    case = CASES["poesec"]
    c = chat("poesec", now=NOW)
    file_request(c, case, out_of_warranty(engine, case))
    assert "couldn't settle the warranty" not in c.text
    assert "out of warranty" in c.text or "warranty ended" in c.text


# -- 3. excluded: the pack's exclusion named, no shipping, a consultant offered ------------------------------


@pytest.mark.parametrize(
    ("brand", "question", "choice", "exclusion"),
    [
        ("kimpok", "damage", "water", "nature"),
        ("kimpok", "opened", "yes", "modified"),
        ("longgang", "damage", "lightning", "force_majeure"),
        ("longgang", "opened", "yes", "unauthorised_modification"),
        ("jingpin", "damage", "drop", "accident"),
        ("jingpin", "seal", "no", "serial_label"),
        ("poesec", "damage", "water", "damp_water"),
        ("poesec", "opened", "yes", "unauthorised_repair"),
        ("ktnc", "damage", "water", "nature"),
        ("ktnc", "seal", "no", "serial_sticker"),
    ],
)
def test_an_excluded_request_names_the_exclusion_and_offers_a_consultant(
    engine: Engine, chat: ChatFactory, brand: str, question: str, choice: str, exclusion: str
) -> None:
    case = CASES[brand]
    c = chat(brand, now=NOW)
    row = file_request(c, case, in_warranty(engine, case), answers={question: choice})
    text = next(e.text for e in engine.packs[brand].exclusions() if e.id == exclusion)
    assert "From your answers, the warranty doesn't cover this:" in c.text
    assert f"• {text}" in c.text
    assert "Please don't ship anything until they confirm." in c.text
    assert "How to send it" not in c.text
    assert "consultant" in offered(c)
    assert (row["status"], row["outcome"]) == ("requested", "excluded")
    (card,) = staff_cards(engine, str(row["number"]))
    assert "Eligibility: excluded" in card


def test_consultant_button_after_an_exclusion_gives_the_brands_contacts(engine: Engine, chat: ChatFactory) -> None:
    c = chat("longgang", now=NOW)
    file_request(c, CASES["longgang"], in_warranty(engine, CASES["longgang"]), answers={"opened": "yes"})
    tap(c, "consultant")
    assert "0086-755-28707496" in c.text


# -- 4. a vague fault gets one follow-up ------------------------------------------------------------------


def to_fault(c: Chat, case: Case) -> None:
    start(c)
    c.say(case.model)
    if "Which kind of product" in c.text:
        tap(c, f"rma:cat:{case.category}")
    c.say(SERIAL)
    c.say("18 March 2026")
    tap(c, "rma:from:direct")
    assert "What's wrong with it?" in c.text


@pytest.mark.parametrize("vague", ["broken", "not working", "It's not working!"])
def test_a_vague_fault_is_asked_about_once_then_the_details_continue(
    engine: Engine, chat: ChatFactory, vague: str
) -> None:
    c = chat("longgang", now=NOW)
    to_fault(c, CASES["longgang"])
    follow_up = c.say(vague)
    assert "Could you say a little more about what happens?" in follow_up
    assert "basic tests" not in follow_up  # only KT&C's document says so
    assert "Please send photos" in c.say("it reboots every ten minutes and loses the recordings")
    tap(c, "rma:photos:skip")
    draft = engine.conversation(c.user).state.rma.draft.facts
    assert "it reboots every ten minutes and loses the recordings" in (draft.fault or "")
    assert draft.fault_vague is False


def test_ktnc_vague_fault_follow_up_says_only_basic_tests_are_run(engine: Engine, chat: ChatFactory) -> None:
    c = chat("ktnc", now=NOW)
    to_fault(c, CASES["ktnc"])
    follow_up = c.say("broken")
    result = engine.packs["ktnc"].data["repair"]["vague_explanation_result"]
    assert "Could you say a little more about what happens?" in follow_up
    assert f"With a vague description, KT&C can only run {result}" in follow_up
    assert "Please send photos" in c.say("the picture freezes every few minutes and the IR lights stay off")


def test_a_second_vague_answer_is_kept_as_written_not_asked_a_third_time(engine: Engine, chat: ChatFactory) -> None:
    c = chat("ktnc", now=NOW)
    to_fault(c, CASES["ktnc"])
    c.say("broken")
    reply = c.say("dead")
    assert "I've noted it as you wrote it" in reply and "KT&C can only run basic tests" in reply
    assert "Please send photos" in reply
    assert engine.conversation(c.user).state.rma.draft.facts.fault_vague is True


def test_two_vague_answers_together_are_still_vague(engine: Engine, chat: ChatFactory) -> None:
    c = chat("ktnc", now=NOW)
    to_fault(c, CASES["ktnc"])
    c.say("not working")
    reply = c.say("still broken")
    assert "KT&C can only run basic tests" in reply


def test_going_back_after_a_vague_answer_starts_the_fault_afresh(chat: ChatFactory) -> None:
    c = chat("longgang", now=NOW)
    to_fault(c, CASES["longgang"])
    c.say("broken")
    c.say("/back")
    tap(c, "rma:from:direct")
    c.say("the recorder reboots every ten minutes and loses recordings")
    tap(c, "rma:photos:skip")
    answer_questions(c, {})
    c.say(CONTACT)
    c.say(ADDRESS)
    assert "• Fault: the recorder reboots every ten minutes and loses recordings" in c.text


# -- 5. serial numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["123", "000000", "hello", "123456"])
def test_an_invalid_serial_is_asked_again_with_a_hint(chat: ChatFactory, typed: str) -> None:
    c = chat("longgang", now=NOW)
    start(c)
    c.say("LG-NVR8 recorder")
    reply = c.say(typed)
    assert "That doesn't look like a serial number: it is usually 6 to 32 letters and digits" in reply
    assert "What's the serial number?" in reply
    assert "When did you buy it" in c.say("LG2026-0301A")


def test_a_serial_with_prefix_and_spaces_is_normalised(engine: Engine, chat: ChatFactory) -> None:
    case = CASES["kimpok"]
    c = chat("kimpok", now=NOW)
    fill(c, case, in_warranty(engine, case), serial="S/N: kt 123 456 789")
    assert "• Serial number: KT123456789" in c.text
    tap(c, "rma:confirm")
    (row,) = engine.store.rmas.find(user=c.user)
    assert row["data"]["serial"] == "KT123456789"


# -- 6. dates -----------------------------------------------------------------------------------------------


def to_date(c: Chat) -> None:
    start(c)
    c.say("LG-NVR8 recorder")
    c.say(SERIAL)
    assert "When did you buy it" in c.text


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("5 January 2027", "“5 January 2027” is in the future."),
        ("30 February 2026", "“30 February 2026” isn't a real date."),
    ],
)
def test_a_future_or_impossible_date_is_asked_again_saying_why(chat: ChatFactory, typed: str, problem: str) -> None:
    c = chat("longgang", now=NOW)
    to_date(c)
    reply = c.say(typed)
    assert problem in reply and "When did you buy it (the purchase date on your receipt)?" in reply
    assert "Where did you buy it?" in c.say("28 February 2026")


def test_an_ambiguous_date_offers_both_readings(engine: Engine, chat: ChatFactory) -> None:
    c = chat("longgang", now=NOW)
    to_date(c)
    assert "“03/04/2026” can be read two ways: which one is it?" in c.say("03/04/2026")
    assert c.buttons[:2] == ["3 April 2026", "4 March 2026"]
    tap(c, "rma:date:2026-03-04")
    assert "Where did you buy it?" in c.text
    assert engine.conversation(c.user).state.rma.draft.facts.date == "2026-03-04"


def test_poesec_asks_for_the_delivery_date(chat: ChatFactory) -> None:
    c = chat("poesec", now=NOW)
    start(c)
    c.say("PS-IPC200 camera")
    assert "When did you receive it (the delivery date)?" in c.say(SERIAL)


# -- 7. cancel and back -----------------------------------------------------------------------------------


def test_cancel_midway_files_nothing_and_clears_the_request(engine: Engine, chat: ChatFactory) -> None:
    c = chat("kimpok", now=NOW)
    start(c)
    c.say("IPC-B2M camera")
    c.say(SERIAL)
    assert "nothing was filed" in c.say("/cancel")
    assert engine.store.rmas.find(user=c.user) == []
    assert engine.notices() == []
    assert engine.conversation(c.user).state.rma.draft is None
    assert "You have no filed repair requests (RMAs) in this chat yet." in c.say("/status")
    assert "in progress" not in c.text
    start(c)  # a fresh request, not "continue where you left off"
    assert "(1/" in c.text


def test_the_cancel_button_works_like_the_command(engine: Engine, chat: ChatFactory) -> None:
    c = chat("longgang", now=NOW)
    start(c)
    c.say("LG-NVR8 recorder")
    assert "nothing was filed" in tap(c, "rma:cancel")
    assert engine.store.rmas.find(user=c.user) == []
    assert engine.conversation(c.user).state.rma.draft is None


def test_back_goes_to_the_previous_question_and_the_answer_can_be_changed(engine: Engine, chat: ChatFactory) -> None:
    c = chat("longgang", now=NOW)
    to_date(c)
    assert "What's the serial number?" in c.say("/back")
    assert "Which product is it?" in tap(c, "rma:back")
    c.say("LG-DVR4 recorder")
    c.say("LG2026-0301B")
    c.say("18 March 2026")
    assert "Where did you buy it?" in c.text
    data = engine.conversation(c.user).state.rma.draft.facts
    assert (data.model, data.serial) == ("LG-DVR4 recorder", "LG2026-0301B")


def test_rma_again_midway_offers_to_continue(chat: ChatFactory) -> None:
    c = chat("longgang", now=NOW)
    to_date(c)
    c.say("/rma")
    assert "You have a repair request in progress" in c.text
    assert "When did you buy it" in tap(c, "rma:resume")


def test_the_question_count_does_not_change_midway(engine: Engine, chat: ChatFactory) -> None:
    c = chat("poesec", now=NOW)
    fill(c, CASES["poesec"], in_warranty(engine, CASES["poesec"]))
    totals = {m for replies in c.log for r in replies for m in re.findall(r"\(\d+/(\d+)\)", r.text)}
    assert len(totals) == 1, totals


# -- 8. editing from the summary ------------------------------------------------------------------------------


def test_editing_the_serial_returns_to_the_summary_and_files_the_new_value(engine: Engine, chat: ChatFactory) -> None:
    case = CASES["kimpok"]
    c = chat("kimpok", now=NOW)
    fill(c, case, in_warranty(engine, case))
    assert "• Serial number: AB12-345678" in c.text
    assert "What's the serial number?" in tap(c, "rma:edit:serial")
    assert "That doesn't look like a serial number" in c.say("000000")
    summary = c.say("KP-99887766")
    assert "Please check your request" in summary
    assert "• Serial number: KP-99887766" in summary and "AB12-345678" not in summary
    assert f"• Model: {case.model}" in summary and f"• Fault: {FAULT}" in summary
    tap(c, "rma:confirm")
    (row,) = engine.store.rmas.find(user=c.user)
    assert row["data"]["serial"] == "KP-99887766"
    assert "serial KP-99887766" in staff_cards(engine, row["number"])[0]


def test_back_while_editing_returns_to_the_summary_unchanged(engine: Engine, chat: ChatFactory) -> None:
    c = chat("longgang", now=NOW)
    fill(c, CASES["longgang"], in_warranty(engine, CASES["longgang"]))
    tap(c, "rma:edit:address")
    summary = c.say("/back")
    assert "Please check your request" in summary and f"• Return address: {ADDRESS}" in summary


# -- 9. a restart loses nothing -------------------------------------------------------------------------------


def test_a_request_survives_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "bot.db")
    first = Engine.from_root(ROOT, store=Store(db), clock=fixed_clock(NOW))
    before = Chat(first, user="tg:77", brand="ktnc", now=NOW)
    start(before)
    before.say("KPT-2000")
    tap(before, "rma:cat:pan_tilt_camera")
    before.say("S/N: kt 123 456 789")
    before.say("18 March 2025")
    tap(before, "rma:from:agent")
    assert "What's wrong with it?" in before.text
    (kept,) = first.handle(Message(user="tg:77", kind="photo", media=(Media("photo", "file-1"),), now=NOW))[:1]
    assert "I've added that to your request (1 file so far)" in kept.text
    first.store.close()

    second = Engine.from_root(ROOT, store=Store(db), clock=fixed_clock(NOW))
    after = Chat(second, user="tg:77", brand="ktnc", now=NOW)
    assert "Please send photos" in after.say(FAULT)  # the customer just goes on answering
    tap(after, "rma:photos:done")  # "Done" is offered: the photo sent before the restart is there
    answer_questions(after, {})
    after.say(CONTACT)
    after.say(ADDRESS)
    tap(after, "rma:confirm")
    (row,) = second.store.rmas.find(user="tg:77")
    data = row["data"]
    assert (data["model"], data["category"], data["serial"]) == ("KPT-2000", "pan_tilt_camera", "KT123456789")
    assert (data["date"], data["bought_from"], data["fault"]) == ("2025-03-18", "agent", FAULT)
    assert data["photos"] == [["photo", "file-1"]]
    assert (data["contact"]["value"], data["address"]) == (CONTACT, ADDRESS)
    assert row["status"] == "awaiting_shipment"
    second.store.close()


# -- 10. privacy and consultants' status changes ---------------------------------------------------------------


@pytest.fixture
def two_customers(engine: Engine, chat: ChatFactory) -> tuple[Chat, Chat, str]:
    """Ann has filed a kimpok RMA; Bob has one of his own."""
    ann = chat("kimpok", user="tg:1", now=NOW)
    bob = chat("kimpok", user="tg:2", now=NOW)
    number = str(file_request(ann, CASES["kimpok"], in_warranty(engine, CASES["kimpok"]))["number"])
    file_request(bob, CASES["kimpok"], in_warranty(engine, CASES["kimpok"]), serial="SN BOB-000123")
    return ann, bob, number


def test_status_shows_only_the_customers_own_rmas(engine: Engine, two_customers: tuple[Chat, Chat, str]) -> None:
    ann, bob, number = two_customers
    (bobs,) = engine.store.rmas.find(user="tg:2")
    shown = bob.say("/status")
    assert bobs["number"] in shown and "BOB-000123" in shown
    assert number not in shown and "AB12-345678" not in shown
    assert number in ann.say("/status") and bobs["number"] not in ann.text
    assert "approved, waiting for you to ship it" in ann.text


@pytest.mark.parametrize("typed", ["/status {n}", "/rma {n} received", "/rma {n} cancelled", "status {n}"])
def test_another_customers_number_cannot_be_found_or_changed(
    engine: Engine, two_customers: tuple[Chat, Chat, str], typed: str
) -> None:
    _, bob, number = two_customers
    history = engine.store.rmas.history(number)
    reply = bob.say(typed.format(n=number))
    assert f"I can't find {number} among your repair requests." in reply
    assert "IPC-B2M" not in reply and "AB12-345678" not in reply
    assert status_of(engine, number) == "awaiting_shipment"
    assert engine.store.rmas.history(number) == history


def test_the_owner_looking_up_a_number_with_a_status_word_changes_nothing(
    engine: Engine, two_customers: tuple[Chat, Chat, str]
) -> None:
    ann, _, number = two_customers
    assert number in ann.say(f"/rma {number} received")
    assert status_of(engine, number) == "awaiting_shipment"


def test_another_customers_quote_button_changes_nothing(engine: Engine, two_customers: tuple[Chat, Chat, str]) -> None:
    _, bob, number = two_customers
    engine.set_rma_status(number, "received", by="staff", now=NOW)
    engine.set_rma_status(number, "quote", by="staff", now=NOW, extra="120 USD new sensor confirm")
    reply = bob.press(f"rmaq:{number}:approve:1")
    assert f"I can't find {number}" in reply
    row = engine.store.rmas.get(number)
    assert row is not None and (row["status"], row["quote_decision"]) == ("quote_sent", None)


def test_a_staff_status_change_notifies_the_owner_only(engine: Engine, two_customers: tuple[Chat, Chat, str]) -> None:
    _, _, number = two_customers
    engine.set_rma_status(number, "received", by="staff", now=NOW + timedelta(days=3))
    (update,) = notices_to(engine, "tg:1")
    assert f"Update on your repair request {number} (IPC-B2M camera): received." in update
    assert "We've received it, thank you." in update
    assert notices_to(engine, "tg:2") == []
    assert any(f"{number} is now received (by staff)" in t for t in notices_to(engine, "staff"))
    assert status_of(engine, number) == "received"


def test_an_invalid_status_change_is_refused(engine: Engine, two_customers: tuple[Chat, Chat, str]) -> None:
    _, _, number = two_customers
    engine.set_rma_status(number, "received", by="staff", now=NOW)
    engine.set_rma_status(number, "closed", by="staff", now=NOW)
    pending = len(engine.notices(limit=1000))
    with pytest.raises(InputError, match="cannot become received"):
        engine.set_rma_status(number, "received", by="staff", now=NOW)
    with pytest.raises(InputError, match="unknown status"):
        engine.set_rma_status(number, "teleported", by="staff", now=NOW)
    assert status_of(engine, number) == "closed"
    assert len(engine.notices(limit=1000)) == pending


# -- 11. quotes ---------------------------------------------------------------------------------------------------


def quoted(engine: Engine, chat: ChatFactory, brand: str) -> tuple[Chat, str, dict[str, str]]:
    """A received repair with a quote sent: the customer, the number, and the quote notice's buttons."""
    case = CASES[brand]
    c = chat(brand, user="tg:5", now=NOW)
    number = str(file_request(c, case, out_of_warranty(engine, case))["number"])
    engine.set_rma_status(number, "received", by="staff", now=NOW + timedelta(days=5))
    symbol = engine.packs[brand].fees.currency_symbol  # none in the document: the consultant types one
    typed = "120 new sensor" if symbol else "120 USD new sensor"
    engine.set_rma_status(number, "quote", by="staff", now=NOW + timedelta(days=6), extra=typed)
    quote = engine.notices(target="tg:5")[-1].reply
    price = f"{symbol}120" if symbol else "120 USD"
    assert f"The repair costs {price} (new sensor). Do you want us to go ahead?" in quote.text
    return c, number, {b.label: b.data for b in quote.buttons}


def test_approving_a_quote_starts_the_repair(engine: Engine, chat: ChatFactory) -> None:
    c, number, buttons = quoted(engine, chat, "kimpok")
    assert buttons == {"✅ Approve the repair": f"rmaq:{number}:approve:1", "✖ Decline": f"rmaq:{number}:decline:1"}
    reply = c.press(buttons["✅ Approve the repair"])
    assert f"the repair of {number} goes ahead (120 USD)" in reply  # kimpok's document names no currency
    row = engine.store.rmas.get(number)
    assert row is not None and (row["status"], row["quote_decision"]) == ("repairing", "approved")
    assert any("the customer approved the quote of 120 USD" in t for t in notices_to(engine, "staff"))
    assert "isn't waiting for an answer to a quote any more" in c.press(buttons["✖ Decline"])
    assert status_of(engine, number) == "repairing"


def test_ktnc_quote_and_decline_name_the_diagnosis_fee_and_return_shipping(engine: Engine, chat: ChatFactory) -> None:
    c, number, buttons = quoted(engine, chat, "ktnc")
    quote = notices_to(engine, "tg:5")[-1]
    assert "If you decline, you pay the diagnosis fee and shipping and handling cost to return it." in quote
    reply = c.press(buttons["✖ Decline"])
    assert f"{number} won't be repaired and will be sent back to you." in reply
    assert "you pay the diagnosis fee and shipping and handling cost to return it" in reply
    row = engine.store.rmas.get(number)
    assert row is not None and (row["status"], row["quote_decision"]) == ("quote_declined", "declined")
    assert any("the customer declined the quote of $120" in t for t in notices_to(engine, "staff"))


def test_a_quote_can_be_answered_from_status_too(engine: Engine, chat: ChatFactory) -> None:
    c, number, _ = quoted(engine, chat, "longgang")
    shown = c.say("/status")
    assert f"{number}: LG-NVR8 recorder, serial AB12-345678: quote sent, waiting for your answer: ¥120" in shown
    assert "✅ Approve the repair" in c.buttons
    assert "goes ahead" in c.press(f"rmaq:{number}:approve")  # Telegram sends the data
    assert status_of(engine, number) == "repairing"


def test_a_quote_button_from_status_can_be_pressed_by_its_label(engine: Engine, chat: ChatFactory) -> None:
    c, number, _ = quoted(engine, chat, "longgang")
    c.say("/status")
    assert "goes ahead" in c.press("✅ Approve the repair")
    assert status_of(engine, number) == "repairing"


# -- issue 17, item 2: quotes with their currency, declines as a status, buttons that name their quote ----------


def received(engine: Engine, chat: ChatFactory, brand: str, *, free: bool = False, user: str = "tg:6") -> str:
    """A received request, filed as free (in warranty) or as a paid repair; returns its number."""
    case = CASES[brand]
    c = chat(brand, user=user, now=NOW)
    number = str(file_request(c, case, in_warranty(engine, case) if free else out_of_warranty(engine, case))["number"])
    assert engine.store.rmas.get(number)["outcome"] == ("free" if free else "paid")  # type: ignore[index]
    engine.set_rma_status(number, "received", by="staff", now=NOW)
    return number


def customer_buttons(engine: Engine, user: str) -> dict[str, str]:
    return {b.label: b.data for b in engine.notices(target=user)[-1].reply.buttons}


def test_rma_quote_declined_is_a_status_with_its_note_and_rma_list_shows_it(engine: Engine, chat: ChatFactory) -> None:
    c, number, buttons = quoted(engine, chat, "ktnc")
    c.press(buttons["✖ Decline"])
    assert status_of(engine, number) == "quote_declined"
    assert engine.store.rmas.history(number)[-1] | {"at": None} == {
        "at": None,
        "status": "quote_declined",
        "by": "customer",
        "note": "quote 1 declined: $120",
    }
    assert f"{number} · ktnc · quote_declined" in engine.rma_list("declined")
    assert f"{number} · ktnc · quote_declined" in engine.rma_list()  # still open: it is to be sent back
    assert number in engine.staff("/rma list quote_declined", by="tg:7001")[0].text
    assert "quote declined: being sent back unrepaired" in c.say("/status")


def test_rma_quote_declined_to_a_consultant_is_recorded_with_its_note(engine: Engine, chat: ChatFactory) -> None:
    number = received(engine, chat, "longgang")
    engine.set_rma_status(number, "quote", by="staff", now=NOW, extra="300 new board")
    said = engine.staff(f"/rma {number} declined customer phoned: too expensive", by="tg:7001", name="Mei")
    assert said == []  # the change is announced by its notice
    assert status_of(engine, number) == "quote_declined"
    last = engine.store.rmas.history(number)[-1]
    assert (last["status"], last["note"]) == ("quote_declined", "customer phoned: too expensive")
    told = notices_to(engine, "tg:6")[-1]
    assert "quote declined: being sent back unrepaired" in told and "We won't repair it" in told
    with pytest.raises(InputError, match="declined the quote"):
        engine.set_rma_status(number, "repairing", by="staff", now=NOW)
    engine.set_rma_status(number, "quote", by="staff", now=NOW, extra="250")  # a new offer is still possible
    assert status_of(engine, number) == "quote_sent"
    assert customer_buttons(engine, "tg:6")["✅ Approve the repair"] == f"rmaq:{number}:approve:2"


def test_rma_quote_always_carries_its_currency_and_a_bare_number_is_refused_without_one(
    engine: Engine, chat: ChatFactory
) -> None:
    number = received(engine, chat, "kimpok")  # kimpok's document names no currency
    before = len(engine.notices(limit=1000))
    with pytest.raises(InputError, match="Kimpok's policy names no currency, so please type it after the amount"):
        engine.set_rma_status(number, "quote", by="staff", now=NOW, extra="120 new sensor")
    refused = engine.staff(f"/rma {number} quote 120", by="tg:7001")[0].text
    assert refused.startswith("Not done: Kimpok's policy names no currency") and "120 USD" in refused
    assert status_of(engine, number) == "received" and len(engine.notices(limit=1000)) == before
    for typed, shown, stored in [("120 USD new sensor", "120 USD", "USD"), ("$95.50", "$95.50", "$")]:
        engine.set_rma_status(number, "quote", by="staff", now=NOW, extra=typed)
        assert f"The repair costs {shown}" in notices_to(engine, "tg:6")[-1]
        assert engine.store.rmas.get(number)["quote_currency"] == stored  # type: ignore[index]
    ktnc = received(engine, chat, "ktnc", user="tg:7")
    engine.set_rma_status(ktnc, "quote", by="staff", now=NOW, extra="120")  # the pack's currency
    assert engine.store.rmas.get(ktnc)["quote_currency"] == "$"  # type: ignore[index]
    assert "The repair costs $120." in notices_to(engine, "tg:7")[-1]


def test_rma_a_quote_stored_without_a_currency_says_it_is_the_brands(engine: Engine, chat: ChatFactory) -> None:
    c, number, _ = quoted(engine, chat, "kimpok")
    with engine.store.db.write() as conn:  # as a quote was kept before quotes carried their currency
        conn.execute("update rmas set quote_currency = null where number = ?", [number])
    assert f"{number}: IPC-B2M camera, serial AB12-345678: quote sent, waiting for your answer: 120 (in Kimpok's" in (
        c.say("/status")
    )


def test_rma_quoting_a_request_the_bot_called_free_warns_and_needs_confirm(engine: Engine, chat: ChatFactory) -> None:
    number = received(engine, chat, "kimpok", free=True)
    before = len(engine.notices(limit=1000))
    with pytest.raises(InputError, match=r"was filed as a free repair \(in warranty\) and the customer was told so"):
        engine.set_rma_status(number, "quote", by="staff", now=NOW, extra="120 USD water damage found")
    warned = engine.staff(f"/rma {number} quote 120 USD water damage found", by="tg:7001")[0].text
    assert f"/rma {number} quote 120 USD water damage found confirm" in warned
    assert status_of(engine, number) == "received" and len(engine.notices(limit=1000)) == before
    engine.staff(f"/rma {number} quote 120 USD water damage found confirm", by="tg:7001")
    assert status_of(engine, number) == "quote_sent"
    quote = notices_to(engine, "tg:6")[-1]
    assert "The repair costs 120 USD (water damage found)." in quote and "confirm" not in quote


def test_rma_an_old_approve_button_never_approves_a_requote(engine: Engine, chat: ChatFactory) -> None:
    number = received(engine, chat, "kimpok")
    c = chat("kimpok", user="tg:6", now=NOW)
    engine.set_rma_status(number, "quote", by="Mei", now=NOW, extra="120 USD new sensor")
    first = customer_buttons(engine, "tg:6")
    engine.set_rma_status(number, "quote", by="Mei", now=NOW, extra="150 USD new sensor and board")
    second = customer_buttons(engine, "tg:6")
    assert first["✅ Approve the repair"] == f"rmaq:{number}:approve:1"
    assert second["✅ Approve the repair"] == f"rmaq:{number}:approve:2"
    for old in (first["✅ Approve the repair"], f"rmaq:{number}:approve"):  # and a button from before quotes had ids
        reply = c.press(old)
        assert f"The quote for {number} has changed since that message: the repair now costs 150 USD." in reply
        assert [b.data for r in c.log[-1] for b in r.buttons] == list(second.values())
        row = engine.store.rmas.get(number)
        assert row is not None and (row["status"], row["quote_decision"], row["quote_amount"]) == (
            "quote_sent",
            None,
            150,
        )
    assert f"the repair of {number} goes ahead (150 USD)" in c.press(second["✅ Approve the repair"])
    assert status_of(engine, number) == "repairing"
    history = [(h["status"], h["note"]) for h in engine.store.rmas.history(number)]
    assert history[-3:] == [
        ("quote_sent", "quote 1: 120 USD, new sensor"),  # every quote is in the history
        ("quote_sent", "quote 2: 150 USD, new sensor and board"),
        ("repairing", "quote 2 approved: 150 USD"),
    ]
    shown = engine.rma_show(number).text
    assert "quote 1: 120 USD, new sensor" in shown and "quote 2: 150 USD" in shown


def test_rma_a_button_from_before_quotes_had_ids_still_answers_a_single_quote(
    engine: Engine, chat: ChatFactory
) -> None:
    c, number, _ = quoted(engine, chat, "longgang")
    assert "goes ahead (¥120)" in c.press(f"rmaq:{number}:approve")
    assert status_of(engine, number) == "repairing"


# -- 12. expiry (KT&C numbers are valid 15 days) ----------------------------------------------------------------


def test_ktnc_number_reminder_then_expiry_each_sent_once(engine: Engine, chat: ChatFactory) -> None:
    c = chat("ktnc", user="tg:9", now=NOW)
    number = str(file_request(c, CASES["ktnc"], in_warranty(engine, CASES["ktnc"]))["number"])
    assert engine.sweep(NOW + timedelta(days=5)) == 0
    assert notices_to(engine, "tg:9") == []

    assert engine.sweep(NOW + timedelta(days=13)) == 1
    (reminder,) = notices_to(engine, "tg:9")
    assert f"Reminder: your RMA number {number} is valid until 3 December 2026 (2 days left)" in reminder
    assert "after that you'll need to request a new RMA number" in reminder
    assert engine.sweep(NOW + timedelta(days=14)) == 0
    assert len(notices_to(engine, "tg:9")) == 1

    assert engine.sweep(NOW + timedelta(days=16)) == 1
    _, expired = notices_to(engine, "tg:9")
    assert f"Your RMA number {number} has expired: it was valid until 3 December 2026." in expired
    assert "type /rma" in expired
    assert status_of(engine, number) == "expired"
    assert engine.sweep(NOW + timedelta(days=16)) == 0
    assert engine.sweep(NOW + timedelta(days=20)) == 0
    assert len(notices_to(engine, "tg:9")) == 2
    assert "expired (not shipped in time)" in c.say("/status")


def test_numbers_without_a_validity_never_expire(engine: Engine, chat: ChatFactory) -> None:
    c = chat("kimpok", user="tg:8", now=NOW)
    number = str(file_request(c, CASES["kimpok"], in_warranty(engine, CASES["kimpok"]))["number"])
    assert engine.sweep(NOW + timedelta(days=400)) == 0
    assert status_of(engine, number) == "awaiting_shipment"


# -- starting from a question, and asking for the status in words ---------------------------------------------


def test_an_answer_about_sending_a_product_back_offers_the_request(chat: ChatFactory) -> None:
    c = chat("ktnc", now=NOW)
    c.say("how do I send my camera back for repair?")
    assert "RMA" in c.text and "📦 Start a repair request (RMA)" in c.buttons
    c.press("📦 Start a repair request (RMA)")
    assert "Which product is it?" in c.text  # ktnc's document has no "troubleshoot first"


def test_kimpok_offers_troubleshooting_before_a_request_started_by_words(chat: ChatFactory) -> None:
    c = chat("kimpok", now=NOW)
    c.say("I need an RMA number")
    assert "first tries to fix the problem with you" in c.text
    assert c.buttons == ["🔧 Try troubleshooting first", "I've already tried: start the request"]
    c.press("🔧 Try troubleshooting first")
    assert "Which problem" in c.text or len(c.buttons) >= 5  # the troubleshooting menu


def test_typing_my_rma_status_lists_only_my_own(engine: Engine, chat: ChatFactory) -> None:
    c = chat("longgang", now=NOW)
    c.say("my rma status")
    assert "no filed repair requests" in c.text and c.buttons == ["Request a repair (RMA)"]
    other = engine.store.rmas.create(
        make_number=lambda: "RMA-001-ZZZZ-ZZZZ",
        user="someone-else",
        brand="longgang",
        status="awaiting_shipment",
        data={"model": "X", "serial": "Y"},
        outcome="free",
        at=NOW,
        expires_on=None,
    )
    c.say("where is my rma")
    assert other not in c.text


def test_a_quote_keeps_its_thousands_and_currency_and_a_declined_one_is_not_repaired(
    engine: Engine, chat: ChatFactory
) -> None:
    c = chat("poesec", user="tg:9", now=NOW)
    number = str(file_request(c, CASES["poesec"], in_warranty(engine, CASES["poesec"]))["number"])
    engine.set_rma_status(number, "received", by="staff", now=NOW)
    # the request was filed as free: a quote needs the consultant's confirmation
    engine.set_rma_status(number, "quote", by="staff", now=NOW, extra="1,250,000 VND new mainboard confirm")
    assert "1,250,000 VND (new mainboard)" in engine.notices(target="tg:9")[-1].reply.text
    engine.set_rma_status(number, "quote", by="staff", now=NOW, extra="950000 VND confirm")  # a revised quote
    c.press(f"rmaq:{number}:decline:2")
    with pytest.raises(InputError, match="declined the quote"):
        engine.set_rma_status(number, "repairing", by="staff", now=NOW)
    assert "declined" in c.say("/status")
    engine.set_rma_status(number, "shipped", by="staff", now=NOW, extra="VN123456789")
    assert status_of(engine, number) == "shipped"


def test_facts_typed_with_the_model_are_not_asked_again(engine: Engine, chat: ChatFactory) -> None:
    c = chat("longgang", now=NOW)
    start(c)
    c.say("LG-IPC2 cam, serial LG99887766, bought 3 January 2026")
    assert "Where did you buy it?" in c.text
    data = engine.conversation(c.user).state.rma.draft.facts
    assert (data.model, data.serial, data.date) == ("LG-IPC2 cam", "LG99887766", "2026-01-03")


def test_a_question_or_a_greeting_is_not_taken_for_a_model_or_a_button(chat: ChatFactory) -> None:
    c = chat("ktnc", now=NOW)
    c.say("/rma")
    assert "doesn't look like a model name" in c.say("where is the serial number?")
    assert "doesn't look like a model name" in c.say("hi")
    assert "Which kind of product" in c.say("KPT-2000")  # the model doesn't say: the category is asked
    reply = c.say("SN: KT12345678")  # typed at the category question: asked again, not answered as a FAQ
    assert "Please choose one of the buttons" in reply and "Which kind of product" in reply
