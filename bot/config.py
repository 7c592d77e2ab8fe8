"""Settings from the environment (and an optional ``.env`` file) and where the content lives."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.errors import ConfigError
from bot.packs import DEFAULT_BRAND

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def content_root() -> Path:
    """The folder holding ``policies/`` and ``faq/`` (``SUPPORTBOT_CONTENT`` overrides)."""
    override = os.environ.get("SUPPORTBOT_CONTENT")
    candidates = [Path(override)] if override else [PACKAGE_ROOT, Path.cwd()]
    for root in candidates:
        if (root / "policies").is_dir() and (root / "faq").is_dir():
            return root
    raise ConfigError(f"no policies/ and faq/ folders found in {', '.join(str(c) for c in candidates)}")


def load_dotenv(path: Path = Path(".env")) -> None:
    """Read ``KEY=value`` lines from a ``.env`` file into the environment (existing values win)."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def parse_now(value: str, *, source: str) -> datetime:
    """Parse a fixed clock value (ISO 8601 with a UTC offset)."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{source}: {value!r} is not an ISO 8601 time such as 2026-11-23T10:00:00+08:00") from None
    if moment.tzinfo is None:
        raise ConfigError(f"{source}: {value!r} needs a UTC offset, such as +08:00")
    return moment


@dataclass(frozen=True)
class Settings:
    """Runtime settings shared by every adapter."""

    db_path: str
    brand: str
    now: datetime | None

    @classmethod
    def from_env(cls, *, brand: str | None = None, now: str | None = None, db: str | None = None) -> Settings:
        """Settings from arguments first, then the environment, then defaults."""
        env_now = now or os.environ.get("SUPPORTBOT_NOW") or None
        return cls(
            db_path=db or os.environ.get("SUPPORTBOT_DB") or "supportbot.db",
            brand=(brand or os.environ.get("SUPPORTBOT_BRAND") or DEFAULT_BRAND).strip().lower(),
            now=parse_now(env_now, source="--now" if now else "SUPPORTBOT_NOW") if env_now else None,
        )
