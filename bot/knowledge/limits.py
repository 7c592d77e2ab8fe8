"""What one render may cost: the limits that stop a template doing too much work or building too much text.

An admin writes answers from a chat, so a template must not be able to stop or bloat the bot. Work is counted
in steps (a loop turn, a call, a filter, an operator), text in the characters built, both against a budget
that one render (or one admin check, which renders an answer several times) shares, with a deadline; any
single value is kept small by checking the size *before* an operation that could make it huge (a width, a
repetition, an exponent, a join of many copies). Going over raises :class:`TemplateLimit`, whose message
names the limit ("too much work: …", "output too long: …").

The checks used by the sandbox (:mod:`bot.knowledge.templating`) live here: :func:`charge`, :func:`weight`,
and the checks on operators, formats and method calls; the checked filters and globals are in
:mod:`bot.knowledge.checked`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

import jinja2
import jinja2.utils

MAX_STEPS = 20_000  # loop turns, calls, filters and operators in one render (the shipped wording: 75 at most)
MAX_CHARS = 500_000  # characters built in one render, all values together (the shipped wording: 3,500 at most)
MAX_SECONDS = 0.5  # wall time of one render, or of one admin check of all its renders
MAX_OUTPUT = 20_000  # characters a render may give (Telegram shows 4,096 in one message)
MAX_VALUE = 20_000  # characters (or items) of any one value a template builds
MAX_RANGE = 1_000  # numbers range() gives
MAX_WIDTH = 1_000  # a width, padding, indent or precision
MAX_INT_BITS = 4_096  # bits of a number a template computes (about 1,200 digits)
MAX_DEPTH = 30  # calls inside calls: macros calling macros, recursive loops (the shipped wording: 4)
TICK = 8  # steps between two looks at the clock

WORK = "too much work"
OUTPUT = "output too long"


class TemplateLimit(jinja2.TemplateRuntimeError):
    """A render went over one of the limits; the message says which."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")


@dataclass(slots=True)
class Budget:
    """What the renders of one session (a render, or an admin check) have spent."""

    deadline: float
    steps: int = 0
    chars: int = 0
    depth: int = 0
    tick: int = TICK

    def look(self) -> None:
        """Every :data:`TICK` steps (and past :data:`MAX_CHARS`): TemplateLimit when over a limit or late."""
        if self.steps > MAX_STEPS:
            raise TemplateLimit(WORK, f"more than {MAX_STEPS:,} steps (loop turns, calls, filters)")
        if self.chars > MAX_CHARS:
            raise TemplateLimit(WORK, f"more than {MAX_CHARS:,} characters built")
        self.tick = self.steps + TICK
        if time.monotonic() > self.deadline:
            raise TemplateLimit(WORK, f"rendering took more than {MAX_SECONDS} s")


_BUDGET: ContextVar[Budget | None] = ContextVar("template_budget", default=None)


def open_budget() -> Token[Budget | None] | None:
    """Start a budget for the renders that follow, unless one is open (then None); see :func:`close_budget`."""
    if _BUDGET.get() is not None:
        return None
    return _BUDGET.set(Budget(time.monotonic() + MAX_SECONDS))


def close_budget(token: Token[Budget | None] | None) -> None:
    """End the budget :func:`open_budget` started (nothing, when it started none)."""
    if token is not None:
        _BUDGET.reset(token)


@contextmanager
def budget() -> Iterator[None]:
    """The renders inside this block share one budget (the one already open, if any)."""
    token = open_budget()
    try:
        yield
    finally:
        close_budget(token)


def charge(steps: int = 1, chars: int = 0) -> None:
    """Count work and text against the open budget (none open, as when compiling: only sizes are checked)."""
    spent = _BUDGET.get()
    if spent is not None:
        spent.steps += steps
        spent.chars += chars
        if spent.steps >= spent.tick or spent.chars > MAX_CHARS:
            spent.look()


def deeper() -> Budget | None:
    """A call: one level deeper (the caller takes the level back); TemplateLimit past :data:`MAX_DEPTH`."""
    spent = _BUDGET.get()
    if spent is not None:
        if spent.depth >= MAX_DEPTH:
            raise TemplateLimit(WORK, f"calls nested more than {MAX_DEPTH} deep")
        spent.depth += 1
    return spent


# -- sizes ---------------------------------------------------------------------------------------------------


def weight(value: Any, limit: int = MAX_VALUE) -> int:
    """About how many characters ``str(value)`` has; counting stops once past ``limit``.

    Lists and tables count their items, so a list of a thousand copies of one long text weighs what printing
    it would cost, however little memory it takes.
    """
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item)
        elif isinstance(item, bool) or item is None or isinstance(item, jinja2.Undefined):
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, Mapping):
            total += 2 + 4 * len(item)
            stack.extend(item.items())
        elif isinstance(item, Collection):  # lists, sets, a table's keys or values, a range…
            total += 2 + 2 * len(item)
            stack.extend(item)
        elif isinstance(item, jinja2.utils.Namespace):
            total += 12
            stack.append(item._Namespace__attrs)
        else:
            total += 24  # a number, a date, a macro, a generator…: short when printed
    return total


def check_size(value: Any, what: str = "a value") -> None:
    """TemplateLimit when ``value`` would print as more than :data:`MAX_VALUE` characters."""
    if weight(value) > MAX_VALUE:
        raise TemplateLimit(OUTPUT, f"{what} of more than {MAX_VALUE:,} characters")


_CONTAINERS = (list, tuple, dict, set, frozenset, KeysView, ValuesView, ItemsView)


def produced(value: Any) -> Any:
    """A value an operation gave: a step, and its characters counted; refused when it would print too much.

    So no value a template builds prints as more than :data:`MAX_VALUE` characters, not even a list of
    copies of one text (little memory, but a lot to print, to join, or to sort regardless of case).
    """
    if isinstance(value, (str, bytes)):
        size = len(value)
    elif isinstance(value, _CONTAINERS):
        size = weight(value)
    else:
        size = 0
    if size > MAX_VALUE:
        raise TemplateLimit(OUTPUT, f"a value of more than {MAX_VALUE:,} characters")
    spent = _BUDGET.get()
    if spent is not None:  # charge(1, size), inline: this runs for every call, filter and operator
        spent.steps += 1
        spent.chars += size
        if spent.steps >= spent.tick or spent.chars > MAX_CHARS:
            spent.look()
    return value


def printed(value: Any) -> Any:
    """A value a template prints (``{{ … }}``): its characters counted; refused when too long."""
    size = len(value) if type(value) is str else weight(value)
    if size > MAX_VALUE:
        raise TemplateLimit(OUTPUT, f"a value of more than {MAX_VALUE:,} characters")
    spent = _BUDGET.get()
    if spent is not None:
        spent.chars += size
        if spent.chars > MAX_CHARS:
            spent.look()
    return value


def check_width(width: Any, what: str = "a width") -> None:
    """TemplateLimit for a width (or a text used as one) beyond :data:`MAX_WIDTH`."""
    size = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    if size > MAX_WIDTH:
        raise TemplateLimit(OUTPUT, f"{what} of {size} ({MAX_WIDTH:,} at most)")


def check_number(operator: str, left: Any, right: Any) -> None:
    """``*`` and ``**`` refused before they build a huge number or text."""
    if isinstance(left, bool) or isinstance(right, bool):
        return
    if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        if left.bit_length() * right > MAX_INT_BITS:
            raise TemplateLimit(WORK, f"a number of more than {MAX_INT_BITS:,} bits")
    elif operator == "*" and isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateLimit(WORK, f"a number of more than {MAX_INT_BITS:,} bits")
    elif operator == "*":
        times, seq = (right, left) if isinstance(right, int) else (left, right)
        many = isinstance(times, int) and times > 0 and isinstance(seq, (str, bytes, list, tuple))
        if many and weight(seq, MAX_VALUE // times + 1) * times > MAX_VALUE:
            raise TemplateLimit(OUTPUT, f"a value of more than {MAX_VALUE:,} characters")


def _percent_fields(fmt: str) -> Iterator[tuple[str, str]]:
    """The width and precision of each ``%`` field of a format (``*`` when given as an argument)."""
    i, n = 0, len(fmt)
    while (i := fmt.find("%", i) + 1) > 0:
        if fmt[i : i + 1] == "%":
            i += 1
            continue
        if fmt[i : i + 1] == "(":  # a mapping key, parentheses nested as Python reads them
            depth = 0
            while i < n:
                depth += {"(": 1, ")": -1}.get(fmt[i], 0)
                i += 1
                if depth == 0:
                    break
        while i < n and fmt[i] in "-#0 +_^":  # and strftime's flags
            i += 1
        found = re.match(r"(\*|\d*)(?:\.(\*|\d*))?", fmt[i:])
        assert found is not None  # the pattern matches the empty string
        i += found.end()
        yield found.group(1), found.group(2) or ""


def check_percent(fmt: Any, args: Any) -> None:
    """``fmt % args`` (and ``fmt|format(args)``, ``date.strftime(fmt)``) refused before it builds a huge text."""
    if isinstance(fmt, bytes):
        fmt = fmt.decode("latin-1")
    if not isinstance(fmt, str):
        return
    fields, widest = 0, 0
    for width, precision in _percent_fields(fmt):
        fields += 1
        for number in (width, precision):
            if number == "*":
                raise TemplateLimit(OUTPUT, "a width given as * (write the number)")
            if number:
                check_width(int(number))
                widest = max(widest, int(number))
    values = args.values() if isinstance(args, Mapping) else args if isinstance(args, tuple) else (args,)
    largest = max((weight(v) for v in values), default=0)
    if len(fmt) + fields * max(widest, largest) > MAX_VALUE:
        raise TemplateLimit(OUTPUT, f"a value of more than {MAX_VALUE:,} characters")


def check_format_spec(spec: str) -> None:
    """A ``str.format`` field's spec (``{0:>2000000000}``): no width or precision beyond :data:`MAX_WIDTH`."""
    for number in re.findall(r"\d+", spec):
        check_width(int(number))


def check_replace(text: Any, old: Any, new: Any, count: Any = None) -> None:
    """``text.replace(old, new)`` refused before it builds more than :data:`MAX_VALUE` characters."""
    if not isinstance(text, (str, bytes)) or type(old) is not type(text):
        return
    found = text.count(old) if old else len(text) + 1  # type: ignore[arg-type]  # the same type, checked
    if isinstance(count, int) and 0 <= count < found:
        found = count
    if len(text) + found * max(weight(new) - len(old), 0) > MAX_VALUE:
        raise TemplateLimit(OUTPUT, f"a value of more than {MAX_VALUE:,} characters")


def joined(items: Iterable[Any], separator: Any) -> list[Any]:
    """The items a join would join, counted, refused when the joined text would be too long."""
    listed = list(items)
    charge(len(listed))
    size = weight(separator) * len(listed)
    for item in listed:
        size += len(item) if type(item) is str else weight(item)
        if size > MAX_VALUE:
            raise TemplateLimit(OUTPUT, f"a joined text of more than {MAX_VALUE:,} characters")
    return listed


def counted(iterable: Iterable[Any], text: int = 0) -> Iterator[Any]:
    """The items of ``iterable``, each a step (and ``text`` characters: the loop body's own text)."""
    for item in iterable:
        charge(1, text)
        yield item


def check_method(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """A call of a method of a text, number or date, checked like the filters; the arguments to call it with."""
    name, owner = getattr(method, "__name__", ""), getattr(method, "__self__", None)
    first = args[0] if args else None
    if isinstance(owner, (str, bytes)):
        if name in ("center", "ljust", "rjust", "zfill"):
            check_width(kwargs.get("width", first))
        elif name == "expandtabs":
            size = kwargs.get("tabsize", 8 if first is None else first)
            check_width(size)
            tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
            if isinstance(size, int) and len(owner) + tabs * size > MAX_VALUE:
                raise TemplateLimit(OUTPUT, f"a value of more than {MAX_VALUE:,} characters")
        elif name == "join" and args:
            return (joined(args[0], owner), *args[1:])
        elif name == "replace" and len(args) >= 2:
            check_replace(owner, first, args[1], args[2] if len(args) > 2 else kwargs.get("count"))
        elif name in ("translate", "maketrans"):
            raise TemplateLimit(WORK, f"{name}() is not available in answers")
    elif isinstance(owner, int) and name == "to_bytes":
        check_width(kwargs.get("length", first))
    elif name == "strftime":
        check_percent(kwargs.get("format", first), ())
    return args
