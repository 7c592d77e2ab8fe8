"""jinja2's filters and globals, checked against the limits of :mod:`bot.knowledge.limits`.

Each filter counts as a step; those that could build a huge text from small arguments (a width, a fill, a
wrap text, a format) check the arguments first, and every filter's result is checked for size. ``range()``
and ``lipsum()`` are capped, ``{{ … }}`` and ``~`` refuse to print or join more than a value may hold.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import jinja2
import jinja2.filters
import jinja2.nodes
import jinja2.runtime
import jinja2.utils
import markupsafe

from bot.knowledge.limits import (
    MAX_RANGE,
    MAX_VALUE,
    OUTPUT,
    WORK,
    TemplateLimit,
    check_percent,
    check_replace,
    check_size,
    check_width,
    counted,
    joined,
    produced,
    weight,
)

_TEXT_FILTERS = frozenset(
    [
        "capitalize",
        "center",
        "e",
        "escape",
        "filesizeformat",
        "forceescape",
        "format",
        "indent",
        "lower",
        "replace",
        "safe",
        "string",
        "striptags",
        "title",
        "tojson",
        "trim",
        "truncate",
        "upper",
        "urlencode",
        "urlize",
        "wordcount",
        "wordwrap",
        "xmlattr",
    ]
)


def _wordwrap(s: Any, width: Any = 79, long: Any = True, wrapstring: Any = None, *_: Any, **kw: Any) -> None:
    check_width(width)
    wrap = kw.get("wrapstring", wrapstring) or "\n"
    check_width(wrap, "a wrap text")
    lines = len(s) // max(width, 1) + s.count("\n") + 1 if isinstance(s, str) and isinstance(width, int) else 0
    if weight(s) + lines * weight(wrap) > MAX_VALUE:
        raise TemplateLimit(OUTPUT, f"a value of more than {MAX_VALUE:,} characters")


def _indent(s: Any, width: Any = 4, *_: Any, **__: Any) -> None:
    check_width(width, "an indent")
    size = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    if isinstance(s, str) and len(s) + (s.count("\n") + 1) * size > MAX_VALUE:
        raise TemplateLimit(OUTPUT, f"a value of more than {MAX_VALUE:,} characters")


def _fill(value: Any, *args: Any, **kwargs: Any) -> None:
    count = args[0] if args else kwargs.get("linecount", kwargs.get("slices"))
    fill_with = args[1] if len(args) > 1 else kwargs.get("fill_with")
    if isinstance(count, int) and count > MAX_RANGE:
        raise TemplateLimit(WORK, f"batch() and slice() make at most {MAX_RANGE:,} groups")
    if fill_with is not None and isinstance(count, int) and weight(fill_with) * count > MAX_VALUE:
        raise TemplateLimit(OUTPUT, f"a value of more than {MAX_VALUE:,} characters")


def _sum(iterable: Any, attribute: Any = None, start: Any = 0) -> None:
    if not isinstance(start, (int, float)):
        raise TemplateLimit(WORK, "sum() adds numbers only")


def _round(value: Any, precision: Any = 0, *_: Any, **__: Any) -> None:
    if isinstance(precision, int) and abs(precision) > 100:
        raise TemplateLimit(WORK, "round() to more than 100 digits")


_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "center": lambda value, width=80: check_width(width),
    "format": lambda value, *args, **kwargs: check_percent(value, kwargs or args),
    "replace": lambda s, old, new, count=None: check_replace(s, old, new, count),
    "truncate": lambda s, length=255, *_, **__: check_width(length if isinstance(length, int) else 0, "a length"),
    "wordwrap": _wordwrap,
    "indent": _indent,
    "batch": _fill,
    "slice": _fill,
    "sum": _sum,
    "round": _round,
    "tojson": lambda value, indent=None: check_width(indent if isinstance(indent, int) and indent > 8 else 0),
}


# filters that go over all of a sequence, some changing each item (sort, unique, min and max regardless of case):
# their input is checked like a value, a lazy one (``map``, ``select``…) listed first
_WHOLE = frozenset(["batch", "dictsort", "groupby", "list", "max", "min", "reverse", "slice", "sort", "sum", "unique"])


def checked_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that counts as a step, checks its arguments first and the size of what it gives."""
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0  # the context jinja passes first
    check = _FILTER_CHECKS.get(name)
    text, whole = name in _TEXT_FILTERS, name in _WHOLE

    def run(*args: Any, **kwargs: Any) -> Any:
        if (text or whole) and len(args) > skip:
            if isinstance(args[skip], Iterator):
                args = (*args[:skip], list(counted(args[skip])), *args[skip + 1 :])
            check_size(args[skip])
        if check is not None:
            with contextlib.suppress(TypeError):  # arguments the filter does not take: it says so itself
                check(*args[skip:], **kwargs)
        return produced(func(*args, **kwargs))

    return functools.update_wrapper(run, func)


@jinja2.pass_eval_context
def join(eval_ctx: jinja2.nodes.EvalContext, value: Any, d: str = "", attribute: Any = None) -> Any:
    """jinja2's ``join``, refused before it joins more than :data:`MAX_VALUE` characters."""
    if attribute is not None:
        value = map(jinja2.filters.make_attrgetter(eval_ctx.environment, attribute), value)
    return produced(jinja2.filters.do_join(eval_ctx, joined(value, d), d))


def concat(values: list[Any]) -> Any:
    """``a ~ b``: the texts joined, refused before the result passes :data:`MAX_VALUE` characters."""
    size = 0
    for value in values:
        size += len(value) if type(value) is str else weight(value)
    if size > MAX_VALUE:
        raise TemplateLimit(OUTPUT, f"a text of more than {MAX_VALUE:,} characters")
    if any(isinstance(v, markupsafe.Markup) for v in values):
        return produced(jinja2.runtime.markup_join(values))
    return produced(jinja2.runtime.str_join(values))


def checked_range(*args: int) -> range:
    """``range()``, at most :data:`MAX_RANGE` numbers."""
    numbers = range(*args)
    try:
        fits = len(numbers) <= MAX_RANGE
    except OverflowError:
        fits = False
    if not fits:
        raise TemplateLimit(WORK, f"range() gives at most {MAX_RANGE:,} numbers")
    return numbers


def checked_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    """``lipsum()``, at most 5 paragraphs of at most 100 words."""
    if not (isinstance(n, int) and isinstance(max, int) and n <= 5 and max <= 100):
        raise TemplateLimit(WORK, "lipsum() gives at most 5 paragraphs of 100 words")
    return str(jinja2.utils.generate_lorem_ipsum(n, html, min, max))


# filters that give one of their values, a number, or a lazy sequence (counted where it is used): not wrapped,
# as they are the ones every answer uses
_PLAIN = frozenset(["abs", "attr", "count", "d", "default", "first", "float", "int", "items", "last", "length"])
_PLAIN |= frozenset(["map", "random", "reject", "rejectattr", "select", "selectattr"])


def checked_filters(filters: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """jinja2's filters, checked (``pprint`` left out: how much it prints is hard to tell before it does)."""
    out = {name: func if name in _PLAIN else checked_filter(name, func) for name, func in filters.items()}
    del out["pprint"]
    out["join"] = join
    out["_turns"] = counted
    out["_concat"] = concat
    return out
