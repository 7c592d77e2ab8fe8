"""Settings from the environment (and an optional ``.env`` file) and where the content lives."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import dotenv

from bot.core.clock import parse_now
from bot.core.errors import ConfigError
from bot.knowledge.packs import DEFAULT_BRAND
from bot.store.retention import Keep

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
MAX_KEEP_DAYS = 36_500  # a retention window of more than a hundred years is a typo


def content_root() -> Path:
    """The folder holding ``policies/`` and ``faq/`` (``SUPPORTBOT_CONTENT`` overrides)."""
    override = os.environ.get("SUPPORTBOT_CONTENT")
    candidates = [Path(override)] if override else [PACKAGE_ROOT, Path.cwd()]
    for root in candidates:
        if (root / "policies").is_dir() and (root / "faq").is_dir():
            return root
    raise ConfigError(f"no policies/ and faq/ folders found in {', '.join(str(c) for c in candidates)}")


def load_dotenv(path: Path = Path(".env")) -> None:
    """Read a ``.env`` file into the environment; a variable already set wins over the file.

    python-dotenv reads it as Docker Compose, systemd's ``EnvironmentFile`` and shells do: ``export KEY=value``,
    quoted values, a trailing ``# comment`` after a space, blank lines and ``=`` inside a value.
    """
    if path.is_file():
        dotenv.load_dotenv(path, override=False, encoding="utf-8")


def _known_brands() -> list[str] | None:
    """The brands of the content's packs (``policies/<brand>.toml``), or None when no content is found yet."""
    try:
        root = content_root()
    except ConfigError:
        return None
    return sorted(p.stem for p in (root / "policies").glob("*.toml") if not p.stem.startswith("_"))


def _brand(given: str | None) -> str:
    source = "--brand" if given else "SUPPORTBOT_BRAND"
    brand = (given or os.environ.get("SUPPORTBOT_BRAND") or DEFAULT_BRAND).strip().lower()
    known = _known_brands()
    if known and brand not in known:
        raise ConfigError(f"{source}: unknown brand {brand!r} (known: {', '.join(known)})")
    return brand


@dataclass(frozen=True)
class Settings:
    """Runtime settings shared by every adapter."""

    db_path: str
    brand: str
    now: datetime | None
    keep: Keep = field(default_factory=Keep)  # days each kind of record is kept (SUPPORTBOT_KEEP_…_DAYS)

    @classmethod
    def from_env(cls, *, brand: str | None = None, now: str | None = None, db: str | None = None) -> Settings:
        """Settings from arguments first, then the environment, then defaults."""
        env_now = now or os.environ.get("SUPPORTBOT_NOW") or None
        return cls(
            db_path=db or os.environ.get("SUPPORTBOT_DB") or "supportbot.db",
            brand=_brand(brand),
            now=parse_now(env_now, source="--now" if now else "SUPPORTBOT_NOW") if env_now else None,
            keep=keep_from_env(),
        )


def keep_from_env() -> Keep:
    """How long records are kept, checked (see :mod:`bot.store.retention`).

    SUPPORTBOT_KEEP_EVENTS_DAYS, SUPPORTBOT_KEEP_OUTBOX_DAYS, SUPPORTBOT_KEEP_UNANSWERED_DAYS,
    SUPPORTBOT_KEEP_CONVERSATIONS_DAYS.
    """
    default = Keep()
    return Keep(
        events=_days("SUPPORTBOT_KEEP_EVENTS_DAYS", default.events),
        outbox=_days("SUPPORTBOT_KEEP_OUTBOX_DAYS", default.outbox),
        unanswered=_days("SUPPORTBOT_KEEP_UNANSWERED_DAYS", default.unanswered),
        conversations=_days("SUPPORTBOT_KEEP_CONVERSATIONS_DAYS", default.conversations),
    )


def _days(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdecimal() or not raw.isascii() or int(raw) > MAX_KEEP_DAYS:
        raise ConfigError(f"{name}: {raw!r} is not a whole number of days from 0 (keep for ever) to {MAX_KEEP_DAYS}")
    return int(raw)


def telegram_settings_from_env() -> tuple[str, str, int | None, frozenset[int], float, float, float]:
    """The Telegram settings from the environment, checked.

    TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL, SUPPORTBOT_STAFF_CHAT_ID, SUPPORTBOT_ADMIN_IDS, SUPPORTBOT_MAX_RATE,
    SUPPORTBOT_GROUP_RATE, SUPPORTBOT_CHAT_RATE.
    """
    bots = bots_from_env()
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip() or (bots[0][1] if bots else "")
    if not token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and set "
            "TELEGRAM_BOT_TOKEN=<token> in the environment or a .env file"
        )
    base = os.environ.get("TELEGRAM_API_BASE_URL", "").strip() or "https://api.telegram.org"
    if not base.startswith(("http://", "https://")):
        raise ConfigError(f"TELEGRAM_API_BASE_URL: {base!r} is not an http(s) URL")
    staff_raw = os.environ.get("SUPPORTBOT_STAFF_CHAT_ID", "").strip()
    try:
        staff = int(staff_raw) if staff_raw else None
    except ValueError:
        raise ConfigError(f"SUPPORTBOT_STAFF_CHAT_ID: {staff_raw!r} is not a chat id (a number)") from None
    admins: set[int] = set()
    for part in os.environ.get("SUPPORTBOT_ADMIN_IDS", "").split(","):
        if part.strip():
            try:
                admins.add(int(part.strip()))
            except ValueError:
                raise ConfigError(f"SUPPORTBOT_ADMIN_IDS: {part.strip()!r} is not a user id (a number)") from None
    rate = _positive("SUPPORTBOT_MAX_RATE", "30", "messages a second")
    group_rate = _positive("SUPPORTBOT_GROUP_RATE", "20", "messages a minute")
    chat_rate = _positive("SUPPORTBOT_CHAT_RATE", "1", "messages a second")
    return token, base, staff, frozenset(admins), rate, group_rate, chat_rate


def _positive(name: str, default: str, unit: str) -> float:
    raw = os.environ.get(name, "").strip() or default
    try:
        value = float(raw)
        if value <= 0:
            raise ValueError
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a positive number of {unit}") from None
    return value


BotEntry = tuple[str, str, str | None, tuple[str, ...]]  # name ("" the first), token, brand, brands to choose from


def bots_from_env() -> tuple[BotEntry, ...]:
    """The bots of one installation, checked: SUPPORTBOT_BOTS and SUPPORTBOT_BRANDS (empty: the one bot as ever).

    ``SUPPORTBOT_BOTS="kimpok=<token>,ktnc=<token>"`` runs a bot per brand; ``kimpok+ktnc=<token>`` is one bot
    whose customers choose the brand. The first bot keeps a single bot's conversation keys: when
    TELEGRAM_BOT_TOKEN is set too, it must be the first. ``SUPPORTBOT_BRANDS="kimpok,ktnc"``: the brands of
    the one bot of TELEGRAM_BOT_TOKEN. Whether the brands exist is checked against the content (the CLI).
    """
    raw = os.environ.get("SUPPORTBOT_BOTS", "").strip()
    brands = tuple(dict.fromkeys(b.strip().lower() for b in os.environ.get("SUPPORTBOT_BRANDS", "").split(",")))
    brands = tuple(b for b in brands if b)
    if not raw:
        token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
        if len(brands) == 1:
            raise ConfigError(
                f"SUPPORTBOT_BRANDS: {brands[0]!r} is one brand; list two or more, or set SUPPORTBOT_BRAND"
            )
        return (("", token, None, brands),) if brands and token else ()
    if brands:
        raise ConfigError("SUPPORTBOT_BRANDS: with SUPPORTBOT_BOTS, give a bot several brands as kimpok+ktnc=<token>")
    entries: list[BotEntry] = []
    for part in (p.strip() for p in raw.split(",")):
        names, _, token = (s.strip() for s in part.partition("="))
        own = tuple(dict.fromkeys(n.strip().lower() for n in names.split("+")))
        if not part or not token or not all(own) or any(":" in n for n in own) or ":" not in token:
            raise ConfigError(f"SUPPORTBOT_BOTS: {part[:40]!r} is not brand=<token> (e.g. kimpok=123456:ABC…,ktnc=…)")
        taken = {b for e in entries for b in (e[3] or (e[2],))}
        if taken & set(own) or any(e[1] == token for e in entries):
            raise ConfigError(f"SUPPORTBOT_BOTS: brand {names!r} or its token is listed twice")
        name = own[0] if entries else ""
        entries.append((name, token, own[0] if len(own) == 1 else None, own if len(own) > 1 else ()))
    single = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if single and single != entries[0][1]:
        raise ConfigError(
            "SUPPORTBOT_BOTS: list TELEGRAM_BOT_TOKEN's bot first (its customers keep their conversations), "
            "or unset TELEGRAM_BOT_TOKEN"
        )
    return tuple(entries)
