"""Who is on a patient's care team: a clinician with an appointment, visit or order for the
patient in the last N days (the policy's access.care_team_days; a booked appointment ahead
counts too), or named on an active CareTeam for the patient, or the owner of an open Task
for the patient (a result to review in their inbox, whatever the order's age).

Hearth names its users in records by identifier (urn:hearth:user) on a visit's participants
and an order's requester, and by their Practitioner (whose identifier is their user name) on
an appointment and a CareTeam. Only the patient's own records are read, through the chart
index (patient_compartment), and only when the chart is restricted.
"""

from datetime import datetime, timedelta

from sqlalchemy import Connection, text

from fhir_common import fhir_json

HEARTH_USER = "urn:hearth:user"
RECORDS = text(
    "SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type AND r.id = c.id"
    " WHERE c.patient_id = :patient AND r.deleted = 0 AND c.type IN "
    "('Appointment', 'Encounter', 'ServiceRequest', 'MedicationRequest', 'CareTeam', 'Task')")
PRACTITIONERS_OF = text(
    "SELECT r.id FROM resource r, json_each(r.json, '$.identifier') i WHERE r.type = "
    "'Practitioner' AND r.deleted = 0 AND json_extract(i.value, '$.system') = :system AND "
    "json_extract(i.value, '$.value') = :user")


def on_care_team(conn: Connection, user: str, patient_id: str, days: int,
                 now: datetime) -> bool:
    """Whether `user` is on the care team of `patient_id` at `now`."""
    me = {f"Practitioner/{pid}" for pid in conn.execute(
        PRACTITIONERS_OF, {"system": HEARTH_USER, "user": user}).scalars()}
    since = now - timedelta(days=days)
    for (body,) in conn.execute(RECORDS, {"patient": patient_id}):
        record = fhir_json.loads(body)
        if _names(record, user, me) and _recent(record, since):
            return True
    return False


def _names(record: dict, user: str, me: set[str]) -> bool:
    """Whether the record names the user as a participant, requester or member."""
    kind = record["resourceType"]
    if kind == "Appointment":
        people = [p.get("actor", {}) for p in record.get("participant", [])]
    elif kind == "Encounter":
        people = [p.get("individual", {}) for p in record.get("participant", [])]
    elif kind == "CareTeam":
        people = [p.get("member", {}) for p in record.get("participant", [])]
    elif kind == "Task":
        people = [record.get("owner") or {}]
    else:
        people = [record.get("requester", {})]
    return any(_is_me(person, user, me) for person in people)


def _is_me(reference: dict, user: str, me: set[str]) -> bool:
    who = reference.get("identifier") or {}
    return reference.get("reference") in me or (
        who.get("system") == HEARTH_USER and who.get("value") == user)


def _recent(record: dict, since: datetime) -> bool:
    """An active CareTeam and an open Task count whatever their age; the rest by date."""
    kind = record["resourceType"]
    if kind == "CareTeam":
        return record.get("status", "active") == "active"
    if kind == "Task":
        return record.get("status") not in ("completed", "cancelled", "rejected", "failed",
                                            "entered-in-error")
    if kind in ("Appointment", "Encounter") and record.get("status") in (
            "cancelled", "entered-in-error", "noshow"):
        return False
    when = {"Appointment": record.get("start"),
            "Encounter": (record.get("period") or {}).get("start")}.get(
        kind, record.get("authoredOn"))
    moment = _moment(when)
    return moment is not None and moment >= since


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.astimezone()
