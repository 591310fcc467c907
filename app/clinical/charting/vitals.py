"""Recording vital signs (FHIR R4 Observation, category vital-signs) as a nurse takes them.

One reading is one Observation, coded in LOINC with its unit in UCUM, as the FHIR vital
signs profile has them and with the codes app.clinical.charting.trends plots, so a reading shows on
its trend plot as soon as it is saved. Blood pressure is one panel (85354-9) with systolic
and diastolic components. BMI is never typed: it is computed from the weight and the
height taken with it, or else the latest height on file, and the record says so (a note,
and derivedFrom pointing at both measurements).

Values far outside what is usual, or far from the patient's previous reading of the same
sign (`check`, app.clinical.charting.vital_changes), only warn: a heart rate of 250 may be
real, and the person at the bedside decides. Values no patient can have (negative, not a number,
a systolic pressure not above the diastolic) are refused, whatever the caller says.

All readings of one entry are written in ONE transaction with their outbox entries and one
audit row naming them, after an EDIT_CHART check (the write path, app.clinical.records).

A reading typed in a US unit (`Typed`: 98.6 °F, 165 lb 4 oz, 5 ft 9 in) is converted here
(app.clinical.charting.units) and stored in the profile's metric unit; the Observation keeps
what was typed in a note ("Entered as 98.6 °F; stored as 37.0 °C."), so the measurement as
taken stays on record and a slip in the unit can be traced. A note, not an extension: every
FHIR server and reader shows it, and the value stays the one coded field the profile wants.
"""

import math
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, text

from app.clinical.charting import vital_corrections
from app.clinical.charting.entries import for_edit
from app.clinical.charting.trends import VITAL_SIGNS
from app.clinical.charting.units import (
    bmi_of,
    in_unit,
    shown,
    to_stored,
    typed_text,
    unit_by_code,
)
from app.clinical.charting.vital_changes import Previous, change_warnings, previous_readings
from app.clinical.records import ChangeFeed, Records
from app.clinical.visits.encounters import in_progress, now, user_reference
from app.errors import InvalidRecord, NotFound
from app.security.policy import VitalsPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.resources import get_resource
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = {"coding": [{
    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
    "code": "vital-signs", "display": "Vital Signs"}], "text": "Vital Signs"}
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
NOT_VISITS = ("entered-in-error", "cancelled")  # statuses of encounters that never happened


@dataclass(frozen=True)
class Vital:
    key: str  # in the readings dict
    label: str  # as the form and the messages say it
    loinc: str
    display: str  # LOINC's name
    unit: str  # UCUM, as stored (and as the trend plots group curves by)
    usual: tuple[float, float]  # outside this: a warning, not a refusal
    most: float | None = None  # above this: impossible

    @property
    def shown(self) -> str:
        """The unit as people read it: mmHg, °C, kg/m²."""
        return shown(self.unit)


@dataclass(frozen=True)
class Typed:
    """A reading typed in another unit than the stored one: `unit` is the UCUM code of an
    app.clinical.charting.units.ENTRY_UNITS unit, `minor` the inches or ounces, if any."""

    unit: str
    major: str
    minor: str = ""


VITALS = (
    Vital("systolic", "Systolic pressure", "8480-6", "Systolic blood pressure", "mm[Hg]",
          (60, 250)),
    Vital("diastolic", "Diastolic pressure", "8462-4", "Diastolic blood pressure", "mm[Hg]",
          (30, 150)),
    Vital("heart_rate", "Heart rate", "8867-4", "Heart rate", "/min", (20, 250)),
    Vital("respiratory_rate", "Respiratory rate", "9279-1", "Respiratory rate", "/min",
          (4, 60)),
    Vital("temperature", "Temperature", "8310-5", "Body temperature", "Cel", (30, 43)),
    Vital("spo2", "SpO2", "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry",
          "%", (70, 100), most=100),
    Vital("weight", "Weight", "29463-7", "Body weight", "kg", (0.5, 300)),
    Vital("height", "Height", "8302-2", "Body height", "cm", (30, 250)),
)
BMI = Vital("bmi", "BMI", "39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", (10, 70))
BY_KEY = {vital.key: vital for vital in VITALS}
BY_CODE = {vital.loinc: vital for vital in (*VITALS, BMI)}

LATEST_HEIGHT = text(
    "SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
    "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient AND c.section = 'vitals' "
    "AND c.code = '8302-2' AND coalesce(c.status, '') NOT IN ('entered-in-error', 'cancelled') "
    "ORDER BY c.date DESC, c.rowid DESC LIMIT 1")  # rowid: the later of two in one instant
WAITING = text(
    "SELECT count(*) FROM patient_compartment c WHERE c.patient_id = :patient "
    "AND c.section = 'vitals' AND EXISTS (SELECT 1 FROM local_change l "
    "WHERE l.record = c.record)")


@dataclass(frozen=True)
class HeightOnFile:
    cm: float
    date: str  # when it was measured
    observation_id: str


def parse(readings: dict) -> dict[str, float]:
    """The readings given, as numbers by key in the stored units; empty ones left out.
    Raises InvalidRecord, naming every value no patient can have, when there is one."""
    return _parse(readings)[0]


def _parse(readings: dict) -> tuple[dict[str, float], dict[str, str]]:
    """The values, and for each reading typed in another unit, what was typed."""
    unknown = [key for key in readings if key not in BY_KEY]
    if unknown:
        raise InvalidRecord(f"Hearth does not record {', '.join(map(repr, unknown))} as a vital "
                            "sign (BMI is computed from weight and height).")
    given = {key: raw for key, raw in readings.items() if not _empty(raw)}
    values, refused, typed = {}, [], {}
    for key, raw in given.items():
        vital = BY_KEY[key]
        if isinstance(raw, Typed):
            value, why = _converted(vital, raw)
            if why:
                refused.append(why)
                continue
            if raw.unit != vital.unit:
                typed[key] = typed_text(unit_by_code(key, raw.unit), _number(raw.major),
                                        _number(raw.minor) if raw.minor.strip() else None)
        else:
            value = _number(raw)
        if value is None:
            refused.append(f"{vital.label} “{raw}” is not a number.")
        elif value <= 0:
            refused.append(f"{vital.label} cannot be {number(value)} {vital.shown}.")
        elif vital.most is not None and value > vital.most:
            refused.append(f"{vital.label} cannot be above {number(vital.most)} {vital.shown} "
                           f"(it was {number(value)}).")
        else:
            values[key] = value
    if len(given.keys() & {"systolic", "diastolic"}) == 1:
        refused.append("Enter both the systolic and the diastolic pressure, or neither.")
    elif values.get("systolic", math.inf) <= values.get("diastolic", 0):
        refused.append(f"The systolic pressure ({number(values['systolic'])}) must be higher "
                       f"than the diastolic ({number(values['diastolic'])}); were they "
                       "swapped?")
    if refused:
        raise InvalidRecord(" ".join(refused))
    if not values:
        raise InvalidRecord("Enter at least one reading.")
    return values, typed


def _empty(raw) -> bool:
    if isinstance(raw, Typed):
        return not raw.major.strip() and not raw.minor.strip()
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _converted(vital: Vital, raw: Typed) -> tuple[float | None, str | None]:
    """A typed reading in the stored unit, or why it cannot be (as a sentence)."""
    unit = unit_by_code(vital.key, raw.unit)
    if unit is None:
        return None, f"{vital.label} cannot be entered in {shown(raw.unit) or 'no unit'}."
    major = _number(raw.major) if raw.major.strip() else 0.0
    if major is None:
        return None, f"{vital.label} “{raw.major}” is not a number."
    if not raw.minor.strip():
        return to_stored(unit, major), None
    minor = _number(raw.minor)
    if unit.minor is None or minor is None or not 0 <= minor < unit.per_major:
        part = {"[in_i]": "inches", "[oz_av]": "ounces"}.get(unit.minor or "", "second part")
        return None, (f"{vital.label}: the {part} “{raw.minor}” must be a number from 0 to "
                      f"under {unit.per_major}.")
    return to_stored(unit, major, minor), None


def check(readings: dict, previous: dict[str, Previous] | None = None,
          policy: VitalsPolicy | None = None) -> list[str]:
    """Warnings to confirm before saving: readings outside the usual range, and (given the
    patient's previous readings) ones far from the previous reading (vital_changes). Raises
    InvalidRecord for impossible ones, as `record` would."""
    values = parse(readings)
    changes = change_warnings(values, previous or {}, {
        v.key: (v.label, v.unit) for v in VITALS}, policy or VitalsPolicy())
    if "weight" in values and "height" in values:
        values["bmi"] = bmi_of(values["weight"], values["height"])
    return [f"{vital.label} {number(values[vital.key])} {vital.shown} is outside "
            f"{number(vital.usual[0])}–{number(vital.usual[1])}; check it was typed correctly."
            for vital in (*VITALS, BMI) if vital.key in values
            and not vital.usual[0] <= values[vital.key] <= vital.usual[1]] + changes


def summary(observations: list[dict]) -> str:
    """What one entry recorded, as a nurse would say it back: "blood pressure 120/80 mmHg;
    heart rate 72 /min"."""
    said = []
    for observation in observations:
        code = observation["code"]["coding"][0]["code"]
        if code == BP_PANEL[0]:
            systolic, diastolic = (_value(observation, v) for v in ("systolic", "diastolic"))
            said.append(f"blood pressure {systolic}/{diastolic} mmHg")
        else:
            vital = BY_CODE[code]
            label = vital.label if any(c.isupper() for c in vital.label[1:]) else \
                vital.label.lower()  # "SpO2" and "BMI" stay as they are written
            said.append(f"{label} {number(observation['valueQuantity']['value'])} "
                        f"{vital.shown}" + (" (computed)" if vital is BMI else ""))
    return "; ".join(said)


def number(value: float) -> str:
    """As typed: 72, 37.2, 37.20, 0.5 (a typed decimal keeps its digits)."""
    return value.text if isinstance(value, fhir_json.ExactDecimal) else f"{value:.10g}"


@dataclass(frozen=True)
class EntryContext:
    patient: dict
    visit: dict | None  # the visit in progress
    height: HeightOnFile | None  # the latest height on file
    previous: dict[str, Previous]  # the latest reading of each sign, for the change check


class Vitals:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._records = Records(store, feed)

    def record(self, session: Session, patient_id: str, readings: dict,
               encounter_id: str | None = None) -> list[dict]:
        """Save one set of readings, taken now; the Observations, in form order (BP, heart
        rate, respiratory rate, temperature, SpO2, weight, height, BMI)."""
        session.require(Permission.EDIT_CHART)
        values, typed = _parse(readings)
        at = now()
        with self._records.write(session, Permission.EDIT_CHART) as work:
            work.require_patient(patient_id, " to record vitals for")
            if encounter_id is not None:
                _check_visit(work.conn, encounter_id, patient_id)
            new = _Observations(session, patient_id, encounter_id, at)
            if "systolic" in values:
                new.blood_pressure(values["systolic"], values["diastolic"])
            for vital in VITALS:
                if vital.key in values and vital.key not in ("systolic", "diastolic"):
                    new.reading(vital, values[vital.key], typed.get(vital.key))
            if "weight" in values:
                height = (HeightOnFile(values["height"], at, new.ids["height"])
                          if "height" in values else _height_on_file(work.conn, patient_id))
                if height is not None:
                    new.bmi(values["weight"], new.ids["weight"], height)
            visit = f" in visit Encounter/{encounter_id}" if encounter_id else ""
            work.save_entry(new.made, "create",
                            f"vital signs{visit}: {summary(new.made)}; records "
                            f"{', '.join('Observation/' + o['id'] for o in new.made)}")
        return new.made

    def entry_context(self, session: Session, patient_id: str) -> EntryContext:
        """What the entry form needs before Save, in one audited read: who the patient is,
        the visit in progress (the readings are tied to it), the latest height on file
        (so a weight alone still gives a BMI) and the previous readings (change check)."""
        with self._records.read(session, Permission.READ_CHART) as work:
            conn = work.conn
            patient = work.patient(patient_id, "vitals entry: visit in progress, latest height "
                                   "and readings")
            context = patient and EntryContext(
                patient, in_progress(conn, patient_id), _height_on_file(conn, patient_id),
                previous_readings(conn, patient_id, patient,
                                  {v.key: (v.loinc, v.unit) for v in VITALS}))
        if context is None:  # after the commit: the failed read stays audited
            raise NotFound(f"There is no patient {patient_id}.")
        return context

    def height_on_file(self, session: Session, patient_id: str) -> HeightOnFile | None:
        """The latest height measured, which a weight alone is divided by for BMI."""
        with self._records.read(session, Permission.READ_CHART) as work:
            height = _height_on_file(work.conn, patient_id)
            work.read(f"Patient/{patient_id}", "latest height, for BMI", patient_id)
        return height

    def for_correction(self, session: Session, observation_id: str) -> dict:
        """The stored reading a correction form starts from, its read audited."""
        return for_edit(self._records, session, "Observation", observation_id, "reading")

    def correct(self, session: Session, observation_id: str, values: dict[str, float],
                reason: str, based_on: dict | None = None) -> dict:
        """New values for a wrong reading, by LOINC code of each part, as typed (refused
        as `record` refuses them); vital_corrections says how."""
        return vital_corrections.correct(self._records, session, observation_id,
                                         _corrected(values), reason, based_on)

    def mark_entered_in_error(self, session: Session, observation_id: str, reason: str,
                              based_on: dict | None = None) -> dict:
        """A reading that was never the patient's, kept and marked (vital_corrections)."""
        return vital_corrections.mark_entered_in_error(self._records, session, observation_id,
                                                       reason, based_on)

    def waiting_to_sync(self, session: Session, patient_id: str) -> int:
        """How many of the patient's vital signs the server has not confirmed yet (still in
        the outbox), so the chart can say they are not on the server."""
        with self._records.read(session, Permission.READ_CHART) as work:
            count = work.conn.execute(WAITING, {"patient": patient_id}).scalar_one()
            work.read(f"Patient/{patient_id}", "vital signs waiting to sync", patient_id)
        return count


class _Observations:
    """The Observations of one entry, as they are made: same patient, visit, time, taker."""

    def __init__(self, session: Session, patient_id: str, encounter_id: str | None, at: str):
        self._common = {
            "status": "final", "category": [CATEGORY],
            "subject": {"reference": f"Patient/{patient_id}"},
            **({"encounter": {"reference": f"Encounter/{encounter_id}"}}
               if encounter_id else {}),
            "effectiveDateTime": at, "issued": at, "performer": [user_reference(session)],
        }
        self.made: list[dict] = []
        self.ids: dict[str, str] = {}

    def blood_pressure(self, systolic: float, diastolic: float) -> None:
        self._add("Blood pressure", [BP_PANEL], component=[
            {"code": _code([(v.loinc, v.display)], v.display), "valueQuantity": _quantity(v, x)}
            for v, x in ((BY_KEY["systolic"], systolic), (BY_KEY["diastolic"], diastolic))])

    def reading(self, vital: Vital, value: float, typed: str | None = None) -> None:
        said = {"note": [{"text": f"Entered as {typed}; stored as {number(value)} "
                                  f"{vital.shown}."}]} if typed else {}
        self.ids[vital.key] = self._add(vital.label, [(vital.loinc, vital.display)],
                                        valueQuantity=_quantity(vital, value), **said)

    def bmi(self, weight: float, weight_id: str, height: HeightOnFile) -> None:
        value = bmi_of(weight, height.cm)
        measured = "taken with it" if height.observation_id == self.ids.get("height") else \
            f"measured {height.date[:10]}"
        self._add("BMI", [(BMI.loinc, BMI.display)], valueQuantity=_quantity(BMI, value),
                  derivedFrom=[{"reference": f"Observation/{weight_id}", "display": "Weight"},
                               {"reference": f"Observation/{height.observation_id}",
                                "display": "Height"}],
                  note=[{"text": f"Computed by Hearth from the weight {number(weight)} kg and "
                                 f"the height {number(round(height.cm, 1))} cm ({measured})."}])

    def _add(self, label: str, codes: list[tuple[str, str]], **value) -> str:
        observation = {"resourceType": "Observation", "id": str(uuid.uuid4()),
                       **self._common, "code": _code(codes, label), **value}
        self.made.append(observation)
        return observation["id"]


def _code(codes: list[tuple[str, str]], label: str) -> dict:
    return {"coding": [{"system": LOINC, "code": code, "display": display}
                       for code, display in codes], "text": label}


def _quantity(vital: Vital, value: float) -> dict:
    return {"value": _stored(value), "unit": vital.unit, "system": UCUM, "code": vital.unit}


def _stored(value: float) -> float:
    """72, not 72.0; a typed decimal ("37.0") keeps its digits."""
    whole = float(value).is_integer() and not isinstance(value, fhir_json.ExactDecimal)
    return int(value) if whole else value


def _value(panel: dict, key: str) -> str:
    """One component's value of a blood pressure panel, by reading key."""
    return next(number(part["valueQuantity"]["value"]) for part in panel["component"]
                if part["code"]["coding"][0]["code"] == BY_KEY[key].loinc)


def _number(raw) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        value = raw if isinstance(raw, fhir_json.ExactDecimal) else float(raw)
    else:
        value = fhir_json.decimal_of_typed(str(raw))
        if value is None:
            return None
    return value if math.isfinite(value) else None


def _corrected(values: dict[str, str | float]) -> dict[str, float]:
    """Corrected values by code, checked as new readings are: a code Hearth records (or
    charts as the same sign, e.g. Synthea's oral temperature) by its reading's rules."""
    keys = {code: vital.key for vital in VITALS for sign in VITAL_SIGNS
            if vital.loinc in sign.codes for code in sign.codes}
    keys.update({vital.loinc: vital.key for vital in VITALS})
    known = parse({keys[code]: raw for code, raw in values.items() if code in keys})
    checked = {code: _stored(known[keys[code]]) for code in values if code in keys}
    for code, raw in values.items():
        if code not in keys:
            checked[code] = _number(raw)
            if checked[code] is None:
                raise InvalidRecord(f"“{raw}” is not a number.")
    return checked


def _check_visit(conn: Connection, encounter_id: str, patient_id: str) -> None:
    visit = get_resource(conn, "Encounter", encounter_id)
    if visit is None:
        raise NotFound(f"There is no visit {encounter_id} to record these vitals in.")
    if patient_of(visit) != patient_id:
        raise InvalidRecord("That visit is another patient's; these vitals were not saved.")
    if visit.get("status") in NOT_VISITS:
        raise InvalidRecord(f"That visit was {visit['status'].replace('-', ' ')}; record the "
                            "vitals outside it or in a new visit.")


def _height_on_file(conn: Connection, patient_id: str) -> HeightOnFile | None:
    body = conn.execute(LATEST_HEIGHT, {"patient": patient_id}).scalar_one_or_none()
    if body is None:
        return None
    height = fhir_json.loads(body)
    quantity = height.get("valueQuantity") or {}
    value = quantity.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    cm = in_unit(value, quantity.get("code") or quantity.get("unit") or "", "cm")
    return None if cm is None else HeightOnFile(cm, height.get("effectiveDateTime") or "",
                                                height["id"])
