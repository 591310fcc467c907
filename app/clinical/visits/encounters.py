"""Visits (FHIR R4 Encounter): started when a checked-in patient is seen, finished after.

A visit ties together everything charted in it: vitals and notes name it as their
encounter. It is ambulatory (class AMB), its subject is the patient, and the Hearth users
who started it are its participants, by display name and user name (Hearth users are not
Practitioner resources, so there is nothing to reference).

A patient has at most one visit in progress: starting another returns the one in progress,
with the user added to its participants, so a nurse and a physician who both press "Start
visit" chart in the same visit. Started from an appointment, the visit refers to it
(Encounter.appointment) and the appointment keeps its status (the patient has arrived):
Today reads "In visit" from the Encounter in progress. Finishing the visit marks its
appointments "fulfilled" in the same transaction, so "Seen" means seen, not called in.

Each write checks EDIT_CHART, then writes the records, their outbox entries and one audit
row per record in one transaction; reads check READ_CHART and are audited (both through the
write path, app.clinical.records).
"""

import uuid
from datetime import datetime

from sqlalchemy import Connection, text

from app.clinical.records import ChangeFeed, Records
from app.display_time import when_text
from app.errors import InvalidRecord, NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.resources import get_resource
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
HEARTH_USER = "urn:hearth:user"  # identifier system of Hearth user names
STARTABLE = ("arrived", "checked-in")  # the patient is here
NOT_STARTABLE = {
    "proposed": "is only proposed, not booked yet",
    "pending": "is not confirmed yet",
    "waitlist": "is on the waiting list, not booked",
    "booked": "is not checked in yet; check the patient in first",
    "fulfilled": "is already over",
    "cancelled": "was cancelled",
    "noshow": "was marked as not attended",
    "entered-in-error": "was entered in error",
}
IN_PROGRESS = text(
    "SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
    "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
    "AND c.section = 'encounters' AND c.status = 'in-progress' ORDER BY c.date DESC, c.id "
    "LIMIT 1")


class Encounters:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._records = Records(store, feed)

    def start_visit(self, session: Session, patient_id: str,
                    appointment_id: str | None = None) -> dict:
        """The patient's visit in progress, started now unless one already is."""
        at = now()
        with self._records.write(session, Permission.EDIT_CHART) as work:
            work.require_patient(patient_id, " to start a visit for")
            visit = in_progress(work.conn, patient_id)
            appointment = None if appointment_id is None else _appointment(
                work.conn, appointment_id, patient_id, visit)
            action, done = ("update", []) if visit else ("create", ["visit started"])
            visit = visit or _new_visit(patient_id, appointment, at)
            if _join(visit, session) and action == "update":
                done.append(f"{session.full_name} joined the visit")
            reference = f"Appointment/{appointment_id}"
            if appointment is not None and {"reference": reference} not in visit.setdefault(
                    "appointment", []):
                visit["appointment"].append({"reference": reference})
                done.append(f"for {reference}")
            if done:
                work.save(visit, action, "; ".join(done))
        return visit

    def current_visit(self, session: Session, patient_id: str) -> dict | None:
        """The patient's visit in progress, if there is one."""
        with self._records.read(session, Permission.READ_CHART) as work:
            visit = in_progress(work.conn, patient_id)
            work.read(f"Encounter/{visit['id']}" if visit else f"Patient/{patient_id}",
                      "visit in progress" if visit else "visit in progress: none", patient_id)
        return visit

    def finish_visit(self, session: Session, encounter_id: str) -> dict:
        """End a visit in progress now: nothing more is charted in it by default."""
        at = now()
        with self._records.write(session, Permission.EDIT_CHART) as work:
            visit = work.get("Encounter", encounter_id)
            if visit is None:
                raise NotFound(f"There is no visit {encounter_id} to finish.")
            if visit.get("status") != "in-progress":
                ended = (visit.get("period") or {}).get("end")
                when = f" at {when_text(ended, with_date=True)}" if ended else ""
                raise InvalidRecord(f"This visit is not in progress: it is "
                                    f"{visit.get('status', 'without a status')}{when}.")
            visit["status"] = "finished"
            visit["period"] = {**visit.get("period", {}), "end": at}
            work.save(visit, "update", "visit finished")
            for link in visit.get("appointment", []):
                appointment = work.get("Appointment", link["reference"].partition("/")[2])
                if appointment is not None and appointment.get("status") in STARTABLE:
                    appointment["status"] = "fulfilled"
                    work.save(appointment, "update",
                              f"fulfilled: seen in visit Encounter/{visit['id']}")
        return visit


def in_progress(conn: Connection, patient_id: str) -> dict | None:
    """The newest visit in progress of this patient, within an open transaction."""
    body = conn.execute(IN_PROGRESS, {"patient": patient_id}).scalar_one_or_none()
    return None if body is None else fhir_json.loads(body)


def user_reference(session: Session) -> dict:
    """The signed-in user as a FHIR Reference: who did it, without a Practitioner."""
    return {"identifier": {"system": HEARTH_USER, "value": session.user},
            "display": session.full_name}


def now() -> str:
    """A FHIR dateTime for now, in the workstation's time zone, to the millisecond: readings
    taken a moment apart must still sort in the order they were taken."""
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


def _appointment(conn: Connection, appointment_id: str, patient_id: str,
                 visit: dict | None) -> dict:
    """The appointment the visit starts from, if the patient can be seen for it now."""
    appointment = get_resource(conn, "Appointment", appointment_id)
    if appointment is None:
        raise NotFound(f"There is no appointment {appointment_id} to start a visit from.")
    if patient_of(appointment) != patient_id:
        raise InvalidRecord("That appointment is for another patient; start the visit from "
                            "this patient's own appointment.")
    status = appointment.get("status", "")
    already = visit is not None and {"reference": f"Appointment/{appointment_id}"} in \
        visit.get("appointment", [])
    if status not in STARTABLE and not (status == "fulfilled" and already):
        reason = NOT_STARTABLE.get(status, f"has the status {status!r}")
        raise InvalidRecord(f"The visit cannot start from this appointment: it {reason}.")
    return appointment


def _new_visit(patient_id: str, appointment: dict | None, at: str) -> dict:
    kind = (appointment or {}).get("appointmentType") or {}
    return {
        "resourceType": "Encounter",
        "id": str(uuid.uuid4()),
        "status": "in-progress",
        "class": {"system": V3_ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "type": [{"text": f"{kind['text']} visit" if kind.get("text") else "Office visit"}],
        "subject": {"reference": f"Patient/{patient_id}"},
        "participant": [],
        "period": {"start": at},
    }


def _join(visit: dict, session: Session) -> bool:
    """Add the user to the visit's participants; whether they were new to it."""
    me = user_reference(session)
    if any(p.get("individual", {}).get("identifier") == me["identifier"]
           for p in visit.get("participant", [])):
        return False
    visit.setdefault("participant", []).append({"individual": me})
    return True
