"""The batch interface and the console chat, run as a customer's tools would run them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from .conftest import ROOT


def _run(args: list[str], stdin: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTBOT_")}
    environment.update({"SUPPORTBOT_DB": str(tmp_path / "bot.db"), **env})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
    )


def test_batch_contract_one_line_out_per_line_in_bad_lines_included(tmp_path: Path) -> None:
    lines = [
        {"user": "a", "brand": "kimpok", "text": "how long is the warranty?"},
        "this is not json",
        {"user": "b", "brand": "nosuchbrand", "text": "hello"},
        {"user": "c", "text": "rma"},
        {"user": "c", "press": "I've already tried: start the request"},
        {"user": "d", "text": 42},
        {"user": "e", "text": "hi", "press": "x"},
        ["a", "list"],
        {"user": "f", "brand": "ktnc", "now": "yesterday", "text": "hi"},
        {"user": "g", "brand": "longgang", "now": "2026-11-23T10:00:00+08:00", "text": "are you open now?"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    result = _run(["ask", "--jsonl"], stdin, tmp_path)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    assert out[0]["user"] == "a" and out[0]["replies"][0]["text"].startswith("1 year")
    assert out[0]["replies"][0]["buttons"] == ["👍 Yes", "👎 No"]
    assert "error" in out[1] and "JSON" in out[1]["error"]
    assert out[2] == {"user": "b", "error": out[2]["error"]} and "nosuchbrand" in out[2]["error"]
    assert out[3]["replies"][0]["buttons"][-1] == "I've already tried: start the request"  # a button's label
    assert "Which product is it?" in out[4]["replies"][-1]["text"]  # pressed by its label
    assert out[5]["user"] == "d" and "'text' must be a string" in out[5]["error"]
    assert "exactly one of" in out[6]["error"]
    assert out[7] == {"user": None, "error": "expected a JSON object"}
    assert "ISO 8601" in out[8]["error"]
    assert out[9]["replies"][0]["text"].startswith("Yes")
    assert "Traceback" not in result.stderr


def test_batch_brand_defaults_to_the_environment(tmp_path: Path) -> None:
    result = _run(
        ["ask", "--jsonl"],
        json.dumps({"user": "x", "text": "how long is the warranty"}) + "\n",
        tmp_path,
        SUPPORTBOT_BRAND="ktnc",
    )
    assert "3 years" in json.loads(result.stdout)["replies"][0]["text"]


def test_batch_conversation_continues_across_runs(tmp_path: Path) -> None:
    first = _run(["ask", "--jsonl"], json.dumps({"user": "p", "text": "shipping"}) + "\n", tmp_path)
    label = json.loads(first.stdout)["replies"][0]["buttons"][0]
    second = _run(["ask", "--jsonl"], json.dumps({"user": "p", "press": label}) + "\n", tmp_path)
    assert "no longer active" not in json.loads(second.stdout)["replies"][0]["text"]


def test_console_chat_shows_buttons_as_numbers_and_takes_a_number(tmp_path: Path) -> None:
    result = _run(["chat", "--now", "2026-11-23T10:00:00+08:00"], "rma\n1\nhow long is the warranty\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Kimpok" in result.stdout
    assert "  [1] " in result.stdout
    assert "1 year from the date of purchase" in result.stdout


def test_unknown_default_brand_is_one_clear_line(tmp_path: Path) -> None:
    result = _run(["chat"], "", tmp_path, SUPPORTBOT_BRAND="acme")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "unknown brand 'acme'" in result.stderr


def test_bad_now_is_one_clear_line(tmp_path: Path) -> None:
    result = _run(["chat", "--now", "tomorrow-ish"], "", tmp_path)
    assert result.returncode == 2
    assert "--now: 'tomorrow-ish' is not an ISO 8601 time" in result.stderr


def test_the_content_folder_is_found_from_anywhere(tmp_path: Path) -> None:
    assert (ROOT / "policies").is_dir()
    result = _run(["check", "--now", "2026-06-01T10:00:00+08:00"], "", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "kimpok (000)" in result.stdout


def test_batch_survives_odd_lines_and_keeps_going(tmp_path: Path) -> None:
    lines = [
        '{"user": "a\\ud800", "text": "hi \\ud800 there"}',
        '{"user": "b", "now": "9999-12-31T23:00+08:00", "text": "hi"}',
        '{"user": "c", "text": "bought it 5000 years ago, free?"}',
        '{"user": "d", "text": "三四月份买的，坏了，免费吗"}',
        '{"user": "e", "text": "' + "[" * 5000 + '"}',
        '{"user": "f", "text": "how long is the warranty?"}',
    ]
    result = _run(["ask", "--jsonl"], "\n".join(lines) + "\n", tmp_path)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    assert "replies" in out[0]
    assert "outside the years" in out[1]["error"]
    assert "Traceback" not in result.stdout
    assert out[-1]["replies"][0]["text"].startswith("1 year")


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])  # the locale's encoding (PYTHONIOENCODING stands in)
def test_ask_jsonl_odd_input_invalid_utf8_and_huge_numbers_get_a_polite_error_per_line(
    tmp_path: Path, encoding: str
) -> None:
    # issue 17, item 3: every line is answered, each bad one with its own error; no traceback, no "internal error"
    huge = "9" * 5000  # beyond Python's 4300-digit limit on integer strings
    lines = [
        b'{"user": "a", "text": "how long is the warranty?"}',
        b'{"user": "b", "text": "caf\xe9 \xff\xfe broken"}',  # Latin-1 bytes: not UTF-8
        b"\xff\xfe\x00{",
        b'{"user": "c", "text": ' + huge.encode() + b"}",
        b'{"user": "d", "text": "hi", "extra": [' + huge.encode() + b"]}",
        b'{"user": 1e999, "text": "hi"}',
        b'{"user": "e", "brand": "' + b"k" * 100_000 + b'", "text": "hi"}',
        b'{"user": "f", "now": "2026-11-23T10:00:00+23:00", "text": "hi"}',
        b'{"user": "' + b"u" * 100_000 + b'", "text": "hi"}',
        b'{"user": "g", "' + b"z" * 100_000 + b'": 1, "text": "hi"}',
        '{"user": "h", "brand": "kimpok", "text": "保修期多久？"}'.encode(),
        b'{"user": "i", "press": "' + b"p" * 100_000 + b'"}',
        b'{"user": "j", "text": "how long is the warranty?"}',
    ]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTBOT_")}
    environment.update(SUPPORTBOT_DB=str(tmp_path / "bot.db"), LC_ALL="C.UTF-8", PYTHONIOENCODING=encoding)
    # a date whose holidays are known: in November and December a missing next year is warned of on stderr
    environment.update(SUPPORTBOT_NOW="2026-06-01T10:00:00+08:00")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--jsonl"],
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr and not stderr.strip(), stderr
    out = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(out) == len(lines)
    assert out[0]["replies"][0]["text"].startswith("1 year")
    assert out[1] == {"user": "b", "error": "not valid UTF-8: byte 0xe9 at position 26"}
    assert out[2] == {"user": None, "error": "not valid UTF-8: byte 0xff at position 0"}
    assert out[3] == {"user": None, "error": "a number in this line has more than 4300 digits"}
    assert out[4] == out[3]
    assert out[5] == {"user": None, "error": "'user' must be a non-empty string"}
    assert out[6] == {"user": "e", "error": "'brand' is too long (100000 characters; at most 40)"}
    assert out[7]["user"] == "f" and "beyond ±14:00" in out[7]["error"]
    assert out[8] == {"user": None, "error": "'user' is too long (100000 characters; at most 200)"}
    assert out[9]["user"] == "g" and out[9]["error"] == f"unknown field {'z' * 40 + '…'!r}"
    assert out[10]["replies"][0]["text"].startswith("保修")  # UTF-8 out, whatever the locale
    assert "no longer active" in out[11]["replies"][0]["text"]
    assert out[12]["replies"][0]["text"].startswith("1 year")
    assert not [o for o in out if "internal error" in o.get("error", "")]


KTNC_REQUEST = [
    ("text", "/rma"),
    ("text", "KNR-1600 PC NVR"),  # a category whose period the document gives
    ("text", "SN 2203KT77812"),
    ("text", "bought 2026-10-01"),
    ("press", "rma:from:direct"),
    ("text", "the recorder reboots every few minutes and the image freezes"),
    ("press", "rma:photos:skip"),
    ("press", "rma:q:opened:no"),
    ("press", "rma:q:damage:none"),
    ("press", "rma:q:seal:yes"),
    ("text", "a@example.com"),
    ("text", "1 Main St, Springfield, USA 12345"),
    ("press", "rma:confirm"),
]


def test_staff_at_a_desk_list_show_and_change_an_rma_and_the_customer_hears_of_it(tmp_path: Path) -> None:
    now = {"SUPPORTBOT_NOW": "2026-11-18T11:00:00+08:00"}
    lines = "".join(json.dumps({"user": "desk", "brand": "ktnc", kind: value}) + "\n" for kind, value in KTNC_REQUEST)
    filed = _run(["ask", "--jsonl"], lines, tmp_path, **now)
    last = json.loads(filed.stdout.splitlines()[-1])["replies"][0]["text"]
    number = last.split("Your RMA number is ")[1].split(".")[0]
    listed = _run(["rma", "list"], "", tmp_path, **now)
    assert listed.returncode == 0 and number in listed.stdout and "awaiting_shipment" in listed.stdout
    shown = _run(["rma", "show", number.lower()], "", tmp_path, **now)
    assert "2203KT77812" in shown.stdout and "History:" in shown.stdout
    changed = _run(["rma", "set-status", number, "received", "--by", "Lee"], "", tmp_path, **now)
    assert changed.returncode == 0 and "now received" in changed.stdout
    refused = _run(["rma", "set-status", number, "closed-ish"], "", tmp_path, **now)
    assert refused.returncode == 2 and "unknown status" in refused.stderr and "Traceback" not in refused.stderr
    missing = _run(["rma", "set-status", number, "shipped"], "", tmp_path, **now)
    assert missing.returncode == 2 and "tracking number" in missing.stderr
    # the customer's console chat shows the change with their next message
    console = _run(["chat", "--brand", "ktnc", "--user", "desk"], "/status\n", tmp_path, **now)
    assert f"Update on your repair request {number}" in console.stdout and "received" in console.stdout


@pytest.mark.parametrize("clock", ["SUPPORTBOT_NOW", "--now", "now on the text lines only"])
def test_one_clock_an_rma_filed_through_ask_jsonl_is_dated_and_valid_from_the_fixed_time(
    tmp_path: Path, clock: str
) -> None:
    # issue 17, item 1: the request is confirmed by a press line, and its number is valid 15 days from 18 November
    moment = "2026-11-18T11:00:00+08:00"
    env = {"SUPPORTBOT_NOW": moment} if clock == "SUPPORTBOT_NOW" else {}
    args = ["ask", "--jsonl", *(["--now", moment] if clock == "--now" else [])]
    lines = [
        {"user": "clock", "brand": "ktnc", kind: value, **({"now": moment} if kind == "text" and not env else {})}
        for kind, value in [*KTNC_REQUEST, ("press", "rma:status")]
    ]
    if clock == "--now":
        lines = [{k: v for k, v in line.items() if k != "now"} for line in lines]
    filed = _run(args, "".join(json.dumps(line) + "\n" for line in lines), tmp_path, **env)
    assert filed.returncode == 0, filed.stderr
    out = [json.loads(line) for line in filed.stdout.splitlines()]
    instructions = out[-2]["replies"][1]["text"]
    assert "is valid until 3 December 2026 (15 days)" in instructions
    status = out[-1]["replies"][0]["text"]
    assert "Valid until 3 December 2026." in status and "18 Nov 11:00: requested" in status
    number = status.split(":")[0]
    shown = _run(["rma", "show", number], "", tmp_path)
    assert "2026-11-18 11:00 requested by customer" in shown.stdout, shown.stdout
    assert "valid until 2026-12-03" in shown.stdout


def test_an_old_rma_row_without_model_works_with_rma_list_show_and_set_status(tmp_path: Path) -> None:
    # issue 17, item 13 (second half): a request filed before "model" (and later fields) existed
    from bot.store import Store

    store = Store(str(tmp_path / "bot.db"))
    old = {"serial": "SN-OLD-1", "lang": "en", "photos": None, "answers": None}
    number = store.rmas.create(
        make_number=lambda: "RMA-000-AAAA-0001",
        user="tg:1",
        brand="kimpok",
        status="received",
        data=old,
        outcome="free",
        at=datetime.fromisoformat("2025-06-01T10:00:00+08:00"),
        expires_on=None,
    )
    store.close()
    now = {"SUPPORTBOT_NOW": "2026-11-18T11:00:00+08:00"}
    listed = _run(["rma", "list"], "", tmp_path, **now)
    assert listed.returncode == 0, listed.stderr
    assert f"{number} · kimpok · received · ? · 2025-06-01" in listed.stdout
    shown = _run(["rma", "show", number], "", tmp_path, **now)
    assert shown.returncode == 0, shown.stderr
    assert "Model: ? · serial SN-OLD-1" in shown.stdout and "History:" in shown.stdout
    for status in (["diagnosing"], ["shipped", "1Z999AA10123456784"]):
        changed = _run(["rma", "set-status", number, *status, "--by", "Lee"], "", tmp_path, **now)
        assert changed.returncode == 0 and "Traceback" not in changed.stderr, changed.stderr
    assert "is now shipped" in changed.stdout
    console = _run(["chat", "--user", "tg:1"], "/status\n", tmp_path, **now)
    assert f"Update on your repair request {number} (?): shipped back to you." in console.stdout
    assert f"{number}: ?, serial SN-OLD-1: shipped back to you (tracking number 1Z999AA10123456784)" in console.stdout


def test_explain_shows_the_whole_reading_of_a_question(tmp_path: Path) -> None:
    question = "bought 3 cameras on 2026-03-01, lightning hit them. is that covered? and who pays shipping?"
    done = _run(["explain", "--brand", "kimpok", question], "", tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "language: en" in out
    assert "date: purchase" in out and "2026-03-01" in out  # which date it is
    assert "causes: lightning" in out and "units: 3" in out
    assert "part 1: 'bought 3 cameras" in out and "part 2: 'who pays shipping?'" in out
    assert "shipping-cost" in out  # the second part's own decision
    chinese = _run(["explain", "--brand", "kimpok", "你们的电话是多少？"], "", tmp_path)
    assert "language: zh" in chinese.stdout and "contact" in chinese.stdout


def test_batch_on_several_workers_answers_every_conversation_as_one_process_does(tmp_path: Path) -> None:
    """24 customers' conversations interleaved (an RMA walked through step by step, a date told and then
    asked about, bad lines): with two workers each conversation reads exactly as in one process, in order,
    across the point where the batch spreads over its workers (each customer's clock carried over)."""
    lines: list[object] = []
    for step in range(6):
        for n in range(24):
            user, brand = f"customer-{n}", ("kimpok", "ktnc", "longgang", "poesec")[n % 4]
            script = [
                {"user": user, "brand": brand, "now": "2026-11-23T10:00:00+08:00", "text": "hi"},
                {"user": user, "text": "i bought my nvr on 2026-03-02"},
                {"user": user, "text": "is it still under warranty?"},
                {"user": user, "text": "rma"} if n % 2 else {"user": user, "text": "who pays shipping?"},
                {"user": user, "text": "it fell off the wall"},
                "not json at all" if n == 3 else {"user": user, "text": "thanks, bye"},
            ]
            lines.append(script[step])
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = _run(["ask", "--jsonl", "--workers", "1"], stdin, tmp_path / "one")
    two = _run(["ask", "--jsonl", "--workers", "2"], stdin, tmp_path / "two")
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert len(two.stdout.splitlines()) == len(lines)
    assert two.stdout == one.stdout
    replies = [json.loads(line) for line in two.stdout.splitlines()]
    assert [r["user"] for r in replies[:24]] == [f"customer-{n}" for n in range(24)]
    (tmp_path / "new").mkdir()
    fresh = json.loads(_run(["ask", "--jsonl"], json.dumps(lines[105]) + "\n", tmp_path / "new").stdout)
    assert replies[105] != fresh  # an RMA request's next step: the conversation went on in the same worker
    assert "Traceback" not in two.stderr


@pytest.mark.parametrize("command", [["rma", "list"], ["outcomes"], ["ask", "--jsonl"]])
def test_a_database_from_a_newer_version_or_not_a_database_is_named_in_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 999")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is a text file, not a database" * 200)
    for db in (newer, junk):
        done = _run(command, "", tmp_path, SUPPORTBOT_DB=str(db))
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("supportbot: ")
