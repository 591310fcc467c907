"""Booking: the next free slot, booking, overbooking, moving, cancelling, no-shows,
check-out and walk-ins (FHIR R4 Appointment), each write one unit of work of the write path.

Every write checks MANAGE_SCHEDULE (front desk, nurses, physicians), then validates and
saves the Appointment with its outbox entry and an audit row saying what was done, in one
transaction; a refusal stores nothing. The rules a time must meet are in booking_checks.

- A booking is `booked`, with the patient and the provider's Practitioner as participants,
  its type from the clinic's types file and that type's length unless another is asked.
- Overbooking (a time the provider already has booked) needs a reason, kept on the
  appointment (extension urn:hearth:overbooked), and the policy's hourly limit.
- A move keeps the same Appointment (its id, type and length): the server's history and
  the audit row ("moved from 09:00 on ... to ...") keep where it was.
- Cancelling sets `cancelled` and cancelationReason; the waiting list is then asked what
  fits the freed time (app.clinical.visits.waitlist).
- A no-show (`noshow`) is only marked once its time has come.
- Check-out: FHIR R4 has no checked-out status; a visit is over when its Encounter is
  finished, which marks the appointment `fulfilled` (app.clinical.visits.encounters). So
  check-out marks an arrived appointment `fulfilled` and refuses while a visit started
  from it is still in progress: the clinician finishes that, which checks the patient out.
- A walk-in is booked now, already `arrived`, with the clinic's Walk-in type.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection

from app.clinical.records import ChangeFeed, Records, Work
from app.clinical.visits.booking_checks import (
    ClinicCalendars,
    Wanted,
    around,
    bookable_patient,
    check,
    moment,
    not_past,
)
from app.clinical.visits.booking_errors import BookingRefused
from app.clinical.visits.providers import (
    CLINICAL_ROLES,
    Provider,
    ensure_practitioner,
    provider,
    provider_of,
    providers,
)
from app.clinical.visits.rooms import Room, ensure_room, room, room_of
from app.clinical.visits.schedule import Appointment, given_family, listed
from app.clinical.visits.slots import (
    NOTHING_TAKEN,
    OVERBOOKED,
    Calendar,
    Taken,
    busy,
    calendar,
    first_free,
)
from app.errors import NotFound
from app.security.policy import SchedulingPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store

MOVABLE = ("proposed", "pending", "booked")
UNCHOSEN = Provider("", "", None)  # the provider of a time asked of whoever is free
NOT_MOVABLE = {
    "waitlist": "is on the waiting list; fill it into a free time instead",
    "arrived": "has started: the patient is here",
    "checked-in": "has started: the patient is here",
    "fulfilled": "is already over",
    "cancelled": "was cancelled; book a new one",
    "noshow": "was marked as not attended; book a new one",
    "entered-in-error": "was entered in error",
}
IN_VISIT = ("SELECT 1 FROM resource WHERE type = 'Encounter' AND deleted = 0"
            " AND json_extract(json, '$.status') = 'in-progress' AND EXISTS (SELECT 1 FROM"
            " json_each(resource.json, '$.appointment')"
            " WHERE json_extract(value, '$.reference') = ?)")


@dataclass(frozen=True)
class BookingRequest:
    patient_id: str
    start: datetime  # naive means local time
    type: str  # an appointment type's name or code
    provider: str | None = None  # a user name; None: the acting clinician, else whoever is free
    minutes: int | None = None  # None: the type's length
    overbook_reason: str | None = None
    room: str | None = None  # one of the clinic's rooms, or None


@dataclass(frozen=True)
class FreeSlot:
    provider: str  # user name
    provider_name: str
    start: datetime
    end: datetime


def local_now() -> datetime:
    return datetime.now().astimezone()


class Booking:
    def __init__(self, store: Store, rules: SchedulingPolicy, feed: ChangeFeed | None = None,
                 clock: Callable[[], datetime] = local_now):
        self._store = store
        self.records = Records(store, feed)
        self.clinic = ClinicCalendars.of(rules)
        self._clock = clock

    def now(self) -> datetime:
        return self._clock().astimezone()

    def next_free(self, session: Session, kind: str, user: str | None = None,
                  after: datetime | None = None) -> FreeSlot | None:
        """The first time from `after` (default now) within the policy's search_weeks when
        `user` (None: any clinician, the earliest wins, the first by user name on a tie) is
        free for a `kind` appointment.

        The providers' booked times are read a stretch at a time, the first day first, then
        each stretch twice the last, so a search that finds a time soon reads little."""
        session.require(Permission.MANAGE_SCHEDULE)
        length = self.clinic.types.get(kind).minutes
        after = max((after or self.now()).astimezone(), self.now())
        last = after.date() + timedelta(weeks=self.clinic.rules.search_weeks)
        with self._store.read() as conn:
            who = [p for p in ([provider(conn, user)] if user else providers(conn))
                   if self.clinic.availability.template_of(p.user)]
            first, days = after.date(), 1
            while who and first < last:
                upto = min(first + timedelta(days=days), last)
                taken = busy(conn, [p.reference for p in who if p.reference],
                             max(after, _midnight(first)), _midnight(upto))
                if found := self._earliest(who, taken, first, upto, after, length):
                    return found
                first, days = upto, days * 2
        return None

    def _earliest(self, who: list[Provider], taken: dict[str, Taken], first: date,
                  upto: date, after: datetime, minutes: int) -> FreeSlot | None:
        """The earliest free time of any of `who` on the days from `first` to before
        `upto`."""
        best: FreeSlot | None = None
        grid = self.clinic.availability.slot_minutes
        for person in who:
            template = self.clinic.availability.template_of(person.user)
            mine = taken.get(person.reference, NOTHING_TAKEN)
            day = first
            while day < upto and (best is None or day <= best.start.date()):
                if at := first_free(template.open_hours(day), mine, after, minutes, grid):
                    if best is None or at < best.start:
                        best = FreeSlot(person.user, person.name, at,
                                        at + timedelta(minutes=minutes))
                    break
                day += timedelta(days=1)
        return best

    def book(self, session: Session, request: BookingRequest) -> Appointment:
        kind = self.clinic.types.get(request.type)
        minutes = request.minutes or kind.minutes
        if minutes <= 0 or minutes > 24 * 60:
            raise BookingRefused(f"An appointment lasts 1 to 1440 minutes, not {minutes}.")
        start = request.start.astimezone()
        end = start + timedelta(minutes=minutes)
        with self.records.write(session, Permission.MANAGE_SCHEDULE) as work:
            patient = bookable_patient(work, request.patient_id, " to book")
            place = room(work.conn, self.clinic.availability, request.room) if (
                request.room) else None
            booked = calendar(work.conn, *around(start, end))
            who, overbooked = self.choose(work, session, request.provider, Wanted(
                UNCHOSEN, f"Patient/{request.patient_id}", start, end, request.overbook_reason,
                room=place), booked)
            who = ensure_practitioner(work, who, self.clinic.availability)
            if place:
                place = ensure_room(work, place, self.clinic.availability)
            resource = self.resource(patient, who, start, end, kind.name, "booked", place)
            if overbooked:
                resource["extension"] = [{"url": OVERBOOKED,
                                          "valueString": request.overbook_reason.strip()}]
            work.save(resource, "create", f"booked {kind.name} with {who.name} at "
                      f"{moment(start)}" + (f"; overbooked: {request.overbook_reason.strip()}"
                                            if overbooked else ""))
            return listed(work.conn, [resource])[0]

    def choose(self, work: Work, session: Session, user: str | None, wanted: Wanted,
               booked: Calendar) -> tuple[Provider, bool]:
        """The provider asked for, else the acting clinician, else the first clinician free
        for `wanted` (whose provider is UNCHOSEN), by user name; and whether the time
        overbooks them."""
        if who := self.named(work, session, user):
            return who, check(self.clinic, booked, _for(wanted, who), self.now())
        not_past(wanted.start, self.now())
        refusals = []
        for who in providers(work.conn):
            try:
                if not check(self.clinic, booked, _for(wanted, who), self.now()):
                    return who, False
            except BookingRefused as refused:
                refusals.append(refused.message)
        if not refusals:
            raise BookingRefused("No clinician can be booked: add a physician or nurse user.")
        raise BookingRefused(f"No clinician is free at {moment(wanted.start)} (for one: "
                             f"{refusals[0]}) Name one, or ask for the next free time.")

    def named(self, work: Work, session: Session, user: str | None) -> Provider | None:
        """The provider asked for, else the acting user if they see patients, else None."""
        if user is None and session.role in CLINICAL_ROLES:
            user = session.user
        return provider(work.conn, user) if user is not None else None

    def resource(self, patient: dict, who: Provider, start: datetime, end: datetime,
                 kind: str, status: str, place: Room | None = None) -> dict:
        """A new Appointment of `patient` with `who` (in `place`)."""
        rooms = [{"actor": {"reference": place.reference, "display": place.name},
                  "required": "required", "status": "accepted"}] if place else []
        return {
            "resourceType": "Appointment", "id": str(uuid.uuid4()), "status": status,
            "appointmentType": self.clinic.types.get(kind).concept(self.clinic.types.system),
            "start": start.isoformat(timespec="seconds"),
            "end": end.isoformat(timespec="seconds"),
            "minutesDuration": int((end - start).total_seconds() // 60),
            "created": self.now().date().isoformat(),
            "participant": [
                {"actor": {"reference": f"Patient/{patient['id']}",
                           "display": given_family(patient)},
                 "required": "required", "status": "accepted"},
                {"actor": {"reference": who.reference, "display": who.name},
                 "required": "required", "status": "accepted"}, *rooms],
        }

    def move(self, session: Session, appointment_id: str, start: datetime,
             overbook_reason: str | None = None) -> Appointment:
        """The same appointment at `start`, as long as it was."""
        with self.records.write(session, Permission.MANAGE_SCHEDULE) as work:
            resource = self.movable(work, appointment_id, "moved")
            before = datetime.fromisoformat(resource["start"]).astimezone()
            detail = self.shift(work, resource, start.astimezone(), overbook_reason)
            work.save(resource, "update", f"moved from {moment(before)} to {detail}")
            return listed(work.conn, [resource])[0]

    def movable(self, work: Work, appointment_id: str, done: str) -> dict:
        resource = stored(work, appointment_id)
        if resource.get("status") not in MOVABLE:
            raise BookingRefused(f"The appointment {appointment_id} cannot be {done}: it "
                                 f"{NOT_MOVABLE.get(resource.get('status'), 'has no status')}.")
        return resource

    def shift(self, work: Work, resource: dict, start: datetime,
              overbook_reason: str | None, booked=None) -> str:
        """Put a stored appointment at `start` (same length, same provider), checked; the
        new time as the audit says it."""
        old_start = datetime.fromisoformat(resource["start"]).astimezone()
        length = datetime.fromisoformat(resource["end"]).astimezone() - old_start
        actors = [p["actor"]["reference"] for p in resource["participant"]]
        who = provider_of(work.conn, next(a for a in actors if a.startswith("Practitioner/")))
        if who is None:
            raise BookingRefused("The appointment's practitioner is not a Hearth clinician, "
                                 "so their hours are unknown; book a new appointment instead.")
        patient = next(a for a in actors if a.startswith("Patient/"))
        booked = booked or calendar(work.conn, *around(start, start + length))
        place = room_of(work.conn, self.clinic.availability, resource)
        overbooked = check(self.clinic, booked, Wanted(
            who, patient, start, start + length, overbook_reason, resource["id"], place),
            self.now())
        resource["start"] = start.isoformat(timespec="seconds")
        resource["end"] = (start + length).isoformat(timespec="seconds")
        resource["extension"] = [e for e in resource.get("extension", [])
                                 if e.get("url") != OVERBOOKED]
        if overbooked:
            resource["extension"].append({"url": OVERBOOKED,
                                          "valueString": overbook_reason.strip()})
        if not resource["extension"]:
            del resource["extension"]
        return moment(start) + ("; overbooked: " + overbook_reason.strip() if overbooked else "")

    def cancel(self, session: Session, appointment_id: str,
               reason: str | None = None) -> Appointment:
        """Cancelled, with the reason given (or "No reason given")."""
        with self.records.write(session, Permission.MANAGE_SCHEDULE) as work:
            resource = stored(work, appointment_id)
            if resource.get("status") not in (*MOVABLE, "waitlist"):
                raise BookingRefused(
                    f"The appointment {appointment_id} cannot be cancelled: it "
                    f"{NOT_MOVABLE.get(resource.get('status'), 'has no status')}.")
            cancel_in(work, resource, reason)
            return listed(work.conn, [resource])[0]

    def no_show(self, session: Session, appointment_id: str,
                reason: str | None = None) -> Appointment:
        """Marked not attended (FHIR `noshow`), once its time has come."""
        with self.records.write(session, Permission.MANAGE_SCHEDULE) as work:
            resource = stored(work, appointment_id)
            if resource.get("status") != "booked":
                raise BookingRefused(
                    f"The appointment {appointment_id} cannot be marked as not attended: it "
                    f"{NOT_MOVABLE.get(resource.get('status'), 'is not booked')}.")
            start = datetime.fromisoformat(resource["start"]).astimezone()
            if start > self.now():
                raise BookingRefused(f"The appointment is at {moment(start)}, still to come; "
                                     "mark a no-show once its time has come.")
            resource["status"] = "noshow"
            said = (reason or "").strip()
            if said:
                resource["comment"] = f"{resource.get('comment', '')}\nNo-show: {said}".strip()
            work.save(resource, "update", "marked not attended (noshow)" + (
                f": {said}" if said else ""))
            return listed(work.conn, [resource])[0]

    def check_out(self, session: Session, appointment_id: str) -> Appointment:
        """An arrived patient leaves: the appointment is fulfilled (see the module note)."""
        with self.records.write(session, Permission.MANAGE_SCHEDULE) as work:
            resource = stored(work, appointment_id)
            if resource.get("status") not in ("arrived", "checked-in"):
                raise BookingRefused(f"The patient of appointment {appointment_id} cannot be "
                                     "checked out: they have not been checked in.")
            if in_visit(work.conn, appointment_id):
                raise BookingRefused("The visit started from this appointment is still in "
                                     "progress; the clinician finishes it, which checks the "
                                     "patient out.")
            resource["status"] = "fulfilled"
            work.save(resource, "update", "checked out (fulfilled)")
            return listed(work.conn, [resource])[0]

    def walk_in(self, session: Session, patient_id: str,
                user: str | None = None) -> Appointment:
        """A same-day visit from now, the patient already here (`arrived`)."""
        kind = self.clinic.types.get("WALKIN")
        start = self.now().replace(second=0, microsecond=0)
        end = start + timedelta(minutes=kind.minutes)
        with self.records.write(session, Permission.MANAGE_SCHEDULE) as work:
            patient = bookable_patient(work, patient_id, " to see as a walk-in")
            booked = calendar(work.conn, start, end)
            if mine := booked.clashes(booked.by_patient.get(f"Patient/{patient_id}", []),
                                      start, end):
                raise BookingRefused(f"The patient already has an appointment at "
                                     f"{moment(mine[0].start)}; check them in for that one.")
            if user is None and session.role in CLINICAL_ROLES:
                user = session.user
            who = provider(work.conn, user) if user else self._soonest(work.conn, start)
            who = ensure_practitioner(work, who, self.clinic.availability)
            resource = self.resource(patient, who, start, end, kind.name, "arrived")
            work.save(resource, "create", f"walk-in with {who.name}, arrived")
            return listed(work.conn, [resource])[0]

    def _soonest(self, conn: Connection, start: datetime) -> Provider:
        """The clinician free soonest today, for a walk-in nobody was named for."""
        end_of_day = datetime.combine(start.date() + timedelta(days=1), time.min).astimezone()
        everyone, grid = providers(conn), self.clinic.availability.slot_minutes
        taken = busy(conn, [who.reference for who in everyone if who.reference], start,
                     end_of_day)
        best: tuple[datetime, Provider] | None = None
        for who in everyone:
            template = self.clinic.availability.template_of(who.user)
            hours = template.open_hours(start.date()) if template else []
            at = first_free(hours, taken.get(who.reference, NOTHING_TAKEN), start, 1, grid)
            if at and (best is None or at < best[0]):
                best = (at, who)
        if best is None:
            raise BookingRefused("No clinician has free time left today; name one to see the "
                                 "walk-in.")
        return best[1]


def stored(work: Work, appointment_id: str) -> dict:
    resource = work.get("Appointment", appointment_id)
    if resource is None:
        raise NotFound(f"There is no appointment {appointment_id}.")
    return resource


def cancel_in(work: Work, resource: dict, reason: str | None) -> None:
    said = (reason or "").strip() or "No reason given"
    resource["status"] = "cancelled"
    resource["cancelationReason"] = {"text": said}
    work.save(resource, "update", f"cancelled: {said}")


def in_visit(conn: Connection, appointment_id: str) -> bool:
    return conn.exec_driver_sql(IN_VISIT, (f"Appointment/{appointment_id}",)).first() is not None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone()


def _for(wanted: Wanted, who: Provider) -> Wanted:
    return replace(wanted, who=who)
