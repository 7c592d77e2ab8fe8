"""FAQ content: every entry renders for its brand, covers its document, and never leaks another brand."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
import pytest

from bot.core.errors import FaqError
from bot.engine import Engine, Message
from bot.knowledge.faq import base_context
from bot.knowledge.pack_models import TableView
from bot.loading import Knowledge
from bot.selfcheck import check_root
from bot.store import Store

from .conftest import MONDAY_10, ROOT

KNOWLEDGE = Knowledge.load(ROOT)
PACKS, CONTENT = KNOWLEDGE.packs, KNOWLEDGE.content
BRANDS = sorted(PACKS)


def _rendered(brand: str) -> dict[tuple[str, str], str]:
    context = base_context(PACKS[brand], MONDAY_10)
    return {
        (e.id, lang): CONTENT.render_entry(brand, e, lang, context)
        for e in CONTENT.entries[brand].values()
        for lang in e.answers
    }


@pytest.mark.parametrize("brand", BRANDS)
def test_every_entry_renders_for_its_brand_in_each_language(brand: str) -> None:
    rendered = _rendered(brand)
    assert len({k[0] for k in rendered}) >= 15
    for (entry_id, lang), text in rendered.items():
        assert text.strip(), (entry_id, lang)
        assert "{{" not in text and "{%" not in text, (entry_id, lang)


class _Unlimited(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """jinja2's sandbox without the bot's limits, pack pieces read as their tables like the bot's own."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        return super().getattr(obj.data if isinstance(obj, TableView) else obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        return super().getitem(obj.data if isinstance(obj, TableView) else obj, argument)


@pytest.mark.parametrize("brand", BRANDS)
def test_every_answer_reads_the_same_within_the_limits_as_without_them(brand: str) -> None:
    plain = _Unlimited(
        loader=jinja2.FileSystemLoader(str(ROOT / "faq" / "_common" / "templates")),
        undefined=jinja2.StrictUndefined,
        lstrip_blocks=True,
    )
    plain.filters["cause_name"] = CONTENT.cause_name
    for moment in (MONDAY_10, MONDAY_10.replace(hour=22)):  # open, and closed
        context = base_context(PACKS[brand], moment)
        for entry in CONTENT.entries[brand].values():
            for lang, source in entry.answers.items():
                header = f'{{% import "macros.{lang}.j2" as m with context %}}' if "m." in source else ""
                expected = "\n".join(
                    line.rstrip()
                    for line in plain.from_string(header + source).render(context).strip().splitlines()
                    if line.strip()
                )
                assert CONTENT.render_entry(brand, entry, lang, context) == expected, (entry.id, lang)


@pytest.mark.parametrize("brand", BRANDS)
def test_brand_languages_have_wording(brand: str) -> None:
    languages = set(PACKS[brand].languages) - {"en"}
    # out-of-scope entries have no answer of their own in any language (the shared "don't know" answers them)
    own = [e for e in CONTENT.entries[brand].values() if e.brand == brand and e.kind != "oos"]
    for lang in languages:
        with_lang = [e.id for e in own if lang in e.answers]
        assert len(with_lang) >= 0.9 * len(own), f"{brand}: only {len(with_lang)}/{len(own)} entries in {lang}"


def _lines(brand: str) -> list[str]:
    pack = PACKS[brand]
    ignored = {" ".join(line.split()) for line in pack.data["brand"].get("ignore_lines", [])}
    text = (ROOT / "policies" / pack.brand.source).read_text(encoding="utf-8")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return [line for line in lines if len(line.split()) >= 4 and line not in ignored]


@pytest.mark.parametrize("brand", BRANDS)
def test_every_paragraph_of_the_document_is_reachable(brand: str) -> None:
    quotes = [" ".join(q.split()) for e in CONTENT.entries[brand].values() if e.brand == brand for q in e.sources]
    document = " ".join((ROOT / "policies" / PACKS[brand].brand.source).read_text(encoding="utf-8").split())
    for quote in quotes:
        assert quote in document, f"{brand}: source quote not in the document: {quote!r}"
    uncovered = [line for line in _lines(brand) if not any(q in line for q in quotes)]
    assert not uncovered, f"{brand}: document lines no entry answers: {uncovered}"


def _identifiers(brand: str) -> set[str]:
    contacts = PACKS[brand].contacts
    found = {re.sub(r"\D", "", p)[-8:] for p in contacts.phones}
    found |= {e.lower() for e in contacts.emails}
    return found


@pytest.mark.parametrize("brand", BRANDS)
def test_no_brand_answers_with_another_brands_contacts_or_name(brand: str) -> None:
    others = {b for b in BRANDS if b != brand}
    for (entry_id, lang), text in _rendered(brand).items():
        digits = re.sub(r"\D", "", text)
        for other in others:
            for ident in _identifiers(other) - _identifiers(brand):
                assert ident not in (digits if ident.isdigit() else text.lower()), (entry_id, lang, other)
            assert PACKS[other].name.lower() not in text.lower(), (entry_id, lang, other)


def test_changing_a_pack_value_changes_every_answer_that_quotes_it(content_copy: Path) -> None:
    path = content_copy / "policies" / "kimpok.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("default_months = 12", "default_months = 18"), encoding="utf-8"
    )
    engine = Engine.from_root(content_copy, store=Store(":memory:"))
    for question in ("how long is the warranty?", "is repair free?", "保修期多长"):
        reply = "\n".join(r.text for r in engine.handle(Message(user=question, text=question, brand="kimpok")))
        assert "18 months" in reply or "18个月" in reply, reply
        assert "1 year" not in reply and "1年" not in reply, reply


def test_changing_the_shipping_window_changes_the_shipping_answer(content_copy: Path) -> None:
    path = content_copy / "policies" / "kimpok.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("until_day = 30", "until_day = 45").replace("from_day = 30", "from_day = 45"), encoding="utf-8"
    )
    engine = Engine.from_root(content_copy, store=Store(":memory:"))
    reply = engine.handle(Message(user="u", text="who pays shipping for my rma?", brand="kimpok"))[0].text
    assert "45 days" in reply and "30 days" not in reply


def test_the_shipped_content_passes_the_wording_check() -> None:
    # every answer, verdict, message and troubleshooting step, and sample conversations down every RMA and
    # handoff path, for every brand in each of its languages: what `supportbot check` runs before a deploy
    assert check_root(ROOT).packs.keys() == PACKS.keys()


def test_start_up_does_not_render_the_wording_but_the_check_catches_it(content_copy: Path) -> None:
    path = content_copy / "faq" / "kimpok" / "warranty.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("{{ m.period(warranty.default_months) }}", "{{ nope.months }}"),
        encoding="utf-8",
    )
    engine = Engine.from_root(content_copy, store=Store(":memory:"))  # starts: the wording is not rendered
    reply = engine.handle(Message(user="u", text="how long is the warranty?", brand="kimpok"))[0].text
    assert "something went wrong" in reply.lower() and "nope" not in reply  # the customer sees an apology
    with pytest.raises(FaqError, match="warranty-length"):
        check_root(content_copy)


def test_template_with_unknown_policy_value_fails_the_check(content_copy: Path) -> None:
    path = content_copy / "faq" / "kimpok" / "warranty.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "{{ m.period(warranty.default_months) }} from the date", "{{ warranty.lifetime_months }} from the date"
        ),
        encoding="utf-8",
    )
    with pytest.raises(FaqError) as caught:
        check_root(content_copy)
    assert str(caught.value).startswith(f"{path}: entry[warranty-length].answer.en: unknown policy value")


def test_template_with_bad_syntax_fails_the_check(content_copy: Path) -> None:
    path = content_copy / "faq" / "kimpok" / "service.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("{{ m.phones() }}", "{{ m.phones( }}", 1), encoding="utf-8"
    )
    with pytest.raises(FaqError) as caught:
        check_root(content_copy)
    assert str(caught.value).startswith(f"{path}: entry[contact].answer.en: template syntax error")


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ('[[entry]]\nid = "x"\ntitle.en = "X"\nanswer.en = "x"\n', "entry[x].phrasings", "needs at least one"),
        ('[[entry]]\nid = "x"\ntitle.en = "X"\nphrasings = ["x"]\n', "entry[x].answer", "expected a table"),
        (
            '[[entry]]\nid = "x"\ntitle.en = "X"\nphrasings = ["x"]\nanswer.fr = "x"\n',
            "entry[x].answer.fr",
            "unknown language",
        ),
        (
            '[[entry]]\nid = "x"\nkind = "chit"\ntitle.en = "X"\nphrasings = ["x"]\nanswer.en = "x"\n',
            "entry[x].kind",
            "unknown kind",
        ),
        (
            '[[entry]]\nid = "contact"\ntitle.en = "X"\nphrasings = ["x"]\nanswer.en = "x"\n',
            "entry[contact].id",
            "duplicate id",
        ),
        ("[[entry]\n", "(syntax)", ""),
    ],
)
def test_malformed_faq_file_names_file_key_and_problem(content_copy: Path, text: str, key: str, problem: str) -> None:
    path = content_copy / "faq" / "kimpok" / "zz_extra.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FaqError) as caught:
        check_root(content_copy)
    line = str(caught.value)
    assert "\n" not in line
    assert line.startswith(f"{path}: {key}: ")
    assert problem in line


def test_open_now_answer_follows_the_clock() -> None:
    entry = CONTENT.entries["kimpok"]["open-now"]
    pack = PACKS["kimpok"]
    friday_evening = datetime.fromisoformat("2026-11-27T18:30:00+08:00")
    closed = CONTENT.render_entry("kimpok", entry, "en", base_context(pack, friday_evening))
    assert "closed" in closed and "Saturday 28 November, 9:00" in closed
    opened = CONTENT.render_entry("kimpok", entry, "en", base_context(pack, MONDAY_10))
    assert opened.startswith("Yes") and "17:00" in opened


def test_compiled_wording_is_kept_between_processes_and_a_spoilt_cache_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("SUPPORTBOT_CACHE", str(cache))
    first = Knowledge.load(ROOT).content
    entry = first.entries["kimpok"]["warranty-length"]
    context = base_context(PACKS["kimpok"], MONDAY_10)
    expected = first.render_entry("kimpok", entry, "en", context)
    kept = list(cache.iterdir())
    assert kept, "the compiled answer was not kept"
    for path in kept:
        path.write_bytes(b"not a compiled template")  # a full disk, another version: compile again
    again = Knowledge.load(ROOT).content
    assert again.render_entry("kimpok", entry, "en", context) == expected
    monkeypatch.setenv("SUPPORTBOT_CACHE", "off")
    assert Knowledge.load(ROOT).content.render_entry("kimpok", entry, "en", context) == expected
