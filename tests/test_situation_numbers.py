"""The numbers a customer's message gives, read into the situation a verdict applies: sums and what each is
for, how many products, how long past the warranty, the period the box states, the product's age."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.knowledge.packs import load_packs
from bot.understand.situation import SituationReader

from .conftest import ROOT

PACKS = load_packs(ROOT / "policies")
READER = SituationReader(ROOT / "faq" / "_common" / "matching" / "situations.toml")
NOW = datetime.fromisoformat("2026-11-23T10:00:00+08:00")


def _read(text: str, brand: str = "ktnc"):  # type: ignore[no-untyped-def]
    return READER.read(text, NOW, PACKS[brand])


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("4 unused cameras at $150 each, can i return them?", {"amount0": 600.0, "amount1": 150.0}),
        ("out of warranty: diag 50, parts $120, return shipping $18", {"diagnosis": 50, "parts": 120, "shipping": 18}),
        ("the diagnosis fee is $50 and the parts cost 80 usd", {"diagnosis": 50, "parts": 80}),
        ("检测费50元", {"diagnosis": 50}),
        ("i paid $1,200 for the kit", {"amount1": 1200}),
        ("they quoted parts $60 and s&h $18", {"parts": 60, "shipping": 18}),  # shipping & handling, abbreviated
        ("parts 60 s/h 18", {"parts": 60, "shipping": 18}),
        ("配件60美元，邮费18美元", {"parts": 60, "shipping": 18}),
        ("my $300 camera needs parts $60", {"price": 300, "parts": 60}),  # what it cost is not a repair sum
        ("it has 3 parts and 2 days left", {}),  # counts and periods are no sums
        # a price each with the count told elsewhere: what was paid in all comes first
        ("bought 5 cameras, paid $100 each plus $30 shipping", {"amount0": 500, "amount1": 100, "shipping": 30}),
        ("3 nvrs, $250 per unit", {"amount0": 750, "amount1": 250}),
        ("paid $100 each", {"amount1": 100}),  # each of how many: not said, no total
        ("5 cameras bought on 2026-11-15 at $120 each", {"amount0": 600, "amount1": 120}),  # not 15 of them
        ("We paid $200 each month for monitoring. 2 cameras bought 15 days ago", {"amount1": 200}),  # no price each
        ("I bought 2 NVRs and 8 cameras, cameras were $50 each", {"amount1": 50}),  # each of which count?
        ("bought 6 cameras, $99.50 per unit, return 2 of them for credit", {"amount0": 199, "amount1": 99.5}),
        ("Bought 10 cameras 2 weeks ago at $100 each. return those 3", {"amount0": 300, "amount1": 100}),
        # named after the sum: "diagnosis and" before $80 does not make $80 the diagnosis
        ("they quoted $50 diagnosis and $80 parts, total?", {"diagnosis": 50, "parts": 80}),
        ("i paid $120 for shipping and $50 diagnosis", {"shipping": 120, "diagnosis": 50}),
        ("50元检测费和80元配件", {"diagnosis": 50, "parts": 80}),
        ("diagnosis $50 and parts $80, total?", {"diagnosis": 50, "parts": 80}),  # named before: as it was
        ("phi kiem tra 35 usd, linh kien 80 usd", {"diagnosis": 35, "parts": 80}),
    ],
)
def test_sums_are_read_with_what_they_are_for(text: str, amounts: dict[str, float]) -> None:
    assert dict(_read(text).amounts) == amounts


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("3 cameras stopped recording", 3),
        ("two units are dead", 2),
        ("两台录像机坏了", 2),
        ("2 cai camera bi hong", 2),
        ("my $300 camera is out of warranty", None),  # a price, not three hundred cameras
        ("the 1,500 dvr broke", None),
        ("sending 4 out-of-warranty cameras for diagnosis", 4),  # a hyphenated word between
    ],
)
def test_how_many_products_the_message_is_about(text: str, units: int | None) -> None:
    assert _read(text).units == units


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("what do i pay for a repair 2 years after the warranty ended", 2.0),
        ("it's one year past the warranty", 1.0),
        ("the warranty expired a year ago", 1.0),
        ("warranty ran out 1.5 years ago", 1.5),
        ("my warranty ended 6 months ago", 0.5),
        ("repair cost 18 months past the warranty?", 1.5),
        ("labour is free forever after warranty, only parts paid. mine is 5 yrs past. confirm?", 5.0),
        ("out of warranty now, 8 months past.", 0.67),
        ("and if it's 3 years or more past the warranty?", 3.0),
        ("过保三年多了，维修的话配件和人工费都要收吗？", 3.0),
        ("过保两个月了，维修收费吗", 0.17),
        ("超过保修期2年了", 2.0),
        ("qua bao hanh 3 nam thi sua co tinh tien cong khong", 3.0),
        ("het bao hanh 8 thang roi", 0.67),
        ("warranty end 2023-06, now broken again", 3.4),  # the warranty's own end day, told (NOW: 2026-11-23)
        ("保修到期是2023年6月，现在坏了", 3.4),
    ],
)
def test_how_long_past_the_warranty(text: str, years: float) -> None:
    assert _read(text).years_beyond == years


@pytest.mark.parametrize(("text", "months"), [("the box says 3 year warranty", 36), ("the card states 18 months", 18)])
def test_the_period_the_customer_says_is_printed(text: str, months: int) -> None:
    assert _read(text).stated_months == months


@pytest.mark.parametrize(
    "text",
    [
        "i bought it 3 years ago, the sale is past.",
        "2 years past the deadline for returns",
        "it worked until 2025-06, now broken",  # a day it worked till is no warranty's end
        "the warranty ends 2027-01-01",  # an end still ahead
    ],
)
def test_a_time_past_something_else_is_not_past_the_warranty(text: str) -> None:
    assert _read(text).years_beyond is None


def test_a_port_for_a_hard_drive_is_not_the_hard_drive() -> None:
    assert _read("the hdd is loose").category == "hard_drive"
    assert _read("the hdd port is loose").category is None


def test_a_date_with_old_is_the_products_age_whatever_follows() -> None:
    fact = _read("it's 5 months old, it fell yesterday").dates[0]
    assert fact.kind == "acquired"


def test_a_repair_past_the_warranty_by_so_much_needs_no_purchase_date(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang").say("my nvr warranty ended 8 months ago, what do i pay for repair?")
    assert "Out of warranty by about 8 months" in reply and "labour is free" in reply, reply
    assert "when you bought" not in reply


def test_several_products_fees_and_credit_are_summed_for_all_of_them(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc").say(
        "Sending 4 out-of-warranty cameras in for diagnosis. How much is the diagnosis and who pays the shipping?"
    )
    assert "$200" in reply and "shipment to and from" in reply, reply  # both questions, the fee for all four
    reply = chat("ktnc", user="c2").say(
        "bought 5 cameras on 2026-11-20, never opened them. paid $100 each plus $30 shipping. how much credit?"
    )
    assert "$400" in reply and "$80 back" not in reply, reply


def test_a_diagnosis_fee_the_customer_misremembers_is_corrected_never_added_up(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc").say("diagnosis is $35 per unit right? sending 2 oow dvrs")
    assert "$100" in reply and "$50 per product" in reply and "not $35" in reply, reply
    assert "$35 in total" not in reply and "$70" not in reply
    reply = chat("ktnc", user="c2").say("quote says $35 diagnosis and $80 parts, total?")
    assert "$130" in reply and "not $35" in reply and "$115" not in reply, reply
    each = chat("ktnc", user="c4").say("diagnosis is 50 each, sending 3 units so 150 total?")
    assert "$150" in each and "not $" not in each and "$50 in total" not in each, each  # the right fee, per unit
    reply = chat("ktnc", user="c3").say("they quoted $50 diagnosis and $80 parts, total?")
    assert "$130" in reply and "not $" not in reply, reply  # the brand's own fee, told right: nothing to correct


@pytest.mark.parametrize("text", ["my 6 month old camera died", "2 years old nvr, 3 days ago it stopped"])
def test_an_age_is_no_count_of_products(text: str) -> None:
    assert _read(text).units is None


@pytest.mark.parametrize(
    ("brand", "text", "category"),
    [
        ("poesec", "录像机坏了", "cameras_recorders"),
        ("poesec", "摄像头不亮了", "cameras_recorders"),
        ("poesec", "my nvrs both died", "cameras_recorders"),
        ("poesec", "dau ghi hinh bi hong", "cameras_recorders"),
        ("poesec", "交换机坏了", "accessories"),
        ("poesec", "硬盘录像机坏了", "cameras_recorders"),  # the recorder, not its hard disk
        ("poesec", "录像机的硬盘口坏了", "cameras_recorders"),  # the recorder's drive port, not a drive
        ("ktnc", "云台不转了", "pan_tilt_mechanism"),
        ("ktnc", "网络摄像机坏了", "ip_cameras"),
        ("ktnc", "o cung bi loi", "hard_drive"),
        ("jingpin", "ống nhòm nhiệt bị hỏng", "terminal"),
        ("jingpin", "my thermal modules failed", "module"),
        ("jingpin", "cam bien bi hong", None),  # a sensor is often part of a scope or module: the type is asked
        ("jingpin", "dau do bi hong", "detector"),
        ("jingpin", "bought one of your thermal cores, its detector is faulty", "module"),  # the one called their own
        ("jingpin", "a detector and a module, both faulty", None),  # two products: which one is asked
    ],
)
def test_product_types_in_every_language(brand: str, text: str, category: str | None) -> None:
    assert _read(text, brand).category == category


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("you got my camera yesterday", "received_by_us"),
        ("your service center got it on 2026-11-02", "received_by_us"),
        ("we got it on 2026-03-02 and it broke", "acquired"),
        ("had it for 14 months", "acquired"),
        ("nhan hang duoc 20 thang", "delivery"),
        ("I called you on 2026-11-20", "contact"),
        ("the technician visited last week", "contact"),
        ("rma number came by email on 2026-11-10", "rma_issued"),
        ("bought it when I visited Shenzhen in March", "purchase"),
        ("the invoice said 2025-03-01", "purchase"),
        ("请问2025年3月买的还保修吗", "purchase"),
        ("on 2026-09-20 you replace the main board under warranty", "shipped_back"),  # the repair's day
        ("your repair center shipped my camera back on 2026-05-10", "shipped_back"),
        ("they sent the nvr back on 2026-10-01 and it died again", "shipped_back"),
        ("i shipped my camera back to you on 2026-11-20", "sent_in"),  # the customer's parcel, to the brand
        ("the store sent my camera back on 2026-10-01 for repair", "unknown"),  # someone else's parcel, to be repaired
        ("you send back my fixed camera on 2026-05-10, now same problem again", "shipped_back"),
        ("i got the return number on 2026-11-12, is good for 30 days right?", "rma_issued"),
    ],
)
def test_which_date_it_is(text: str, kind: str) -> None:
    dates = _read(text).dates
    assert [d.kind for d in dates] == [kind]


@pytest.mark.parametrize(
    "text", ["my ptz won't pan any more", "the ptz won’t rotate", "球机不转了", "camera ptz khong quay"]
)
def test_a_stuck_pan_tilt_is_the_mechanism_with_any_apostrophe(text: str) -> None:
    assert _read(text).category == "pan_tilt_mechanism"
