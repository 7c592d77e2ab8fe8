"""The README documents every setting the code reads and every command the CLI has."""

from __future__ import annotations

import re

from bot.cli import build_parser

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_the_code_reads_is_documented() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "bot").rglob("*.py"))
    # read directly, or through config.py's checking helpers (_positive, _days)
    settings = set(re.findall(r"(?:os\.environ\.get|_positive|_days)\(\"([A-Z_]+)\"", source))
    assert settings >= {"TELEGRAM_BOT_TOKEN", "SUPPORTBOT_DB", "SUPPORTBOT_BRAND", "SUPPORTBOT_NOW"}
    assert settings >= {"SUPPORTBOT_MAX_RATE", "SUPPORTBOT_KEEP_EVENTS_DAYS"}
    missing = sorted(s for s in settings if f"`{s}`" not in README)
    assert not missing, f"README does not document: {missing}"


def test_every_command_is_documented() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name in subparsers.choices:  # type: ignore[union-attr]
        assert f"supportbot {name}" in README, name


def test_readme_opens_with_the_two_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    assert "pip install -e . && .venv/bin/supportbot" in blocks[0]
    assert "pip install -e '.[test]' && .venv/bin/python -m pytest" in blocks[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[1].strip() in ci
