"""Turning a model's validation error into the dotted key and one-line problem of a PackError.

``msgspec`` says ``Expected `int`, got `str` - at `$.warranty.categories[0].months```; a pack author reads
``warranty.categories[0].months: expected an integer, got a string 'twelve'``. The value is looked up in
the pack's data by the same path, and the allowed values of a fixed choice come from the model's type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

import msgspec

_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_TYPES = {
    "int": "an integer",
    "float": "a number",
    "str": "a string",
    "bool": "true or false",
    "array": "a list",
    "object": "a table",
}
_MISSING = object()


def validation_problem(exc: msgspec.ValidationError, data: Mapping[str, Any], model: type) -> tuple[str, str]:
    """The dotted key (``warranty.categories[0].months``) and the problem ``exc`` reports."""
    message = str(exc)
    at = _AT.search(message)
    path = at["path"] if at else ""
    message = message[: at.start()] if at else message
    steps: list[str | int] = [name or int(index) for name, index in _STEP.findall(path)]
    if missing := re.fullmatch(r"Object missing required field `(.+)`", message):
        steps.append(missing[1])
        return _dotted(steps), "missing"
    value = _value_at(data, steps)
    return _dotted(steps), _problem(message, value, steps, model)


def _dotted(steps: Sequence[str | int]) -> str:
    key = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps).lstrip(".")
    return key or "(pack)"


def _problem(message: str, value: Any, steps: Sequence[str | int], model: type) -> str:
    if expected := re.fullmatch(r"Expected `([^`]+)`, got `[^`]+`", message):
        kinds = [_TYPES.get(k, k) for k in expected[1].split(" | ") if k != "null"]
        wanted = "a number" if set(kinds) == {"an integer", "a number"} else " or ".join(kinds)
        return f"expected {wanted}, got {_described(value)}"
    if bound := re.fullmatch(r"Expected `(?:int|float)` >= (-?[\d.]+)", message):
        low = float(bound[1])
        return f"must not be negative, got {value}" if low == 0 else f"must be at least {low:g}, got {value}"
    if re.fullmatch(r"Expected `str` (?:matching regex .*|of length >= 1)", message):
        return "must not be empty"
    if message.startswith("Invalid enum value"):
        choices = [repr(c) for c in _literal_values(model, steps)]
        wanted = " or ".join(choices) if len(choices) <= 2 else f"one of {', '.join(choices)}"
        return f"expected {wanted}, got {value!r}"
    return message[:1].lower() + message[1:]


def _described(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return f"an integer {value!r}"
    if isinstance(value, float):
        return f"a number {value!r}"
    if isinstance(value, str):
        return f"a string {value!r}"
    if isinstance(value, (date, datetime, time)):
        return f"a date or time {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return type(value).__name__


def _value_at(data: Any, steps: Sequence[str | int]) -> Any:
    for step in steps:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return data


def _literal_values(model: Any, steps: Sequence[str | int]) -> tuple[Any, ...]:
    """The values a fixed choice (``Literal[...]``) at ``steps`` allows, in the model's order."""
    for step in [*steps, None]:
        while get_origin(model) in (Annotated, Union, UnionType):
            model = get_args(model)[0]  # Annotated[X, Meta] is X; X | None is X
        if step is None:
            break
        if isinstance(step, int):
            model = get_args(model)[0]  # tuple[X, ...] is X
        elif isinstance(model, type) and issubclass(model, msgspec.Struct):
            names = dict(zip(model.__struct_encode_fields__, model.__struct_fields__, strict=True))
            model = get_type_hints(model, include_extras=True)[names[step]]
    return get_args(model) if get_origin(model) is Literal else ()
