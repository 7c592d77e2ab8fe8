"""The FAQ as files and back: export, import, and the TOML they are written in."""

from __future__ import annotations

import filecmp
import tomllib
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.backoffice.faqfiles import entry_toml, export_faq, import_faq
from bot.cli import main
from bot.core.errors import FaqError
from bot.engine import Engine, Message
from bot.knowledge.faq import entry_from_table, entry_table
from bot.store import Store

from .conftest import MONDAY_10, ROOT, fresh_engine

QUESTION = "how long is the warranty"


def ask(engine: Engine, text: str, user: str = "tg:2", brand: str | None = None) -> str:
    return "\n".join(r.text for r in engine.handle(Message(user=user, text=text, brand=brand)))


def admin(engine: Engine, *lines: str) -> None:
    for line in lines:
        if line.startswith("press:"):
            engine.handle(Message(user="tg:1", press=line[6:], admin=True))
        else:
            engine.handle(Message(user="tg:1", text=line, admin=True))


def same_tree(a: Path, b: Path) -> bool:
    """Whether two folders hold the same files with the same bytes."""

    def walk(cmp: filecmp.dircmp[str]) -> bool:
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        if cmp.left_only or cmp.right_only or mismatch or errors:
            return False
        return all(walk(sub) for sub in cmp.subdirs.values())

    return walk(filecmp.dircmp(a, b, ignore=["__pycache__"]))


@pytest.fixture
def engine(shared_engine: Engine) -> Engine:
    return fresh_engine(shared_engine)


@pytest.fixture
def edited(engine: Engine) -> Engine:
    """An engine whose admins changed, added, phrased and removed entries in two brands."""
    admin(
        engine,
        "/faq edit warranty-length",
        'It is {{ m.period(warranty.default_months) }}: "no" \\ quibbles.',
        "press:adm:save",
        "/faq add is the moon made of cheese",
        "No.\n\nSecond line, {{ brand.name }}.",
        "press:adm:save",
        "/faq phrase contact can my missus ring somebody",
        "/faq edit greeting",
        "Hi from {{ brand.name }}!",
        "press:adm:save",
        "/faq delete shipping-cost",
        "press:adm:del:shipping-cost",
    )
    engine.handle(Message(user="tg:9", text="/faq edit thanks", admin=True, brand="longgang"))
    engine.handle(Message(user="tg:9", text="Cheers!", admin=True, brand="longgang"))
    engine.handle(Message(user="tg:9", press="adm:save", admin=True, brand="longgang"))
    assert engine.store.faq.version() == 6
    return engine


def test_export_without_changes_is_the_faq_folder_byte_for_byte(engine: Engine, tmp_path: Path) -> None:
    assert export_faq(engine.book, ROOT / "faq", tmp_path / "out") == []
    assert same_tree(ROOT / "faq", tmp_path / "out")


def test_export_writes_changes_where_they_belong(edited: Engine, tmp_path: Path) -> None:
    out = tmp_path / "out"
    written = {str(p.relative_to(out)) for p in export_faq(edited.book, ROOT / "faq", out)}
    assert written == {"kimpok/warranty.toml", "kimpok/service.toml", "kimpok/edits.toml", "longgang/edits.toml"}
    edits = tomllib.loads((out / "kimpok" / "edits.toml").read_text(encoding="utf-8"))
    assert {e["id"] for e in edits["entry"]} == {"is-the-moon-made-of-cheese", "greeting"}
    service = (out / "kimpok" / "service.toml").read_text(encoding="utf-8")
    assert "can my missus ring somebody" in service and 'id = "shipping-cost"' not in service
    # everything else in a rewritten file is as the repository has it, comments included
    original = (ROOT / "faq" / "kimpok" / "service.toml").read_text(encoding="utf-8")
    assert service.splitlines()[0] == original.splitlines()[0]
    assert filecmp.cmp(ROOT / "faq" / "jingpin" / "warranty.toml", out / "jingpin" / "warranty.toml", shallow=False)


def test_export_then_import_round_trips_byte_for_byte(edited: Engine, shared_engine: Engine, tmp_path: Path) -> None:
    export_faq(edited.book, ROOT / "faq", tmp_path / "one")
    elsewhere = fresh_engine(shared_engine)  # another installation, with an empty database
    changes = import_faq(elsewhere.book, tmp_path / "one", by="desk", at=MONDAY_10)
    assert len(changes) == 6  # kimpok: 5 entries; longgang: 1
    elsewhere.sync_faq()
    export_faq(elsewhere.book, ROOT / "faq", tmp_path / "two")
    assert same_tree(tmp_path / "one", tmp_path / "two")
    assert ask(elsewhere, QUESTION).startswith('It is 1 year: "no" \\ quibbles.')
    assert ask(elsewhere, "is the moon made of cheese").startswith("No.\nSecond line, Kimpok.")
    assert ask(elsewhere, "thanks", brand="longgang", user="tg:3") == "Cheers!"
    assert ask(elsewhere, "thanks", user="tg:4") != "Cheers!"  # kimpok's thanks is kimpok's own
    # importing the same files again changes nothing, and records nothing
    version = elsewhere.store.faq.version()
    assert import_faq(edited.book, tmp_path / "two", by="desk", at=MONDAY_10) == []
    assert import_faq(elsewhere.book, tmp_path / "two", by="desk", at=MONDAY_10) == []
    assert elsewhere.store.faq.version() == version


def test_an_import_is_recorded_in_the_history(engine: Engine, tmp_path: Path) -> None:
    export_faq(engine.book, ROOT / "faq", tmp_path / "out")
    path = tmp_path / "out" / "kimpok" / "warranty.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("generally our warranties are", "our warranties are"), encoding="utf-8"
    )
    (change,) = import_faq(engine.book, tmp_path / "out", by="Bo at the desk", at=MONDAY_10)
    assert (change.brand, change.entry_id) == ("kimpok", "warranty-length")
    (row,) = engine.store.faq.history("kimpok", "warranty-length")
    assert row["action"] == "import" and row["by"] == "Bo at the desk"
    assert "generally" in row["before"]["answer"]["en"] and "generally" not in row["after"]["answer"]["en"]
    assert "generally" not in ask(engine, QUESTION)
    admin(engine, "/faq undo warranty-length")
    assert "generally our warranties" in ask(engine, QUESTION)


@pytest.mark.parametrize(
    ("file", "old", "new", "problem"),
    [
        ("kimpok/service.toml", "{{ m.phones() }}", "{{ contacts.nope }}", "unknown policy value"),
        ("kimpok/service.toml", "{{ m.phones() }}", "{{ oops", "template syntax error"),
        ("kimpok/service.toml", 'id = "contact"', 'id = "contact"\ncolour = "red"', "unknown key"),
        ("kimpok/service.toml", 'id = "not-working"', 'id = "contact"', "duplicate id"),
        ("kimpok/service.toml", '[[entry]]\nid = "contact"', '[[entry]\nid = "contact"', "(syntax)"),
        ("_common/messages.toml", "Did this help?", "Was that useful?", "differs from faq/"),
        ("kimpok/edits.toml", None, 'removed = ["no-such-entry"]\n', "is not a shared entry"),
    ],
)
def test_a_bad_import_changes_nothing(
    edited: Engine, tmp_path: Path, file: str, old: str | None, new: str, problem: str
) -> None:
    out = tmp_path / "out"
    export_faq(edited.book, ROOT / "faq", out)
    # a good change in another file must not slip in either
    good = out / "jingpin" / "warranty.toml"
    good.write_text(good.read_text(encoding="utf-8").replace("[[entry]]", "# note\n[[entry]]", 1), encoding="utf-8")
    path = out / file
    text = path.read_text(encoding="utf-8")
    path.write_text(new + text if old is None else text.replace(old, new, 1), encoding="utf-8")
    version = edited.store.faq.version()
    before = ask(edited, QUESTION)
    with pytest.raises(FaqError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        import_faq(edited.book, out, by="desk", at=MONDAY_10)
    assert edited.store.faq.version() == version
    assert ask(edited, QUESTION) == before


def test_export_refuses_a_folder_that_is_not_empty(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FaqError, match="not empty"):
        export_faq(engine.book, ROOT / "faq", tmp_path)
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_the_cli_exports_and_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "bot.db")
    monkeypatch.setenv("SUPPORTBOT_DB", db)
    assert main(["faq", "export", str(tmp_path / "one")]) == 0
    assert "none (the FAQ is as faq/ has it)" in capsys.readouterr().out
    path = tmp_path / "one" / "kimpok" / "warranty.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("generally our warranties are", "warranties are"), encoding="utf-8"
    )
    assert main(["faq", "import", str(tmp_path / "one"), "--dry-run"]) == 0
    assert "kimpok/warranty-length: changed\n1 entry would change" in capsys.readouterr().out
    assert Store(db).faq.version() == 0
    assert main(["faq", "import", str(tmp_path / "one"), "--by", "desk"]) == 0
    assert "1 entry changed; customers get them at once" in capsys.readouterr().out
    assert main(["faq", "export", str(tmp_path / "two")]) == 0
    assert "kimpok/warranty.toml" in capsys.readouterr().out
    assert main(["faq", "import", str(tmp_path / "two")]) == 0
    assert "0 entries changed" in capsys.readouterr().out
    assert main(["faq", "export", str(tmp_path / "three")]) == 0
    assert same_tree(tmp_path / "two", tmp_path / "three")
    broken = tmp_path / "two" / "kimpok" / "warranty.toml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("{{ m.period(", "{{ m.perio(", 1), encoding="utf-8")
    assert main(["faq", "import", str(tmp_path / "two")]) == 2
    assert "warranty.toml: entry[" in capsys.readouterr().err
    assert Store(db).faq.version() == 1


texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60).filter(str.strip)


@given(
    title=texts, phrasings=st.lists(texts, min_size=1, max_size=3), answer=texts, sources=st.lists(texts, max_size=2)
)
@example(title="t", phrasings=["p"], answer='"""', sources=[])  # three quotes at the end: escaped twice once
@example(title="t", phrasings=["p"], answer='say ""hi""" twice', sources=[])
def test_any_entry_is_written_as_toml_that_reads_back_the_same(
    title: str, phrasings: list[str], answer: str, sources: list[str]
) -> None:
    table = {
        "id": "x-1",
        "title": {"en": title},
        "sources": sources,
        "phrasings": phrasings,
        "answer": {"en": answer, "zh": answer},
    }
    if not sources:
        del table["sources"]
    expected = entry_table(entry_from_table(table, Path("t"), "b"))
    written = entry_toml(expected)
    assert entry_table(entry_from_table(tomllib.loads(written)["entry"][0], Path("t"), "b")) == expected
    assert entry_toml(expected) == written


def test_deleting_a_brand_entry_that_hides_a_shared_one_exports_and_imports(content_copy: Path, tmp_path: Path) -> None:
    from bot.engine import fixed_clock

    shared = content_copy / "faq" / "_common" / "general.toml"
    shared.write_text(
        shared.read_text(encoding="utf-8") + '\n[[entry]]\nid = "recycling"\ntitle.en = "Recycling"\n'
        'phrasings = ["do you recycle old cameras"]\nanswer.en = "Shared answer."\n',
        encoding="utf-8",
    )
    own = content_copy / "faq" / "kimpok" / "service.toml"
    own.write_text(
        own.read_text(encoding="utf-8") + '\n[[entry]]\nid = "recycling"\ntitle.en = "Recycling"\n'
        'phrasings = ["do you recycle old cameras"]\nanswer.en = "Kimpok answer."\n',
        encoding="utf-8",
    )
    engine = Engine.from_root(content_copy, store=Store(":memory:"), clock=fixed_clock(MONDAY_10))
    admin(engine, "/faq delete recycling", "press:adm:del:recycling")
    assert "answer." not in ask(engine, "do you recycle old cameras")
    export_faq(engine.book, content_copy / "faq", tmp_path / "out")
    other = Engine.from_root(content_copy, store=Store(":memory:"), clock=fixed_clock(MONDAY_10))
    import_faq(other.book, tmp_path / "out", by="desk", at=MONDAY_10)
    other.sync_faq()
    assert "answer." not in ask(other, "do you recycle old cameras")


def test_an_import_cannot_drop_entries_the_bot_needs(engine: Engine, tmp_path: Path) -> None:
    export_faq(engine.book, ROOT / "faq", tmp_path / "out")
    path = tmp_path / "out" / "kimpok" / "edits.toml"
    path.write_text('removed = ["greeting"]\n', encoding="utf-8")
    with pytest.raises(FaqError, match="smalltalk entry is part of how the bot behaves"):
        import_faq(engine.book, tmp_path / "out", by="desk", at=MONDAY_10)
    assert engine.store.faq.version() == 0


def test_entry_ids_are_short_plain_words(engine: Engine, tmp_path: Path) -> None:
    export_faq(engine.book, ROOT / "faq", tmp_path / "out")
    path = tmp_path / "out" / "kimpok" / "service.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('id = "contact"', 'id = "Contact Us"'), encoding="utf-8")
    with pytest.raises(FaqError, match="lower-case letters, digits and hyphens"):
        import_faq(engine.book, tmp_path / "out", by="desk", at=MONDAY_10)


def test_an_import_names_every_broken_answer_at_once(engine: Engine, tmp_path: Path) -> None:
    export_faq(engine.book, ROOT / "faq", tmp_path / "out")
    for brand in ("kimpok", "longgang"):
        path = tmp_path / "out" / brand / "service.toml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("{{ m.availability() }}", "{{ m.availabilty() }}", 1),
            encoding="utf-8",
        )
    with pytest.raises(FaqError, match=r"2 answers do not render:\n.*kimpok.*\n.*longgang"):
        import_faq(engine.book, tmp_path / "out", by="desk", at=MONDAY_10)
