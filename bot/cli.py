"""The ``supportbot`` command.

supportbot                       console chat (or the Telegram bot once TELEGRAM_BOT_TOKEN is set)
supportbot chat [--brand B] [--now T] [--admin]
supportbot ask --jsonl           batch: one JSON object per stdin line, one per stdout line
supportbot check                 validate every brand pack and FAQ file
supportbot rma list|show|set-status   RMAs for staff at a desk (customers are notified through the bot)
supportbot faq export DIR | import DIR [--dry-run]   the FAQ with admins' changes, as files
supportbot stats [--brand B] [--days N…] [--chart FILE]   figures for admins (all brands and each brand)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from bot.config import Settings, content_root, load_dotenv
from bot.core.clock import Clock
from bot.core.errors import ConfigError, InputError, SupportbotError
from bot.engine import Engine, fixed_clock, system_clock
from bot.loading import Knowledge
from bot.store import Store
from bot.understand.matcher import Decision


def _clock(settings: Settings) -> Clock:
    return fixed_clock(settings.now) if settings.now else system_clock


def _engine(settings: Settings, *, consultants: bool = False) -> Engine:
    store = Store(settings.db_path)
    return Engine.from_root(
        content_root(), store=store, clock=_clock(settings), default_brand=settings.brand, consultants=consultants
    )


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        brand=getattr(args, "brand", None), now=getattr(args, "now", None), db=getattr(args, "db", None)
    )


# -- check ------------------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    from bot.selfcheck import check_root

    knowledge = check_root(content_root())
    for brand, pack in knowledge.packs.items():
        print(f"{brand} ({pack.code}): {len(knowledge.content.entries[brand])} entries")
    return 0


def _explain(args: argparse.Namespace) -> int:
    """Print the whole reading of a question: what every flow will see, then the matcher's ranking."""
    settings = _settings(args)
    engine = Engine.from_root(
        content_root(), store=Store(":memory:"), clock=_clock(settings), default_brand=settings.brand
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
    from bot.config import telegram_settings_from_env

    token, base, staff, admins, rate, group_rate, chat_rate = telegram_settings_from_env()
    from bot.adapters.telegram.run import WebhookSettings, run
    from bot.adapters.telegram.settings import TelegramSettings

    settings = _settings(args)
    engine = _engine(settings, consultants=staff is not None)  # consultants work from the staff chat
    webhook = None
    if args.webhook_url:
        webhook = WebhookSettings(
            url=args.webhook_url,
            listen=args.listen,
            port=args.port,
            secret_token=args.secret_token or os.environ.get("TELEGRAM_WEBHOOK_SECRET"),
        )
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
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
        ),
        webhook,
        clock=_clock(settings),
    )


def _outcomes(args: argparse.Namespace) -> int:
    settings = _settings(args)
    store = Store(settings.db_path)
    rows = store.walks.summary()
    if not rows:
        print("no troubleshooting walks recorded yet")
        return 0
    print(f"{'tree':20} {'outcome':11} {'leaf':24} {'walks':>5} {'rating':>6}")
    for row in rows:
        rating = "" if row["rating"] is None else f"{row['rating']:.2f}"
        print(f"{row['tree']:20} {row['outcome']:11} {row['leaf']:24} {row['walks']:>5} {rating:>6}")
    return 0


# -- RMAs for staff at a desk ----------------------------------------------------------------------------


def _rma(args: argparse.Namespace) -> int:
    import getpass

    settings = _settings(args)
    engine = _engine(settings)
    try:
        if args.action == "list":
            print(engine.rma_list(args.status))
        elif args.action == "show":
            reply = engine.rma_show(args.number)
            print(reply.text)
            for item in reply.media:
                print(f"  {item.kind}: {item.ref}")
        else:
            extra = " ".join([*args.extra, *(["confirm"] if args.confirm else [])])
            row = engine.set_rma_status(args.number, args.status, by=args.by or f"cli:{getpass.getuser()}", extra=extra)
            print(f"{row['number']} is now {row['status']}; the customer will be told by the running bot.")
    finally:
        engine.store.close()
    return 0


# -- the FAQ for admins at a desk -------------------------------------------------------------------------


def _faq(args: argparse.Namespace) -> int:
    import getpass
    from pathlib import Path

    from bot.backoffice.faqfiles import export_faq, import_faq

    settings = _settings(args)
    engine = _engine(settings)
    folder = Path(args.folder)
    try:
        if args.action == "export":
            written = export_faq(engine.book, content_root() / "faq", folder)
            changed = ", ".join(str(p.relative_to(folder)) for p in written) or "none (the FAQ is as faq/ has it)"
            print(f"exported to {folder}; files with admins' changes: {changed}")
            return 0
        changes = import_faq(
            engine.book, folder, by=args.by or f"cli:{getpass.getuser()}", at=engine.clock(), dry_run=args.dry_run
        )
        for change in changes:
            what = "added" if change.before is None else "removed" if change.after is None else "changed"
            print(f"{change.brand}/{change.entry_id}: {what}")
        verb = "would change" if args.dry_run else "changed"
        print(
            f"{len(changes)} entr{'y' if len(changes) == 1 else 'ies'} {verb}"
            + ("; customers get them at once" if changes and not args.dry_run else "")
        )
        return 0
    finally:
        engine.store.close()


# -- statistics for admins ------------------------------------------------------------------------------


def _stats(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.backoffice import report, stats

    settings = Settings.from_env(now=args.now, db=args.db)
    days = args.days or list(stats.DEFAULT_DAYS)
    if any(d < 1 for d in days):
        raise InputError("--days needs whole numbers of days from 1")
    knowledge = Knowledge.load(content_root())
    packs, content = knowledge.packs, knowledge.content
    brand = args.brand.strip().lower() if args.brand else None
    if brand is not None and brand not in packs:
        raise InputError(f"unknown brand {brand!r} (known: {', '.join(sorted(packs))})")
    now = settings.now or system_clock()
    store = Store(settings.db_path)
    try:
        sections = [
            report.report(store, content, packs, brand=b, now=now, days=days)
            for b in ([brand] if brand is not None else [None, *packs])
        ]
        print("\n\n".join(sections))
        if args.chart:
            path = report.chart(
                store, Path(args.chart), content=content, packs=packs, brand=brand, now=now, days=max(days)
            )
            print(
                "\n"
                + report.render(content, packs, "stats_chart_written", brand=brand, now=now, days=max(days), path=path)
            )
    finally:
        store.close()
    return 0


# -- console chat -----------------------------------------------------------------------------------


# -- the console chat and the batch interface -----------------------------------------------------------


def _chat(args: argparse.Namespace) -> int:
    from bot.adapters.console import chat

    settings = _settings(args)
    engine = _engine(settings)
    try:
        return chat(engine, user=args.user, brand=settings.brand, admin=getattr(args, "admin", False))
    finally:
        engine.store.close()


def _ask(args: argparse.Namespace) -> int:
    from bot.adapters.batch import answer_lines

    if not args.jsonl:
        raise ConfigError("ask reads JSON lines: use `supportbot ask --jsonl`")
    engine = _engine(_settings(args))
    try:
        return answer_lines(engine)
    finally:
        engine.store.close()


# -- wiring -----------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = argparse.ArgumentParser(prog="supportbot", description="After-sales support bot.")
    sub = parser.add_subparsers(dest="command")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--brand", help="brand pack (default: SUPPORTBOT_BRAND, else kimpok)")
        p.add_argument("--now", help="fix the clock, ISO 8601 with offset (default: SUPPORTBOT_NOW, else real time)")
        p.add_argument("--db", help="SQLite file (default: SUPPORTBOT_DB, else supportbot.db)")

    def desk(*parsers: argparse.ArgumentParser) -> None:
        """Commands for staff at a desk: a database, and a clock fixed only for tests."""
        for p in parsers:
            p.add_argument("--db", help="SQLite file (default: SUPPORTBOT_DB, else supportbot.db)")
            p.add_argument("--now", help=argparse.SUPPRESS)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    common(chat)
    chat.add_argument("--user", default="console", help="conversation id (default: console)")
    chat.add_argument(
        "--admin",
        action="store_true",
        help="you are an admin: /faq, /unanswered and /stats work (for whoever holds the database)",
    )
    chat.set_defaults(func=_chat)

    ask = sub.add_parser("ask", help="answer JSON lines from stdin")
    common(ask)
    ask.add_argument("--jsonl", action="store_true", help="read and write one JSON object per line")
    ask.set_defaults(func=_ask)

    explain = sub.add_parser(
        "explain", help="show how a question is read: language, parts, intents, situation, matches"
    )
    explain.add_argument("--brand", help="brand pack (default: SUPPORTBOT_BRAND, else kimpok)")
    explain.add_argument("--top", type=int, default=6)
    explain.add_argument("question", nargs="+")
    explain.set_defaults(func=_explain)

    run = sub.add_parser("run", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    common(run)
    run.add_argument("--webhook-url", help="receive updates on this public HTTPS URL instead of long polling")
    run.add_argument("--listen", default="0.0.0.0", help="webhook: address to listen on (default 0.0.0.0)")
    run.add_argument("--port", type=int, default=8443, help="webhook: port to listen on (default 8443)")
    run.add_argument("--secret-token", help="webhook: secret Telegram sends back (default: TELEGRAM_WEBHOOK_SECRET)")
    run.set_defaults(func=_run)

    outcomes = sub.add_parser("outcomes", help="where troubleshooting walks ended (per tree and leaf)")
    outcomes.add_argument("--db", help="SQLite file (default: SUPPORTBOT_DB, else supportbot.db)")
    outcomes.set_defaults(func=_outcomes)

    rma = sub.add_parser("rma", help="RMAs for staff: list, show, set-status (the customer is notified)")
    rma_actions = rma.add_subparsers(dest="action", required=True)
    rma_list = rma_actions.add_parser("list", help="open RMAs, newest first (or those with --status)")
    rma_list.add_argument("--status", help="only this status (e.g. awaiting_shipment, received, closed)")
    rma_show = rma_actions.add_parser("show", help="one RMA: its card and history")
    rma_show.add_argument("number")
    rma_set = rma_actions.add_parser("set-status", help="change an RMA's status; the customer is told at once")
    rma_set.add_argument("number")
    rma_set.add_argument("status", help="approved, received, diagnosing, quote, declined, repairing, shipped, …")
    rma_set.add_argument("extra", nargs="*", help="shipped: the tracking number; quote: amount currency; else a note")
    rma_set.add_argument("--confirm", action="store_true", help="go ahead after a warning (quoting a free repair)")
    rma_set.add_argument("--by", help="who made the change (default: cli:<your login>)")
    desk(rma_list, rma_show, rma_set)
    rma.set_defaults(func=_rma)

    stats = sub.add_parser("stats", help="figures for admins: questions, votes, walks, handoffs, RMAs, ratings")
    stats.add_argument("--brand", help="only this brand (default: all brands together, then each brand)")
    stats.add_argument(
        "--days", type=int, nargs="+", metavar="N", help="the periods, in days up to now (default: 7 30)"
    )
    stats.add_argument("--chart", metavar="FILE", help="also draw the questions and handoffs per day as a PNG")
    stats.add_argument("--db", help="SQLite file (default: SUPPORTBOT_DB, else supportbot.db)")
    stats.add_argument("--now", help="the end of the periods, ISO 8601 with offset (default: SUPPORTBOT_NOW, else now)")
    stats.set_defaults(func=_stats)

    faq = sub.add_parser("faq", help="the FAQ with admins' changes, as files: export, edit, import")
    faq_actions = faq.add_subparsers(dest="action", required=True)
    faq_export = faq_actions.add_parser("export", help="write the FAQ customers get now into an empty folder")
    faq_export.add_argument("folder")
    faq_import = faq_actions.add_parser("import", help="check FAQ files, then make them live (all or nothing)")
    faq_import.add_argument("folder")
    faq_import.add_argument("--by", help="who made the change (default: cli:<your login>)")
    faq_import.add_argument("--dry-run", action="store_true", help="check and list the changes, change nothing")
    desk(faq_export, faq_import)
    faq.set_defaults(func=_faq)

    check = sub.add_parser("check", help="validate every brand pack and FAQ file, then exit")
    check.set_defaults(func=_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``supportbot`` console script."""
    load_dotenv()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args = parser.parse_args(["run" if os.environ.get("TELEGRAM_BOT_TOKEN", "").strip() else "chat"])
    try:
        return int(args.func(args))
    except SupportbotError as exc:
        print(f"supportbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
