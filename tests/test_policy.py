"""The policy layer applied to customers' situations, table-driven across the five brands.

Each row is a message as a customer writes it, the moment it is sent, and what the brand's policy says
about it: covered or not and until when, the option that applies, who pays what.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from bot.knowledge.packs import load_packs
from bot.policy import dated
from bot.policy import verdicts as policy
from bot.understand.situation import SituationReader

from .conftest import ROOT

PACKS = load_packs(ROOT / "policies")
READER = SituationReader(ROOT / "faq" / "_common" / "matching" / "situations.toml")
NOW = "2026-11-23T10:00:00+08:00"  # a Monday
US_NOW = "2026-11-23T10:00:00-08:00"

D = date.fromisoformat

# (brand, message, now, {what: expected}). Keys: status, end, need, days_left, days_over, kind, category,
# excluded (exclusion ids), window (window id or None), shipping (rule id), tier, total, rma_ok, repaired_ok,
# repair_late, default_used.
ROWS: list[tuple[str, str, str, dict[str, Any]]] = [
    # kimpok: 1 year from purchase; shipping both ways paid in the first 30 days
    (
        "kimpok",
        "bought the recorder last August and it died, is the repair free?",
        NOW,
        {"status": "covered", "end": D("2027-08-01")},
    ),
    (
        "kimpok",
        "purchased IP cams on 2025-11-01 (invoice date), one shows no signal. free?",
        NOW,
        {"status": "expired", "end": D("2026-11-01"), "days_over": 22, "kind": "purchase"},
    ),
    (
        "kimpok",
        "my camera is 2 weeks old and broken, who pays shipping for the rma?",
        NOW,
        {"shipping": "first_30_days"},
    ),
    ("kimpok", "bought it 2026-09-01, do i pay shipping to send it in?", NOW, {"shipping": "after_30_days"}),
    # day 30 is within "the FIRST 30 days", as day 7 is within Jingpin's 7 days: one rule for every pack
    ("kimpok", "bought on 2026-10-23, who pays shipping?", NOW, {"shipping": "after_30_days"}),
    ("kimpok", "bought on 2026-10-24, who pays shipping?", NOW, {"shipping": "first_30_days"}),
    ("kimpok", "bought on 2026-10-25, who pays shipping?", NOW, {"shipping": "first_30_days"}),
    ("kimpok", "bought 2025-11-23, still under warranty?", NOW, {"status": "covered", "days_left": 0}),
    ("kimpok", "bought 2025-11-22, still covered?", NOW, {"status": "expired", "days_over": 1}),
    ("kimpok", "bought it 8 months ago, free repair?", NOW, {"status": "covered"}),
    ("kimpok", "bought it last year and it broke, is it free?", NOW, {"need": "exact_date"}),
    (
        "kimpok",
        "the recorder got flooded, bought 2026-06-01, covered?",
        NOW,
        {"status": "covered", "excluded": ["nature"]},
    ),
    ("kimpok", "bought on 31/12/2025, died, free?", NOW, {"status": "covered", "end": D("2026-12-31")}),
    ("kimpok", "bought 3/4/2025, broken, free?", NOW, {"status": "expired"}),
    ("kimpok", "bought 11/12/2025, broken, free?", NOW, {"need": "day_month"}),
    ("kimpok", "bought on 30 February 2026, is it free?", NOW, {"need": "valid_date"}),
    ("kimpok", "bought 2027-01-05, is it covered?", NOW, {"need": "valid_date"}),
    ("kimpok", "i bought it in 1900, still covered?", NOW, {"need": "valid_date"}),
    ("kimpok", "my nvr is broken, is it still covered?", NOW, {"need": "date"}),
    # longgang: 1 year; parts only for the first two years beyond the warranty
    (
        "longgang",
        "recorder bought 2026-02-14, hard disk port failed. will repair be free?",
        NOW,
        {"status": "covered", "end": D("2027-02-14"), "days_left": 83},
    ),
    (
        "longgang",
        "bought NVR on 2025-06-01, broke this week. what will repair cost me?",
        NOW,
        {"status": "expired", "end": D("2026-06-01"), "tier": "years_1_2"},
    ),
    (
        "longgang",
        "my cam was repaired 1.5 yrs after warranty ran out, why charged for parts?",
        NOW,
        {"tier": "years_1_2"},
    ),
    ("longgang", "the camera is 3 years out of warranty, what do i pay for repair?", NOW, {"tier": "year_3_plus"}),
    ("longgang", "2022年3月买的摄像机，现在坏了，修的话收费吗？", NOW, {"status": "expired", "tier": "year_3_plus"}),
    ("longgang", "去年三月买的录像机坏了，免费吗？", NOW, {"status": "expired", "end": D("2026-03-31")}),
    ("longgang", "8个月前买的，坏了，保修吗？", NOW, {"status": "covered"}),
    (
        "longgang",
        "bought 2026-01-10, dropped it off the ladder, covered?",
        NOW,
        {"status": "covered", "excluded": ["man_made"]},
    ),
    (
        "longgang",
        "lightning struck the pole, camera bought 2026-05-01, free fix?",
        NOW,
        {"excluded": ["force_majeure"]},
    ),
    # jingpin: terminal 24 months, module and detector 12; 7-day return (inclusive), 30-day replacement
    (
        "jingpin",
        "terminal whole machine bought 2024-12-10, display died. still free?",
        NOW,
        {"status": "covered", "end": D("2026-12-10"), "category": "terminal"},
    ),
    (
        "jingpin",
        "module purchased 2025-10-01 has a fault now. free repair?",
        NOW,
        {"status": "expired", "end": D("2026-10-01"), "category": "module"},
    ),
    (
        "jingpin",
        "ordered 10 modules, contract signed 2025-12-01. one has stripes. free fix?",
        NOW,
        {"status": "covered", "end": D("2026-12-01"), "kind": "contract"},
    ),
    ("jingpin", "bought it 2025-06-01, broken, free?", NOW, {"need": "category"}),
    (
        "jingpin",
        "bought it 3 weeks ago, it has a fault, i want a refund not a replacement",
        NOW,
        {"window": "replacement_window"},
    ),
    (
        "jingpin",
        "bought it 2026-11-16, exactly a week ago, defective. can i return it for a refund?",
        NOW,
        {"window": "return_window"},
    ),
    ("jingpin", "bought it 2026-11-15, defective, refund please", NOW, {"window": "replacement_window"}),
    ("jingpin", "bought 2026-10-25, faulty, i want a replacement", NOW, {"window": "replacement_window"}),
    ("jingpin", "bought 2026-10-24, faulty, i want a replacement", NOW, {"window": "replacement_window"}),
    ("jingpin", "bought 2026-10-23, faulty, i want a replacement", NOW, {"window": None}),
    (
        "jingpin",
        "bought it at a special price on 2026-11-20, faulty, can i return it?",
        NOW,
        {"window": "return_window", "blocked": ("special_price",)},
    ),
    ("jingpin", "detector bought 14 months ago, free repair?", NOW, {"status": "expired", "category": "detector"}),
    (
        "jingpin",
        "sent my unit to ur service center 2026-10-20, still not back!!",
        NOW,
        {"repair_late": True, "end": D("2026-11-17")},
    ),
    ("jingpin", "sent it to you on 2026-11-16, when will it be back?", NOW, {"repair_late": False}),
    # poesec: 2 years on cameras and recorders from delivery; accessories follow their manufacturer
    (
        "poesec",
        "camera delivered 20/11/2024, now the IR broke. còn bảo hành ko?",
        "2026-11-23T10:00:00+07:00",
        {"status": "expired", "end": D("2026-11-20"), "kind": "delivery"},
    ),
    (
        "poesec",
        "paid for the recorder on 2024-11-10 but it was delivered 2024-12-01. dead. warranty?",
        "2026-11-23T10:00:00+07:00",
        {"status": "covered", "end": D("2026-12-01"), "kind": "delivery"},
    ),
    (
        "poesec",
        "đầu ghi nhận hàng ngày 15/3/2025, giờ không lên hình, có được bảo hành không?",
        "2026-11-23T10:00:00+07:00",
        {"status": "covered", "end": D("2027-03-15"), "kind": "delivery"},
    ),
    ("poesec", "the poe switch we bought 2026-01-01 died, warranty?", NOW, {"status": "manufacturer"}),
    (
        "poesec",
        "camera bought 2025-01-10, fell off the wall, free?",
        NOW,
        {"status": "covered", "excluded": ["mechanical"]},
    ),
    (
        "poesec",
        "recorder fell off the shelf, its only 3 months old, still free fix right?",
        NOW,
        {"excluded": ["mechanical"]},
    ),
    ("poesec", "camera 2 năm trước, hỏng rồi, bảo hành không?", NOW, {"need": "exact_date"}),
    ("poesec", "camera delivered yesterday, dead on arrival, warranty?", NOW, {"status": "covered"}),
    (
        "poesec",
        "rats chewed the camera cable, camera bought 2026-03-01, covered?",
        NOW,
        {"excluded": ["rodents_insects"]},
    ),
    # ktnc: 3 years for most products; categories; credit 30/90 days, 20% restocking; RMA 15 days
    (
        "ktnc",
        "RMA number came by email on 11/10. I can only ship on 11/26. will it still work?",
        US_NOW,
        {"rma_ok": False, "end": D("2026-11-25")},
    ),
    ("ktnc", "got my RMA on 11/20, shipping it on 11/26, ok?", US_NOW, {"rma_ok": True}),
    ("ktnc", "they said diagnosis $50, parts $80, shipping $15. if i approve what do i pay?", US_NOW, {"total": 145.0}),
    ("ktnc", "parts are $120 and shipping $20, whats my total with diagnosis?", US_NOW, {"total": 190.0}),
    (
        "ktnc",
        "got a PC-based NVR from you in Jan 2026, motherboard dead. warranty?",
        US_NOW,
        {"status": "covered", "category": "pc_nvr"},
    ),
    (
        "ktnc",
        "PTZ camera bought 2025-06-01, pan/tilt motor stopped moving. still in warranty?",
        US_NOW,
        {"status": "expired", "category": "pan_tilt_mechanism"},
    ),
    (
        "ktnc",
        "PTZ camera bought 2025-06-01, image is blurry now, covered?",
        US_NOW,
        {"status": "covered", "category": "pan_tilt_camera", "end": D("2027-06-01")},
    ),
    (
        "ktnc",
        "IP camera bought 2024-01-15, no video, warranty?",
        US_NOW,
        {"status": "unreadable", "end": None, "category": "ip_cameras"},  # the table lost its period
    ),
    ("ktnc", "the hard drive died, bought 2026-02-01, warranty?", US_NOW, {"status": "manufacturer"}),
    ("ktnc", "purchased 2026-11-01, want our money back as credit", US_NOW, {"window": "credit"}),
    (
        "ktnc",
        "purchased 2026-09-20, never installed, still in box. can we get our money back?",
        US_NOW,
        {"window": "house_credit_or_exchange"},
    ),
    ("ktnc", "purchased 2026-07-01, can we return it for credit?", US_NOW, {"window": None}),
    (
        "ktnc",
        "bought 2026-11-10 and installed it, can we return for credit?",
        US_NOW,
        {"window": "credit", "blocked": ("installed",)},
    ),
    ("ktnc", "bought 2026-01-05 for $120, it died, is the repair free?", US_NOW, {"status": "covered", "total": None}),
    (
        "ktnc",
        "we bought spare power adapters on 2026-11-10, unused, credit?",
        US_NOW,
        {"window": "credit", "blocked": ("accessory",)},
    ),
    ("kimpok", "bought on 4/20, broken, free?", NOW, {"status": "covered", "end": D("2027-04-20")}),
    ("kimpok", "firmware 5.10.22 and the camera keeps rebooting, covered?", NOW, {"need": "date"}),
    (
        "ktnc",
        "you repaired my camera and shipped it back on 2026-04-01. same fault again, free fix?",
        US_NOW,
        {"repaired_ok": False, "end": D("2026-09-28")},
    ),
    (
        "ktnc",
        "you repaired it and shipped it back on 2026-10-01, failed again, is that free?",
        US_NOW,
        {"repaired_ok": True, "end": D("2027-03-30")},
    ),
    (
        "ktnc",
        "camera bought 2026-03-01, i opened it to swap the board, still covered?",
        US_NOW,
        {"excluded": ["modified"]},
    ),
]


def _verdicts(brand: str, text: str, now: str) -> dict[str, Any]:
    pack = PACKS[brand]
    moment = datetime.fromisoformat(now)
    today = moment.date()
    s = READER.read(text, moment, pack)
    w = policy.warranty(pack, s, today)
    out: dict[str, Any] = {
        "status": w.status,
        "need": w.need,
        "days_left": w.days_left,
        "days_over": w.days_over,
        "kind": w.date_kind,
        "category": s.category,
        "default_used": w.default_used,
        "excluded": [e.id for e in policy.exclusions(pack, s)],
        "end": w.end,
    }
    window = policy.return_option(pack, s, today)
    if window is not None and window.need is None:
        out["window"] = window.window.id if window.window else None
        out["blocked"] = window.blocked_by
    ship = policy.shipping(pack, s, today)
    if ship is not None and ship.rule is not None:
        out["shipping"] = ship.rule.id
    cost = policy.out_of_warranty_cost(pack, s, w.months_over if w.status == "expired" else None)
    out["tier"] = cost.tier.id if cost.tier else None
    out["total"] = cost.total
    for name, key in (("rma_validity", "rma_ok"), ("repaired_item", "repaired_ok")):
        verdict = getattr(dated, name)(pack, s, today)
        if verdict is not None:
            out[key] = verdict.within
            out["end"] = verdict.end
    progress = dated.repair_progress(pack, s, today)
    if progress is not None:
        out["repair_late"] = not progress.within
        out["end"] = progress.end
    return out


def test_the_table_covers_every_brand_with_enough_situations() -> None:
    assert len(ROWS) >= 60
    assert {row[0] for row in ROWS} == set(PACKS)


@pytest.mark.parametrize(("brand", "text", "now", "expected"), ROWS, ids=[f"{r[0]}-{i}" for i, r in enumerate(ROWS)])
def test_situation(brand: str, text: str, now: str, expected: dict[str, Any]) -> None:
    got = _verdicts(brand, text, now)
    for key, value in expected.items():
        assert got.get(key) == value, f"{key}: expected {value!r}, got {got.get(key)!r} ({got})"


def test_a_repaired_part_keeps_the_rest_of_the_warranty_or_three_months() -> None:
    pack = PACKS["jingpin"]
    moment = datetime.fromisoformat(NOW)
    late = READER.read(
        "the unit's warranty ends 15 dec 2026. you replaced the main board on 1 oct. covered?", moment, pack
    )
    verdict = dated.repaired_item(pack, late, moment.date())
    assert verdict is not None and verdict.end == D("2027-01-01")  # three months beat the rest of the warranty
    early = READER.read(
        "the unit's warranty ends 15 dec 2027. you replaced the lens on 1 oct 2026. covered?", moment, pack
    )
    verdict = dated.repaired_item(pack, early, moment.date())
    assert verdict is not None and verdict.end == D("2027-12-15")  # the rest of the warranty is longer


@pytest.mark.parametrize(
    ("brand", "text", "expected"),
    [
        (
            "ktnc",
            "out of warranty: diag 50, parts $120, return shipping $18. I will decline. what do i owe?",
            {"total": 68.0, "declined": True},
        ),
        (
            "ktnc",
            "diagnosis $50, parts $80, shipping $15. if i approve what do i pay?",
            {"total": 145.0, "declined": False},
        ),
    ],
)
def test_repair_totals_follow_the_customers_decision(brand: str, text: str, expected: dict[str, Any]) -> None:
    pack = PACKS[brand]
    verdict = policy.out_of_warranty_cost(pack, READER.read(text, datetime.fromisoformat(US_NOW), pack), None)
    assert (verdict.total, verdict.declined) == (expected["total"], expected["declined"])


def test_credit_counts_every_unit_bought() -> None:
    pack = PACKS["ktnc"]
    moment = datetime.fromisoformat(US_NOW)
    situation = READER.read("bought 4 unused cameras at $150 each on 2026-11-10, credit?", moment, pack)
    verdict = policy.return_option(pack, situation, moment.date())
    assert verdict is not None and verdict.value == 600.0


def test_an_age_is_the_products_age_whatever_follows_it() -> None:
    pack = PACKS["poesec"]
    moment = datetime.fromisoformat(NOW)
    situation = READER.read("camera is 5 months old and broke, still under warranty?", moment, pack)
    assert policy.warranty(pack, situation, moment.date()).status == "covered"
