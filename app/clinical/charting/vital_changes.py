"""The change check: a reading far from the patient's previous one is shown for checking.

The usual ranges (vitals.check) cannot catch 176 typed for a 75.9 kg patient: 176 kg is a
possible weight. What gives it away is the jump from the last reading, so each new reading
is compared with the latest one of the same sign (any code charted as that sign, e.g.
Synthea's oral temperature) taken within `compare_within_days` (default 365: beyond a year
a change is more likely real than a slip). The limits are the clinic's policy
(vitals.max_change); the shipped defaults, and why:

- weight ±10 %: a loss of 5 % in a month or 10 % in six months is already a diagnostic
  criterion for malnutrition (ASPEN/AND 2012; GLIM 2019), so a bigger jump between visits
  is either a finding to confirm or a slip; lb typed as kg is +120 %.
- height ±3 cm: an adult's height, measured with a stadiometer, repeats within about
  1-2 cm; a cm/in mix-up is far beyond. Not compared under 18 years: children grow.
- temperature ±2 °C: beyond the swing of a fever onset between visits at most; °F typed as
  °C is +60 °C.
- systolic ±40 / diastolic ±30 mmHg, heart rate ±40 /min, respiratory rate ±12 /min, SpO2
  ±8 %: these move for real, so only jumps past the range of day-to-day variability
  (and typical transposed digits, 132 for 123 is not caught, 213 is) ask again.

A limit may give a percentage, an absolute change, or both; with both, both must be
exceeded (e.g. 10 % and 0.5 kg spares an infant's 300 g). Like the range warnings it only
asks: the person at the bedside confirms, nothing is blocked.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, bindparam, text

from app.clinical.charting.trends import PANELS, SYSTOLIC, VITAL_SIGNS
from app.clinical.charting.units import in_unit, shown
from app.security.policy import VitalsPolicy
from fhir_common import fhir_json

ADULT_YEARS = 18
LATEST = text(
    "SELECT r.json, max(c.date) FROM patient_compartment c JOIN resource r ON r.type = c.type "
    "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient AND c.section = 'vitals' "
    "AND c.code IN :codes AND coalesce(c.status, '') NOT IN ('entered-in-error', 'cancelled') "
    "GROUP BY c.code").bindparams(bindparam("codes", expanding=True))


@dataclass(frozen=True)
class Previous:
    """The patient's latest earlier reading of a sign, in the unit Hearth stores it in."""

    value: float
    date: str


def previous_readings(conn: Connection, patient_id: str, patient: dict,
                      stored_units: dict[str, tuple[str, str]]) -> dict[str, Previous]:
    """The latest reading of each sign, by reading key; `stored_units` maps each key to its
    (LOINC, UCUM) as Hearth records it. Height is left out for a child."""
    codes = {key: _codes_of(loinc) for key, (loinc, _) in stored_units.items()}
    wanted = sorted({c for cs in codes.values() for c in cs}
                    | {p for panel in PANELS.values() for p in panel})
    found: dict[str, Previous] = {}
    for body, when in conn.execute(LATEST, {"patient": patient_id, "codes": wanted}):
        resource = fhir_json.loads(body)
        for part in [resource, *resource.get("component", [])]:
            part_codes = {c.get("code") for c in (part.get("code") or {}).get("coding", [])}
            quantity = part.get("valueQuantity") or {}
            for key, (_, unit) in stored_units.items():
                value = quantity.get("value")
                if not part_codes & codes[key] or when is None or isinstance(value, bool) \
                        or not isinstance(value, int | float):
                    continue
                converted = in_unit(value, quantity.get("code") or quantity.get("unit") or "",
                                    unit)
                if converted is not None and (key not in found or when > found[key].date):
                    found[key] = Previous(converted, when)
    if not _adult(patient):
        found.pop("height", None)
    return found


def change_warnings(values: dict[str, float], previous: dict[str, Previous],
                    labels: dict[str, tuple[str, str]], policy: VitalsPolicy,
                    today: date | None = None) -> list[str]:
    """A sentence for each reading beyond the policy's change from the previous one;
    `labels` maps a key to its (label, UCUM unit)."""
    since = (today or date.today()) - timedelta(days=policy.compare_within_days)
    said = []
    for key, value in values.items():
        before, limit = previous.get(key), policy.max_change.get(key)
        if before is None or limit is None or before.date[:10] < since.isoformat():
            continue
        change = float(value) - before.value
        percent = abs(change) / before.value * 100 if before.value else float("inf")
        beyond = [percent > limit["percent"]] if "percent" in limit else []
        beyond += [abs(change) > limit["absolute"]] if "absolute" in limit else []
        if not all(beyond):
            continue
        label, unit = labels[key]
        amount = (f"{percent:.0f} %" if "percent" in limit
                  else f"{_number(abs(change))} {shown(unit)}")
        said.append(f"{label} {_number(value)} {shown(unit)} is {amount} "
                    f"{'above' if change > 0 else 'below'} the last reading, "
                    f"{_number(before.value)} {shown(unit)} on {before.date[:10]}; check the "
                    "value and units.")
    return said


def _codes_of(loinc: str) -> set[str]:
    """The codes charted as the same sign as `loinc` (a BP component: its own code)."""
    sign = next((s for s in VITAL_SIGNS if loinc in s.codes), None)
    if sign is None or SYSTOLIC in sign.codes:
        return {loinc}
    return set(sign.codes)


def _adult(patient: dict) -> bool:
    """18 or older; a birth year or month alone counts from its last day (the younger)."""
    born = (patient.get("birthDate") or "").split("-")
    if not born[0].isdigit():
        return True  # unknown age: compare, the warning only asks
    year, month, day = int(born[0]), int(born[1]) if len(born) > 1 else 12, \
        int(born[2][:2]) if len(born) > 2 else 28
    today = date.today()
    return today.year - year - ((today.month, today.day) < (month, day)) >= ADULT_YEARS


def _number(value: float) -> str:
    """Rounded to what a reading shows: 75.9, 176, 2.5."""
    return f"{round(float(value), 2):.10g}"
