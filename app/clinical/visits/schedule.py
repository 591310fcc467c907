"""The day's appointments, booking them and checking patients in (FHIR R4 Appointment).

An appointment names its patient and practitioner as participants (actor Patient/<id> and
Practitioner/<id>); R4 Appointment has no subject, so the patient comes from there. Times
are stored as FHIR instants with the workstation's UTC offset and shown in local time.

Each call checks the session's permission first. A day is read a page at a time (PAGE_SIZE
appointments, by time) in a read transaction, so a busy day never holds up a save; each
page shown writes one audit row naming its patients (the list discloses who is coming in).
Booking and checking in go through the write path (app.clinical.records): the record,
validated against FHIR R4, its outbox entry and its audit row in one transaction.

A patient who has arrived and whose visit started from the appointment is "in visit": FHIR
R4 Appointment has no status for that (it stays arrived or checked-in until the visit is
finished, then fulfilled), so it is read from the Encounter in progress that names the
appointment (app.clinical.visits.encounters), found through the waiting patients' chart
index.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy
from sqlalchemy import Connection

from app.clinical.fhir.names import family_given, main_name
from app.clinical.records import ChangeFeed, Records
from app.clinical.visits.providers import providers
from app.errors import InvalidRecord, NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

# The day is found by a range seek on the index of appointments by start time in UTC
# (schema v12, appointment_by_start, named so the planner never scans every Appointment
# instead): SQLite's datetime() reads the instant's offset, so appointments made in another
# time zone still fall on the right day. Only what ordering, counting and "Mine" need is
# read for the whole day; the records themselves are read for the page shown (PAGE_QUERY).
DAY_QUERY = sqlalchemy.text(
    "SELECT id, datetime(json_extract(json, '$.start')) AS at, json_extract(json, '$.status'),"
    " json_extract(json, '$.participant') FROM resource INDEXED BY appointment_by_start"
    " WHERE type = 'Appointment'"
    " AND deleted = 0 AND datetime(json_extract(json, '$.start')) >= :since"
    " AND datetime(json_extract(json, '$.start')) < :until"
    " AND json_extract(json, '$.status') IS NOT 'entered-in-error'"  # never was one
    " ORDER BY at, id"
)
PAGE_QUERY = sqlalchemy.text(
    "SELECT id, json FROM resource WHERE type = 'Appointment' AND id IN :ids"
).bindparams(sqlalchemy.bindparam("ids", expanding=True))
PAGE_SIZE = 200  # a day's list shows this many appointments at a time
HERE = ("arrived", "checked-in")  # the patient is in the waiting room
IN_VISIT_QUERY = sqlalchemy.text(
    "SELECT json_extract(r.json, '$.appointment') FROM patient_compartment c JOIN resource r"
    " ON r.type = c.type AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id IN :patients"
    " AND c.section = 'encounters' AND c.status = 'in-progress'"
).bindparams(sqlalchemy.bindparam("patients", expanding=True))
BATCH = 500  # patients asked about per query (SQLite bounds a statement's parameters)
PEOPLE_QUERY = sqlalchemy.text(
    "SELECT id, json FROM resource WHERE type = :type AND deleted = 0 AND id IN :ids"
).bindparams(sqlalchemy.bindparam("ids", expanding=True))

# FHIR R4 appointmentstatus; only a booked appointment can be checked in.
STATUSES = ("proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
            "entered-in-error", "checked-in", "waitlist")
NOT_CHECKABLE = {
    "proposed": "is only proposed, not booked yet",
    "pending": "is not confirmed yet",
    "waitlist": "is on the waiting list, not booked",
    "arrived": "is already checked in",
    "checked-in": "is already checked in",
    "fulfilled": "is already over",
    "cancelled": "was cancelled; book a new one",
    "noshow": "was marked as not attended; book a new one",
    "entered-in-error": "was entered in error",
}
# HL7 v2 table 0276 (appointment reason codes), the binding R4 gives appointmentType.
APPOINTMENT_TYPES = {"Check-up": "CHECKUP", "Emergency": "EMERGENCY", "Follow-up": "FOLLOWUP",
                     "Routine": "ROUTINE", "Walk-in": "WALKIN"}
V2_0276 = "http://terminology.hl7.org/CodeSystem/v2-0276"


@dataclass(frozen=True)
class Appointment:
    id: str
    start: datetime  # aware, in the workstation's local time
    end: datetime | None
    patient_id: str | None
    patient_name: str  # "Family, Given", as patient search lists patients
    practitioner: str  # "Given Family", as users' full names are written
    type: str
    status: str  # FHIR R4 appointmentstatus code
    in_visit: bool = False  # arrived, and a visit started from it is in progress


@dataclass(frozen=True)
class DayPage:
    """One page of a day's appointments, and what the whole day holds."""

    appointments: list[Appointment]  # by time (then by id, so pages never overlap)
    first: int  # the position of the first one in the day, from 0
    total: int  # appointments that day (with the practitioner asked for)
    waiting: int  # of the total, patients who have arrived and are not in their visit yet
    to_come: int  # of the total, booked and not arrived yet
    in_visit: int = 0  # of the total, patients in the visit started from the appointment


class Schedule:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._store = store
        self._records = Records(store, feed)

    def today(self, session: Session, day: date, provider: str | None = None,
              first: int = 0) -> DayPage:
        """The appointments starting on `day` (local time) from position `first` (the last
        page if the day has fewer now), at most PAGE_SIZE, by time; cancelled ones included
        and those entered in error left out. With `provider` (a Hearth user name), only
        those booked with their Practitioner, found as the calendar finds it: never those
        of another practitioner who has the same name."""
        session.require(Permission.READ_DEMOGRAPHICS)
        if first < 0:
            raise InvalidRecord(f"A day's list starts at its first appointment, not {first}.")
        since, until = (_utc_text(datetime.combine(d, time.min).astimezone())
                        for d in (day, day + timedelta(days=1)))
        with self._store.read() as conn:
            slots = conn.execute(DAY_QUERY, {"since": since, "until": until}).all()
            if provider is not None:
                slots = _with_provider(conn, slots, provider)
            if first >= len(slots):  # fewer than when the page was asked for: the last page
                first = max(0, (len(slots) - 1) // PAGE_SIZE * PAGE_SIZE)
            shown = [slot.id for slot in slots[first:first + PAGE_SIZE]]
            records = dict(conn.execute(PAGE_QUERY, {"ids": shown}).all()) if shown else {}
            in_visit = _in_visit(conn, [slot for slot in slots if slot[2] in HERE])
            appointments = listed(conn, [fhir_json.loads(records[rid]) for rid in shown],
                                         in_visit)
        if appointments:
            self._audit_page(session, day, appointments, first, len(slots))
        here = sum(slot[2] in HERE for slot in slots)
        return DayPage(appointments, first, len(slots), waiting=here - len(in_visit),
                       to_come=sum(slot[2] == "booked" for slot in slots),
                       in_visit=len(in_visit))

    def _audit_page(self, session: Session, day: date, shown: list[Appointment],
                    first: int, total: int) -> None:
        """One row for the page, naming each patient shown once, in the order shown."""
        patients = ", ".join(dict.fromkeys(a.patient_id for a in shown if a.patient_id))
        with self._records.read(session, Permission.READ_DEMOGRAPHICS) as work:
            work.read("Appointment", f"schedule of {day.isoformat()}, appointments "
                                     f"{first + 1}-{first + len(shown)} of {total}; patients: "
                                     f"{patients or 'none'}")

    def check_in(self, session: Session, appointment_id: str) -> Appointment:
        """Mark a booked appointment "arrived": the patient is here."""
        with self._records.write(session, Permission.MANAGE_SCHEDULE) as work:
            resource = work.get("Appointment", appointment_id)
            if resource is None:
                raise NotFound(f"There is no appointment {appointment_id} to check in.")
            if reason := NOT_CHECKABLE.get(resource.get("status", "")):
                when = _local(resource.get("start"))
                at = f" at {when:%H:%M} on {when:%d %b}" if when else ""
                raise InvalidRecord(f"The patient cannot be checked in: the appointment{at} "
                                    f"{reason}.")
            resource["status"] = "arrived"
            work.save(resource, "update", "checked in (arrived)")
            return listed(work.conn, [resource])[0]

    def book(self, session: Session, patient_id: str, practitioner_ref: str, start: datetime,
             minutes: int, kind: str, status: str = "booked") -> Appointment:
        """Book `patient_id` with `practitioner_ref` ("Practitioner/<id>") at `start` (naive
        means local time) for `minutes`; `kind` is the appointment type as shown, e.g.
        "Follow-up". `status` other than "booked" is for entering past or imported visits."""
        session.require(Permission.MANAGE_SCHEDULE)
        if minutes <= 0:
            raise InvalidRecord(f"An appointment lasts at least a minute, not {minutes}.")
        if not kind.strip():
            raise InvalidRecord("Say what the appointment is for (its type).")
        if status not in STATUSES:
            raise InvalidRecord(f"{status!r} is not an appointment status; use one of "
                                f"{', '.join(STATUSES)}.")
        ref_type, practitioner_id = practitioner_ref.partition("/")[::2]
        if ref_type != "Practitioner" or not practitioner_id:
            raise InvalidRecord(f"{practitioner_ref!r} is not a Practitioner/<id> reference.")
        start = start.astimezone()
        with self._records.write(session, Permission.MANAGE_SCHEDULE) as work:
            patient = work.require_patient(patient_id, " to book")
            doctor = work.get("Practitioner", practitioner_id)
            if doctor is None:
                raise NotFound(f"There is no practitioner {practitioner_id} to book with.")
            appointment = {
                "resourceType": "Appointment",
                "id": str(uuid.uuid4()),
                "status": status,
                "appointmentType": _appointment_type(kind.strip()),
                "start": start.isoformat(timespec="seconds"),
                "end": (start + timedelta(minutes=minutes)).isoformat(timespec="seconds"),
                "minutesDuration": minutes,
                "participant": [
                    {"actor": {"reference": f"Patient/{patient_id}",
                               "display": given_family(patient)},
                     "required": "required", "status": "accepted"},
                    {"actor": {"reference": practitioner_ref, "display": given_family(doctor)},
                     "required": "required", "status": "accepted"},
                ],
            }
            work.save(appointment, "create", f"booked {kind.strip()} with "
                                             f"{given_family(doctor)}")
            return listed(work.conn, [appointment])[0]


def _with_provider(conn: Connection, slots: list, user: str) -> list:
    """The day's slots booked with the Practitioner of the clinician whose user name is
    `user` (none if they have none yet)."""
    who = next((p for p in providers(conn) if p.user == user), None)
    if who is None or who.reference is None:
        return []
    return [slot for slot in slots if (actor := _actor(
        {"participant": fhir_json.loads(slot[3] or "[]")}, "Practitioner"))
            and actor.get("reference") == who.reference]


def _in_visit(conn: Connection, arrived: list) -> set[str]:
    """Of the slots of patients who have arrived, the ids of those whose patient is in a
    visit in progress started from that appointment."""
    patients = {actor["reference"].removeprefix("Patient/") for slot in arrived
                if (actor := _actor({"participant": fhir_json.loads(slot[3] or "[]")},
                                    "Patient"))}
    ids, named = {slot.id for slot in arrived}, set()
    batch = sorted(patients)
    for start in range(0, len(batch), BATCH):
        for (links,) in conn.execute(IN_VISIT_QUERY, {"patients": batch[start:start + BATCH]}):
            named |= {str(link.get("reference", "")).removeprefix("Appointment/")
                      for link in fhir_json.loads(links or "[]")}
    return ids & named


def listed(conn: Connection, resources: list[dict],
                  in_visit: set[str] = frozenset()) -> list[Appointment]:
    """Appointments as listed, with the current names of their patients and practitioners
    (a name changed since booking shows as it is now; the booking's display otherwise)."""
    actors = [(_actor(r, "Patient"), _actor(r, "Practitioner")) for r in resources]
    patients = _people(conn, "Patient", {p["reference"] for p, _ in actors if p})
    doctors = _people(conn, "Practitioner", {d["reference"] for _, d in actors if d})
    return [
        Appointment(
            id=r["id"],
            # an unreadable start (not FHIR, so never written here) sorts first
            start=_local(r.get("start")) or datetime.min.replace(tzinfo=UTC),
            end=_local(r.get("end")),
            patient_id=patient["reference"].removeprefix("Patient/") if patient else None,
            patient_name=_name(patient, patients, lambda p: family_given(p, "(no name)"))
            or "(no patient)",
            practitioner=_name(doctor, doctors, given_family),
            type=_type_text(r),
            status=r.get("status", ""),
            in_visit=r["id"] in in_visit,
        )
        for r, (patient, doctor) in zip(resources, actors, strict=True)
    ]


def _name(actor: dict | None, stored: dict[str, dict], written: Callable[[dict], str]) -> str:
    """The stored person's name, else the name the appointment was booked with."""
    if actor is None:
        return ""
    person = stored.get(actor["reference"])
    return written(person) if person else actor.get("display", "")


def _actor(appointment: dict, kind: str) -> dict | None:
    """The first participant of this kind: its actor (reference and display)."""
    for participant in appointment.get("participant", []):
        actor = participant.get("actor") or {}
        if str(actor.get("reference", "")).startswith(f"{kind}/"):
            return actor
    return None


def _people(conn: Connection, kind: str, references: set[str]) -> dict[str, dict]:
    if not references:
        return {}
    ids = [ref.removeprefix(f"{kind}/") for ref in references]
    rows = conn.execute(PEOPLE_QUERY, {"type": kind, "ids": ids})
    return {f"{kind}/{rid}": fhir_json.loads(body) for rid, body in rows}


def given_family(person: dict) -> str:
    name = main_name(person)
    return " ".join([*name.get("given", []), name.get("family", "")]).strip() or name.get(
        "text", "(no name)")


def _appointment_type(kind: str) -> dict:
    code = APPOINTMENT_TYPES.get(kind)
    return {"coding": [{"system": V2_0276, "code": code}], "text": kind} if code else {
        "text": kind}


def _type_text(appointment: dict) -> str:
    """appointmentType, else the first serviceType, as text."""
    for concept in (appointment.get("appointmentType"),
                    *appointment.get("serviceType", [])):
        if concept:
            coding = concept.get("coding") or [{}]
            if text := concept.get("text") or coding[0].get("display"):
                return text
    return ""


def _local(instant: str | None) -> datetime | None:
    """A FHIR instant in local time (one without an offset is taken as local already)."""
    try:
        return datetime.fromisoformat(instant).astimezone() if instant else None
    except ValueError:
        return None


def _utc_text(moment: datetime) -> str:
    """As SQLite's datetime() writes a UTC time, so the two compare as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
