"""Every FAQ answer, shared message, verdict and troubleshooting step rendered for every brand and language."""

from __future__ import annotations

from bot.knowledge.faq import Content, base_context
from bot.knowledge.langtext import LANGUAGES
from bot.loading import Knowledge
from bot.policy.advice import sample_situations
from bot.selfcheck.moment import MOMENT


def render_everything(knowledge: Knowledge) -> None:
    """Render what a customer can read without a conversation behind it; raise FaqError on the first failure.

    Verdict templates are rendered with the verdicts the policy computes for sample situations; the
    RMA, handoff, admin and statistics wording is rendered by running the flows (see :mod:`bot.selfcheck`).
    """
    content, advisor = knowledge.content, knowledge.advisor
    flow_wording = content.names_in("rma.toml") | content.names_in("handoff.toml")
    flow_wording |= content.names_in("admin.toml") | content.names_in("stats.toml")
    skipped = content.verdict_names() | flow_wording
    today = MOMENT.date()
    for brand, pack in knowledge.packs.items():
        context = base_context(pack, MOMENT)
        for entry in content.entries[brand].values():
            for lang in entry.answers:
                content.render_entry(brand, entry, lang, context)
        for name in (set(content.messages) | set(content.brand_messages.get(brand, {}))) - skipped:
            features = ("troubleshoot", "rma", "status") if name == "not_available" else ("rma",)
            for lang in LANGUAGES:
                for feature in features:
                    extra = {
                        "limit": 1,
                        "options": ["x"],
                        "title": "x",
                        "feature": feature,
                        "command": "/x",
                        "tried": ["x — y"],
                        "rating": 5,
                        "asked": "x",
                        "names": ["x", "y"],
                    }
                    content.render_message(brand, name, lang, {**context, **extra})
        for situation in sample_situations(pack, today):
            advice = advisor.advise(pack, situation, [], None, today)
            for name, extra in [*advice.parts, *([advice.ask] if advice.ask else [])]:
                for lang in LANGUAGES:
                    content.render_message(brand, name, lang, {**context, **extra})
        for lang in LANGUAGES:
            content.render_message(brand, "date_label", lang, {**context, "d": today})
        _render_trees(content, brand, context)


def _render_trees(content: Content, brand: str, context: dict[str, object]) -> None:
    for tree in content.trees.values():
        for step_id in tree.steps:
            for lang in LANGUAGES:
                content.render_step(brand, tree, step_id, lang, context)
