"""What a chart line shows beside its title, read from the record's own FHIR fields: a
problem's code, a medication's dose and directions, an allergy's reaction and severity, a
result's reference range.

Each is shown as the record wrote it (units as people read them) and never worked out by
Hearth: a dose comes from dosageInstruction.text, else from its structured parts
(doseAndRate, timing, route, asNeeded); a range from referenceRange low/high, else its
text. A record without the field gives None, and the chart leaves the cell blank.
"""

from app.clinical.charting.units import quantity_unit
from fhir_common.fhir_json import number_text

# Code systems by the short name a clinician knows them by; a problem's ICD-10 code is
# shown before its SNOMED CT one, since ICD-10 is what the clinic bills and reports by.
SYSTEMS = {
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "http://hl7.org/fhir/sid/icd-10": "ICD-10",
    "http://snomed.info/sct": "SNOMED CT",
    "http://loinc.org": "LOINC",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
}
PREFERRED = ("ICD-10-CM", "ICD-10")
PERIODS = {"s": "second", "min": "minute", "h": "hour", "d": "day", "wk": "week",
           "mo": "month", "a": "year"}
DAILY = {1: "once daily", 2: "twice daily", 3: "three times daily", 4: "four times daily"}
SHOWN_REACTIONS = 3  # an allergy with more says how many more


def code_text(resource: dict) -> str | None:
    """ "ICD-10-CM E11.9": the record's code with its system's name (an ICD-10 code first)."""
    codings = [c for c in (resource.get("code") or {}).get("coding", []) if c.get("code")]
    named = [(SYSTEMS.get(c.get("system", ""), ""), c["code"]) for c in codings]
    named.sort(key=lambda pair: pair[0] not in PREFERRED)
    if not named:
        return None
    system, code = named[0]
    return f"{system} {code}".strip()


def dose_text(resource: dict) -> str | None:
    """ "1 tablet by mouth twice daily": each dosage instruction, as written or from its
    parts, joined by "; "."""
    doses = [_dosage(d) for d in resource.get("dosageInstruction") or resource.get("dosage")
             or []]
    return "; ".join(d for d in doses if d) or None


def reaction_text(resource: dict) -> str | None:
    """ "Hives, wheeze (severe)": what each reaction manifested as, and how severe it was."""
    reactions = [r for r in (_reaction(r) for r in resource.get("reaction", [])) if r]
    if len(reactions) > SHOWN_REACTIONS:
        more = len(reactions) - SHOWN_REACTIONS
        reactions = [*reactions[:SHOWN_REACTIONS], f"{more} more"]
    return "; ".join(reactions) or None


def range_text(resource: dict) -> str | None:
    """ "13.5–17.5 g/dL", "≥ 3.5 mmol/L", or the range's text: the first reference range."""
    for reference in resource.get("referenceRange", [])[:1]:
        low, high = reference.get("low") or {}, reference.get("high") or {}
        unit = _unit(high) or _unit(low)
        if "value" in low and "value" in high:
            bounds = f"{_number(low['value'])}–{_number(high['value'])}"
        elif "value" in low:
            bounds = f"≥ {_number(low['value'])}"
        elif "value" in high:
            bounds = f"≤ {_number(high['value'])}"
        else:
            return reference.get("text") or None
        return f"{bounds} {unit}".strip()
    return None


def concept_text(concept: dict | None) -> str | None:
    """A CodeableConcept's words: its text, else its first coding's display."""
    if not concept:
        return None
    return concept.get("text") or next(
        (c["display"] for c in concept.get("coding", []) if c.get("display")), None)


def _dosage(dosage: dict) -> str | None:
    if dosage.get("text"):
        return dosage["text"]
    parts = [_amount(dosage), concept_text(dosage.get("route")), _timing(dosage.get("timing"))]
    if dosage.get("asNeededBoolean"):
        parts.append("as needed")
    elif reason := concept_text(dosage.get("asNeededCodeableConcept")):
        parts.append(f"as needed for {reason}")
    return " ".join(p for p in parts if p) or None


def _amount(dosage: dict) -> str | None:
    for dose_and_rate in dosage.get("doseAndRate", [])[:1]:
        quantity = dose_and_rate.get("doseQuantity") or {}
        if "value" in quantity:
            return f"{_number(quantity['value'])} {_unit(quantity)}".strip()
        low = (dose_and_rate.get("doseRange") or {}).get("low") or {}
        high = (dose_and_rate.get("doseRange") or {}).get("high") or {}
        if "value" in low and "value" in high:
            return f"{_number(low['value'])}–{_number(high['value'])} {_unit(high)}".strip()
    return None


def _timing(timing: dict | None) -> str | None:
    """ "twice daily", "every 8 hours", "3 times every 2 days"; a named timing as named."""
    if not timing:
        return None
    if named := concept_text(timing.get("code")):
        return named
    repeat = timing.get("repeat") or {}
    frequency, period = repeat.get("frequency", 1), repeat.get("period")
    unit = PERIODS.get(repeat.get("periodUnit", ""))
    if period is None or unit is None:
        return None
    if period == 1 and unit == "day" and frequency in DAILY:
        return DAILY[frequency]
    every = f"every {unit}" if period == 1 else f"every {_number(period)} {unit}s"
    return every if frequency == 1 else f"{frequency} times {every}"


def _reaction(reaction: dict) -> str | None:
    signs = [concept_text(m) for m in reaction.get("manifestation", [])]
    words = ", ".join(s for s in signs if s) or concept_text(reaction.get("substance"))
    severity = reaction.get("severity")
    if words and severity:
        return f"{words} ({severity})"
    return words or (f"{severity} reaction" if severity else None)


def _unit(quantity: dict) -> str:
    """As the result's value shows it (app.clinical.charting.units): "×10³/µL", not
    "10*3/uL"."""
    return quantity_unit(quantity)


def _number(value) -> str:
    """As the record wrote it: "13.5" stays "13.5", "1.50" stays "1.50"."""
    return number_text(value) if isinstance(value, int | float) else str(value)
