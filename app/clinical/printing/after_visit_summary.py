"""The after-visit summary: what the patient takes home from a visit.

The visit (the one asked for, else the latest), then in the order a patient reads it: the
vital signs taken, the problems addressed (the visit's diagnoses), the tests and referrals
ordered (with whether they are signed yet: a pended order is "not yet signed", so nobody
goes to the lab for it), every current medication with how to take it (the sig as stored;
those ordered at this visit say so), and the follow-up: the patient's appointments still to
come. Each part says so when it has nothing, so a blank is never mistaken for a lost page.
"""

from datetime import UTC, datetime

from sqlalchemy import text

from app.clinical.chart.chart import ACTIVE
from app.clinical.chart.visit_record import visit_in
from app.clinical.printing.chart_reads import day, section, visit
from app.clinical.printing.document import Content, Section
from app.clinical.printing.visit_note import visit_facts
from app.clinical.records import Work
from app.clinical.visits.day_sheet import STATUS_TEXT
from fhir_common import fhir_json

TITLE = "After-visit summary"
ORDER_STATUS = {"active": "ordered", "draft": "not yet signed", "completed": "done",
                "revoked": "cancelled", "on-hold": "on hold"}
UPCOMING = text("SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
                "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
                "AND c.type = 'Appointment' AND c.status IN ('proposed', 'pending', 'booked')")


def read(work: Work, patient_id: str, patient_name: str, visit_id: str | None) -> Content:
    encounter = visit(work, patient_id, patient_name, visit_id)
    record = visit_in(work, patient_id, encounter)
    lines = record.lines
    vitals = tuple((v.item.title, v.item.value or "", _time(v.item.date))
                   for v in lines["vitals"])
    problems = tuple((d.item.title, d.item.code or "") for d in lines["diagnoses"])
    tests = tuple((o.item.title, ORDER_STATUS.get(o.item.status or "", o.item.status or ""))
                  for o in lines["orders"] if o.item.type == "ServiceRequest")
    ordered_now = {o.item.id for o in lines["orders"] if o.item.type == "MedicationRequest"}
    drugs = section(work, patient_id, "medications")
    medications = tuple((i.title, i.dose or "", "new at this visit" if i.id in ordered_now
                         else "on hold" if i.status == "on-hold" else "")
                        for i in drugs.items if i.status in ACTIVE["medications"])
    follow_up = _upcoming(work, patient_id)
    return Content(visit_facts(record), (
        Section("Vital signs taken", ("Measurement", "Result", "Taken"), (40, 35, 25), vitals,
                "No vital signs were taken at this visit."),
        Section("Problems addressed", ("Problem", "Code"), (70, 30), problems,
                "No diagnosis was recorded for this visit."),
        Section("Tests and referrals ordered", ("Order", "Status"), (70, 30), tests,
                "Nothing was ordered at this visit."),
        Section("Your medications", ("Medication", "How to take it", ""), (40, 42, 18),
                medications, "No current medications recorded."),
        Section("Follow-up", ("When", "Appointment", "With", "Status"), (24, 30, 30, 16),
                follow_up, "No follow-up appointment is booked."),
    ), len(vitals) + len(problems) + len(tests) + len(medications) + len(follow_up),
        f"Encounter/{encounter['id']}")


def _upcoming(work: Work, patient_id: str) -> tuple[tuple[str, ...], ...]:
    """The patient's appointments from now on, soonest first."""
    now = datetime.now(UTC)
    found = []
    for (body,) in work.conn.execute(UPCOMING, {"patient": patient_id}):
        appointment = fhir_json.loads(body)
        start = _moment(appointment.get("start"))
        if start is None or start < now:
            continue
        concept = appointment.get("appointmentType") or {}
        what = concept.get("text") or next((c.get("display") for c in concept.get(
            "coding", []) if c.get("display")), "") or appointment.get("description", "")
        with_whom = ", ".join(
            (p.get("actor") or {}).get("display", "") for p in appointment.get("participant", [])
            if not str((p.get("actor") or {}).get("reference", "")).startswith("Patient/")
            and (p.get("actor") or {}).get("display"))
        found.append((start, (f"{start.astimezone():%a %d %b %Y %H:%M}", what, with_whom,
                              STATUS_TEXT.get(appointment.get("status", ""), ""))))
    return tuple(row for _, row in sorted(found, key=lambda pair: pair[0]))


def _moment(value: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def _time(moment: str | None) -> str:
    """ "2026-03-02 09:14" in local time, or the date alone when that is all there is."""
    parsed = _moment(moment) if moment and "T" in moment else None
    return f"{parsed.astimezone():%Y-%m-%d %H:%M}" if parsed else day(moment)
