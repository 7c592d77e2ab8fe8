"""The parts of a message with several sentences, when the message as a whole is not understood."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.core.messages import Reply
from bot.core.outcomes import Outcome
from bot.flows.base import Kit, Result, Turn
from bot.knowledge.faq import Entry
from bot.knowledge.packs import BrandPack
from bot.understand.index import TREE
from bot.understand.matcher import Candidate, Decision
from bot.understand.reading import MAX_CHARS, Part
from bot.understand.situation import Situation


def one_part(parts: Sequence[Part], entries: Mapping[str, Entry]) -> tuple[Entry, float | None, str | None] | None:
    """The one question of a message that the matcher answers with confidence, and a walk for the rest.

    ("anyone there right now? my nvr lost all its channels": whether we're open, with the walk that fits the
    fault offered below it.) Returns the entry, its score and the walk's tree id (None: no walk fits). None
    when the message has one part, or no part or several different answers are confident: the message
    stays not understood.
    """
    if len(parts) < 2:
        return None
    sure: dict[str, Part] = {}
    for part in parts:
        best = part.decision.best
        usable = part.asks and part.decision.outcome == "answer" and best is not None and best.entry_id in entries
        if usable and best is not None and entries[best.entry_id].kind in ("faq", "hours"):
            sure[best.entry_id] = part
    if len(sure) != 1:
        return None
    entry_id, chosen = next(iter(sure.items()))
    tree = next(
        (
            c.entry_id[len(TREE) :]
            for other in parts
            if other is not chosen and other.decision.outcome in ("answer", "clarify")
            for c in other.decision.candidates[:1]
            if c.entry_id.startswith(TREE)
        ),
        None,
    )
    best = chosen.decision.best
    return entries[entry_id], best.score if best else None, tree


def asked_by_verdict(kit: Kit, part: Part) -> bool:
    """Whether a question only asks what a verdict beside it answers ("is it covered?" after "it fell off")."""
    best = part.decision.best
    if best is None or not set(part.decision.tokens) <= kit.advisor.verdict_words:
        return False
    return _answered_by_any_verdict(kit, best.entry_id)


def _answered_by_any_verdict(kit: Kit, entry_id: str) -> bool:
    """Whether an entry is a general question any verdict answers ("what does the warranty cover?")."""
    return any(fnmatch.fnmatch(entry_id, pattern) for pattern in kit.advisor.supersedes.get("any_verdict", ()))


FAULT_TOKENS = frozenset({"faulty", "doa"})  # the matcher's tokens for the customer's product failing
NOT_OWN_CASE = frozenset({"agent_product", "new"})  # another maker's product; a new one to buy ("坏了想换个新的")
OWN_CASE_OVER_OOS = 0.9  # how close an after-sales entry must come to a pre-sales one to answer instead


def own_case_first(kit: Kit, pack: BrandPack, decision: Decision) -> Decision:
    """A pre-sales entry just ahead of an after-sales one, for a product that failed: the after-sales one first.

    "bought 2 weeks ago, dead on arrival. do i buy the courier label myself?" is no new order's delivery.
    """
    entries = kit.content.entries[pack.id]
    best = decision.best
    tokens = set(decision.tokens)
    if decision.outcome != "answer" or best is None or not FAULT_TOKENS & tokens or tokens & NOT_OWN_CASE:
        return decision
    if "shipping" not in tokens:  # (sending the failed product back, not a price, a discount or a dealer)
        return decision
    if best.entry_id not in entries or entries[best.entry_id].kind != "oos":
        return decision
    after_sales = [
        c
        for c in decision.candidates[1:]
        if c.entry_id in entries and entries[c.entry_id].kind == "faq" and c.score >= best.score * OWN_CASE_OVER_OOS
    ]
    if not after_sales:
        return decision
    return replace(decision, candidates=(after_sales[0], *[c for c in decision.candidates if c is not after_sales[0]]))


def general_cover(kit: Kit, pack: BrandPack, decision: Decision, situation: Situation) -> str | None:
    """The general "what does the warranty cover" entry a story of a fault asks about, just short of an answer.

    "NVR keeps rebooting, nobody touched it. is it covered?": the story's words drown the question, and the
    entry is what the verdict (or the question for the date it needs) is given with. None: not such a message.
    """
    best = decision.best
    if (
        decision.outcome != "unknown"
        or best is None
        or "faulty" not in decision.tokens
        or "free" not in situation.wants
    ):
        return None
    if best.score < kit.index.matchers[pack.id].thresholds.floor:
        return None
    return best.entry_id if _answered_by_any_verdict(kit, best.entry_id) else None


def described_cause(decision: Decision, kit: Kit, pack: BrandPack, events: frozenset[str]) -> Candidate | None:
    """The one close candidate about a cause the customer described ("wrapped in just a plastic bag").

    Asking "which of these?" when only one of them is about what the customer said happened delays a
    clear answer. None: no candidate, or several, are about it.
    """
    causes = kit.cause_entries(pack)
    excluded = events & {t for e in pack.exclusion_list for t in e.tags}  # a cause some clause names ("mounted": none)
    about = [c for c in decision.candidates if causes.get(c.entry_id, frozenset()) & excluded]
    return about[0] if len(about) == 1 else None


def without_denied(decision: Decision, kit: Kit, turn: Turn, text: str) -> Decision:
    """The decision on ``text`` without exclusions, when the customer denies a cause ("I didn't drop it. covered?").

    An answer about drops to someone who says it never fell states an exclusion they ruled out, and any
    other exclusion about nothing they told matched only their "is it covered?": the question is decided
    again without them.
    """
    situation = turn.reading.situation
    if not situation.denied - situation.events:
        return decision
    causes = kit.cause_entries(turn.pack)
    about = tuple(e for e, tags in causes.items() if not tags & situation.events)
    if not any(c.entry_id in about for c in decision.candidates):
        return decision
    best = decision.best
    if decision.outcome == "answer" and best is not None and best.entry_id not in about:
        # the answer is no exclusion ("what exactly is not covered?"): only the runners-up go
        return replace(decision, candidates=tuple(c for c in decision.candidates if c.entry_id not in about))
    return kit.index.decide(turn.pack.id, text[:MAX_CHARS], exclude=about, focus=turn.reading.focus)


def and_the_rest(kit: Kit, turn: Turn, result: Result) -> Result:
    """A reply on the customer's situation, with the answers to the message's other questions after it.

    ("is vandalism covered? and who pays shipping?": the verdict, then the shipping answer.)
    """
    if len(turn.reading.parts) < 2 or not result.replies:
        return result
    asking = turn.state.answer.pending is not None  # a question back: the other answers go before it
    entries = kit.content.entries[turn.pack.id]
    said = result.replies[-1].text
    extra = []
    verdict, causes, events = (
        result.outcome == Outcome.ADVISED,
        kit.cause_entries(turn.pack),
        turn.reading.situation.events,
    )
    for part in turn.reading.parts:
        best = part.decision.best
        if part.decision.outcome != "answer" or best is None or best.entry_id == result.entry_id:
            continue  # (the verdict's own entry: even a cause it did not speak of may be one the customer denies)
        about = causes.get(best.entry_id, frozenset())
        if verdict and asked_by_verdict(kit, part):
            continue  # "is it covered?" beside what happened: the verdict is its answer
        entry = entries.get(best.entry_id)
        if entry is None or entry.kind != "faq":
            continue
        sure = best.score >= kit.index.matchers[turn.pack.id].thresholds.sure
        if about & (events | turn.reading.situation.denied) or (about and not (part.asks and sure)):
            continue  # spoken of, ruled out, or only mentioned ("…covered? also the serial sticker is intact")
        text = kit.content.render_entry(turn.pack.id, entry, turn.lang, turn.context)
        text = kit.intents.without_lead(text, turn.lang) if not part.keeps_lead_of(entry.kind) else text
        if text not in said:
            extra.append(text)
    if extra:
        last = result.replies[-1]
        texts = [*extra, last.text] if asking else [last.text, *extra]
        result.replies[-1] = Reply("\n\n".join(texts), last.buttons, last.media)
    return result
