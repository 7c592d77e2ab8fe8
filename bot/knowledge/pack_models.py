"""The typed shape of a brand pack (``policies/<brand>.toml``): the models are the validation.

:func:`bot.knowledge.packs.load_pack` converts a pack's parsed TOML into :class:`PackModel` with
``msgspec.convert``, so a wrong type, a missing key or a value out of range stops start-up with the
dotted key that holds it. Only the keys Python code reads are typed; the many keys only templates quote
(wording, examples, translations) stay in the raw table, which templates keep receiving unchanged.

Pieces of a pack that verdicts hand to templates (an exclusion, a return window, a shipping rule, a fee
tier) are :class:`TableView` objects: typed fields for code, and a read-only mapping of their raw TOML
table for templates and for callers that still read them as tables (``e.get("tags")``). The template
sandbox reads a ``TableView`` as its raw table, so ``rule.labels_issued_by | default(...)`` and
``tier.until_month is defined`` behave exactly as they did when verdicts held the raw tables.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

import msgspec

Text = Annotated[str, msgspec.Meta(pattern=r"\S")]  # a string that is not empty or blank
Count = Annotated[int, msgspec.Meta(ge=0)]  # days, months, working days: zero or more
Positive = Annotated[int, msgspec.Meta(ge=1)]
Money = Annotated[float, msgspec.Meta(ge=0)]

_NO_TABLE: Mapping[str, Any] = {}


class Model(msgspec.Struct, kw_only=True, frozen=True):
    """Base of the pack's typed tables: keyword-only and immutable."""


class RawTable(Model, kw_only=True, frozen=True, dict=True):
    """A typed table that also keeps the raw TOML table it was read from (see :func:`attach_raw`)."""

    @property
    def data(self) -> Mapping[str, Any]:
        """The pack's raw table for this piece, every key included (what templates read)."""
        raw: Mapping[str, Any] = self.__dict__.get("_raw", _NO_TABLE)
        return raw

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its raw table (a snapshot of the loaded content keeps both)."""
        fields = {name: getattr(self, name) for name in self.__struct_fields__}
        return _rebuilt, (type(self), fields, self.__dict__.get("_raw"))


def _rebuilt(cls: type[RawTable], fields: dict[str, Any], raw: Mapping[str, Any] | None) -> RawTable:
    table = cls(**fields)
    if raw is not None:
        msgspec.structs.force_setattr(table, "_raw", raw)
    return table


class _TableMeta(msgspec.StructMeta, abc.ABCMeta):
    """Lets a typed table also be a ``collections.abc.Mapping``."""


class TableView(RawTable, Mapping[str, Any], metaclass=_TableMeta, kw_only=True, frozen=True, dict=True):
    """A typed table that is also a read-only mapping of its raw table.

    Templates, and callers that still read these pieces as tables (``e.get("tags")``, ``rule["id"]``,
    ``"until_day" in rule``), get the raw table's keys and values; typed code reads the fields instead.
    """

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __bool__(self) -> bool:
        return True  # a piece of the pack is there, even one built without a raw table (a Mapping would say no)


def _in_days(from_day: int | None, until_day: int | None, inclusive: bool, elapsed: int) -> bool:
    """Whether day ``elapsed`` (the purchase day is day 0) falls in a window, by the one rule every pack uses.

    "Within N days" includes day N (``until_day`` = N, ``inclusive`` true, the default); "before N days"
    ends the day before (``inclusive`` = false); "after N days" starts on day N + 1 (``from_day`` = N).
    """
    if from_day and elapsed <= from_day:
        return False
    if until_day is None:
        return True
    return elapsed <= until_day if inclusive else elapsed < until_day


def attach_raw(table: Model, raw: Mapping[str, Any]) -> None:
    """Give every :class:`RawTable` in ``table`` (converted from ``raw``) its raw table, recursively."""
    if isinstance(table, RawTable):
        msgspec.structs.force_setattr(table, "_raw", raw)
    for name, key in zip(table.__struct_fields__, table.__struct_encode_fields__, strict=True):
        value = getattr(table, name)
        if isinstance(value, Model):
            part = raw.get(key)
            if isinstance(part, Mapping):
                attach_raw(value, part)
        elif isinstance(value, tuple) and value and isinstance(value[0], Model):  # a list of tables
            for item, item_raw in zip(value, raw.get(key, ()), strict=False):
                if isinstance(item_raw, Mapping):
                    attach_raw(item, item_raw)


# -- the brand and how to reach it ---------------------------------------------------------------------


class Brand(Model, kw_only=True, frozen=True):
    """``[brand]``: who the pack is for, its source document and customer languages."""

    id: Text
    code: Text
    name: Text
    aliases: tuple[Text, ...] = ()  # other names the document gives the company ("POE Company")
    source: Text  # the policy document, relative to the pack
    languages: tuple[Text, ...]
    date_order: Literal["dmy", "mdy"] = "dmy"  # how the brand's customers write 3/4 (day first by default)


class Contacts(Model, kw_only=True, frozen=True):
    """``[contacts]``: phone numbers and e-mail addresses (a document may give neither)."""

    phones: tuple[Text, ...] = ()
    emails: tuple[Text, ...] = ()


class Opening(Model, kw_only=True, frozen=True):
    """One ``[[hours.open]]`` span: weekdays and clock times (``HH:MM``, ``24:00`` for midnight)."""

    days: tuple[Text, ...]
    start: Text
    end: Text


class Hours(Model, kw_only=True, frozen=True):
    """``[hours]``: the brand's time zone, calendar and weekly opening spans."""

    open: tuple[Opening, ...]
    timezone: Text = "Asia/Shanghai"  # the default office is in Shenzhen
    zone_label: Text | None = None  # what the wording calls the zone; derived from it when not given
    calendar: Text | None = None  # a table of policies/_calendar.toml (public holidays, make-up days)


# -- warranty and what it excludes ---------------------------------------------------------------------


class Category(RawTable, kw_only=True, frozen=True):
    """A ``[[warranty.categories]]`` product category with its own warranty period."""

    id: Text
    name: Text
    name_zh: Text | None = None
    name_vi: Text | None = None
    months: Count | None = None
    parts_months: Count | None = None
    keywords: tuple[Text, ...] = ()
    group: Text | None = None  # categories of one group share keywords ("pan tilt" vs "pan tilt mechanism")
    manufacturer_warranty: bool = False
    manufacturer_terms_stated: bool = msgspec.field(default=False, name="manufacturer_terms")
    period_stated: bool | None = None  # False: the document's table lost this category's period

    @property
    def manufacturer_terms(self) -> bool:
        """Whether the product follows its manufacturer's own warranty instead of a stated period."""
        return self.manufacturer_warranty or self.manufacturer_terms_stated

    @property
    def names(self) -> Mapping[str, str]:
        """The category's name by language (English always)."""
        named = {"en": self.name, "zh": self.name_zh, "vi": self.name_vi}
        return {lang: name for lang, name in named.items() if name is not None}

    def name_in(self, lang: str) -> str:
        """The category's name in ``lang``, or in English when the pack has no such name."""
        return self.names.get(lang, self.name)

    @property
    def group_id(self) -> str:
        """The keyword group the category belongs to (its own id when it is in none)."""
        return self.group or self.id


class Warranty(Model, kw_only=True, frozen=True):
    """``[warranty]``: the period, what it counts from, categories, and what happens after it."""

    counts_from: Text  # a vocabulary count_from value
    default_months: Positive | None = None
    categories: tuple[Category, ...] = ()
    exception_rule: Literal["stated_period_applies"] | None = None  # a period the customer states wins
    repaired_keeps_remaining: bool = False  # a repaired part keeps the rest of the warranty...
    repaired_minimum_months: Positive | None = None  # ...but at least this long
    after_warranty_repair: bool = False  # repairs are still offered, at a cost


class Exclusion(TableView, kw_only=True, frozen=True):
    """An ``[[exclusions]]`` case: the situation tags it applies to and what it excludes from."""

    id: Text
    tags: tuple[Text, ...]  # vocabulary situation_tags
    text: Text
    # what it excludes from: the warranty, credit for a return, a return or exchange, returns in transit,
    # the stock rotation, or every policy of the brand
    scope: Literal["warranty", "credit", "return_exchange", "returns", "stock_rotation", "all_policies"] = "warranty"
    effect: Literal["void", "excluded"] | None = None
    part_of: Text | None = None  # an example of another exclusion (that one is named instead)
    user_fault: bool = False  # damage the user caused: the brand's user-error service terms apply ([fees])


# -- returns, credit, shipping -------------------------------------------------------------------------


class ReturnWindow(Model, kw_only=True, frozen=True):
    """``[returns.return_window]`` or ``[returns.replacement_window]``: days from purchase."""

    days: Positive
    inclusive: bool = True  # "within 7 days" includes day 7; false for "before N days"
    options: tuple[Text, ...] = ()


class Returns(Model, kw_only=True, frozen=True):
    """``[returns]``: the return and replacement windows."""

    return_window: ReturnWindow | None = None
    replacement_window: ReturnWindow | None = None
    counted_from: Text = "purchase"


class Window(TableView, kw_only=True, frozen=True):
    """A return, replacement or credit window: days after ``from_day`` to ``until_day`` (see :func:`_in_days`).

    Credit windows are ``[[credit.windows]]``; return and replacement windows are built from
    ``[returns.*_window]`` (id = the table's name, ``until_day`` = its ``days``).
    """

    id: Text
    until_day: Positive
    from_day: Count = 0
    inclusive: bool = True
    options: tuple[Text, ...] = ()

    def covers(self, elapsed: int) -> bool:
        """Whether ``elapsed`` days after purchase fall in the window.

        Counted by the rule of :func:`_in_days`: "within 30 days" includes day 30.
        """
        return _in_days(self.from_day, self.until_day, self.inclusive, elapsed)


class Credit(Model, kw_only=True, frozen=True):
    """``[credit]``: returns for credit, in windows counted from purchase."""

    windows: tuple[Window, ...] = ()
    counts_from: Text = "purchase"


class ShippingRule(TableView, kw_only=True, frozen=True):
    """A ``[[shipping.rules]]`` rule: who pays each way, for which ages or which cases."""

    id: Text
    to_company: Text | None = None  # vocabulary payers
    to_customer: Text | None = None
    from_day: Count | None = None  # the rule depends on the product's age when either bound is given
    until_day: Count | None = None
    inclusive: bool = True
    applies_to: tuple[Text, ...] = ()

    @property
    def age_based(self) -> bool:
        """Whether the rule depends on the product's age (it has a day bound)."""
        return self.from_day is not None or self.until_day is not None

    def covers(self, elapsed: int) -> bool:
        """Whether a product ``elapsed`` days old falls under an age-based rule (no upper bound when none)."""
        return _in_days(self.from_day, self.until_day, self.inclusive, elapsed)


class Shipping(Model, kw_only=True, frozen=True):
    """``[shipping]``: the rules, and the date an age-based rule counts from."""

    rules: tuple[ShippingRule, ...] = ()
    counted_from: Text = "purchase"


# -- the RMA process, fees, repairs --------------------------------------------------------------------


class Rma(Model, kw_only=True, frozen=True):
    """``[rma]``: how a return authorisation is issued and how long it is valid."""

    number_issued: Literal["at_once", "after_review"] = "at_once"
    validity_days: Positive | None = None
    troubleshoot_first: bool = False  # troubleshooting is offered before a request starts


class FeeTier(TableView, kw_only=True, frozen=True):
    """A ``[[fees.beyond_warranty]]`` tier: months past the warranty from ``from_month`` to ``until_month``."""

    id: Text
    from_month: Count = 0
    until_month: Count | None = None  # open-ended when absent
    parts: Literal["free", "charged"] | None = None
    labour: Literal["free", "charged"] | None = None

    def covers(self, months_over: float) -> bool:
        """Whether ``months_over`` months past the warranty fall in this tier."""
        return self.from_month <= months_over and (self.until_month is None or months_over < self.until_month)


class Fees(Model, kw_only=True, frozen=True):
    """``[fees]``: diagnosis fee, currency, tiers past the warranty and what is charged."""

    diagnosis: Money | None = None  # per product, for a repair out of warranty
    currency: Text | None = None
    currency_symbol: Text | None = None
    beyond_warranty: tuple[FeeTier, ...] = ()
    out_of_warranty_charged: tuple[Text, ...] = ()
    declined_customer_pays: tuple[Text, ...] = ()
    restocking_percent: Money | None = None


class Repair(Model, kw_only=True, frozen=True):
    """``[repair]``: the warranty on a repaired product and the repair cycle."""

    repaired_warranty_days: Positive | None = None  # counted from the day it ships back
    cycle_min_working_days: Count | None = None
    cycle_max_working_days: Positive | None = None


class Response(Model, kw_only=True, frozen=True):
    """``[response]``: response times the document promises."""

    own_product_return_working_days: Positive | None = None
    fault_verification_hours: Positive | None = None


class PackModel(Model, kw_only=True, frozen=True):
    """A whole brand pack, as typed data (the brand's pack object adds what loading derives)."""

    schema: int
    brand: Brand
    contacts: Contacts
    hours: Hours
    warranty: Warranty
    exclusion_list: tuple[Exclusion, ...] = msgspec.field(name="exclusions")
    shipping: Shipping = msgspec.field(default_factory=Shipping)
    rma: Rma = msgspec.field(default_factory=Rma)
    fees: Fees = msgspec.field(default_factory=Fees)
    returns: Returns = msgspec.field(default_factory=Returns)
    credit: Credit = msgspec.field(default_factory=Credit)
    repair: Repair = msgspec.field(default_factory=Repair)
    response: Response = msgspec.field(default_factory=Response)


class Vocabulary(Model, kw_only=True, frozen=True):
    """``policies/_vocabulary.toml``: the values packs may use, shared by every brand."""

    situation_tags: tuple[Text, ...]
    count_from: tuple[Text, ...]
    payers: tuple[Text, ...]
    weekdays: tuple[Text, ...]
    languages: tuple[Text, ...]
