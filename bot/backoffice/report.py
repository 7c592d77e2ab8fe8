"""The statistics as admins read them: ``/stats`` and ``supportbot stats``, with a chart.

:func:`report` renders windows of figures (:mod:`.stats`) as text (``stats_report`` in
``faq/_common/stats.toml``: every word admins read is there); :func:`chart` draws the daily questions
(and handoffs) as a PNG with matplotlib, loaded only then; :func:`replies` is an admin's ``/stats``.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.backoffice.stats import DEFAULT_DAYS, Stats, daily, gather
from bot.core.messages import Media, Reply
from bot.knowledge.faq import Content, base_context
from bot.knowledge.packs import DEFAULT_BRAND, BrandPack
from bot.store import Store

log = logging.getLogger(__name__)


# -- wording -------------------------------------------------------------------------------------------


def _pack(packs: Mapping[str, BrandPack], brand: str | None) -> BrandPack:
    """The brand's pack; for all brands the default brand's (its time zone dates the report)."""
    if brand is not None:
        return packs[brand]
    return packs.get(DEFAULT_BRAND) or next(iter(packs.values()))


def _context(pack: BrandPack, brand: str | None, now: datetime, **figures: Any) -> dict[str, Any]:
    return {**base_context(pack, now), "brand_name": pack.name if brand is not None else None, **figures}


def render(
    content: Content, packs: Mapping[str, BrandPack], name: str, *, brand: str | None, now: datetime, **figures: Any
) -> str:
    """One stats template (English) for ``brand`` (None: all brands), with the pack's values and ``figures``."""
    pack = _pack(packs, brand)
    return content.render_message(pack.id, name, "en", _context(pack, brand, now, **figures))


def report(
    store: Store,
    content: Content,
    packs: Mapping[str, BrandPack],
    *,
    brand: str | None,
    now: datetime,
    days: Sequence[int] = DEFAULT_DAYS,
) -> str:
    """The admins' text report: one window after the other (``stats_report``)."""
    windows = [gather(store, brand=brand, now=now, days=d) for d in days]
    return render(content, packs, "stats_report", brand=brand, now=now, windows=windows)


def chart(
    store: Store,
    path: Path,
    *,
    content: Content,
    packs: Mapping[str, BrandPack],
    brand: str | None,
    now: datetime,
    days: int = 30,
) -> Path:
    """Draw the last ``days`` days (questions stacked by bucket; handoffs below) as a PNG at ``path``.

    Days are the brand's calendar days (for all brands, the default brand's). Returns ``path``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # loaded here: start-up does not pay for it
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    pack = _pack(packs, brand)
    local = now.astimezone(pack.timezone)
    rows = daily(store, brand=brand, now=local, days=days)

    def say(name: str) -> str:
        return render(content, packs, name, brand=brand, now=now, days=days)

    figure = Figure(figsize=(8, 5.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    x = list(range(len(rows)))
    stacked = [0] * len(rows)
    for key, colour in (("answered", "#2e7d32"), ("clarified", "#f9a825"), ("not_understood", "#c62828")):
        values = [getattr(r, key) for r in rows]
        top.bar(x, values, bottom=stacked, color=colour, label=say(f"stats_chart_{key}"), width=0.8)
        stacked = [a + b for a, b in zip(stacked, values, strict=True)]
    figure.suptitle(say("stats_chart_title"))
    top.set_ylabel(say("stats_chart_questions"))
    top.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=3, fontsize="small", frameon=False)
    bottom.bar(x, [r.handoffs for r in rows], color="#1565c0", width=0.8)
    bottom.set_ylabel(say("stats_chart_handoffs"))
    for axes in (top, bottom):
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_ylim(bottom=0, top=max(1, axes.get_ylim()[1]))
    step = max(1, len(rows) // 10)
    ticks = x[::-1][::step]  # counted back from today, which is always labelled
    bottom.set_xticks(ticks, [rows[i].day.strftime("%d.%m") for i in ticks])
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path


def replies(
    store: Store, content: Content, pack: BrandPack, now: datetime, *, folder: Path | None = None
) -> list[Reply]:
    """An admin's ``/stats`` for one brand: the report for 7 and 30 days, with the 30-day chart attached.

    The chart is written to ``folder`` (default: the system's temporary folder), one file per brand replaced
    atomically, and attached as ``Media("chart", path)``; if it cannot be drawn, the figures go without it.
    """
    packs = {pack.id: pack}
    text = report(store, content, packs, brand=pack.id, now=now)
    folder = folder or Path(tempfile.gettempdir()) / "supportbot-stats"
    target = folder / f"{pack.id}.png"
    drawn: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{pack.id}-", suffix=".png", delete=False) as handle:
            drawn = Path(handle.name)
        chart(store, drawn, content=content, packs=packs, brand=pack.id, now=now, days=max(DEFAULT_DAYS))
        os.replace(drawn, target)  # another admin's /stats reading the file meanwhile gets a whole one
    except Exception:
        log.exception("could not draw the stats chart for %s", pack.id)
        if drawn is not None:
            drawn.unlink(missing_ok=True)
        return [Reply(text)]
    return [Reply(text, media=(Media("chart", str(target)),))]


# -- start-up check ------------------------------------------------------------------------------------


def _samples(moment: datetime) -> Iterator[Stats]:
    """Windows with nothing in them and with something of everything (and half-empty ones), to render."""
    for days in DEFAULT_DAYS:
        start = moment - timedelta(days=days)
        yield Stats(brand=None, days=days, start=start, end=moment)
        yield Stats(
            brand="check",
            days=days,
            start=start,
            end=moment,
            answered=40,
            clarified=7,
            not_understood=5,
            refused=1,
            out_of_scope=2,
            helpful=9,
            unhelpful=3,
            walks=(("solved", 6), ("repair", 2), ("consultant", 1), ("left", 3), ("other", 1)),
            walk_rating=4.25,
            walk_ratings=4,
            handoffs=4,
            handoff_reasons=(("asked", 2), ("not_understood", 1), ("troubleshooting", 1)),
            waits=(75.0, 5400.0, 200000.0),
            still_waiting=1,
            never_answered=1,
            rmas=(("requested", 2), ("awaiting_shipment", 1)),
            ticket_rating=4.5,
            ticket_ratings=2,
        )
        yield Stats(
            brand="check",
            days=days,
            start=start,
            end=moment,
            not_understood=3,
            out_of_scope=3,
            unhelpful=1,
            walks=(("left", 1),),
            handoffs=1,
            handoff_reasons=(("asked", 1),),
            still_waiting=1,
        )


def check_wording(content: Content, packs: Mapping[str, BrandPack], moment: datetime) -> None:
    """Render every stats template for every brand (and all brands) with empty and non-empty figures.

    A stats template that does not render then stops start-up instead of an admin's report.
    """
    names = sorted(content.names_in("stats.toml"))
    samples = list(_samples(moment))
    for brand in (None, *packs):
        for name in names:
            for windows in ([samples[0], samples[3]], [samples[1], samples[4]], [samples[2], samples[5]], []):
                render(content, packs, name, brand=brand, now=moment, windows=windows, days=30, path=Path("stats.png"))
