"""A provider's week as the calendar screen shows it: each day's open hours (breaks taken
out) and the appointments booked with them, cancelled and not attended ones included so the
front desk sees what happened to a time.

Reading a week discloses who is coming in, so the week is read in one read transaction and
then audited in one row naming every patient shown, as Today audits its page (the read
never holds up a save). The provider's appointments are those naming their Practitioner, as
booking writes them. The colours are the appointment types' (resources/scheduling/
appointment-types.json or the clinic's copy).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy

from app.clinical.records import Records
from app.clinical.visits.booking import Booking
from app.clinical.visits.double_booking import held
from app.clinical.visits.providers import Provider, providers
from app.clinical.visits.schedule import Appointment, listed
from app.errors import NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

STATUS_TEXT = {"proposed": "Proposed", "pending": "Pending", "booked": "Booked",
               "arrived": "Arrived", "checked-in": "Checked in", "fulfilled": "Seen",
               "cancelled": "Cancelled", "noshow": "No-show", "waitlist": "Waitlist"}
# A range seek on the index of appointments by start (schema v12), keeping only records that
# quote the provider's reference (the participant is then checked after parsing): cheaper
# than reading the participants of every clinician's appointments that week.
WEEK_QUERY = sqlalchemy.text(
    "SELECT json FROM resource INDEXED BY appointment_by_start WHERE type = 'Appointment'"
    " AND deleted = 0 AND datetime(json_extract(json, '$.start')) >= :since"
    " AND datetime(json_extract(json, '$.start')) < :until"
    " AND json_extract(json, '$.status') IS NOT 'entered-in-error'"
    " AND instr(json, :mentions) > 0"
    " ORDER BY datetime(json_extract(json, '$.start')), id")
UNKNOWN_TYPE_COLOUR = "#8C8C8C"  # a type the clinic's file no longer lists


@dataclass(frozen=True)
class CalendarDay:
    day: date
    open_hours: list[tuple[datetime, datetime]]  # aware local times, breaks taken out
    appointments: list[Appointment]  # by start


@dataclass(frozen=True)
class ProviderWeek:
    provider: Provider
    monday: date
    days: list[CalendarDay]  # Monday to Sunday
    slot_minutes: int  # the grid bookings start on
    held: frozenset[str] = frozenset()  # ids of a double booking waiting in the Sync tab


class Weeks:
    def __init__(self, store: Store, booking: Booking):
        self._store, self._booking = store, booking
        self._records = Records(store)

    def providers(self, session: Session) -> list[Provider]:
        """The clinicians who have a calendar (physicians and nurses not locked out)."""
        session.require(Permission.READ_DEMOGRAPHICS)
        with self._store.read() as conn:
            return providers(conn)

    def week(self, session: Session, user: str, day: date) -> ProviderWeek:
        """The week (Monday to Sunday) holding `day` of the clinician `user`."""
        session.require(Permission.READ_DEMOGRAPHICS)
        monday = day - timedelta(days=day.weekday())
        since, until = (_utc_text(datetime.combine(d, time.min).astimezone())
                        for d in (monday, monday + timedelta(days=7)))
        with self._store.read() as conn:
            who = next((p for p in providers(conn) if p.user == user), None)
            if who is None:
                raise NotFound(f"There is no clinician {user!r} with a calendar.")
            found = [fhir_json.loads(body) for body in conn.execute(WEEK_QUERY, {
                "since": since, "until": until, "mentions": f'"{who.reference}"'}).scalars()
                     ] if who.reference else []
            shown = listed(conn, [r for r in found if _practitioner(r) == who.reference])
            undecided = held(conn)
        if shown:
            self._audit(session, who, monday, shown)
        template = self._booking.clinic.availability.template_of(user)
        days = [monday + timedelta(days=offset) for offset in range(7)]
        return ProviderWeek(who, monday, [CalendarDay(
            current, template.open_hours(current) if template else [],
            [a for a in shown if a.start.date() == current]) for current in days],
            self._booking.clinic.availability.slot_minutes, undecided)

    def _audit(self, session: Session, who: Provider, monday: date,
               shown: list[Appointment]) -> None:
        """One row for the week shown, naming each patient once, in the order shown."""
        patients = ", ".join(dict.fromkeys(a.patient_id for a in shown if a.patient_id))
        with self._records.read(session, Permission.READ_DEMOGRAPHICS) as work:
            work.read("Appointment", f"calendar of {who.name}, week of {monday.isoformat()}, "
                                     f"appointments shown: {len(shown)}; patients: {patients}")

    def colour(self, type_name: str) -> str:
        """The colour of an appointment type, by name or code."""
        found = self._booking.clinic.types.of({"appointmentType": {"text": type_name}})
        return found.colour if found else UNKNOWN_TYPE_COLOUR


def _practitioner(appointment: dict) -> str | None:
    """The Practitioner reference among an appointment's participants."""
    references = (str((p.get("actor") or {}).get("reference", ""))
                  for p in appointment.get("participant", []))
    return next((r for r in references if r.startswith("Practitioner/")), None)


def _utc_text(moment: datetime) -> str:
    """As SQLite's datetime() writes an instant, to compare with it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
