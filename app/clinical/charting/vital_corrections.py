"""Correcting a vital sign, or marking it entered in error: with a reason, history kept.

As for problems and allergies (app.clinical.charting.entries), nothing is deleted or
silently rewritten: each change saves a new version of the same Observation through the
write path (records.Work.revise), with the reason in a note on the record and in the audit
row. A correction sets the FHIR status `corrected` and says in its note what the value was
("Corrected from 176 kg to 76 kg: …"); a reading that was never the patient's (wrong chart,
wrong entry) gets status `entered-in-error`, which the trend plots and Latest vitals leave
out and the list shows as such. The earlier version stays in the audit trail and, once
synced, in the server's version history.

A blood pressure panel is corrected as a pair (systolic and diastolic components). A BMI is
computed, so it is not corrected by hand: correcting the weight or height it was computed
from recomputes it in the same transaction, and marking either entered in error marks it
too, so no BMI is left standing on a value that was wrong.
"""

from sqlalchemy import text

from app.clinical.charting.entries import annotation, required, title
from app.clinical.charting.trends import VITAL_SIGNS
from app.clinical.charting.units import bmi_of, in_unit, shown
from app.clinical.records import Records, Work
from app.errors import InvalidRecord
from app.security.roles import Permission
from app.security.session import Session
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

IN_ERROR, CORRECTED = "entered-in-error", "corrected"
BMI_CODE, WEIGHT_CODE, HEIGHT_CODE = "39156-5", "29463-7", "8302-2"
BMIS = text("SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
            "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
            "AND c.section = 'vitals' AND c.code = :code "
            "AND coalesce(c.status, '') != 'entered-in-error'")


def parts(observation: dict) -> list[dict]:
    """The measured parts: a panel's components, else the Observation itself."""
    return observation.get("component") or [observation]


def code_of(part: dict) -> str | None:
    return next((c.get("code") for c in (part.get("code") or {}).get("coding", [])), None)


def value_text(part: dict) -> str:
    quantity = part.get("valueQuantity") or {}
    unit = shown(quantity.get("code") or quantity.get("unit"))
    return f"{fhir_json.number_text(quantity.get('value'))} {unit}".strip()


def correct(records: Records, session: Session, observation_id: str,
            values: dict[str, float], reason: str, based_on: dict | None) -> dict:
    """Give the reading new values (by LOINC code of each part, in the record's own unit),
    with the reason; returns the corrected Observation."""
    reason = required(reason, "why the reading is corrected")

    def edit(record: dict) -> str:
        _refuse_if_in_error(record)
        if code_of(record) == BMI_CODE:
            raise InvalidRecord("BMI is computed: correct the weight or height it came from.")
        was = " / ".join(value_text(p) for p in parts(record))
        changed = False
        for part in parts(record):
            code = code_of(part)
            if code not in values:
                raise InvalidRecord(f"Give the corrected {title(part).lower()}.")
            changed |= float(values[code]) != float(part["valueQuantity"]["value"])
            part["valueQuantity"]["value"] = values[code]
        if not changed:
            raise InvalidRecord("That is the value already recorded; nothing was changed.")
        now = " / ".join(value_text(p) for p in parts(record))
        record["status"] = CORRECTED
        record.setdefault("note", []).append(
            annotation(session, f"Corrected from {was} to {now}: {reason}"))
        return f"{title(record)} corrected from {was} to {now}: {reason}"

    with records.write(session, Permission.EDIT_CHART) as work:
        corrected = work.revise("Observation", observation_id, "reading", edit, based_on, title)
        _follow_bmis(work, session, corrected, reason)
    return corrected


def mark_entered_in_error(records: Records, session: Session, observation_id: str,
                          reason: str, based_on: dict | None) -> dict:
    """Mark a reading that was never the patient's entered in error, with the reason."""
    reason = required(reason, "why the reading was entered in error")

    def edit(record: dict) -> str:
        _refuse_if_in_error(record)
        record["status"] = IN_ERROR
        record.setdefault("note", []).append(annotation(session, f"Entered in error: {reason}"))
        return f"{title(record)} marked entered in error: {reason}"

    with records.write(session, Permission.EDIT_CHART) as work:
        marked = work.revise("Observation", observation_id, "reading", edit, based_on, title)
        _follow_bmis(work, session, marked, reason)
    return marked


def sign_label(observation: dict) -> str | None:
    """The vital sign a reading is charted as ("Blood pressure"), or None."""
    codes = {code_of(p) for p in [observation, *observation.get("component", [])]}
    return next((s.label for s in VITAL_SIGNS if codes & set(s.codes)), None)


def _refuse_if_in_error(record: dict) -> None:
    if record.get("status") == IN_ERROR:
        raise InvalidRecord(f"{title(record)} was entered in error and cannot be changed.")


def _follow_bmis(work: Work, session: Session, source: dict, reason: str) -> None:
    """Recompute (or mark in error) each BMI computed from `source`, a weight or height."""
    if code_of(source) not in (WEIGHT_CODE, HEIGHT_CODE):
        return
    reference = f"Observation/{source['id']}"
    rows = work.conn.execute(BMIS, {"patient": patient_of(source), "code": BMI_CODE})
    for bmi in (fhir_json.loads(body) for body, in rows):
        if reference not in {d.get("reference") for d in bmi.get("derivedFrom", [])}:
            continue
        if source["status"] == IN_ERROR:
            why = f"Entered in error: computed from a {title(source).lower()} entered in " \
                  f"error ({reason})"
            work.revise("Observation", bmi["id"], "BMI", lambda r, why=why: _mark(
                r, session, why), None, title)
            continue
        value = _recomputed(work, bmi)
        if value is not None:
            work.revise("Observation", bmi["id"], "BMI", lambda r, v=value: _recompute(
                r, session, v, title(source).lower(), reason), None, title)


def _mark(bmi: dict, session: Session, why: str) -> str:
    bmi["status"] = IN_ERROR
    bmi.setdefault("note", []).append(annotation(session, why))
    return f"BMI marked entered in error: {why}"


def _recompute(bmi: dict, session: Session, value: float, what: str, reason: str) -> str:
    was = value_text(bmi)
    bmi["valueQuantity"]["value"] = value
    bmi["status"] = CORRECTED
    said = f"Recomputed from {was} to {value_text(bmi)} after the {what} was corrected: {reason}"
    bmi.setdefault("note", []).append(annotation(session, said))
    return f"BMI {said[0].lower()}{said[1:]}"


def _recomputed(work: Work, bmi: dict) -> float | None:
    """The BMI from the current versions of the weight and height it was computed from."""
    found = {}
    for derived in bmi.get("derivedFrom", []):
        kind, _, ident = (derived.get("reference") or "").partition("/")
        source = work.get(kind, ident) if kind == "Observation" else None
        quantity = (source or {}).get("valueQuantity") or {}
        unit = quantity.get("code") or quantity.get("unit") or ""
        wanted = {WEIGHT_CODE: "kg", HEIGHT_CODE: "cm"}.get(code_of(source or {}))
        if wanted and isinstance(quantity.get("value"), int | float):
            found[wanted] = in_unit(quantity["value"], unit, wanted)
    if found.get("kg") is None or found.get("cm") is None:
        return None
    return bmi_of(found["kg"], found["cm"])
