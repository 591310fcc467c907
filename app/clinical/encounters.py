"""Visits (FHIR R4 Encounter): started when a checked-in patient is seen, finished after.

A visit ties together everything charted in it: vitals and notes name it as their
encounter. It is ambulatory (class AMB), its subject is the patient, and the Hearth users
who started it are its participants, by display name and user name (Hearth users are not
Practitioner resources, so there is nothing to reference).

A patient has at most one visit in progress: starting another returns the one in progress,
with the user added to its participants, so a nurse and a physician who both press "Start
visit" chart in the same visit. Started from an appointment, the appointment becomes
"fulfilled" and the visit refers to it, in the same transaction.

Each write checks EDIT_CHART, then writes the records, their outbox entries and one audit
row per record in one transaction; reads check READ_CHART and are audited.
"""

import uuid
from datetime import datetime

from sqlalchemy import Connection, text

from app.clinical.validation import validation_errors
from app.errors import InvalidRecord, NotFound
from app.security import audit
from app.security.roles import Permission
from app.security.session import Session
from app.store.resources import get_resource, put_resource
from app.store.store import Store
from sync import fhir_json
from sync.compartment import patient_of

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
    def __init__(self, store: Store):
        self._store = store

    def start_visit(self, session: Session, patient_id: str,
                    appointment_id: str | None = None) -> dict:
        """The patient's visit in progress, started now unless one already is."""
        session.require(Permission.EDIT_CHART)
        at = now()
        with self._store.write() as conn:
            if get_resource(conn, "Patient", patient_id) is None:
                raise NotFound(f"There is no patient {patient_id} to start a visit for.")
            visit = in_progress(conn, patient_id)
            appointment = None if appointment_id is None else _appointment(
                conn, appointment_id, patient_id, visit)
            action, done = ("update", []) if visit else ("create", ["visit started"])
            visit = visit or _new_visit(patient_id, appointment, at)
            if _join(visit, session) and action == "update":
                done.append(f"{session.full_name} joined the visit")
            writes = []
            if appointment is not None and appointment["status"] != "fulfilled":
                reference = f"Appointment/{appointment_id}"
                if {"reference": reference} not in visit.setdefault("appointment", []):
                    visit["appointment"].append({"reference": reference})
                    done.append(f"for {reference}")
                appointment["status"] = "fulfilled"
                writes.append((appointment, audit.event_for(
                    session, "update", patient=patient_id, entity=reference,
                    detail=f"fulfilled: seen in visit Encounter/{visit['id']}")))
            if done:
                _check(visit)
                writes.insert(0, (visit, audit.event_for(
                    session, action, patient=patient_id, entity=f"Encounter/{visit['id']}",
                    detail="; ".join(done))))
            for resource, event in writes:
                put_resource(conn, resource, session.user, event.at)
                audit.append(conn, event)
        return visit

    def current_visit(self, session: Session, patient_id: str) -> dict | None:
        """The patient's visit in progress, if there is one."""
        session.require(Permission.READ_CHART)
        with self._store.write() as conn:
            visit = in_progress(conn, patient_id)
            audit.append(conn, audit.event_for(
                session, "read", patient=patient_id,
                entity=f"Encounter/{visit['id']}" if visit else f"Patient/{patient_id}",
                detail="visit in progress" if visit else "visit in progress: none"))
        return visit

    def finish_visit(self, session: Session, encounter_id: str) -> dict:
        """End a visit in progress now: nothing more is charted in it by default."""
        session.require(Permission.EDIT_CHART)
        at = now()
        with self._store.write() as conn:
            visit = get_resource(conn, "Encounter", encounter_id)
            if visit is None:
                raise NotFound(f"There is no visit {encounter_id} to finish.")
            if visit.get("status") != "in-progress":
                ended = (visit.get("period") or {}).get("end")
                when = f" at {_shown(ended)}" if ended else ""
                raise InvalidRecord(f"This visit is not in progress: it is "
                                    f"{visit.get('status', 'without a status')}{when}.")
            visit["status"] = "finished"
            visit["period"] = {**visit.get("period", {}), "end": at}
            _check(visit)
            event = audit.event_for(session, "update", patient=patient_of(visit),
                                    entity=f"Encounter/{encounter_id}", detail="visit finished")
            put_resource(conn, visit, session.user, event.at)
            audit.append(conn, event)
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


def _check(visit: dict) -> None:
    if errors := validation_errors("Encounter", fhir_json.dumps(visit)):
        raise InvalidRecord(f"Not a valid FHIR R4 Encounter: {'; '.join(errors)}.")


def _shown(when: str) -> str:
    try:
        return f"{datetime.fromisoformat(when).astimezone():%H:%M on %d %b %Y}"
    except ValueError:
        return when
