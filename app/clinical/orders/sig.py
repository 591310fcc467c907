"""The sig builder: a medication's dose, route, frequency, duration, quantity and refills as
the plain words a patient reads ("Take 1 tablet by mouth twice a day for 10 days") and as the
FHIR R4 Dosage and dispenseRequest a MedicationRequest stores.

A pure function, so an order form, an order set and the command line build the same words.
Input that cannot be a sig (a dose that is not a positive number, an unknown frequency,
route or unit) is refused with a sentence naming what was wrong; a dose above the adult
maximum daily dose (app.clinical.orders.dose_limits, only where that maximum is well
established) is a warning, never a refusal: the prescriber may know better.
"""

import re
from dataclasses import dataclass

from app.clinical.orders.dose_limits import DoseLimit
from app.errors import InvalidRecord

SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
NUMBER = re.compile(r"\d+(\.\d+)?|\.\d+")

# frequency as written -> (words, FHIR Timing.repeat, doses a day or None when unknown)
FREQUENCIES: dict[str, tuple[str, dict, float | None]] = {
    "daily": ("once a day", {"frequency": 1, "period": 1, "periodUnit": "d"}, 1),
    "bid": ("twice a day", {"frequency": 2, "period": 1, "periodUnit": "d"}, 2),
    "tid": ("three times a day", {"frequency": 3, "period": 1, "periodUnit": "d"}, 3),
    "qid": ("four times a day", {"frequency": 4, "period": 1, "periodUnit": "d"}, 4),
    "q4h": ("every 4 hours", {"frequency": 1, "period": 4, "periodUnit": "h"}, 6),
    "q6h": ("every 6 hours", {"frequency": 1, "period": 6, "periodUnit": "h"}, 4),
    "q8h": ("every 8 hours", {"frequency": 1, "period": 8, "periodUnit": "h"}, 3),
    "q12h": ("every 12 hours", {"frequency": 1, "period": 12, "periodUnit": "h"}, 2),
    "at bedtime": ("at bedtime", {"frequency": 1, "period": 1, "periodUnit": "d",
                                  "when": ["HS"]}, 1),
    "every morning": ("every morning", {"frequency": 1, "period": 1, "periodUnit": "d",
                                        "when": ["MORN"]}, 1),
    "weekly": ("once a week", {"frequency": 1, "period": 1, "periodUnit": "wk"}, 1 / 7),
    "as needed": ("", {}, None),
}
SAME_AS = {"once a day": "daily", "once daily": "daily", "qd": "daily", "od": "daily",
           "twice a day": "bid", "twice daily": "bid", "three times a day": "tid",
           "four times a day": "qid", "every 4 hours": "q4h", "every 6 hours": "q6h",
           "every 8 hours": "q8h", "every 12 hours": "q12h", "qhs": "at bedtime",
           "hs": "at bedtime", "nightly": "at bedtime", "qam": "every morning",
           "once a week": "weekly", "prn": "as needed"}
AS_NEEDED = re.compile(r"\s*(?:as needed|prn)\s*$")

# route -> (verb, words, SNOMED CT route code or None where not sure of one)
ROUTES: dict[str, tuple[str, str, tuple[str, str] | None]] = {
    "oral": ("Take", "by mouth", ("26643006", "Oral route")),
    "sublingual": ("Place", "under the tongue", ("37839007", "Sublingual route")),
    "topical": ("Apply", "to the skin", ("6064005", "Topical route")),
    "subcutaneous": ("Inject", "under the skin", ("34206005", "Subcutaneous route")),
    "intramuscular": ("Inject", "into the muscle", ("78421000", "Intramuscular route")),
    "intravenous": ("Give", "intravenously", ("47625008", "Intravenous route")),
    "rectal": ("Insert", "rectally", ("37161004", "Rectal route")),
    "inhaled": ("Inhale", "by mouth", None),
    "eye": ("Instil", "in the eye", None),
    "nasal": ("Spray", "in each nostril", None),
}
ROUTE_SAME_AS = {"po": "oral", "by mouth": "oral", "sl": "sublingual", "sc": "subcutaneous",
                 "subcut": "subcutaneous", "im": "intramuscular", "iv": "intravenous",
                 "pr": "rectal", "inhalation": "inhaled"}

# unit -> (singular, plural, UCUM code or None for a count of things)
UNITS: dict[str, tuple[str, str, str | None]] = {
    "tablet": ("tablet", "tablets", None), "capsule": ("capsule", "capsules", None),
    "puff": ("puff", "puffs", None), "drop": ("drop", "drops", None),
    "patch": ("patch", "patches", None), "unit": ("unit", "units", "[iU]"),
    "mg": ("mg", "mg", "mg"), "mcg": ("mcg", "mcg", "ug"), "g": ("g", "g", "g"),
    "ml": ("mL", "mL", "mL"),
}
TO_MG = {"mg": 1.0, "mcg": 0.001, "g": 1000.0}


@dataclass(frozen=True)
class Sig:
    words: str  # "Take 1 tablet by mouth twice a day for 10 days."
    dosage: dict  # FHIR R4 Dosage
    dispense: dict  # FHIR R4 MedicationRequest.dispenseRequest ({} when nothing given)
    warnings: tuple[str, ...] = ()


def build_sig(dose: str | float, unit: str, route: str, frequency: str,
              duration_days: int | None = None, quantity: float | None = None,
              refills: int | None = None, limit: DoseLimit | None = None) -> Sig:
    """The sig of one medication line; InvalidRecord names the first field that is wrong."""
    amount = _dose(dose)
    unit_key = _key(unit, "unit", UNITS, {"tablets": "tablet", "capsules": "capsule",
                                          "puffs": "puff", "drops": "drop", "units": "unit",
                                          "ug": "mcg"})
    route_key = _key(route, "route", ROUTES, ROUTE_SAME_AS)
    schedule, as_needed = _frequency(frequency)
    if duration_days is not None and duration_days <= 0:
        raise InvalidRecord(f"The duration {duration_days} days is not a positive number of "
                            "days.")
    if refills is not None and refills < 0:
        raise InvalidRecord(f"Refills {refills} cannot be below zero.")
    if quantity is not None and quantity <= 0:
        raise InvalidRecord(f"The quantity {quantity:g} is not a positive number.")
    singular, plural, ucum = UNITS[unit_key]
    verb, route_words, route_code = ROUTES[route_key]
    often, repeat, per_day = FREQUENCIES[schedule]
    amount_words = f"{amount:g} {singular if amount <= 1 else plural}"
    words = " ".join(w for w in (verb, amount_words, route_words, often,
                                 "as needed" if as_needed else "",
                                 f"for {duration_days} days" if duration_days else "") if w)
    dose_quantity = {"value": amount, "unit": singular if amount <= 1 else plural}
    if ucum:
        dose_quantity |= {"system": UCUM, "code": ucum}
    dosage: dict = {"text": words + ".", "doseAndRate": [{"doseQuantity": dose_quantity}]}
    if repeat or duration_days:
        dosage["timing"] = {"repeat": dict(repeat)}
        if duration_days:
            dosage["timing"]["repeat"]["boundsDuration"] = {
                "value": duration_days, "unit": "days", "system": UCUM, "code": "d"}
    if as_needed:
        dosage["asNeededBoolean"] = True
    dosage["route"] = ({"coding": [{"system": SNOMED, "code": route_code[0],
                                    "display": route_code[1]}], "text": route_words}
                       if route_code else {"text": route_words})
    # A dose by weight says nothing of what is dispensed: 180 of metformin 500 mg tablets
    # are not "180 mg", so such a quantity is a count of the product, with no unit.
    dispensed = None if unit_key in TO_MG else singular
    return Sig(words + ".", dosage, _dispense(quantity, refills, duration_days, dispensed),
               _over_limit(amount, unit_key, per_day, limit))


def _dose(dose: str | float) -> float:
    text = str(dose).strip()
    if not NUMBER.fullmatch(text):
        raise InvalidRecord(f"The dose '{text}' is not a number: write it as 1, 0.5 or 500.")
    if float(text) <= 0:
        raise InvalidRecord(f"The dose {text} must be more than zero.")
    return float(text)


def _key(value: str, what: str, known: dict, same_as: dict[str, str]) -> str:
    key = " ".join(value.split()).casefold()
    key = same_as.get(key, key)
    if key not in known:
        raise InvalidRecord(f"'{value.strip()}' is not a {what} Hearth knows: use one of "
                            f"{', '.join(known)}.")
    return key


def _frequency(frequency: str) -> tuple[str, bool]:
    """The schedule's key and whether it is as needed ("q6h as needed", "prn")."""
    text = " ".join(frequency.split()).casefold()
    as_needed = bool(AS_NEEDED.search(text)) or SAME_AS.get(text, text) == "as needed"
    schedule = AS_NEEDED.sub("", text) or "as needed"
    schedule = SAME_AS.get(schedule, schedule)
    if schedule not in FREQUENCIES:
        raise InvalidRecord(f"'{frequency.strip()}' is not a frequency Hearth knows: use one of "
                            f"{', '.join(FREQUENCIES)} (add 'as needed' to any).")
    return schedule, as_needed


def _dispense(quantity: float | None, refills: int | None, days: int | None,
              unit: str | None) -> dict:
    dispense: dict = {}
    if quantity is not None:
        dispense["quantity"] = {"value": quantity} | ({"unit": unit} if unit else {})
    if refills is not None:
        dispense["numberOfRepeatsAllowed"] = refills
    if days:
        dispense["expectedSupplyDuration"] = {"value": days, "unit": "days", "system": UCUM,
                                              "code": "d"}
    return dispense


def _over_limit(amount: float, unit: str, per_day: float | None,
                limit: DoseLimit | None) -> tuple[str, ...]:
    """A warning when the most this sig gives in a day is above the drug's adult maximum;
    none when the sig gives no daily count (as needed alone) or a count of tablets (the
    strength is the product's, not known here)."""
    if limit is None or per_day is None or unit not in TO_MG:
        return ()
    daily_mg = amount * TO_MG[unit] * max(per_day, 1)
    if daily_mg <= limit.max_daily_mg:
        return ()
    return (f"{daily_mg:g} mg a day of {limit.name} is above the adult maximum of "
            f"{limit.max_daily_mg:g} mg a day ({limit.source}).",)
