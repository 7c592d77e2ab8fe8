"""The unanswered inbox: questions the bot could not answer, or whose answer did not help, grouped.

/unanswered [page] ─► groups of similar questions ─► add as a phrasing │ new entry │ edit │ dismiss
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from bot.core.messages import Button, Reply
from bot.core.outcomes import Outcome
from bot.core.text import fold
from bot.flows.admin.faq import FaqAdmin
from bot.flows.base import Result, Turn
from bot.flows.state import InboxGroup
from bot.understand.normalise import Normaliser

PAGE = 5  # inbox groups shown at once (each is a message with its own buttons)
SIMILAR = 72  # rapidfuzz token_sort_ratio over normalised words: questions this close are one group
GUESS = 0.25  # the matcher's score an entry needs to be offered as "same as" for an inbox question


@dataclass(frozen=True)
class Group:
    """Similar inbox questions: their row ids, how often each wording came, why they are here."""

    ids: tuple[int, ...]
    texts: tuple[tuple[str, int], ...]  # wording and count, most frequent first
    reasons: Mapping[str, int]
    entries: tuple[str, ...]  # entries whose answers were marked unhelpful
    latest: str

    @property
    def count(self) -> int:
        """How many questions the group holds."""
        return len(self.ids)

    @property
    def text(self) -> str:
        """The group's most frequent wording."""
        return self.texts[0][0]


def group_questions(rows: Sequence[Mapping[str, Any]], normaliser: Normaliser) -> list[Group]:
    """Inbox rows grouped by similar wording (after the matcher's normalising), most frequent first."""
    keys: list[str] = []
    members: list[list[Mapping[str, Any]]] = []
    for row in sorted(rows, key=lambda r: r["id"]):
        key = " ".join(sorted(set(normaliser.tokens(row["text"])))) or fold(row["text"]).strip()
        found = process.extractOne(key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR) if keys else None
        if found is None:
            keys.append(key)
            members.append([row])
        else:
            members[found[2]].append(row)
    groups = []
    for rows_of in members:
        # one wording whatever its case and final punctuation; shown as first asked
        shown: dict[str, str] = {}
        texts: Counter[str] = Counter()
        for r in rows_of:
            said = " ".join(r["text"].split())
            key = fold(said).strip(" ?!.？！。")
            shown.setdefault(key, said)
            texts[key] += 1
        order = list(shown)
        ranked = sorted(texts.items(), key=lambda item: (-item[1], order.index(item[0])))
        groups.append(
            Group(
                ids=tuple(r["id"] for r in rows_of),
                texts=tuple((shown[k], n) for k, n in ranked),
                reasons=dict(Counter(r["reason"] for r in rows_of)),
                entries=tuple(
                    dict.fromkeys(r["entry_id"] for r in rows_of if r["reason"] == "unhelpful" and r["entry_id"])
                ),
                latest=max(r["at"] for r in rows_of),
            )
        )
    groups.sort(key=lambda g: g.latest, reverse=True)
    groups.sort(key=lambda g: -g.count)  # most frequent first; among equals, the most recent
    return groups


class Admin(FaqAdmin):  # the inbox needs the FAQ commands (add a phrasing, a new entry)
    """Everything admins do: the FAQ commands, and the inbox."""

    def inbox(self, turn: Turn, *, page: int = 1) -> Result:
        """``/unanswered``: questions the bot could not answer or whose answer did not help, grouped."""
        pack = turn.pack
        groups = group_questions(self.store.inbox.open(pack.id), self.kit.index.normaliser)
        pages = max(1, -(-len(groups) // PAGE))
        page = min(page, pages)
        shown = groups[(page - 1) * PAGE : page * PAGE]
        replies = [
            Reply(
                self.say(
                    turn,
                    "admin_inbox_header",
                    groups=len(groups),
                    questions=sum(g.count for g in groups),
                    page=page,
                    pages=pages,
                    first=(page - 1) * PAGE + 1,
                )
            )
        ]
        state: list[InboxGroup] = []
        offered: list[Button] = []
        entries = self.content.entries[pack.id]
        for n, group in enumerate(shown):
            _, ranked = self.matcher(pack.id).rank(group.text, limit=6)
            # "same as" only where the bot was not sure, for entries that come reasonably close; a 👎 on an
            # answer asks for a better answer, not for the question to go to another entry
            unhelpful_only = set(group.reasons) == {"unhelpful"}
            guesses = (
                [
                    c.entry_id
                    for c in ranked
                    if c.entry_id in entries
                    and entries[c.entry_id].kind == "faq"
                    and c.entry_id not in group.entries
                    and c.score >= GUESS
                ][:2]
                if not unhelpful_only
                else []
            )
            buttons = [
                self._button(turn, "admin_button_phrase", f"adm:ph:{n}:{k}", title=entries[g].title("en"))
                for k, g in enumerate(guesses)
            ]
            buttons += [
                self._button(turn, "admin_button_edit_entry", f"adm:ed:{n}:{k}", title=entries[e].title("en"))
                for k, e in enumerate(group.entries[:2])
                if e in entries
            ]
            buttons += [
                self._button(turn, "admin_button_new", f"adm:new:{n}"),
                self._button(turn, "admin_button_dismiss", f"adm:dis:{n}"),
            ]
            offered += buttons
            state.append(
                InboxGroup(ids=list(group.ids), text=group.text, guesses=guesses, entries=list(group.entries[:2]))
            )
            replies.append(
                Reply(
                    self.say(
                        turn,
                        "admin_inbox_group",
                        group=group,
                        unhelpful=[entries[e] for e in group.entries if e in entries],
                        guesses=[entries[g] for g in guesses],
                    ),
                    tuple(buttons),
                )
            )
        turn.state.admin.inbox = state
        turn.offer(offered)
        return Result(Outcome.ADMIN_INBOX, replies)

    def inbox_press(self, turn: Turn, data: str, *, by: str) -> Result:
        """A button under an inbox group."""
        pack, now = turn.pack, turn.now
        parts = data.split(":")
        groups = turn.state.admin.inbox
        index = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else -1
        if not 0 <= index < len(groups):
            return self.reply(turn, Outcome.ADMIN_STALE, "admin_stale")
        group = groups[index]
        still_open = {row["id"] for row in self.store.inbox.open(pack.id)}
        if not still_open & set(group.ids):
            return self.reply(turn, Outcome.ADMIN_STALE, "admin_stale")
        action = parts[1]
        pick = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else -1
        if action == "ph" and 0 <= pick < len(group.guesses):
            entry = self.content.entries[pack.id].get(group.guesses[pick])
            if entry is None:
                return self.reply(turn, Outcome.ADMIN_STALE, "admin_stale")
            said = self.add_phrase(turn, entry, group.text, by=by)
            if said.outcome in ("admin_phrased", "admin_phrase_known"):
                self.store.inbox.close(group.ids, by=by, action=f"phrase:{entry.id}", at=now)
            return said
        if action == "ed" and 0 <= pick < len(group.entries):
            entry = self.content.entries[pack.id].get(group.entries[pick])
            if entry is None:
                return self.reply(turn, Outcome.ADMIN_STALE, "admin_stale")
            said = self.start_edit(turn, entry, "en")
            assert turn.state.admin.change is not None
            turn.state.admin.change.inbox = list(group.ids)
            return said
        if action == "new":
            return self.start_add(turn, group.text, inbox=group.ids)
        if action == "dis":
            self.store.inbox.close(group.ids, by=by, action="dismissed", at=now)
            return self.reply(turn, Outcome.ADMIN_DISMISSED, "admin_dismissed", count=len(group.ids))
        return self.reply(turn, Outcome.ADMIN_STALE, "admin_stale")
