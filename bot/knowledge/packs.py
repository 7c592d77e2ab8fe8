"""Brand packs: each brand's after-sales policy as validated, typed data (``policies/<brand>.toml``).

A pack is loaded once at start-up: its TOML is converted into the typed models of
:mod:`bot.knowledge.pack_models` (the models are the validation), then checked for what a type cannot
say (the brand code, the source document beside the pack, a known time zone and calendar, values from
``policies/_vocabulary.toml``, unique ids…). Any problem stops start-up with one line naming the file,
the dotted key and the problem (:class:`bot.core.errors.PackError`). Code reads the typed fields
(``pack.warranty.counts_from``); templates receive the pack's raw data (``pack.data``), so every number
an answer quotes comes from here.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from bot.core.errors import PackError
from bot.knowledge.hours import CHINA_ZONES, Calendar, load_calendars, says_china, zone_labels
from bot.knowledge.pack_errors import validation_problem
from bot.knowledge.pack_models import (
    Category,
    Exclusion,
    FeeTier,
    Model,
    PackModel,
    ShippingRule,
    Vocabulary,
    Window,
    attach_raw,
)

__all__ = [
    "BRAND_CODES",
    "DEFAULT_BRAND",
    "BrandPack",
    "Category",
    "Exclusion",
    "FeeTier",
    "OpenSpan",
    "ShippingRule",
    "Window",
    "load_pack",
    "load_packs",
    "load_vocabulary",
]

BRAND_CODES = {"kimpok": "000", "longgang": "001", "jingpin": "002", "poesec": "003", "ktnc": "004"}
DEFAULT_BRAND = "kimpok"

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class OpenSpan:
    """One opening span on one weekday (0 = Monday), in the brand's time zone."""

    weekday: int
    start: time
    end: time


class BrandPack(PackModel, kw_only=True, frozen=True):
    """A validated brand pack: the typed pack, plus its file, its raw data and what loading derives."""

    path: Path
    data: Mapping[str, Any]  # the raw validated mapping: what templates receive (see faq.base_context)
    timezone: ZoneInfo
    open_spans: tuple[OpenSpan, ...]
    calendar: Calendar | None = None  # public holidays and make-up working days
    windows: tuple[Window, ...] = ()  # return, replacement and credit windows, shortest first

    @property
    def id(self) -> str:
        """The brand's id (the pack's file name)."""
        return self.brand.id

    @property
    def code(self) -> str:
        """The brand's three-digit code (in RMA numbers)."""
        return self.brand.code

    @property
    def name(self) -> str:
        """The brand's name as customers read it."""
        return self.brand.name

    @property
    def languages(self) -> tuple[str, ...]:
        """Customer languages this brand has wording for (English always)."""
        return self.brand.languages

    @property
    def categories(self) -> tuple[Category, ...]:
        """Product categories with their own warranty period (none when one period fits all)."""
        return self.warranty.categories

    def exclusions(self) -> list[Exclusion]:
        """The brand's exclusions, in document order."""
        return list(self.exclusion_list)

    def exclusions_for(self, tag: str) -> list[Exclusion]:
        """The exclusions that apply to a situation tag."""
        return [e for e in self.exclusion_list if tag in e.tags]

    def category(self, category_id: str) -> Category | None:
        """A product category by id."""
        return next((c for c in self.categories if c.id == category_id), None)


def load_vocabulary(policies_dir: Path) -> Vocabulary:
    """Load ``policies/_vocabulary.toml``, the shared tag and value lists."""
    path = policies_dir / "_vocabulary.toml"
    return _convert(path, _read_toml(path), Vocabulary)


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


def _convert(path: Path, data: Mapping[str, Any], model: type[_M]) -> _M:
    """``data`` as ``model``; a type error becomes a PackError naming the dotted key."""
    try:
        return msgspec.convert(data, model)
    except msgspec.ValidationError as exc:
        key, problem = validation_problem(exc, data, model)
        raise PackError(path, key, problem) from None


def load_pack(path: Path, vocabulary: Vocabulary, calendars: Mapping[str, Calendar] | None = None) -> BrandPack:
    """Load and validate one brand pack; raise PackError on the first problem."""
    data = _read_toml(path)
    model = _convert(path, data, PackModel)
    attach_raw(model, data)
    check = _Checks(path, vocabulary)
    check.pack(model, data)
    # A document may give no phone or email (poesec): templates see empty lists and point to the handoff.
    data["contacts"].setdefault("phones", [])
    data["contacts"].setdefault("emails", [])
    zone = check.zone(model.hours.timezone)
    check.zone_labels(model.hours.timezone, data.setdefault("hours", {}))
    calendar = check.calendar(model.hours.calendar, calendars or {})
    if calendar is not None and calendar.holidays_name:  # "closed on Chinese public holidays"
        data["hours"].setdefault("holidays_name", dict(calendar.holidays_name))
    fields = {name: getattr(model, name) for name in model.__struct_fields__}
    return BrandPack(
        **fields,
        path=path,
        data=data,
        timezone=zone,
        open_spans=check.spans(model),
        calendar=calendar,
        windows=_windows(model, data),
    )


def _windows(model: PackModel, data: Mapping[str, Any]) -> tuple[Window, ...]:
    """The return / replacement windows (``[returns.*_window]``) and credit windows, shortest first.

    A return window's raw table (what templates read) is its own table with ``id``, ``from_day`` = 0 and
    ``until_day`` = its ``days`` added.
    """
    windows: list[Window] = []
    returns = data.get("returns", {})
    for key in ("return_window", "replacement_window"):
        typed = getattr(model.returns, key)
        if typed is not None:
            window = Window(id=key, from_day=0, until_day=typed.days, inclusive=typed.inclusive, options=typed.options)
            attach_raw(window, {"id": key, "from_day": 0, "until_day": typed.days, **returns[key]})
            windows.append(window)
    windows.extend(model.credit.windows)
    return tuple(sorted(windows, key=lambda w: w.until_day))


class _Checks:
    """What a type cannot say about a pack; each failure is a PackError naming the file and the dotted key."""

    def __init__(self, path: Path, vocabulary: Vocabulary) -> None:
        self.path = path
        self.vocab = vocabulary

    def fail(self, key: str, problem: str) -> PackError:
        return PackError(self.path, key, problem)

    def allowed(self, key: str, values: Iterable[str], allowed: tuple[str, ...]) -> None:
        for i, value in enumerate(values):
            if value not in allowed:
                raise self.fail(f"{key}[{i}]", f"unknown value {value!r} (allowed: {', '.join(allowed)})")

    def one_of(self, key: str, value: str, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            raise self.fail(key, f"unknown value {value!r} (allowed: {', '.join(allowed)})")

    def unique(self, key: str, ids: Iterable[str], what: str) -> None:
        seen: set[str] = set()
        for i, item_id in enumerate(ids):
            if item_id in seen:
                raise self.fail(f"{key}[{i}].id", f"duplicate {what} id {item_id!r}")
            seen.add(item_id)

    def pack(self, model: PackModel, data: Mapping[str, Any]) -> None:
        """Every check of one pack, in file order."""
        if model.schema != 1:
            raise self.fail("schema", f"unsupported schema version {model.schema!r} (expected 1)")
        self.brand(model)
        for i, span in enumerate(model.hours.open):
            self.allowed(f"hours.open[{i}].days", span.days, self.vocab.weekdays)
        self.warranty(model)
        self.exclusions(model)
        self.shipping(model)
        self.fees(data.get("fees"))
        for i, window in enumerate(model.credit.windows):
            if window.until_day <= window.from_day:
                raise self.fail(f"credit.windows[{i}].until_day", "must be after from_day")
        low, high = model.repair.cycle_min_working_days, model.repair.cycle_max_working_days
        if low is not None and high is not None and high < low:
            raise self.fail("repair.cycle_max_working_days", "must not be less than cycle_min_working_days")

    def brand(self, model: PackModel) -> None:
        brand = model.brand
        if brand.id != self.path.stem:
            raise self.fail("brand.id", f"{brand.id!r} does not match the file name {self.path.stem!r}")
        if brand.id in BRAND_CODES and brand.code != BRAND_CODES[brand.id]:
            raise self.fail("brand.code", f"expected {BRAND_CODES[brand.id]!r} for {brand.id}, got {brand.code!r}")
        if not (self.path.parent / brand.source).is_file():
            raise self.fail("brand.source", f"document {brand.source!r} not found beside the pack")
        self.allowed("brand.languages", brand.languages, self.vocab.languages)

    def zone(self, name: str) -> ZoneInfo:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail("hours.timezone", f"unknown time zone {name!r}") from None

    def zone_labels(self, zone: str, hours: dict[str, Any]) -> None:
        """Name the zone in the wording when the pack does not; "China time" only for China's zone."""
        hours.setdefault("timezone", zone)
        for key, label in zone_labels(zone).items():
            hours.setdefault(key, label)
        for key in ("zone_label", "zone_label_zh", "zone_label_vi"):
            if zone not in CHINA_ZONES and says_china(str(hours.get(key, ""))):
                raise self.fail(f"hours.{key}", f"{hours[key]!r} names China's time, but the time zone is {zone}")

    def clock(self, key: str, value: str) -> time:
        try:
            hours, minutes = (int(part) for part in value.split(":"))
            if hours == 24 and minutes == 0:
                return time.max
            return time(hours, minutes)
        except ValueError:
            raise self.fail(key, f"expected a time as HH:MM, got {value!r}") from None

    def spans(self, model: PackModel) -> tuple[OpenSpan, ...]:
        spans: list[OpenSpan] = []
        for i, span in enumerate(model.hours.open):
            where = f"hours.open[{i}]."
            start, end = self.clock(f"{where}start", span.start), self.clock(f"{where}end", span.end)
            if end <= start:
                raise self.fail(f"{where}end", f"closes at {span.end} before it opens at {span.start}")
            spans.extend(OpenSpan(self.vocab.weekdays.index(day), start, end) for day in span.days)
        if not spans:
            raise self.fail("hours.open", "no opening hours")
        return tuple(spans)

    def calendar(self, name: str | None, calendars: Mapping[str, Calendar]) -> Calendar | None:
        if name is not None and name not in calendars:
            raise self.fail("hours.calendar", f"unknown calendar {name!r} (known: {', '.join(calendars)})")
        return calendars[name] if name is not None else None

    def warranty(self, model: PackModel) -> None:
        warranty = model.warranty
        self.one_of("warranty.counts_from", warranty.counts_from, self.vocab.count_from)
        self.unique("warranty.categories", (c.id for c in warranty.categories), "category")
        if warranty.default_months is None and not warranty.categories:
            raise self.fail("warranty.default_months", "missing (needed when there are no categories)")

    def exclusions(self, model: PackModel) -> None:
        self.unique("exclusions", (e.id for e in model.exclusion_list), "exclusion")
        ids = {e.id for e in model.exclusion_list}
        for i, exclusion in enumerate(model.exclusion_list):
            self.allowed(f"exclusions[{i}].tags", exclusion.tags, self.vocab.situation_tags)
            if exclusion.part_of is not None and exclusion.part_of not in ids:
                raise self.fail(f"exclusions[{i}].part_of", f"unknown exclusion {exclusion.part_of!r}")

    def shipping(self, model: PackModel) -> None:
        self.one_of("shipping.counted_from", model.shipping.counted_from, self.vocab.count_from)
        for i, rule in enumerate(model.shipping.rules):
            where = f"shipping.rules[{i}]."
            for key, payer in (("to_company", rule.to_company), ("to_customer", rule.to_customer)):
                if payer is not None and payer not in self.vocab.payers:
                    allowed = ", ".join(self.vocab.payers)
                    raise self.fail(f"{where}{key}", f"unknown payer {payer!r} (allowed: {allowed})")
            if rule.from_day is not None and rule.until_day is not None and rule.until_day <= rule.from_day:
                raise self.fail(f"{where}until_day", "must be after from_day")

    def fees(self, fees: Mapping[str, Any] | None) -> None:
        """No amount in ``[fees]`` is negative, typed or not (templates quote the untyped ones)."""
        for key, value in (fees or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise self.fail(f"fees.{key}", f"must not be negative, got {value}")


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
