"""Every admin message rendered through its branches, for every brand (admins must never see one fail)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.core.errors import FaqError
from bot.flows.admin.inbox import Group
from bot.knowledge.faq import Content, Entry, base_context
from bot.knowledge.langtext import LANGUAGES
from bot.knowledge.packs import BrandPack


def _samples(entry: Entry, group: Group, moment: datetime) -> dict[str, list[dict[str, Any]]]:
    """Contexts that take every admin message through its branches (see :func:`check_wording`)."""
    change = {"id": 1, "action": "edit", "by": "Check (tg:1)", "at": moment, "undone": 0}
    row = {"id": entry.id, "title": "Title", "kind": "faq", "edited": True, "added": False, "set_aside": True}
    refused = [
        {"reason": r, "id": entry.id, "limit": 10, "length": 20, "detail": "x", "hint": h, "kind": "hours", "step": s}
        for r in (
            "template",
            "too_long",
            "phrase_length",
            "phrase_known",
            "kind",
            "no_answer",
            "undo_broken",
            "empty_text",
        )
        for h in (None, "warranty.years")
        for s in ("question", "answer")
    ]
    return {
        "admin_faq_help": [{}, {"unknown": "x", "near": "edit"}, {"unknown": "x", "near": None}],
        "admin_values": [
            {"values": [{"name": "brand.name", "value": "X"}], "more": m, "words": w}
            for m in (-3, 5)
            for w in ("", "x")
        ]
        + [{"values": [], "more": -60, "words": "x"}],
        "admin_usage": [{"sub": "phrase"}, {"sub": "show"}],
        "admin_unknown_entry": [{"id": "x", "near": [entry]}, {"id": "x", "near": []}],
        "admin_faq_list": [
            {"rows": [row, {**row, "kind": "hours", "added": True}], "query": q, "total": 2} for q in ("", "x")
        ]
        + [{"rows": [], "query": "x", "total": 0}],
        "admin_faq_show": [
            {
                "entry": entry,
                "rendered": dict.fromkeys(entry.answers, "x"),
                "last": last,
                "edited": edited,
                "broken": broken,
            }
            for last, edited, broken in (
                (None, False, None),
                (change, True, ("render", "x")),
                (change, True, ("files", "")),
            )
        ],
        "admin_faq_history": [{"id": entry.id, "changes": [change]}, {"id": entry.id, "changes": []}],
        "admin_bad_language": [{"language": "fr", "languages": LANGUAGES}],
        "admin_refused": refused,
        "admin_edit_prompt": [{"entry": entry, "language": "en", "source": s} for s in ("x", None)],
        "admin_add_question": [{}],
        "admin_add_answer": [
            {"question": "x", "today": t, "result": r} for t in (entry, None) for r in ("answer", "clarify", "unknown")
        ],
        "admin_waiting": [{}],
        "admin_preview": [
            {"entry": entry, "language": "en", "preview": "x", "others": o, "action": a}
            for o in ([], ["zh"])
            for a in ("edit", "add")
        ],
        "admin_nothing_pending": [{}],
        "admin_conflict": [{"id": entry.id}],
        "admin_saved": [
            {"entry": entry, "action": a, "others": o, "language": "en"} for o in ([], ["zh"]) for a in ("edit", "add")
        ],
        "admin_phrase_added": [
            {"entry": entry, "phrase": "x", "finds": f, "result": r, "was": f}
            for f in (entry, None)
            for r in ("answer", "clarify", "unknown")
        ],
        "admin_delete_confirm": [{"entry": entry}],
        "admin_deleted": [{"entry": entry}],
        "admin_undo_nothing": [{"id": entry.id}],
        "admin_undone": [
            {"id": entry.id, "change": change, "entry": e, "preview": p}
            for e, p in ((entry, "x"), (None, None), (entry, None))
        ],
        "admin_inbox_header": [
            {"groups": g, "questions": g * 2, "page": p, "pages": n, "first": 1}
            for g, p, n in ((0, 1, 1), (1, 1, 1), (12, 1, 3), (12, 3, 3))
        ],
        "admin_inbox_group": [{"group": group, "unhelpful": u, "guesses": u} for u in ([entry], [])],
        "admin_stale": [{}],
        "admin_dismissed": [{"count": 1}, {"count": 3}],
        "admin_cancelled": [{"had": True}, {"had": False}],
        "admin_button_save": [{}],
        "admin_button_cancel": [{}],
        "admin_button_edit": [{}],
        "admin_button_undo": [{}],
        "admin_button_delete": [{}],
        "admin_button_new": [{}],
        "admin_button_dismiss": [{}],
        "admin_button_phrase": [{"title": "x"}],
        "admin_button_edit_entry": [{"title": "x"}],
        "admin_command_faq": [{}],
        "admin_command_unanswered": [{}],
        "admin_command_stats": [{}],
    }


def check_admin_wording(packs: Mapping[str, BrandPack], content: Content, moment: datetime) -> None:
    """Render every admin message for every brand through its branches."""
    group = Group(
        ids=(1, 2, 3, 4, 5, 6),
        texts=tuple((f"question {n}", 6 - n) for n in range(6)),
        reasons={"unknown": 4, "unhelpful": 2},
        entries=(),
        latest=moment.isoformat(),
    )
    for pack in packs.values():
        entry = next(e for e in content.entries[pack.id].values() if e.kind == "faq")
        samples = _samples(entry, group, moment)
        names = {
            name
            for (folder, name), path in content.message_paths.items()
            if path.name == "admin.toml" and folder in ("_common", pack.id)
        }
        missing = names - set(samples)
        if missing:
            path = next(p for (_, n), p in content.message_paths.items() if n in missing)
            raise FaqError(path, sorted(missing)[0], "not a message the admin commands use")
        context = base_context(pack, moment)
        for name in names:
            for extra in samples[name]:
                content.render_message(pack.id, name, "en", {**context, **extra})
