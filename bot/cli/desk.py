"""Commands for staff and admins at a desk: RMAs, the FAQ as files, statistics, troubleshooting outcomes."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import desk_options, engine_for, settings_of
from bot.config import Settings, content_root
from bot.core.errors import InputError
from bot.engine import system_clock
from bot.loading import Knowledge
from bot.store import Store


def _outcomes(args: argparse.Namespace) -> int:
    settings = settings_of(args)
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

    settings = settings_of(args)
    engine = engine_for(settings)
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

    settings = settings_of(args)
    engine = engine_for(settings)
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


def register(sub: Any) -> None:
    """Add these commands to the ``supportbot`` parser's subcommands."""
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
    desk_options(rma_list, rma_show, rma_set)
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
    desk_options(faq_export, faq_import)
    faq.set_defaults(func=_faq)
