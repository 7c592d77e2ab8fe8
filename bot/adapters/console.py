"""The console chat (``supportbot chat``): the engine in a terminal, buttons as numbered choices."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, TextIO

from bot.core.messages import Message, Reply
from bot.engine import Engine


def render_console(replies: Iterable[Reply]) -> str:
    """Replies as terminal text, buttons as numbered choices."""
    lines: list[str] = []
    number = 0  # buttons are numbered across the replies of a turn, as the prompt reads them
    for reply in replies:
        lines.append(reply.text)
        lines.extend(f"  [{media.kind}: {media.ref}]" for media in reply.media if media.kind == "chart")
        for button in reply.buttons:
            number += 1
            lines.append(f"  [{number}] {button.label}")
    return "\n".join(lines)


def chat(
    engine: Engine,
    *,
    user: str,
    brand: str | None,
    admin: bool = False,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    """Talk to the engine in a terminal until end of input or /quit; returns the exit code."""
    interactive = stdin.isatty()
    print(
        f"supportbot: {engine.brand_name()} ({engine.default_brand}). Type your question; a number presses a button; "
        f"Ctrl-D or /quit to leave.",
        file=stdout,
    )
    opening = engine.handle(Message(user=user, text="/start", brand=brand))
    buttons: tuple[Any, ...] = tuple(b for r in opening for b in r.buttons)
    print(f"\nbot> {render_console(opening)}\n", file=stdout)
    while True:
        if interactive:
            print("you> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        text = line.rstrip("\n")
        if text.strip() in {"/quit", "/exit"}:
            break
        if text.strip().isdecimal() and text.strip().isascii() and 1 <= int(text.strip()) <= len(buttons):
            message = Message(
                user=user,
                press=buttons[int(text.strip()) - 1].data,
                brand=brand,
                admin=admin,
            )
        else:
            message = Message(user=user, text=text, brand=brand, admin=admin)
        replies = engine.handle(message)
        for notice in engine.notices(target=user):  # status changes made meanwhile (supportbot rma set-status)
            replies.append(notice.reply)
            engine.notice_sent(notice)
        buttons = tuple(b for r in replies for b in r.buttons)
        print(f"bot> {render_console(replies)}\n", file=stdout, flush=True)
    return 0
