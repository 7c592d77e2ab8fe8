"""A minimal python-telegram-bot echo bot: the yardstick bench_limits.py measures the real bot beside.

    python benchmarks/echo_bot.py <token> <api base url>

``Application`` with its default settings and ``run_polling``: it answers each text with the same text.
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None and update.effective_message.text is not None:
        await update.effective_message.reply_text(update.effective_message.text)


def main() -> None:
    token, base = sys.argv[1], sys.argv[2].rstrip("/")
    app = Application.builder().token(token).base_url(f"{base}/bot").base_file_url(f"{base}/file/bot").build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling()


if __name__ == "__main__":
    main()
