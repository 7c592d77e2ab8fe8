"""The ``supportbot`` command: chat, ask --jsonl, check."""

from __future__ import annotations

import argparse
import sys

from bot.config import content_root
from bot.errors import SupportbotError
from bot.faq import load_content


def _check(args: argparse.Namespace) -> int:
    packs, content = load_content(content_root())
    for brand, pack in packs.items():
        print(f"{brand} ({pack.code}): {len(content.entries[brand])} entries")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = argparse.ArgumentParser(prog="supportbot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    check = sub.add_parser("check", help="validate every brand pack and FAQ file, then exit")
    check.set_defaults(func=_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``supportbot`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args = parser.parse_args(["check"])
    try:
        return int(args.func(args))
    except SupportbotError as exc:
        print(f"supportbot: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
