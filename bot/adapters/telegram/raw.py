"""Bot API calls whose answer is kept as Telegram's JSON rather than parsed into PTB's objects.

``Bot.send_message`` turns every answer into a ``Message`` (its chat, its sender, every button of its
keyboard): a sixth of the bot's CPU per reply, measured with py-spy under load, for a message id. These calls
go through ``Bot.do_api_request`` instead, which PTB offers for this: the same request, rate limiter, retries
and errors, and the answer as a dict. PTB warns that a named method exists; that warning, for these
endpoints only, is silenced once here (``warnings.catch_warnings`` around an ``await`` is not safe: it changes
the filters of every task that runs meanwhile).
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram.warnings import PTBUserWarning

RAW_ENDPOINTS = ("get_updates", "send_message")

for _endpoint in RAW_ENDPOINTS:
    warnings.filterwarnings("ignore", message=rf"Please use 'Bot\.{_endpoint}' instead of", category=PTBUserWarning)


async def call(bot: Any, endpoint: str, api_kwargs: dict[str, Any], **timeouts: Any) -> Any:
    """Call ``endpoint`` (one of :data:`RAW_ENDPOINTS`) with ``api_kwargs``; Telegram's result as JSON."""
    if endpoint not in RAW_ENDPOINTS:
        raise ValueError(f"{endpoint} is not called raw")
    return await bot.do_api_request(endpoint, api_kwargs=api_kwargs, **timeouts)


def message_id(result: Any) -> int | None:
    """The id of the message a send made, from its JSON result (None when Telegram did not give one)."""
    found = result.get("message_id") if isinstance(result, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None
