"""The patient's own insurance (FHIR R4 Coverage) as the details form edits it.

A Coverage is a record of its own, so an edit of the card's insurer, member id or group
changes that record (a new version of the same Coverage, with everything the form does not
show kept: period, plan classes, extensions), a first card makes one, and a card the patient
no longer has is marked `cancelled`, never deleted: a claim sent with it still points at it.
The form shows the first active Coverage whose subscriber is the patient; others (a spouse's
plan, older cards) are kept as they are.
"""

from app.clinical.patients.registration import GROUP, Insurance, coverage_of

SELF_CODE = "self"


def shown_coverage(coverages: list[dict]) -> dict | None:
    """The Coverage the form edits: the first active one the patient holds themselves."""
    return next((c for c in coverages if c.get("status") == "active" and _own(c)), None)


def insurance_of(coverage: dict | None) -> Insurance | None:
    """The card as the form shows it, or None when there is none."""
    if coverage is None:
        return None
    payer = next((p.get("display", "") for p in coverage.get("payor", [])), "")
    group = next((c.get("value", "") for c in coverage.get("class", []) if _is_group(c)), "")
    return Insurance(payer, coverage.get("subscriberId", ""), group)


def changed_coverage(coverage: dict | None, typed: Insurance | None,
                     patient_id: str) -> dict | None:
    """The Coverage to save for what was typed, or None when the card is unchanged."""
    if _text(typed) == _text(insurance_of(coverage)):
        return None
    if coverage is None:
        return coverage_of(typed, patient_id)
    saved = dict(coverage)
    if typed is None:
        saved["status"] = "cancelled"
        return saved
    payors = list(coverage.get("payor", [])) or [{}]
    payors[0] = {"display": typed.payer.strip()}  # a payer reference named another insurer
    saved["payor"] = payors
    saved["subscriberId"] = typed.member_id.strip()
    classes = [c for c in coverage.get("class", []) if not _is_group(c)]
    if typed.group.strip():
        classes.insert(0, {"type": GROUP, "value": typed.group.strip()})
    saved["class"] = classes
    return {key: value for key, value in saved.items() if value not in ([], "")}


def _own(coverage: dict) -> bool:
    codes = [c.get("code") for c in coverage.get("relationship", {}).get("coding", [])]
    return not codes or SELF_CODE in codes


def _is_group(cover_class: dict) -> bool:
    return any(c.get("code") == "group" for c in cover_class.get("type", {}).get("coding", []))


def _text(insurance: Insurance | None) -> tuple[str, str, str]:
    if insurance is None:
        return ("", "", "")
    return (insurance.payer.strip(), insurance.member_id.strip(), insurance.group.strip())
