"""The waiting list: patients who want an earlier or any time, as FHIR R4 Appointments with
status `waitlist`, a type and length, the days they can come (requestedPeriod) and, when
they asked for one, the provider; no start yet.

When a booked time is freed (cancelled), `offers` lists the waiting appointments that fit
it: the same provider or none asked, short enough, the day within the days asked for, the
patient free then; longest waiting first. `fill` books one of them into that time: the
waiting Appointment itself becomes `booked` (so the request and the booking are one record
that syncs as one), checked like any booking.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy

from app.clinical.fhir.names import family_given
from app.clinical.records import Work
from app.clinical.visits.booking import Booking, stored
from app.clinical.visits.booking_checks import Wanted, around, bookable_patient, check, moment
from app.clinical.visits.booking_errors import BookingRefused
from app.clinical.visits.providers import ensure_practitioner, provider, provider_of
from app.clinical.visits.schedule import Appointment, given_family, listed
from app.clinical.visits.slots import calendar
from app.security.roles import Permission
from app.security.session import Session
from fhir_common import fhir_json

WAITING = sqlalchemy.text(
    "SELECT id, json FROM resource WHERE type = 'Appointment' AND deleted = 0"
    " AND json_extract(json, '$.status') = 'waitlist'"
    " ORDER BY json_extract(json, '$.created'), id")


@dataclass(frozen=True)
class WaitlistRequest:
    patient_id: str
    type: str  # an appointment type's name or code
    earliest: date  # the first day the patient can come
    latest: date  # the last
    provider: str | None = None  # a user name; None: any clinician


@dataclass(frozen=True)
class Waiting:
    """One patient on the waiting list."""

    id: str
    patient_id: str
    patient_name: str
    type: str
    minutes: int
    earliest: date
    latest: date
    provider: str | None  # "Practitioner/<id>" asked for, or None


class Waitlist:
    def __init__(self, booking: Booking):
        self._booking = booking
        self._records = booking.records

    def add(self, session: Session, request: WaitlistRequest) -> Waiting:
        kind = self._booking.clinic.types.get(request.type)
        if request.latest < request.earliest:
            raise BookingRefused(f"The last day ({request.latest}) is before the first "
                                 f"({request.earliest}); give the days the patient can come.")
        if request.latest < self._booking.now().date():
            raise BookingRefused(f"The days asked for end on {request.latest}, in the past.")
        with self._records.write(session, Permission.MANAGE_SCHEDULE) as work:
            patient = bookable_patient(work, request.patient_id, " to put on the waiting list")
            participants = [{"actor": {"reference": f"Patient/{patient['id']}",
                                       "display": given_family(patient)},
                             "required": "required", "status": "accepted"}]
            if request.provider:
                who = ensure_practitioner(work, provider(work.conn, request.provider),
                                          self._booking.clinic.availability)
                participants.append({"actor": {"reference": who.reference, "display": who.name},
                                     "required": "required", "status": "needs-action"})
            resource = {
                "resourceType": "Appointment", "id": str(uuid.uuid4()), "status": "waitlist",
                "appointmentType": kind.concept(self._booking.clinic.types.system),
                "minutesDuration": kind.minutes,
                "created": self._booking.now().isoformat(timespec="seconds"),
                "requestedPeriod": [{"start": request.earliest.isoformat(),
                                     "end": request.latest.isoformat()}],
                "participant": participants,
            }
            work.save(resource, "create", f"on the waiting list for {kind.name}, "
                                          f"{request.earliest} to {request.latest}")
            return _waiting(resource, patient)

    def offers(self, session: Session, freed_id: str) -> list[Waiting]:
        """The waiting appointments that fit the time appointment `freed_id` held."""
        with self._records.read(session, Permission.MANAGE_SCHEDULE) as work:
            freed = _freed(work, freed_id)
            start = datetime.fromisoformat(freed["start"]).astimezone()
            end = datetime.fromisoformat(freed["end"]).astimezone()
            doctor = _practitioner(freed)
            booked = calendar(work.conn, start, end)
            fits = []
            for _, body in work.conn.execute(WAITING):
                resource = fhir_json.loads(body)
                entry = _waiting(resource, work.get("Patient", _patient(resource)
                                                    .removeprefix("Patient/")))
                if (entry.provider in (None, doctor) and entry.minutes <= (end - start)
                        .total_seconds() // 60 and entry.earliest <= start.date() <= entry.latest
                        and not booked.clashes(booked.by_patient.get(
                            f"Patient/{entry.patient_id}", []), start, start + timedelta(
                            minutes=entry.minutes))):
                    fits.append(entry)
            work.read(f"Appointment/{freed_id}", f"waiting list offered for the time freed at "
                      f"{moment(start)}; patients: "
                      f"{', '.join(e.patient_id for e in fits) or 'none'}")
        return fits

    def fill(self, session: Session, waiting_id: str, freed_id: str) -> Appointment:
        """Book the waiting appointment into the time appointment `freed_id` held."""
        with self._records.write(session, Permission.MANAGE_SCHEDULE) as work:
            freed = _freed(work, freed_id)
            resource = stored(work, waiting_id)
            if resource.get("status") != "waitlist":
                raise BookingRefused(f"The appointment {waiting_id} is not on the waiting list "
                                     f"(it is {resource.get('status')}).")
            start = datetime.fromisoformat(freed["start"]).astimezone()
            end = start + timedelta(minutes=resource.get("minutesDuration") or 15)
            who = provider_of(work.conn, _practitioner(freed) or "")
            if who is None:
                raise BookingRefused("The freed time's practitioner is not a Hearth clinician; "
                                     "book the patient with one instead.")
            patient = _patient(resource)
            check(self._booking.clinic, calendar(work.conn, *around(start, end)),
                  Wanted(who, patient, start, end), self._booking.now())
            resource["status"] = "booked"
            resource["start"] = start.isoformat(timespec="seconds")
            resource["end"] = end.isoformat(timespec="seconds")
            resource["participant"] = [p for p in resource["participant"]
                                       if p["actor"]["reference"].startswith("Patient/")] + [
                {"actor": {"reference": who.reference, "display": who.name},
                 "required": "required", "status": "accepted"}]
            work.save(resource, "update", f"booked from the waiting list at {moment(start)}, "
                                          f"the time freed by Appointment/{freed_id}")
            return listed(work.conn, [resource])[0]


def _freed(work: Work, freed_id: str) -> dict:
    freed = stored(work, freed_id)
    if freed.get("status") not in ("cancelled", "noshow") or not freed.get("start"):
        raise BookingRefused(f"The appointment {freed_id} has not freed its time (it is "
                             f"{freed.get('status')}); cancel it first.")
    return freed


def _practitioner(appointment: dict) -> str | None:
    return next((p["actor"]["reference"] for p in appointment.get("participant", [])
                 if str(p.get("actor", {}).get("reference", "")).startswith("Practitioner/")),
                None)


def _patient(appointment: dict) -> str:
    return next(p["actor"]["reference"] for p in appointment["participant"]
                if str(p.get("actor", {}).get("reference", "")).startswith("Patient/"))


def _waiting(resource: dict, patient: dict | None) -> Waiting:
    period = (resource.get("requestedPeriod") or [{}])[0]
    concept = resource.get("appointmentType") or {}
    actor = next(p["actor"] for p in resource["participant"]
                 if p["actor"]["reference"].startswith("Patient/"))
    return Waiting(resource["id"], actor["reference"].removeprefix("Patient/"),
                   family_given(patient) if patient else actor.get("display", ""),
                   concept.get("text", ""), resource.get("minutesDuration") or 15,
                   date.fromisoformat(period.get("start", "1900-01-01")[:10]),
                   date.fromisoformat(period.get("end", "9999-12-31")[:10]),
                   _practitioner(resource))
