"""Eligibility of a repair request, from the brand's pack: free, paid, excluded, or for a consultant.

Pure functions over a pack, the request's situation and a day; the conversation that collects a request
is :mod:`bot.flows.rma`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.knowledge.pack_models import Exclusion, ShippingRule
from bot.knowledge.packs import BrandPack
from bot.policy import verdicts as policy
from bot.understand.situation import Situation


@dataclass(frozen=True)
class Eligibility:
    """What the brand's policy says about a request."""

    outcome: str  # free | paid | excluded | review
    warranty: policy.WarrantyVerdict
    excluded: tuple[Exclusion, ...]
    window: policy.WindowVerdict | None  # a return / replacement / credit window still open
    shipping: policy.ShippingVerdict | None
    cost: policy.CostVerdict
    status: str  # the status the new request starts in
    expires: date | None  # the day the RMA number stops being valid (brands whose number has a validity)
    ship_rule: ShippingRule | None = None  # who pays shipping each way for this request


def assess(
    pack: BrandPack, situation: Situation, today: date, *, reported_damage: frozenset[str] = frozenset()
) -> Eligibility:
    """Free repair or replacement, a paid repair, excluded, or for a consultant to review.

    ``reported_damage`` holds the tags of damage the customer reported (water, a drop…). Damage the brand's
    exclusions name excludes the request; damage they don't name is not a defect either, so a consultant
    reviews it rather than the bot promising a free repair.
    """
    w = policy.warranty(pack, situation, today)
    excluded = tuple(policy.exclusions(pack, situation))
    window = policy.return_option(pack, situation, today)
    if window is not None and (window.window is None or window.need is not None or window.excluded):
        window = None
    ship = policy.shipping(pack, situation, today)
    cost = policy.out_of_warranty_cost(pack, situation, w.months_over if w.status == "expired" else None)
    if excluded:
        outcome = "excluded"
    elif reported_damage and w.status == "covered":
        outcome = "review"
    elif w.status == "covered":
        outcome = "free"
    elif w.status == "expired" and _repairs_after_warranty(pack):
        outcome = "paid"
    else:
        outcome = "review"  # manufacturer's terms, a date the policy can't settle, or no paid repair offered
    issued = outcome in ("free", "paid") and pack.rma.number_issued == "at_once"
    status = "awaiting_shipment" if issued else "requested"
    validity = pack.rma.validity_days
    expires = today + timedelta(days=validity) if issued and validity else None
    uncertain = ship is not None and ship.need is not None  # an age-based rule, but the age straddles it
    ship = ship if ship and ship.rule else None
    return Eligibility(
        outcome,
        w,
        excluded,
        window,
        ship,
        cost,
        status,
        expires,
        ship.rule if ship else None if uncertain else shipping_rule(pack, outcome),
    )


# Shipping rules about other situations than sending a product in for repair or replacement.
_NOT_RMA_RULES = ("returned_without_consent", "advanced_replacement", "advanced_replacement_not_defective")


def shipping_rule(pack: BrandPack, outcome: str) -> ShippingRule | None:
    """The brand's shipping rule for a request: the non-warranty one for a paid repair, else the general one."""
    rules = [r for r in pack.shipping.rules if r.id not in _NOT_RMA_RULES and not r.age_based]
    if outcome == "paid":
        paid = [r for r in rules if any("non-warranty" in a for a in r.applies_to)]
        if paid:
            return paid[0]
    general = [r for r in rules if not any("non-warranty" in a for a in r.applies_to)]
    return general[0] if general else None


def _repairs_after_warranty(pack: BrandPack) -> bool:
    """Whether the document offers repairs past the warranty (at a cost)."""
    fees = pack.fees
    return bool(
        pack.warranty.after_warranty_repair
        or fees.beyond_warranty
        or fees.diagnosis is not None
        or fees.out_of_warranty_charged
    )
