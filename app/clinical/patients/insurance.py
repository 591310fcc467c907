"""The patient's insurance card (FHIR R4 Coverage) as the details form edits it.

A Coverage is a record of its own, so an edit of the card (insurer and payer id, member id,
group, kind of payer, who holds the policy) changes that record (a new version of the same
Coverage, with everything the form does not show kept: period, plan classes, other type
codings, extensions), a first card makes one, and a card the patient no longer has is
marked `cancelled`, never deleted: a claim sent with it still points at it. The form shows
the first active Coverage the patient holds themselves, else the first active one (a
spouse's or parent's plan); others (older cards, a second plan) are kept as they are.
What each field becomes in the Coverage: app.clinical.patients.insurance_card.
"""

from app.clinical.patients.insurance_card import Insurance, card_of, coverage_of, written

SELF_CODE = "self"


def shown_coverage(coverages: list[dict]) -> dict | None:
    """The Coverage the form edits: the first active one the patient holds themselves,
    else the first active one held by someone else."""
    active = [c for c in coverages if c.get("status") == "active" and not _self_pay(c)]
    return next((c for c in active if _own(c)), None) or next(iter(active), None)


def insurance_of(coverage: dict | None) -> Insurance | None:
    """The card as the form shows it, or None when there is none."""
    return None if coverage is None else card_of(coverage)


def changed_coverage(coverage: dict | None, typed: Insurance | None,
                     patient_id: str) -> dict | None:
    """The Coverage to save for what was typed, or None when the card is unchanged."""
    shown = insurance_of(coverage)
    if (typed and typed.tidy()) == (shown and shown.tidy()):
        return None
    if coverage is None:
        return coverage_of(typed, patient_id)
    if typed is None:
        return dict(coverage, status="cancelled")
    return written(coverage, typed, patient_id)


def _own(coverage: dict) -> bool:
    codes = [c.get("code") for c in coverage.get("relationship", {}).get("coding", [])]
    return not codes or SELF_CODE in codes


def _self_pay(coverage: dict) -> bool:
    """A self-pay Coverage (coverage-selfpay "pay") is no card to edit."""
    return any(c.get("code") == "pay" for c in coverage.get("type", {}).get("coding", []))
