"""Settings as an IT person writes them: a ``.env`` file beside the bot, the environment over it, a typo stops it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def _ask(tmp_path: Path, text: str, dotenv: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SUPPORTBOT_", "TELEGRAM_"))}
    environment.update({"PYTHONPATH": str(ROOT), "SUPPORTBOT_CONTENT": str(ROOT), **env})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--jsonl"],
        input=json.dumps({"user": "u", "text": text}) + "\n",
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
    )


ORDINARY_ENV = """\
# supportbot settings, as an IT person writes them

export SUPPORTBOT_BRAND=ktnc  # our brand
SUPPORTBOT_DB="{db}"
SUPPORTBOT_NOW='2026-11-23T10:00:00+08:00'   # Monday morning in Shenzhen

TELEGRAM_WEBHOOK_SECRET=abc=def==
"""


def test_an_ordinary_env_file_is_read_as_every_other_tool_reads_it(tmp_path: Path) -> None:
    db = tmp_path / "data" / "bot=1.db"
    db.parent.mkdir()
    result = _ask(tmp_path, "how long is the warranty", ORDINARY_ENV.format(db=db))
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)["replies"][0]["text"]
    assert "3 years" in reply  # KT&C's warranty: the brand without its comment, `export` honoured
    assert db.is_file()  # the quoted path with an `=` in it


def test_the_environment_wins_over_the_env_file(tmp_path: Path) -> None:
    result = _ask(
        tmp_path,
        "how long is the warranty",
        "SUPPORTBOT_BRAND=ktnc\n",
        SUPPORTBOT_BRAND="kimpok",
        SUPPORTBOT_DB=str(tmp_path / "bot.db"),
    )
    assert result.returncode == 0, result.stderr
    assert "1 year from the date of purchase" in json.loads(result.stdout)["replies"][0]["text"]


@pytest.mark.parametrize(
    ("line", "setting", "says"),
    [
        ("SUPPORTBOT_BRAND=acme  # typo", "SUPPORTBOT_BRAND", "known: jingpin, kimpok, ktnc, longgang, poesec"),
        ("SUPPORTBOT_NOW=next tuesday", "SUPPORTBOT_NOW", "ISO 8601"),
        ("SUPPORTBOT_KEEP_EVENTS_DAYS=ten", "SUPPORTBOT_KEEP_EVENTS_DAYS", "whole number of days"),
        ("export SUPPORTBOT_KEEP_OUTBOX_DAYS=-1", "SUPPORTBOT_KEEP_OUTBOX_DAYS", "whole number of days"),
    ],
)
def test_a_wrong_value_stops_start_up_with_one_line_naming_the_setting(
    tmp_path: Path, line: str, setting: str, says: str
) -> None:
    result = _ask(tmp_path, "hello", f"{line}\nSUPPORTBOT_DB={tmp_path / 'bot.db'}\n")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"supportbot: {setting}: ") and says in lines[0]


def test_a_wrong_telegram_setting_in_env_stops_the_bot_before_it_connects(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "export TELEGRAM_BOT_TOKEN='123456:ABC'\nSUPPORTBOT_MAX_RATE=fast  # as fast as allowed\n", encoding="utf-8"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SUPPORTBOT_", "TELEGRAM_"))}
    environment.update({"PYTHONPATH": str(ROOT), "SUPPORTBOT_CONTENT": str(ROOT)})
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli"],  # no command: `run`, as TELEGRAM_BOT_TOKEN is set in .env
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "supportbot: SUPPORTBOT_MAX_RATE: 'fast' is not a positive number of messages a second"
    ]
