"""The clinic's day as the calendar screen shows it: one column per provider (their open
hours, breaks taken out, and what is booked with them) and one per room (its hours and the
appointments booked into it), so the front desk sees who is free at a glance.

Like a provider's week (week.py), the day is one read transaction, a range seek on the index
of appointments by start (schema v12) over the whole clinic, then one audit row naming every
patient shown. An appointment whose practitioner is not one of the clinic's providers (one
arriving by sync from a clinician who has no user here) is left out of the provider
columns; it still shows in its room's.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy

from app.clinical.records import Records
from app.clinical.visits.booking import Booking
from app.clinical.visits.double_booking import held
from app.clinical.visits.providers import Provider, providers
from app.clinical.visits.rooms import LOCATION_OF, ROOM_SYSTEM
from app.clinical.visits.schedule import Appointment, listed
from app.clinical.visits.week import _practitioner, _utc_text
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

DAY_QUERY = sqlalchemy.text(
    "SELECT json FROM resource INDEXED BY appointment_by_start WHERE type = 'Appointment'"
    " AND deleted = 0 AND datetime(json_extract(json, '$.start')) >= :since"
    " AND datetime(json_extract(json, '$.start')) < :until"
    " AND json_extract(json, '$.status') IS NOT 'entered-in-error'"
    " ORDER BY datetime(json_extract(json, '$.start')), id")


@dataclass(frozen=True)
class Column:
    """One column of the calendar grid: a day of one provider, or one provider or room on a
    day. `provider` is whom a free cell books with (None: a room's column)."""

    heading: str
    day: date
    open_hours: list[tuple[datetime, datetime]]  # aware local times, breaks taken out
    appointments: list[Appointment]  # by start
    provider: Provider | None = None
    room: str | None = None


@dataclass(frozen=True)
class ClinicDay:
    day: date
    providers: list[Column]  # by user name
    rooms: list[Column]  # as the availability file lists them; [] when it names none
    slot_minutes: int
    held: frozenset[str] = frozenset()  # ids of a double booking waiting in the Sync tab


class ClinicDays:
    def __init__(self, store: Store, booking: Booking):
        self._store, self._booking = store, booking
        self._records = Records(store)

    def day(self, session: Session, day: date) -> ClinicDay:
        """Every provider's and every room's `day`."""
        session.require(Permission.READ_DEMOGRAPHICS)
        since, until = (_utc_text(datetime.combine(d, time.min).astimezone())
                        for d in (day, day + timedelta(days=1)))
        availability = self._booking.clinic.availability
        with self._store.read() as conn:
            who = providers(conn)
            places = {name: conn.execute(LOCATION_OF, {"system": ROOM_SYSTEM, "name": name}
                                         ).scalar() for name in availability.rooms}
            found = [fhir_json.loads(body) for body in conn.execute(
                DAY_QUERY, {"since": since, "until": until}).scalars()]
            shown = listed(conn, found)
            undecided = held(conn)
        if shown:
            self._audit(session, day, shown)
        doctors = [_practitioner(r) for r in found]
        booked_in = [_locations(r) for r in found]
        columns = []
        for person in who:
            template = availability.template_of(person.user)
            columns.append(Column(person.name, day, template.open_hours(day) if template else [],
                                  [a for a, ref in zip(shown, doctors, strict=True)
                                   if person.reference and ref == person.reference], person))
        rooms = []
        for name, location_id in places.items():
            template = availability.room_template(name)
            rooms.append(Column(name, day, template.open_hours(day) if template else [],
                                [a for a, places_of in zip(shown, booked_in, strict=True)
                                 if location_id and f"Location/{location_id}" in places_of],
                                room=name))
        return ClinicDay(day, columns, rooms, availability.slot_minutes, undecided)

    def _audit(self, session: Session, day: date, shown: list[Appointment]) -> None:
        """One row for the day shown, naming each patient once, in the order shown."""
        patients = ", ".join(dict.fromkeys(a.patient_id for a in shown if a.patient_id))
        with self._records.read(session, Permission.READ_DEMOGRAPHICS) as work:
            work.read("Appointment", f"clinic calendar, {day.isoformat()}, appointments "
                                     f"shown: {len(shown)}; patients: {patients}")


def _locations(appointment: dict) -> set[str]:
    """The Location references among an appointment's participants."""
    return {str((p.get("actor") or {}).get("reference", ""))
            for p in appointment.get("participant", [])} - {""}
