"""The chart reads the printouts share, inside the printing's one audited read (`Work`).

A printout is the whole of what it names, never a page of it: a section is read in full
from the chart index, newest first, as the chart lists it (app.clinical.chart.chart), each
record described as a chart line (app.clinical.chart.chart_items), drugs named by reference
titled by the stored Medication. Records marked entered in error are left out of paper a
patient or another clinician may act on, and counted, so the printout says how many.
"""

from dataclasses import dataclass

from sqlalchemy import text

from app.clinical.chart.chart_items import ChartItem, describe
from app.clinical.charting.medication_names import referenced_medications
from app.clinical.records import Work
from app.errors import NotFound, UsageError
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

SECTION = text("SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
               "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
               "AND c.section = :section ORDER BY c.date DESC, c.id")
LATEST_VISIT = text("SELECT c.id FROM patient_compartment c WHERE c.patient_id = :patient "
                    "AND c.type = 'Encounter' AND coalesce(c.status, '') != 'entered-in-error' "
                    "ORDER BY c.date DESC, c.id LIMIT 1")
IN_ERROR = "entered-in-error"


@dataclass(frozen=True)
class Entries:
    """A section's records as chart lines, newest first, and how many were left out."""

    records: list[dict]
    items: list[ChartItem]
    in_error: int

    def note(self, what: str) -> str:
        if not self.in_error:
            return ""
        one = self.in_error == 1
        return (f"{self.in_error} {what}{'' if one else 's'} marked entered in error "
                f"{'is' if one else 'are'} not printed.")


def section(work: Work, patient_id: str, name: str) -> Entries:
    """Every record of one chart section (app.clinical.chart.chart.SECTIONS)."""
    found = [fhir_json.loads(body) for (body,) in work.conn.execute(
        SECTION, {"patient": patient_id, "section": name})]
    drugs = referenced_medications(work.conn, found) if name == "medications" else None
    pairs = [(r, item) for r in found
             if (item := describe(r, medications=drugs)).status != IN_ERROR]
    return Entries([r for r, _ in pairs], [item for _, item in pairs], len(found) - len(pairs))


def visit(work: Work, patient_id: str, patient_name: str, encounter_id: str | None) -> dict:
    """The visit asked for, or the patient's latest; a sentence when there is none."""
    if encounter_id is None:
        encounter_id = work.conn.execute(LATEST_VISIT, {"patient": patient_id}).scalar()
        if encounter_id is None:
            raise UsageError(f"Nothing to print: {patient_name} has no visits. No file was "
                             "written.")
    encounter = work.get("Encounter", encounter_id)
    if encounter is None or patient_of(encounter) != patient_id:
        raise NotFound(f"Encounter/{encounter_id} is not a visit in {patient_name}'s chart. "
                       "No file was written.")
    return encounter


def day(moment: str | None) -> str:
    """ "2026-03-02": the date of a FHIR date or dateTime, "" when there is none."""
    return (moment or "")[:10]
