"""What a turn concluded: one name per outcome, as the event log and the statistics read it.

The values are the strings stored in ``events.outcome``; :mod:`bot.backoffice.stats` buckets them
into answered, clarified and not understood.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """Every outcome a turn can have, grouped by the flow that concludes it."""

    # the answer flow: questions read and answered
    ANSWERED = "answered"  # an FAQ entry (small talk included)
    ADVISED = "advised"  # the policy applied to the customer's own facts
    ASKED = "asked"  # a missing fact asked for (a date, the product type)
    CLARIFY = "clarify"  # a choice of entries offered
    UNKNOWN = "unknown"  # not understood
    OUT_OF_SCOPE = "out_of_scope"  # understood, and not something the document answers
    REFUSED = "refused"  # a request to break into a device
    FEEDBACK_HELPFUL = "feedback_helpful"
    FEEDBACK_UNHELPFUL = "feedback_unhelpful"
    # the general conversation: commands, the menu, what is not a question
    START = "start"
    BRAND_ASKED = "brand_asked"  # a bot serving several brands asked which one the customer's product is
    BRAND_CHOSEN = "brand_chosen"  # the customer chose a brand (a button, a deep link, /brand)
    MENU = "menu"
    HELP = "help"
    CANCEL = "cancel"
    NOT_AVAILABLE = "not_available"
    UNKNOWN_COMMAND = "unknown_command"
    UNKNOWN_BUTTON = "unknown_button"
    EMPTY = "empty"
    NON_TEXT = "non_text"
    EDITED = "edited"  # an earlier message changed while a step waits for its answer: not taken as the answer
    ERROR = "error"
    # guided troubleshooting
    TROUBLESHOOT_OFFERED = "troubleshoot_offered"
    TROUBLESHOOT_MENU = "troubleshoot_menu"
    TROUBLESHOOT_STEP = "troubleshoot_step"
    TROUBLESHOOT_LEFT = "troubleshoot_left"
    TROUBLESHOOT_SOLVED = "troubleshoot_solved"
    TROUBLESHOOT_REPAIR = "troubleshoot_repair"
    TROUBLESHOOT_CONSULTANT = "troubleshoot_consultant"
    RATED = "rated"
    # repair requests
    RMA_STARTED = "rma_started"
    RMA_IN_PROGRESS = "rma_in_progress"
    RMA_TROUBLESHOOT_FIRST = "rma_troubleshoot_first"
    RMA_RESUMED = "rma_resumed"
    RMA_ANSWER = "rma_answer"
    RMA_REASK = "rma_reask"
    RMA_VAGUE = "rma_vague"
    RMA_ASK_DAY_MONTH = "rma_ask_day_month"
    RMA_PHOTO = "rma_photo"
    RMA_EDIT = "rma_edit"
    RMA_BACK = "rma_back"
    RMA_CANCELLED = "rma_cancelled"
    RMA_FILED_FREE = "rma_filed_free"
    RMA_FILED_PAID = "rma_filed_paid"
    RMA_FILED_EXCLUDED = "rma_filed_excluded"
    RMA_FILED_REVIEW = "rma_filed_review"
    RMA_STATUS = "rma_status"
    RMA_STATUS_NONE = "rma_status_none"
    RMA_STATUS_UNKNOWN = "rma_status_unknown"
    RMA_QUOTE_APPROVED = "rma_quote_approved"
    RMA_QUOTE_DECLINED = "rma_quote_declined"
    RMA_QUOTE_CLOSED = "rma_quote_closed"
    RMA_QUOTE_CHANGED = "rma_quote_changed"  # a button under an earlier quote: the current one is shown
    # consultants
    HANDOFF_ASKED = "handoff_asked"
    HANDOFF_NOT_UNDERSTOOD = "handoff_not_understood"
    HANDOFF_RMA_EXCLUDED = "handoff_rma_excluded"
    HANDOFF_TROUBLESHOOTING = "handoff_troubleshooting"
    HANDOFF_ALREADY = "handoff_already"
    HANDOFF_BANNED = "handoff_banned"
    HANDOFF_LEFT = "handoff_left"
    HANDOFF_REOPENED = "handoff_reopened"
    HANDOFF_RATED = "handoff_rated"
    RELAYED = "relayed"  # the customer's words went to a consultant
    KEPT = "kept"  # kept for consultants until they are in
    # admins
    ADMIN_REFUSED = "admin_refused"
    ADMIN_HELP = "admin_help"
    ADMIN_USAGE = "admin_usage"
    ADMIN_LIST = "admin_list"
    ADMIN_SHOW = "admin_show"
    ADMIN_VALUES = "admin_values"
    ADMIN_HISTORY = "admin_history"
    ADMIN_UNKNOWN_ENTRY = "admin_unknown_entry"
    ADMIN_EDIT = "admin_edit"
    ADMIN_ADD = "admin_add"
    ADMIN_PREVIEW = "admin_preview"
    ADMIN_WAITING = "admin_waiting"
    ADMIN_SAVED = "admin_saved"
    ADMIN_PHRASED = "admin_phrased"
    ADMIN_PHRASE_KNOWN = "admin_phrase_known"
    ADMIN_DELETE = "admin_delete"
    ADMIN_DELETED = "admin_deleted"
    ADMIN_UNDONE = "admin_undone"
    ADMIN_UNDO_NOTHING = "admin_undo_nothing"
    ADMIN_CONFLICT = "admin_conflict"
    ADMIN_NOTHING = "admin_nothing"
    ADMIN_STALE = "admin_stale"
    ADMIN_CANCELLED = "admin_cancelled"
    ADMIN_INBOX = "admin_inbox"
    ADMIN_DISMISSED = "admin_dismissed"
    ADMIN_STATS = "admin_stats"

    @classmethod
    def handoff(cls, reason: str) -> Outcome:
        """The outcome of a handoff started for ``reason`` (asked, not_understood, rma_excluded, troubleshooting)."""
        return cls(f"handoff_{reason}")

    @classmethod
    def rma_filed(cls, eligibility: str) -> Outcome:
        """The outcome of a request filed as free, paid, excluded or review."""
        return cls(f"rma_filed_{eligibility}")

    @classmethod
    def walk_ended(cls, outcome: str) -> Outcome:
        """The outcome of a troubleshooting walk that reached a leaf (solved, repair, consultant)."""
        return cls(f"troubleshoot_{outcome}")


# what counts as a question read and answered (the answer flow adds 👍 / 👎 and offers a repair under these)
ANSWERS = frozenset({Outcome.ANSWERED, Outcome.ADVISED})


_FLOWS = (("rma_", "rma"), ("troubleshoot_", "walk"), ("handoff_", "handoff"), ("admin_", "admin"))
_ANSWER = frozenset({"answered", "advised", "asked", "clarify", "unknown", "out_of_scope", "refused"})


def flow_of(outcome: str) -> str:
    """The flow that concluded a turn with ``outcome`` (answer, walk, rma, handoff, admin, general), for logs."""
    for prefix, flow in _FLOWS:
        if outcome.startswith(prefix):
            return flow
    if outcome in _ANSWER or outcome.startswith("feedback_"):
        return "answer"
    if outcome == "rated":
        return "walk"
    return "handoff" if outcome in ("relayed", "kept") else "general"
