"""Commands that talk to customers (the console chat, the batch interface, the Telegram bot) or check content.

``check`` validates every pack and FAQ file; ``explain`` shows how a question is read.
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

from bot.cli.common import clock_for, conversation_options, engine_for, settings_of
from bot.cli.observing import LOG_FORMATS, log_format, metrics_from_env, use_log_format
from bot.config import content_root
from bot.core.errors import ConfigError, InputError
from bot.engine import Engine
from bot.store import Store
from bot.understand.matcher import Decision


def _check(args: argparse.Namespace) -> int:
    from bot.selfcheck import check_root

    settings = settings_of(args)
    knowledge = check_root(content_root(), today=clock_for(settings)().date())
    for brand, pack in knowledge.packs.items():
        print(f"{brand} ({pack.code}): {len(knowledge.content.entries[brand])} entries")
    return 0


def _explain(args: argparse.Namespace) -> int:
    """Print the whole reading of a question: what every flow will see, then the matcher's ranking."""
    settings = settings_of(args)
    engine = Engine.from_root(
        content_root(), store=Store(":memory:"), clock=clock_for(settings), default_brand=settings.brand
    )
    question = " ".join(args.question)
    reading = engine.read(question, brand=settings.brand)
    matcher = engine.index.matchers[settings.brand]
    flags = [
        name
        for name in (
            "asks", "keeps_lead", "asks_now", "asks_for_person", "about_detection", "says_goodbye", "breaks_in",
            "out_of_domain", "rma_start", "rma_status", "wants_rma", "too_long",
        )
        if getattr(reading, name)
    ]  # fmt: skip
    situation = reading.situation
    print(f"brand: {settings.brand}   language: {reading.language}")
    print(
        f"intents: {', '.join(flags) or '-'}" + (f"   rma number: {reading.rma_number}" if reading.rma_number else "")
    )
    for fact in situation.dates:
        d = fact.reading
        span = d.earliest.isoformat() if d.exact else f"{d.earliest.isoformat()}..{d.latest.isoformat()}"
        print(f"date: {fact.kind:<14} {span}  ({d.text!r}{', ' + d.problem if d.problem else ''})")
    facts = {
        "product": situation.category,
        "causes": ", ".join(sorted(situation.events)),
        "wants": ", ".join(sorted(situation.wants)),
        "amounts": ", ".join(f"{k}={v:g}" for k, v in situation.amounts.items()),
        "units": situation.units,
        "years beyond warranty": situation.years_beyond,
        "stated months": situation.stated_months,
    }
    for name, value in facts.items():
        if value:
            print(f"{name}: {value}")

    def show(decision: Decision, indent: str) -> None:
        weights = " ".join(f"{t}({matcher.weight(t):.2f}{'' if t in matcher.idf else '?'})" for t in decision.tokens)
        print(f"{indent}tokens: {weights}")
        for c in decision.candidates:
            print(f"{indent}{c.score:.3f}  {c.entry_id}")
        print(f"{indent}outcome: {decision.outcome}")

    if reading.focus:
        print(f"focus: {reading.focus!r}")
    for n, part in enumerate(reading.parts, 1):
        lead = "  (a plain yes/no question)" if part.keeps_lead else ""
        print(f"part {n}: {part.text!r}{lead}")
        show(part.decision, "    ")
    print("whole message:" if reading.parts else "decision:")
    show(reading.decision, "    ")
    _, ranked = matcher.rank(question, limit=args.top)
    print("ranking: " + "  ".join(f"{c.entry_id} {c.score:.3f}" for c in ranked))
    return 0


def _run(args: argparse.Namespace) -> int:
    from bot.config import bots_from_env, telegram_settings_from_env

    token, base, staff, admins, rate, group_rate, chat_rate = telegram_settings_from_env()
    form, port_bind = log_format(args.log_format), metrics_from_env()
    use_log_format(form)  # from here: engine loading's warnings too
    from bot.adapters.telegram.run import MetricsSettings, WebhookSettings, run
    from bot.adapters.telegram.settings import TelegramSettings

    settings = settings_of(args)
    engine = engine_for(settings, consultants=staff is not None)  # consultants work from the staff chat
    engine.store.checkpoint_behind()
    bots = _bots(bots_from_env(), frozenset(engine.packs))
    if (webhook_url := args.webhook_url) and len(bots) > 1:
        raise ConfigError(f"SUPPORTBOT_BOTS: a webhook ({webhook_url}) serves one bot; run several by polling")
    webhook = None
    if webhook_url:
        webhook = WebhookSettings(
            url=args.webhook_url,
            listen=args.listen,
            port=args.port,
            secret_token=args.secret_token or os.environ.get("TELEGRAM_WEBHOOK_SECRET"),
        )
    logging.getLogger().setLevel(logging.INFO)
    return run(
        engine,
        TelegramSettings(
            token=token,
            api_base_url=base,
            staff_chat_id=staff,
            admin_ids=admins,
            max_rate=rate,
            group_rate=group_rate,
            chat_rate=chat_rate,
            db_path=settings.db_path,
            bots=bots,
        ),
        webhook,
        clock=clock_for(settings),
        metrics=MetricsSettings(*port_bind) if port_bind else None,
    )


def _bots(entries: tuple[tuple[str, str, str | None, tuple[str, ...]], ...], known: frozenset[str]) -> tuple[Any, ...]:
    """The bots of SUPPORTBOT_BOTS / SUPPORTBOT_BRANDS, their brands checked against the content."""
    from bot.adapters.telegram.settings import BotSettings

    for _, _, brand, brands in entries:
        for name in (brand,) if brand else brands:
            if name not in known:
                setting = "SUPPORTBOT_BOTS" if brand or len(entries) > 1 else "SUPPORTBOT_BRANDS"
                raise ConfigError(f"{setting}: unknown brand {name!r} (known: {', '.join(sorted(known))})")
    return tuple(BotSettings(token, name, brand, brands) for name, token, brand, brands in entries)


# -- the console chat and the batch interface -----------------------------------------------------------


def _chat(args: argparse.Namespace) -> int:
    from bot.adapters.console import chat

    settings = settings_of(args)
    engine = engine_for(settings)
    engine.store.checkpoint_behind()
    try:
        engine.prune()  # what the retention settings let go (the running bot does this every hour)
        return chat(engine, user=args.user, brand=settings.brand, admin=getattr(args, "admin", False))
    finally:
        engine.store.close()


def _ask(args: argparse.Namespace) -> int:
    from bot.adapters.batch import answer_lines, engines_like
    from bot.adapters.parallel import worth

    if not args.jsonl:
        raise ConfigError("ask reads JSON lines: use `supportbot ask --jsonl`")
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers needs a whole number from 1")
    settings = settings_of(args)
    engine = engine_for(settings)
    try:
        engine.prune()
        workers = worth(settings.db_path, args.workers)
        if workers == 1:  # workers are forked, and check their own log: no thread here before that
            engine.store.checkpoint_behind()
        own = engines_like(engine, settings.db_path, clock=clock_for(settings), brand=settings.brand)
        return answer_lines(engine, workers=workers, worker_engine=own)
    finally:
        engine.store.close()


def register(sub: Any) -> None:
    """Add these commands to the ``supportbot`` parser's subcommands."""
    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    conversation_options(chat)
    chat.add_argument("--user", default="console", help="conversation id (default: console)")
    chat.add_argument(
        "--admin",
        action="store_true",
        help="you are an admin: /faq, /unanswered and /stats work (for whoever holds the database)",
    )
    chat.set_defaults(func=_chat)

    ask = sub.add_parser("ask", help="answer JSON lines from stdin")
    conversation_options(ask)
    ask.add_argument("--jsonl", action="store_true", help="read and write one JSON object per line")
    ask.add_argument(
        "--workers",
        type=int,
        help="processes to answer on (a user's lines stay in one; default: one per CPU, up to 4)",
    )
    ask.set_defaults(func=_ask)

    explain = sub.add_parser(
        "explain", help="show how a question is read: language, parts, intents, situation, matches"
    )
    explain.add_argument("--brand", help="brand pack (default: SUPPORTBOT_BRAND, else kimpok)")
    explain.add_argument("--top", type=int, default=6)
    explain.add_argument("question", nargs="+")
    explain.set_defaults(func=_explain)

    run = sub.add_parser("run", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    conversation_options(run)
    run.add_argument("--webhook-url", help="receive updates on this public HTTPS URL instead of long polling")
    run.add_argument("--listen", default="0.0.0.0", help="webhook: address to listen on (default 0.0.0.0)")
    run.add_argument("--port", type=int, default=8443, help="webhook: port to listen on (default 8443)")
    run.add_argument("--secret-token", help="webhook: secret Telegram sends back (default: TELEGRAM_WEBHOOK_SECRET)")
    run.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        help="text, or json: one object a line (default: SUPPORTBOT_LOG_FORMAT, else text)",
    )
    run.set_defaults(func=_run)

    check = sub.add_parser("check", help="validate every brand pack and FAQ file, then exit")
    check.add_argument("--now", help="check as of this time, ISO 8601 with offset (default: SUPPORTBOT_NOW, else now)")
    check.set_defaults(func=_check)
