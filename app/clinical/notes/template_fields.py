"""The fields a note template may name, and their text, read from the patient's chart.

A template is plain text; a lowercase word in single braces is a field: `{vitals}` (the
latest reading of each vital sign, with its date), `{problems}` (active problems with their
code, ICD-10-CM where the record has one), `{medications}` (active ones, with the dose and
directions the record gives) and `{allergies}` (active ones, with reaction and severity).
They are filled once, when the note is started, from the store in the transaction that
starts the draft, and are then ordinary text the clinician edits like the rest.

Only `{` + a lowercase word + `}` is a field; anything else in braces (`{ }`, `{BP}`,
`{left arm}`, JSON) stays as written. A lowercase word that is not a field (`{vital}`) makes
the template unusable (app.clinical.notes.templates says so), never a note with a gap in it.
To write such a word in braces as text, double the braces: `{{vitals}}` becomes `{vitals}`.

Allergies say what the chart says: "No known allergies" only when a record says the patient
was asked and has none, "None recorded" when there is no record at all; they differ.
"""

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, bindparam, text

from app.clinical.chart.banner import NO_KNOWN as NO_KNOWN_TITLE
from app.clinical.charting.icd10 import SYSTEM as ICD10
from app.clinical.charting.medication_names import (
    concept_name,
    medication_name,
    referenced_medications,
)
from app.clinical.charting.trends import DIASTOLIC, SYSTOLIC, VITAL_SIGNS, Point, measured
from app.clinical.charting.units import shown as unit_shown
from fhir_common import fhir_json

FIELD = re.compile(r"\{\{([a-z][a-z_]*)\}\}|\{([a-z][a-z_]*)\}")
CHARTED = text("""SELECT r.json FROM patient_compartment c
                  JOIN resource r ON r.type = c.type AND r.id = c.id AND r.deleted = 0
                  WHERE c.patient_id = :patient AND c.section = :section
                  AND coalesce(c.status, '') IN :statuses
                  ORDER BY c.date DESC, c.id""").bindparams(
    bindparam("statuses", expanding=True))
ONGOING = ("active", "recurrence", "relapse")  # as the chart lists active problems
CODE_SYSTEMS = {ICD10: "ICD-10-CM", "http://hl7.org/fhir/sid/icd-10": "ICD-10",
                "http://snomed.info/sct": "SNOMED CT"}
# SNOMED CT situations saying the patient was asked and has no allergy (of a kind)
NO_KNOWN = {"716186003": "No known allergies", "409137002": "No known drug allergies",
            "429625007": "No known food allergies",
            "428607008": "No known environmental allergies"}
NOT_ALLERGIC = ("refuted", "entered-in-error")  # verification statuses of no allergy
PERIODS = {"s": "second", "min": "minute", "h": "hour", "d": "day", "wk": "week",
           "mo": "month", "a": "year"}
TIMES = {1: "once", 2: "twice"}


def names_in(template: str) -> list[str]:
    """The fields a template names, in order of first mention (escaped ones are text)."""
    found = [m.group(2) for m in FIELD.finditer(template) if m.group(2)]
    return list(dict.fromkeys(found))


def unknown_fields(template: str) -> list[str]:
    return [name for name in names_in(template) if name not in FIELDS]


def fill(conn: Connection, patient_id: str, template: str) -> str:
    """The template with each field's text from this patient's chart, read in `conn` (the
    caller audits the read); a doubled-brace word becomes its single-brace text."""
    texts = {name: FIELDS[name](conn, patient_id) for name in names_in(template)
             if name in FIELDS}

    def replaced(match: re.Match) -> str:
        if match.group(1):
            return "{" + match.group(1) + "}"
        return texts.get(match.group(2), match.group(0))

    return FIELD.sub(replaced, template)


# -- vitals ---------------------------------------------------------------------------------

def vitals_text(conn: Connection, patient_id: str) -> str:
    codes = {code for sign in VITAL_SIGNS for code in sign.codes}
    series = measured(conn, patient_id, codes)
    lines = []
    for sign in VITAL_SIGNS:
        if sign.codes == (SYSTOLIC, DIASTOLIC):
            line = _pressure(series[SYSTOLIC], series[DIASTOLIC])
        else:
            points = [p for code in sign.codes for p in series[code]]
            latest = max(points, key=lambda p: p.date, default=None)
            line = latest and (f"{_number(latest.value)} {unit_shown(latest.unit)}".strip()
                               + f" ({_day(latest.date)})")
        if line:
            lines.append(f"- {sign.label}: {line}")
    return "\n".join(lines) or "No vital signs recorded"


def _pressure(systolic: list[Point], diastolic: list[Point]) -> str | None:
    """The latest panel, "128/82 mmHg (02 Mar 2026)"; a part recorded alone says which."""
    latest = max([*systolic, *diastolic], key=lambda p: p.date, default=None)
    if latest is None:
        return None
    high = next((p for p in reversed(systolic) if p.date == latest.date), None)
    low = next((p for p in reversed(diastolic) if p.date == latest.date), None)
    if high and low:
        shown = f"{_number(high.value)}/{_number(low.value)} {unit_shown(high.unit)}"
    else:
        part, point = ("systolic", high) if high else ("diastolic", low)
        shown = f"{_number(point.value)} {unit_shown(point.unit)} ({part} only)"
    return f"{shown} ({_day(latest.date)})"


def _number(value: float) -> str:
    """One decimal at most, as vital signs are read: 124.68842 reads 124.7, 72.0 reads 72."""
    return f"{value:.1f}".removesuffix(".0")


# -- problems, medications, allergies -------------------------------------------------------

def problems_text(conn: Connection, patient_id: str) -> str:
    found = sorted(_charted(conn, patient_id, "problems", ONGOING),
                   key=lambda c: (concept_name(c.get("code")) or "").casefold())
    lines = [f"- {concept_name(c.get('code')) or 'Unnamed problem'} ({_code(c)})"
             for c in found]
    return "\n".join(lines) or "No active problems recorded"


def _code(condition: dict) -> str:
    """ICD-10-CM if the record has it, else the first code it has, naming its system."""
    codings = [c for c in (condition.get("code") or {}).get("coding", []) if c.get("code")]
    chosen = next((c for c in codings if c.get("system") == ICD10), None) or next(
        iter(codings), None)
    if chosen is None:
        return "not coded"
    system = chosen.get("system") or "code"
    return f"{CODE_SYSTEMS.get(system, system)} {chosen['code']}"


def medications_text(conn: Connection, patient_id: str) -> str:
    found = _charted(conn, patient_id, "medications", ("active", "on-hold"))
    stored = referenced_medications(conn, found)
    lines = []
    for order in found:
        name = (medication_name(order, stored) or concept_name(
            order.get("medicationCodeableConcept")) or "Medication (not named in the record)")
        held = " (on hold)" if order.get("status") == "on-hold" else ""
        dose = "; ".join(filter(None, map(directions, order.get("dosageInstruction")
                                          or order.get("dosage") or [])))
        lines.append(f"- {name}{held}: {dose or 'no dose or directions recorded'}")
    return "\n".join(sorted(lines, key=str.casefold)) or "No active medications recorded"


def directions(dosage: dict) -> str:
    """A Dosage's directions as written, else what its structured dose says: "1 tablet,
    twice a day, by mouth, as needed"."""
    if dosage.get("text"):
        return dosage["text"]
    parts = []
    for rate in dosage.get("doseAndRate", [])[:1]:
        quantity = rate.get("doseQuantity") or {}
        if isinstance(quantity.get("value"), int | float):
            amount = f"{quantity['value']:.10g}"  # never "1.0": a trailing zero reads as 10
            unit = quantity.get("unit") or quantity.get("code")
            parts.append(f"{amount} {unit_shown(unit)}" if unit else f"dose {amount}")
    parts.append(_how_often((dosage.get("timing") or {}).get("repeat") or {}))
    parts.append(concept_name(dosage.get("route")) and f"by {concept_name(dosage['route'])}")
    parts.append("as needed" if dosage.get("asNeededBoolean") else None)
    return ", ".join(p for p in parts if p)


def _how_often(repeat: dict) -> str | None:
    times, period, unit = repeat.get("frequency"), repeat.get("period"), repeat.get("periodUnit")
    if not isinstance(times, int) or not isinstance(period, int | float) or unit not in PERIODS:
        return None
    every = (f"a {PERIODS[unit]}" if period == 1
             else f"every {period:.10g} {PERIODS[unit]}s")
    return f"{TIMES.get(times, f'{times} times')} {every}"


def allergies_text(conn: Connection, patient_id: str) -> str:
    found = [a for a in _charted(conn, patient_id, "allergies", ("active", ""))
             if _verification(a) not in NOT_ALLERGIC]
    allergic = [a for a in found if _no_known(a) is None]
    if allergic:
        return "\n".join(sorted((_allergy(a) for a in allergic), key=str.casefold))
    if found:
        return "\n".join(f"{_no_known(a)} (recorded {_day(a.get('recordedDate'))})"
                         if a.get("recordedDate") else _no_known(a) for a in found)
    return "None recorded (not the same as no known allergies)"


def _allergy(allergy: dict) -> str:
    substance = concept_name(allergy.get("code")) or "Unnamed substance"
    reactions = []
    for reaction in allergy.get("reaction", []):
        what = ", ".join(filter(None, map(concept_name, reaction.get("manifestation", []))))
        severity = reaction.get("severity")
        reactions.append(f"{what or 'reaction'}" + (f" ({severity})" if severity else ""))
    told = "; ".join(reactions) or "reaction not recorded"
    if allergy.get("criticality") in ("high", "low"):
        told += f"; {allergy['criticality']} criticality"
    return f"- {substance}: {told}"


def _no_known(allergy: dict) -> str | None:
    """For a record saying there is no known allergy (of a kind), what it says; else None."""
    for coding in (allergy.get("code") or {}).get("coding", []):
        if coding.get("code") in NO_KNOWN and "snomed" in (coding.get("system") or ""):
            return NO_KNOWN[coding["code"]]
    named = concept_name(allergy.get("code")) or ""
    return named if NO_KNOWN_TITLE.match(named) else None


def _verification(allergy: dict) -> str | None:
    return next((c.get("code") for c in (allergy.get("verificationStatus") or {}).get(
        "coding", [])), None)


# -- shared ---------------------------------------------------------------------------------

def _charted(conn: Connection, patient_id: str, section: str,
             statuses: tuple[str, ...]) -> list[dict]:
    rows = conn.execute(CHARTED, {"patient": patient_id, "section": section,
                                  "statuses": list(statuses)}).scalars()
    return [fhir_json.loads(body) for body in rows]


def _day(instant: str | None) -> str:
    """The local date, "02 Mar 2026": a note is read long after, so it names the year."""
    if not instant:
        return "date not recorded"
    try:
        moment = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    except ValueError:
        return instant
    return f"{moment.astimezone() if moment.tzinfo else moment:%d %b %Y}"


FIELDS: dict[str, Callable[[Connection, str], str]] = {
    "vitals": vitals_text, "problems": problems_text, "medications": medications_text,
    "allergies": allergies_text}
