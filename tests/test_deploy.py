"""The deployment files, read as Docker, Compose and systemd read them.

Docker is not available on the build machine, so the image is not built here: these tests parse the
Dockerfile and check what an operator relies on (a slim Python 3.11, not root, the database on /data, the
health check, ``supportbot run``).
"""

from __future__ import annotations

import fnmatch
import json
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT

DEPLOY = ROOT / "deploy"


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: its keyword and its arguments (the exec form's list, else the words)."""

    keyword: str
    raw: str

    @property
    def args(self) -> list[str]:
        text = self.raw.strip()
        if text.startswith("["):
            value = json.loads(text)
            assert isinstance(value, list) and all(isinstance(v, str) for v in value), text
            return value
        return shlex.split(text)


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions of a Dockerfile: comments and blank lines dropped, ``\\`` continuations joined."""
    instructions: list[Instruction] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = pending + stripped
        pending = ""
        keyword, _, rest = whole.partition(" ")
        assert keyword.isalpha(), f"not an instruction: {whole!r}"
        instructions.append(Instruction(keyword.upper(), rest))
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def _one(instructions: list[Instruction], keyword: str) -> Instruction:
    found = [i for i in instructions if i.keyword == keyword]
    assert found, f"no {keyword}"
    return found[-1]  # Docker uses the last CMD, HEALTHCHECK, USER


def _env(instructions: list[Instruction]) -> dict[str, str]:
    values: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword == "ENV":
            for word in instruction.args:
                key, _, value = word.partition("=")
                values[key] = value
    return values


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return parse_dockerfile((ROOT / "Dockerfile").read_text(encoding="utf-8"))


def test_the_parser_reads_continuations_exec_forms_and_comments() -> None:
    parsed = parse_dockerfile('# c\nFROM a:1\nRUN x \\\n  # inside\n  && y\nCMD ["p", "q"]\n')
    assert [(i.keyword, i.args) for i in parsed] == [("FROM", ["a:1"]), ("RUN", ["x", "&&", "y"]), ("CMD", ["p", "q"])]


def test_the_image_is_slim_python_311_and_runs_the_bot_as_a_user_not_root(dockerfile: list[Instruction]) -> None:
    assert dockerfile[0].keyword == "FROM"
    assert dockerfile[0].args[0] == "python:3.11-slim"
    user = _one(dockerfile, "USER").args[0].split(":")[0]
    assert user not in ("root", "0")
    assert [i.keyword for i in dockerfile].index("USER") > max(
        n for n, i in enumerate(dockerfile) if i.keyword == "RUN"
    ), "every RUN as root comes before USER"
    assert _one(dockerfile, "CMD").args == ["supportbot", "run"]
    assert not [i for i in dockerfile if i.keyword == "ENTRYPOINT"]


def test_the_database_is_on_the_volume_and_the_cache_in_a_folder_the_user_owns(dockerfile: list[Instruction]) -> None:
    env = _env(dockerfile)
    assert "/data" in _one(dockerfile, "VOLUME").args
    assert env["SUPPORTBOT_DB"] == "/data/supportbot.db"
    cache = env["SUPPORTBOT_CACHE"]
    chowns = " ".join(i.raw for i in dockerfile if i.keyword == "RUN" and "chown" in i.raw)
    assert "/data" in chowns and cache in chowns
    assert env["MPLCONFIGDIR"].startswith(cache + "/")  # the user has no writable home for matplotlib


def test_every_setting_the_deployment_files_set_is_one_the_bot_reads(dockerfile: list[Instruction]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    names = set(_env(dockerfile)) | set(compose["services"]["supportbot"]["environment"])
    for unit in ("supportbot.service", "supportbot-backup.service"):
        names |= {e.split("=", 1)[0] for e in parse_unit(DEPLOY / unit)["Service"]["Environment"]}
    settings = {n for n in names if n.startswith(("SUPPORTBOT_", "TELEGRAM_"))}
    assert settings >= {"SUPPORTBOT_DB", "SUPPORTBOT_CACHE", "SUPPORTBOT_CONTENT"}
    assert all(f"| `{n}` |" in readme for n in settings), sorted(n for n in settings if f"| `{n}` |" not in readme)


def test_the_health_check_runs_supportbot_health(dockerfile: list[Instruction]) -> None:
    options, _, command = _one(dockerfile, "HEALTHCHECK").raw.partition(" CMD ")
    assert all(o.startswith("--") for o in options.split())
    assert Instruction("CMD", command).args == ["supportbot", "health"]


def test_the_image_holds_the_package_and_the_content_the_bot_reads(dockerfile: list[Instruction]) -> None:
    copied = [i.args[0] for i in dockerfile if i.keyword == "COPY"] + [
        a for i in dockerfile if i.keyword == "COPY" for a in i.args[:-1]
    ]
    for needed in ("pyproject.toml", "README.md", "bot", "faq", "policies"):
        assert needed in copied, f"{needed} is not copied into the image"
        assert (ROOT / needed).exists()
    assert any(i.keyword == "RUN" and "pip install ." in i.raw for i in dockerfile)
    env = _env(dockerfile)
    workdir = _one(dockerfile, "WORKDIR").args[0]
    assert env["SUPPORTBOT_CONTENT"] == workdir  # faq/ and policies/ are copied into the work folder


def test_dockerignore_keeps_secrets_out_and_what_the_image_needs_in() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path.split("/")[0], p) for p in patterns)

    for secret in (".env", "supportbot.db", "supportbot.db-wal", ".git", ".venv"):
        assert ignored(secret), f"{secret} would be sent to the image"
    for needed in ("pyproject.toml", "README.md", "bot/engine.py", "faq/_common/general.toml", "policies/ktnc.toml"):
        assert not ignored(needed), f"{needed} is ignored but the image needs it"


def test_compose_runs_the_same_image_command_volume_and_health_check(dockerfile: list[Instruction]) -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    bot = compose["services"]["supportbot"]
    assert bot["build"] == "."
    assert bot["command"] == _one(dockerfile, "CMD").args
    assert bot["env_file"] == ".env"
    assert bot["restart"] == "unless-stopped"
    volume, _, target = bot["volumes"][0].partition(":")
    assert target == "/data" and volume in compose["volumes"]
    assert bot["environment"]["SUPPORTBOT_DB"] == _env(dockerfile)["SUPPORTBOT_DB"]
    assert bot["healthcheck"]["test"] == ["CMD", "supportbot", "health"]


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit: sections of keys, each with every value given (a key may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            current = sections.setdefault(stripped[1:-1], {})
            continue
        assert current is not None and "=" in stripped, f"{path.name}:{number}: {line!r}"
        key, _, value = stripped.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "LockPersonality": "yes",
    "CapabilityBoundingSet": "",
}


def test_the_service_runs_the_bot_restarts_it_and_keeps_it_in_a_sandbox() -> None:
    service = parse_unit(DEPLOY / "supportbot.service")["Service"]
    assert service["ExecStart"][0].endswith("/supportbot run")
    assert service["Restart"] in (["always"], ["on-failure"])
    assert "WatchdogSec" not in service, "the bot sends no watchdog pings"
    assert service["Type"] == ["simple"]
    for key, value in HARDENING.items():
        assert service.get(key) == [value], key
    assert service["RestrictAddressFamilies"] == ["AF_INET AF_INET6 AF_UNIX"]
    assert "@system-service" in service["SystemCallFilter"]
    assert service["StateDirectory"] == ["supportbot"]
    assert service["ReadWritePaths"] == ["/var/lib/supportbot"]
    assert service["EnvironmentFile"] == ["/etc/supportbot/env"]
    environment = dict(e.split("=", 1) for e in service["Environment"])
    assert environment["SUPPORTBOT_DB"].startswith("/var/lib/supportbot/")
    assert service["CacheDirectory"] == ["supportbot"]
    assert environment["SUPPORTBOT_CACHE"] == "/var/cache/supportbot"
    assert environment["MPLCONFIGDIR"].startswith("/var/cache/supportbot/")
    assert service.get("DynamicUser") == ["yes"] or service.get("User", ["root"])[0] != "root"


def test_the_backup_timer_runs_supportbot_backup_nightly_on_the_same_database() -> None:
    bot = parse_unit(DEPLOY / "supportbot.service")["Service"]
    backup = parse_unit(DEPLOY / "supportbot-backup.service")["Service"]
    timer = parse_unit(DEPLOY / "supportbot-backup.timer")
    assert "supportbot backup " in backup["ExecStart"][0]
    assert backup["Type"] == ["oneshot"]
    assert backup["User"] == bot["User"] and backup["StateDirectory"] == bot["StateDirectory"]
    assert [e for e in backup["Environment"] if e.startswith("SUPPORTBOT_DB=")] == [
        e for e in bot["Environment"] if e.startswith("SUPPORTBOT_DB=")
    ]
    assert timer["Timer"]["Unit"] == ["supportbot-backup.service"]
    assert timer["Timer"]["OnCalendar"][0].startswith("*-*-* ")  # every day
    assert timer["Timer"]["Persistent"] == ["yes"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_itself_accepts_the_units() -> None:
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(p) for p in sorted(DEPLOY.glob("supportbot*")))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # The one thing it may miss on a build machine is the bot installed in /opt/supportbot.
    problems = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and "/opt/supportbot/.venv/bin/supportbot is not executable" not in line
    ]
    assert not problems, result.stderr
