"""The templating of wordings: a sandboxed jinja2 environment, and compiled code kept between processes.

The sandbox keeps a template in its box (no reaching beyond the values it is given) and within its limits
(:mod:`bot.knowledge.limits`): every loop turn, call, filter and operator is counted, a render that does too
much work or builds too much text is stopped with a :class:`~bot.knowledge.limits.TemplateLimit` naming the
limit. Loops and ``~`` are counted by rewriting the parsed template before it is compiled; calls, operators,
subscripts and ``str.format`` through the sandbox's own hooks.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.nodes as nodes
import jinja2.runtime
import jinja2.sandbox
import jinja2.visitor
import markupsafe

from bot.knowledge import checked, limits
from bot.knowledge.pack_models import TableView

GUARDS = "limits-1"  # compiled code from before these checks (kept in the bytecode cache) is not reused


class Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """The sandbox, also keeping every render within the limits of :mod:`bot.knowledge.limits`.

    A piece of a brand pack that a verdict holds (an exclusion, a window, a shipping rule, a fee tier) is
    read as its raw table, exactly like the pack's own values: ``tier.until_month is defined`` is false
    when the pack gives none, where the typed field would be None.
    """

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=limits.printed, **options)
        self.filters = checked.checked_filters(self.filters)
        self.globals["range"] = checked.checked_range
        self.globals["lipsum"] = checked.checked_lipsum

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.attribute``, a pack piece read as its raw table."""
        if isinstance(obj, TableView):
            obj = obj.data
        if type(obj) is dict and attribute in obj and not hasattr(dict, attribute):
            return obj[attribute]  # what the sandbox would find, without its failed attribute lookup first
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """``obj[argument]``, a pack piece read as its raw table; a slice is a new value, counted."""
        value = super().getitem(obj.data if isinstance(obj, TableView) else obj, argument)
        return limits.produced(value) if isinstance(argument, slice) else value

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        """``*``, ``**``, ``+`` and ``%``, refused before they build a huge number or text."""
        if operator == "%" and isinstance(left, (str, bytes)):
            limits.check_percent(left, right)
        else:
            limits.check_number(operator, left, right)
        return limits.produced(super().call_binop(context, operator, left, right))

    def call(self, context: jinja2.runtime.Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        """A call (a macro, a method, ``loop(…)``): one level deeper, its result counted."""
        spent = limits.deeper()
        try:
            if type(obj) is not jinja2.runtime.Macro:
                if isinstance(obj, jinja2.runtime.LoopContext) and args:  # a recursive loop's next level
                    args = (limits.counted(args[0]), *args[1:])
                elif hasattr(obj, "__self__"):
                    args = limits.check_method(obj, args, kwargs)
                if not self.is_safe_callable(obj):
                    raise jinja2.sandbox.SecurityError(f"{obj!r} is not safely callable")
            value = context.call(obj, *args, **kwargs)
        finally:
            if spent is not None:
                spent.depth -= 1
        return limits.produced(value)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``text.format(…)`` and ``text.format_map(…)``, with each field checked (a width, a size)."""
        if not isinstance(value, (types.MethodType, types.BuiltinMethodType)) or value.__name__ not in (
            "format",
            "format_map",
        ):
            return None
        text = value.__self__
        if not isinstance(text, str):
            return None
        formatter: _Formatter
        if isinstance(text, markupsafe.Markup):
            formatter = _EscapeFormatter(self, escape=text.escape)
        else:
            formatter = _Formatter(self)
        mapping = value.__name__ == "format_map"

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if mapping:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                return type(text)(formatter.vformat(text, (), args[0]))
            return type(text)(formatter.vformat(text, args, kwargs))

        return wrapper

    def _generate(
        self, source: nodes.Template, name: str | None, filename: str | None, defer_init: bool = False
    ) -> str:
        _Counted().visit(source)
        source.set_environment(self)
        return str(super()._generate(source, name, filename, defer_init))


class _Formatter(jinja2.sandbox.SandboxedFormatter):
    """``str.format`` in the sandbox, each field's spec and size checked before it is formatted."""

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        limits.check_size(value)
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> Any:
        limits.check_format_spec(format_spec)
        limits.check_size(value)
        text = super().format_field(value, format_spec)
        limits.charge(1, len(text))
        return text


class _EscapeFormatter(_Formatter, jinja2.sandbox.SandboxedEscapeFormatter):
    """The same, for ``Markup.format``."""


class _Counted(jinja2.visitor.NodeTransformer):
    """Rewrites a parsed template so that its loops and ``~`` are counted (see :mod:`bot.knowledge.checked`).

    ``{% for x in xs %}`` iterates ``xs|_turns(n)``, each turn a step plus the ``n`` characters of text in
    the loop's body; ``a ~ b`` becomes ``[a, b]|_concat``. ``{% include %}`` and ``{% extends %}`` are not
    for answers.
    """

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        text = sum(len(data.data) for data in node.find_all(nodes.TemplateData))
        node.iter = nodes.Filter(node.iter, "_turns", [nodes.Const(text)], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        values = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Filter(values, "_concat", [], [], None, None, lineno=node.lineno)

    def visit_Include(self, node: nodes.Include) -> nodes.Node:
        raise jinja2.TemplateSyntaxError("{% include %} is not available in answers", node.lineno)

    def visit_Extends(self, node: nodes.Extends) -> nodes.Node:
        raise jinja2.TemplateSyntaxError("{% extends %} is not available in answers", node.lineno)


class Sources(jinja2.BaseLoader):
    """Wordings as templates named by their content's hash (so the bytecode cache can keep them)."""

    PREFIX = "wording:"

    def __init__(self) -> None:
        self._by_name: dict[str, str] = {}

    def name_for(self, source: str) -> str:
        """The name a wording is compiled and cached under (its hash)."""
        name = self.PREFIX + hashlib.sha256(source.encode()).hexdigest()
        self._by_name[name] = source
        return name

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        """The wording a name stands for (jinja2's loader protocol)."""
        source = self._by_name.get(template)
        if source is None:
            raise jinja2.TemplateNotFound(template)
        return source, None, lambda: True


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """jinja2's file cache of compiled templates, for which a full or read-only disk only means compiling."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{GUARDS}:{name}", filename)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def cache_folder() -> Path | None:
    """Where work is kept between processes (compiled wordings, the loaded content), or None for nowhere.

    ``SUPPORTBOT_CACHE``: a folder (made if missing), or ``off``; unset: jinja2's private folder in the
    temporary directory (``_jinja2-cache-<uid>``, checked to belong to this user and to no one else).
    """
    folder = os.environ.get("SUPPORTBOT_CACHE", "")
    if folder == "off":
        return None
    try:
        if folder:
            Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)
            return Path(folder)
        return Path(jinja2.FileSystemBytecodeCache().directory)
    except (OSError, RuntimeError):  # no folder of our own: do the work in every process
        return None


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """jinja2's cache of compiled wordings, in :func:`cache_folder`."""
    folder = cache_folder()
    return None if folder is None else _BytecodeCache(str(folder))


def render(template: jinja2.Template, context: Mapping[str, Any]) -> str:
    """``template`` rendered within the limits (TemplateLimit when it goes over one)."""
    token = limits.open_budget()
    try:
        text = template.render(context)
    finally:
        limits.close_budget(token)
    if len(text) > limits.MAX_OUTPUT:
        raise limits.TemplateLimit(limits.OUTPUT, f"more than {limits.MAX_OUTPUT:,} characters")
    return text


_WORDING = re.compile(r"'?wording:[0-9a-f]{64}'?")
_PATH = re.compile(r"(?<![^\s'\"(])/(?:[^/\s'\"]+/)+([^/\s'\"]+)")


def problem(exc: BaseException) -> str:
    """What went wrong with a template, for the admin who wrote it: no server paths, no internal names."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        text = f"template syntax error on line {exc.lineno}: {exc.message}"
    elif isinstance(exc, limits.TemplateLimit):
        text = str(exc.message)
    elif isinstance(exc, jinja2.UndefinedError):
        text = f"unknown policy value: {exc.message}"
    elif isinstance(exc, (RecursionError, SyntaxError)):  # Python's own limits on nesting, compiling or running
        text = f"{limits.WORK}: nested too deeply"
    elif isinstance(exc, MemoryError):
        text = f"{limits.WORK}: out of memory"
    else:
        text = f"template error: {exc}"
    return _PATH.sub(r"\1", _WORDING.sub("the answer", text))
