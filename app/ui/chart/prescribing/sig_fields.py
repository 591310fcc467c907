"""The prescription form's sig fields as typed, and back: what the form turns into a Sig
(app.clinical.orders.sig.build_sig), and what a proposed Sig (an order set's line) fills in.

Kept free of Qt so the reading of typed numbers is one plain function: an empty field is
"not stated", anything else must be a number, or the form says which field is wrong.
"""

from dataclasses import dataclass

from app.clinical.orders.dose_limits import DoseLimit
from app.clinical.orders.sig import FREQUENCIES, ROUTES, UNITS, Sig, build_sig
from app.errors import InvalidRecord


@dataclass(frozen=True)
class SigFields:
    """The fields as the form shows them: text, empty when not stated."""

    dose: str = ""
    unit: str = "tablet"
    route: str = "oral"
    frequency: str = "daily"
    days: str = ""
    quantity: str = ""
    refills: str = ""


def to_sig(fields: SigFields, limit: DoseLimit | None = None) -> Sig:
    """The sig the fields make; InvalidRecord names the first field that is wrong."""
    if not fields.dose.strip():
        raise InvalidRecord("Give the dose, e.g. 1 or 500.")
    days = _whole(fields.days, "The duration in days")
    refills = _whole(fields.refills, "Refills")
    quantity = _number(fields.quantity, "The quantity")
    return build_sig(fields.dose, fields.unit, fields.route, fields.frequency,
                     days, quantity, refills, limit)


def from_sig(sig: Sig) -> SigFields:
    """The fields that make `sig` again (an order set's proposal, shown for review)."""
    dosage, dispense = sig.dosage, sig.dispense
    amount = (dosage.get("doseAndRate") or [{}])[0].get("doseQuantity", {})
    repeat = dosage.get("timing", {}).get("repeat", {})
    schedule = {k: v for k, v in repeat.items() if k != "boundsDuration"}
    frequency = next((key for key, (_w, timing, _n) in FREQUENCIES.items()
                      if timing == schedule and key != "as needed"), "")
    if dosage.get("asNeededBoolean"):
        frequency = f"{frequency} as needed".strip()
    route_words = dosage.get("route", {}).get("text")
    unit = next((key for key, (one, many, _c) in UNITS.items()
                 if amount.get("unit") in (one, many)), "")
    return SigFields(
        dose=_text(amount.get("value")), unit=unit,
        route=next((key for key, (_v, words, _c) in ROUTES.items() if words == route_words),
                   ""),
        frequency=frequency,
        days=_text(repeat.get("boundsDuration", {}).get("value")),
        quantity=_text(dispense.get("quantity", {}).get("value")),
        refills=_text(dispense.get("numberOfRepeatsAllowed")))


def _text(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}"


def _number(typed: str, what: str) -> float | None:
    typed = typed.strip()
    if not typed:
        return None
    try:
        return float(typed)
    except ValueError:
        raise InvalidRecord(f"{what} '{typed}' is not a number.") from None


def _whole(typed: str, what: str) -> int | None:
    value = _number(typed, what)
    if value is not None and not value.is_integer():
        raise InvalidRecord(f"{what} '{typed.strip()}' is not a whole number.")
    return None if value is None else int(value)
