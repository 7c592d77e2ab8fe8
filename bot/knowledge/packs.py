"""Brand packs: each brand's after-sales policy as validated data (``policies/<brand>.toml``).

A pack is loaded once at start-up and validated against the shape below; any problem stops start-up
with one line naming the file, the key and the problem (:class:`bot.errors.PackError`). Templates
receive the pack's raw data, so every number an answer quotes comes from here.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import PackError
from bot.knowledge.hours import Calendar, load_calendars

BRAND_CODES = {"kimpok": "000", "longgang": "001", "jingpin": "002", "poesec": "003", "ktnc": "004"}
DEFAULT_BRAND = "kimpok"


@dataclass(frozen=True)
class OpenSpan:
    """One opening span on one weekday (0 = Monday), in the brand's time zone."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Category:
    """A product category with its own warranty period."""

    id: str
    name: str
    months: int | None
    parts_months: int | None
    keywords: tuple[str, ...]
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def manufacturer_terms(self) -> bool:
        """Whether the product follows its manufacturer's own warranty instead of a stated period."""
        return bool(self.data.get("manufacturer_warranty") or self.data.get("manufacturer_terms"))


@dataclass(frozen=True)
class BrandPack:
    """A validated brand pack."""

    id: str
    code: str
    name: str
    path: Path
    data: Mapping[str, Any]
    timezone: ZoneInfo
    open_spans: tuple[OpenSpan, ...]
    categories: tuple[Category, ...] = field(default=())
    calendar: Calendar | None = None  # public holidays and make-up working days

    @property
    def languages(self) -> tuple[str, ...]:
        """Customer languages this brand has wording for (English always)."""
        return tuple(self.data["brand"]["languages"])

    def exclusions(self) -> list[Mapping[str, Any]]:
        """The brand's exclusions, in document order."""
        return list(self.data.get("exclusions", []))

    def exclusions_for(self, tag: str) -> list[Mapping[str, Any]]:
        """The exclusions that apply to a situation tag."""
        return [e for e in self.exclusions() if tag in e.get("tags", ())]

    def category(self, category_id: str) -> Category | None:
        """A product category by id."""
        return next((c for c in self.categories if c.id == category_id), None)


class _Checker:
    """Walks a pack's data and raises PackError naming the file and the dotted key."""

    def __init__(self, path: Path, vocabulary: Mapping[str, Any]) -> None:
        self.path = path
        self.vocab = vocabulary

    def fail(self, key: str, problem: str) -> PackError:
        return PackError(self.path, key, problem)

    def get(
        self,
        data: Mapping[str, Any],
        key: str,
        kind: type | tuple[type, ...],
        *,
        required: bool = True,
        prefix: str = "",
    ) -> Any:
        full = f"{prefix}{key}"
        if key not in data:
            if required:
                raise self.fail(full, "missing")
            return None
        value = data[key]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            raise self.fail(full, f"expected {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.fail(full, f"expected {_kind_name(kind)}, got {type(value).__name__} {value!r}")
        return value

    def text(self, data: Mapping[str, Any], key: str, *, required: bool = True, prefix: str = "") -> str | None:
        value = self.get(data, key, str, required=required, prefix=prefix)
        if value is not None and not value.strip():
            raise self.fail(f"{prefix}{key}", "must not be empty")
        return value

    def number(
        self, data: Mapping[str, Any], key: str, *, required: bool = True, prefix: str = "", minimum: float = 0
    ) -> float | int | None:
        value = self.get(data, key, (int, float), required=required, prefix=prefix)
        if value is not None and value < minimum:
            raise self.fail(f"{prefix}{key}", f"must be at least {minimum}, got {value}")
        return value

    def strings(
        self,
        data: Mapping[str, Any],
        key: str,
        *,
        required: bool = True,
        prefix: str = "",
        allowed: list[str] | None = None,
    ) -> list[str]:
        value = self.get(data, key, list, required=required, prefix=prefix)
        if value is None:
            return []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{prefix}{key}[{i}]", f"expected a non-empty string, got {item!r}")
            if allowed is not None and item not in allowed:
                raise self.fail(f"{prefix}{key}[{i}]", f"unknown value {item!r} (allowed: {', '.join(allowed)})")
        return value

    def tables(
        self, data: Mapping[str, Any], key: str, *, required: bool = True, prefix: str = ""
    ) -> Iterator[tuple[str, Mapping[str, Any]]]:
        value = self.get(data, key, list, required=required, prefix=prefix)
        for i, item in enumerate(value or []):
            where = f"{prefix}{key}[{i}]"
            if not isinstance(item, dict):
                raise self.fail(where, f"expected a table, got {type(item).__name__}")
            yield f"{where}.", item

    def table(
        self, data: Mapping[str, Any], key: str, *, required: bool = True, prefix: str = ""
    ) -> Mapping[str, Any] | None:
        return self.get(data, key, dict, required=required, prefix=prefix)

    def clock(self, data: Mapping[str, Any], key: str, prefix: str) -> time:
        value = self.text(data, key, prefix=prefix)
        assert value is not None
        try:
            hours, minutes = (int(part) for part in value.split(":"))
            if hours == 24 and minutes == 0:
                return time.max
            return time(hours, minutes)
        except ValueError:
            raise self.fail(f"{prefix}{key}", f"expected a time as HH:MM, got {value!r}") from None


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        list: "a list",
        dict: "a table",
        bool: "true or false",
    }
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def load_vocabulary(policies_dir: Path) -> dict[str, Any]:
    """Load ``policies/_vocabulary.toml``, the shared tag and value lists."""
    path = policies_dir / "_vocabulary.toml"
    return _read_toml(path)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise PackError(path, "(file)", "not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PackError(path, "(syntax)", str(exc)) from None
    except UnicodeDecodeError as exc:
        raise PackError(path, "(encoding)", f"not UTF-8: {exc.reason}") from None


def load_pack(path: Path, vocabulary: Mapping[str, Any], calendars: Mapping[str, Calendar] | None = None) -> BrandPack:
    """Load and validate one brand pack; raise PackError on the first problem."""
    data = _read_toml(path)
    check = _Checker(path, vocabulary)
    return _validate(check, path, data, calendars or {})


def _validate(check: _Checker, path: Path, data: dict[str, Any], calendars: Mapping[str, Calendar]) -> BrandPack:
    vocab = check.vocab
    if check.get(data, "schema", int) != 1:
        raise check.fail("schema", f"unsupported schema version {data['schema']!r} (expected 1)")

    brand = check.table(data, "brand")
    assert brand is not None
    brand_id = check.text(brand, "id", prefix="brand.")
    assert brand_id is not None
    if brand_id != path.stem:
        raise check.fail("brand.id", f"{brand_id!r} does not match the file name {path.stem!r}")
    code = check.text(brand, "code", prefix="brand.")
    if brand_id in BRAND_CODES and code != BRAND_CODES[brand_id]:
        raise check.fail("brand.code", f"expected {BRAND_CODES[brand_id]!r} for {brand_id}, got {code!r}")
    name = check.text(brand, "name", prefix="brand.")
    source = check.text(brand, "source", prefix="brand.")
    if not (path.parent / str(source)).is_file():
        raise check.fail("brand.source", f"document {source!r} not found beside the pack")
    check.strings(brand, "languages", prefix="brand.", allowed=vocab["languages"])

    contacts = data.get("contacts")
    check.table(data, "contacts")
    assert isinstance(contacts, dict)
    # A document may give no phone or email (poesec): answers then point to the bot's consultant handoff.
    contacts.setdefault("phones", [])
    contacts.setdefault("emails", [])
    check.strings(contacts, "phones", prefix="contacts.")
    check.strings(contacts, "emails", prefix="contacts.")

    hours = check.table(data, "hours")
    assert hours is not None
    zone_name = check.text(hours, "timezone", prefix="hours.")
    try:
        zone = ZoneInfo(str(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        raise check.fail("hours.timezone", f"unknown time zone {zone_name!r}") from None
    check.text(hours, "zone_label", prefix="hours.")
    spans: list[OpenSpan] = []
    for where, span in check.tables(hours, "open", prefix="hours."):
        days = check.strings(span, "days", prefix=where, allowed=vocab["weekdays"])
        start = check.clock(span, "start", where)
        end = check.clock(span, "end", where)
        if end <= start:
            raise check.fail(f"{where}end", f"closes at {span['end']} before it opens at {span['start']}")
        spans.extend(OpenSpan(vocab["weekdays"].index(day), start, end) for day in days)
    if not spans:
        raise check.fail("hours.open", "no opening hours")
    calendar_name = check.text(hours, "calendar", required=False, prefix="hours.")
    if calendar_name is not None and calendar_name not in calendars:
        raise check.fail("hours.calendar", f"unknown calendar {calendar_name!r} (known: {', '.join(calendars)})")
    calendar = calendars[calendar_name] if calendar_name is not None else None

    warranty = check.table(data, "warranty")
    assert warranty is not None
    check.number(warranty, "default_months", required=False, prefix="warranty.", minimum=1)
    counts_from = check.text(warranty, "counts_from", prefix="warranty.")
    if counts_from not in vocab["count_from"]:
        raise check.fail(
            "warranty.counts_from", f"unknown value {counts_from!r} (allowed: {', '.join(vocab['count_from'])})"
        )
    categories: list[Category] = []
    seen: set[str] = set()
    for where, cat in check.tables(warranty, "categories", required=False, prefix="warranty."):
        cat_id = check.text(cat, "id", prefix=where)
        assert cat_id is not None
        if cat_id in seen:
            raise check.fail(f"{where}id", f"duplicate category id {cat_id!r}")
        seen.add(cat_id)
        months = check.number(cat, "months", required=False, prefix=where, minimum=0)
        parts = check.number(cat, "parts_months", required=False, prefix=where, minimum=0)
        categories.append(
            Category(
                id=cat_id,
                name=str(check.text(cat, "name", prefix=where)),
                months=None if months is None else int(months),
                parts_months=None if parts is None else int(parts),
                keywords=tuple(check.strings(cat, "keywords", required=False, prefix=where)),
                data=cat,
            )
        )
    if "default_months" not in warranty and not categories:
        raise check.fail("warranty.default_months", "missing (needed when there are no categories)")

    exclusion_ids: set[str] = set()
    for where, excl in check.tables(data, "exclusions"):
        excl_id = check.text(excl, "id", prefix=where)
        assert excl_id is not None
        if excl_id in exclusion_ids:
            raise check.fail(f"{where}id", f"duplicate exclusion id {excl_id!r}")
        exclusion_ids.add(excl_id)
        check.strings(excl, "tags", prefix=where, allowed=vocab["situation_tags"])
        check.text(excl, "text", prefix=where)

    shipping = check.table(data, "shipping", required=False)
    if shipping is not None:
        for where, rule in check.tables(shipping, "rules", required=False, prefix="shipping."):
            check.text(rule, "id", prefix=where)
            for key in ("to_company", "to_customer"):
                payer = check.text(rule, key, required=False, prefix=where)
                if payer is not None and payer not in vocab["payers"]:
                    raise check.fail(f"{where}{key}", f"unknown payer {payer!r} (allowed: company, customer)")
            start_day = check.number(rule, "from_day", required=False, prefix=where)
            until_day = check.number(rule, "until_day", required=False, prefix=where)
            if start_day is not None and until_day is not None and until_day <= start_day:
                raise check.fail(f"{where}until_day", "must be after from_day")

    rma = check.table(data, "rma", required=False)
    if rma is not None:
        check.number(rma, "validity_days", required=False, prefix="rma.", minimum=1)
        issued = rma.get("number_issued", "at_once")
        if issued not in ("at_once", "after_review"):
            raise check.fail("rma.number_issued", f"expected 'at_once' or 'after_review', got {issued!r}")

    fees = check.table(data, "fees", required=False)
    if fees is not None:
        for key, value in fees.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise check.fail(f"fees.{key}", f"must not be negative, got {value}")

    return BrandPack(
        id=brand_id,
        code=str(code),
        name=str(name),
        path=path,
        data=data,
        timezone=zone,
        open_spans=tuple(spans),
        categories=tuple(categories),
        calendar=calendar,
    )


def load_packs(policies_dir: Path) -> dict[str, BrandPack]:
    """Load every ``policies/<brand>.toml`` (files starting with ``_`` are shared data)."""
    vocabulary = load_vocabulary(policies_dir)
    calendars = load_calendars(policies_dir / "_calendar.toml")
    packs: dict[str, BrandPack] = {}
    for path in sorted(policies_dir.glob("*.toml")):
        if path.name.startswith("_"):
            continue
        pack = load_pack(path, vocabulary, calendars)
        packs[pack.id] = pack
    if DEFAULT_BRAND not in packs:
        raise PackError(policies_dir / f"{DEFAULT_BRAND}.toml", "(file)", "the default brand pack is missing")
    return packs
