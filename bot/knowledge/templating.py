"""The templating of wordings: a sandboxed jinja2 environment, and compiled code kept between processes."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.runtime
import jinja2.sandbox

from bot.knowledge.pack_models import TableView


class Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """The sandbox, also refusing to build huge strings or numbers (``{{ 'x' * 10**9 }}``).

    A piece of a brand pack that a verdict holds (an exclusion, a window, a shipping rule, a fee tier) is
    read as its raw table, exactly like the pack's own values: ``tier.until_month is defined`` is false
    when the pack gives none, where the typed field would be None.
    """

    intercepted_binops = frozenset({"*", "**"})

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.attribute``, a pack piece read as its raw table."""
        return super().getattr(obj.data if isinstance(obj, TableView) else obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """``obj[argument]``, a pack piece read as its raw table."""
        return super().getitem(obj.data if isinstance(obj, TableView) else obj, argument)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        """``*`` and ``**``, refused when the result would be huge."""
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise jinja2.sandbox.SecurityError("exponent too large")
        if operator == "*":
            sizes = [len(v) for v in (left, right) if isinstance(v, (str, list, tuple))]
            times = [v for v in (left, right) if isinstance(v, int)]
            if sizes and times and sizes[0] * max(times[0], 0) > 10_000:
                raise jinja2.sandbox.SecurityError("result too large")
        return super().call_binop(context, operator, left, right)


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

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """Where compiled wordings are kept between processes.

    ``SUPPORTBOT_CACHE``: a folder (made if missing), or ``off``; unset: jinja2's private folder in the
    temporary directory (``_jinja2-cache-<uid>``, checked to belong to this user).
    """
    folder = os.environ.get("SUPPORTBOT_CACHE", "")
    if folder == "off":
        return None
    try:
        if folder:
            Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)
        return _BytecodeCache(folder or None)
    except (OSError, RuntimeError):  # no folder of our own: compile in every process
        return None
