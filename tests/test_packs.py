"""Brand packs load, and a malformed pack stops start-up with one line naming file, key and problem."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.errors import PackError
from bot.knowledge.pack_models import Window
from bot.knowledge.packs import BRAND_CODES, load_packs

from .conftest import ROOT


def test_every_brand_pack_loads_with_its_code() -> None:
    packs = load_packs(ROOT / "policies")
    assert {b: p.code for b, p in packs.items()} == BRAND_CODES


def test_every_pack_has_hours_a_warranty_and_exclusions() -> None:
    for pack in load_packs(ROOT / "policies").values():
        assert pack.open_spans, pack.id
        assert pack.warranty.default_months or pack.categories, pack.id
        assert pack.exclusions(), pack.id


def _edit(root: Path, brand: str, old: str, new: str) -> None:
    path = root / "policies" / f"{brand}.toml"
    text = path.read_text(encoding="utf-8")
    assert re.search(old, text, flags=re.M), f"{old!r} not in {path}"
    path.write_text(re.sub(old, new, text, count=1, flags=re.M), encoding="utf-8")


@pytest.mark.parametrize(
    ("brand", "old", "new", "key", "problem"),
    [
        ("kimpok", r"^default_months = 12$", 'default_months = "twelve"', "warranty.default_months", "expected"),
        ("kimpok", r'^timezone = "Asia/Shanghai"$', 'timezone = "Mars/Olympus"', "hours.timezone", "unknown time zone"),
        ("kimpok", r'^end = "17:00"$', 'end = "08:00"', "hours.open[0].end", "before it opens"),
        ("kimpok", r'^counts_from = "purchase"$', 'counts_from = "birthday"', "warranty.counts_from", "unknown value"),
        ("kimpok", r'^tags = \["vandalism"\]$', 'tags = ["gremlins"]', "exclusions[3].tags[0]", "unknown value"),
        ("kimpok", r'^code = "000"$', 'code = "007"', "brand.code", "expected '000'"),
        ("kimpok", r"^\[brand\]$", "[brand\n", "(syntax)", ""),
        ("kimpok", r'^id = "kimpok"\n', "", "brand.id", "missing"),
        # a type the model states, with the value found at that key
        (
            "jingpin",
            r"^months = 24$",
            'months = "24"',
            "warranty.categories[0].months",
            "expected an integer, got a string '24'",
        ),
        ("jingpin", r"^months = 12$", "months = -12", "warranty.categories[1].months", "must not be negative, got -12"),
        ("kimpok", r'^text = "acts of nature"\n', "", "exclusions[2].text", "missing"),
        ("kimpok", r'^text = "acts of nature"$', 'text = "  "', "exclusions[2].text", "must not be empty"),
        ("kimpok", r'^languages = \["en", "zh", "vi"\]$', 'languages = "en"', "brand.languages", "expected a list"),
        ("ktnc", r"^validity_days = 15$", "validity_days = 0", "rma.validity_days", "must be at least 1, got 0"),
        ("ktnc", r"^diagnosis = 50$", "diagnosis = -50", "fees.diagnosis", "must not be negative, got -50"),
        ("ktnc", r"^diagnosis = 50$", "diagnosis = true", "fees.diagnosis", "expected a number, got a boolean"),
        (
            "kimpok",
            r'^number_issued = "at_once"$',
            'number_issued = "soon"',
            "rma.number_issued",
            "expected 'at_once' or 'after_review', got 'soon'",
        ),
        (
            "poesec",
            r"^manufacturer_terms = true$",
            'manufacturer_terms = "yes"',
            "warranty.categories[1].manufacturer_terms",
            "expected true or false, got a string 'yes'",
        ),
        ("kimpok", r"^\[contacts\]$", "[contactz]", "contacts", "missing"),
        (
            "ktnc",
            r'^scope = "credit"$',
            'scope = "credits"',
            "exclusions[5].scope",
            "expected one of 'warranty', 'credit', 'return_exchange', 'returns', 'stock_rotation', 'all_policies',"
            " got 'credits'",
        ),
        # what a type cannot say: vocabulary, unique ids, orders, references
        (
            "kimpok",
            r'^to_company = "customer"$',
            'to_company = "nobody"',
            "shipping.rules[1].to_company",
            "unknown payer 'nobody' (allowed: company, customer)",
        ),
        (
            "jingpin",
            r'^id = "module"$',
            'id = "terminal"',
            "warranty.categories[1].id",
            "duplicate category id 'terminal'",
        ),
        ("kimpok", r'^id = "nature"$', 'id = "modified"', "exclusions[2].id", "duplicate exclusion id 'modified'"),
        (
            "jingpin",
            r"^in_warranty_additional_fees = 0$",
            "in_warranty_additional_fees = -1",
            "fees.in_warranty_additional_fees",
            "must not be negative, got -1",
        ),
        ("kimpok", r"^until_day = 30$", "until_day = 0", "shipping.rules[0].until_day", "must be after from_day"),
        ("ktnc", r"^until_day = 90$", "until_day = 20", "credit.windows[1].until_day", "must be after from_day"),
        (
            "kimpok",
            r'^languages = \["en", "zh", "vi"\]$',
            'languages = ["en", "fr"]',
            "brand.languages[1]",
            "unknown value",
        ),
        ("kimpok", r'^days = \["sat"\]$', 'days = ["caturday"]', "hours.open[1].days[0]", "unknown value 'caturday'"),
        ("kimpok", r'^calendar = "CN"$', 'calendar = "XX"', "hours.calendar", "unknown calendar 'XX'"),
        ("kimpok", r'^end = "17:00"$', 'end = "5pm"', "hours.open[0].end", "expected a time as HH:MM, got '5pm'"),
        ("kimpok", r"^schema = 1$", "schema = 2", "schema", "unsupported schema version 2"),
        (
            "longgang",
            r'^part_of = "not_per_manual"$',
            'part_of = "nothing"',
            "exclusions[2].part_of",
            "unknown exclusion 'nothing'",
        ),
        ("kimpok", r'^source = "sources/kimpok.txt"$', 'source = "kimpok.pdf"', "brand.source", "not found beside"),
    ],
)
def test_malformed_pack_names_file_key_and_problem(
    content_copy: Path, brand: str, old: str, new: str, key: str, problem: str
) -> None:
    _edit(content_copy, brand, old, new)
    with pytest.raises(PackError) as caught:
        load_packs(content_copy / "policies")
    line = str(caught.value)
    assert "\n" not in line
    assert line.startswith(str(content_copy / "policies" / f"{brand}.toml") + f": {key}: ")
    assert problem in line
    assert (caught.value.key, caught.value.problem) == (key, line.split(f": {key}: ", 1)[1])


def test_malformed_vocabulary_names_its_file_and_key(content_copy: Path) -> None:
    path = content_copy / "policies" / "_vocabulary.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('payers = ["company", "customer"]', "payers = 3"))
    with pytest.raises(PackError) as caught:
        load_packs(content_copy / "policies")
    assert str(caught.value) == f"{path}: payers: expected a list, got an integer 3"


def test_malformed_pack_stops_the_command_with_one_line(content_copy: Path) -> None:
    _edit(content_copy, "ktnc", r'^timezone = ".*"$', 'timezone = "Nowhere/Land"')
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check"],
        capture_output=True,
        text=True,
        env={"SUPPORTBOT_CONTENT": str(content_copy), "PATH": ""},
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "ktnc.toml: hours.timezone: unknown time zone 'Nowhere/Land'" in lines[0]
    assert "Traceback" not in result.stderr


# -- the typed pack: what code reads ------------------------------------------------------------------------


def test_code_reads_typed_fields() -> None:
    packs = load_packs(ROOT / "policies")
    ktnc, jingpin, poesec = packs["ktnc"], packs["jingpin"], packs["poesec"]
    assert (ktnc.fees.currency, ktnc.fees.currency_symbol, ktnc.fees.diagnosis) == ("USD", "$", 50.0)
    assert (ktnc.rma.validity_days, ktnc.repair.repaired_warranty_days) == (15, 180)
    assert jingpin.rma.number_issued == "after_review" and jingpin.rma.troubleshoot_first
    assert (jingpin.repair.cycle_min_working_days, jingpin.repair.cycle_max_working_days) == (10, 20)
    assert [w.id for w in jingpin.windows] == ["return_window", "replacement_window"]
    assert [(w.until_day, w.inclusive) for w in jingpin.windows] == [(7, True), (30, True)]  # day 30 counts
    assert [w.id for w in ktnc.windows] == ["credit", "house_credit_or_exchange"]
    assert poesec.warranty.counts_from == "delivery" and poesec.warranty.default_months is None
    assert packs["longgang"].warranty.exception_rule == "stated_period_applies"
    assert [t.until_month for t in packs["longgang"].fees.beyond_warranty] == [24, None]
    # absent sections read as empty ones, not as missing keys
    assert packs["kimpok"].fees.diagnosis is None and packs["kimpok"].credit.windows == ()
    assert packs["poesec"].shipping.rules == () and packs["poesec"].contacts.phones == ()


def test_category_names_per_language() -> None:
    packs = load_packs(ROOT / "policies")
    terminal = packs["jingpin"].category("terminal")
    assert terminal is not None
    assert (terminal.name_in("zh"), terminal.name_in("vi"), terminal.name_in("en")) == (
        "整机终端",
        "Thiết bị nguyên chiếc",
        "Terminal whole machine",
    )
    cameras = packs["poesec"].category("cameras_recorders")
    assert cameras is not None
    assert cameras.names == {"en": "Cameras and recorders", "zh": "摄像机和录像机", "vi": "Camera và đầu ghi"}
    # the two spellings of "follows the manufacturer's own warranty"
    assert {c.id for c in packs["poesec"].categories if c.manufacturer_terms} == {"accessories"}
    assert {c.id for c in packs["ktnc"].categories if c.manufacturer_terms} == {"hard_drive"}
    assert {c.group_id for c in packs["ktnc"].categories if c.id.startswith("pan_tilt")} == {"pan_tilt"}


def test_exclusions_are_typed_and_read_as_their_raw_tables() -> None:
    pack = load_packs(ROOT / "policies")["kimpok"]
    (nature,) = [e for e in pack.exclusions_for("flood")]
    assert (nature.id, nature.scope, nature.part_of) == ("nature", "warranty", None)
    assert "flood" in nature.tags and nature.text == "acts of nature"
    # still a read-only mapping of the pack's table, for templates and callers not yet converted
    raw = next(t for t in pack.data["exclusions"] if t["id"] == "nature")
    assert dict(nature) == raw and nature.data is raw
    assert nature.get("text_zh") == "自然灾害等不可抗力" and nature.get("scope", "warranty") == "warranty"
    assert "text_zh" in nature and "scope" not in nature
    assert Window(id="built", until_day=3)  # a piece is there even without a raw table (an empty Mapping is not)


def test_templates_read_pack_pieces_exactly_like_the_raw_tables() -> None:
    from bot.knowledge.faq import Content

    packs = load_packs(ROOT / "policies")
    content = Content(ROOT / "faq", packs)
    open_ended = packs["longgang"].fees.beyond_warranty[-1]
    rule = packs["kimpok"].shipping.rules[1]
    template = content.env.from_string(
        "{{ t.until_month is defined }} {{ t['labour'] }} {{ r.labels_issued_by | default('our team') }}"
        " {{ r.get('to_customer') }} {{ 'from_day' in r }}"
    )
    assert template.render(t=open_ended, r=rule) == "False charged our team company True"
