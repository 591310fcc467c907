"""Whether a provider can take a booking at a time: the rules every booking, move, waitlist
fill and series occurrence meets, each refusal a sentence naming what was wrong.

- not in the past;
- inside the provider's open hours (their week template, breaks taken out);
- not over another booking of the provider, unless overbooked with a reason, and then at
  most the policy's scheduling.max_overbook_per_hour in that clock hour;
- never over another booking of the same patient;
- with a room: the room open then and free (a room is never overbooked);
- for a patient record still in use: one merged into another (Patient.link replaced-by,
  app.clinical.patients.merge) is refused naming the record kept, where the chart and the
  appointments now are.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.clinical.fhir.names import family_given, medical_record_number
from app.clinical.patients.merge import merged_into
from app.clinical.records import Work
from app.clinical.visits.appointment_types import AppointmentTypes
from app.clinical.visits.availability import Availability
from app.clinical.visits.booking_errors import AlreadyBooked, BookingRefused
from app.clinical.visits.providers import Provider
from app.clinical.visits.rooms import Room
from app.clinical.visits.slots import Booked, Calendar
from app.security.policy import SchedulingPolicy


@dataclass(frozen=True)
class ClinicCalendars:
    """The clinic's scheduling data and rules, as the policy names them."""

    types: AppointmentTypes
    availability: Availability
    rules: SchedulingPolicy

    @classmethod
    def of(cls, rules: SchedulingPolicy) -> "ClinicCalendars":
        return cls(AppointmentTypes(rules.appointment_types_file),
                   Availability(rules.availability_file), rules)


@dataclass(frozen=True)
class Wanted:
    """A time asked of a provider, for a patient ("Patient/<id>")."""

    who: Provider
    patient: str
    start: datetime
    end: datetime
    overbook_reason: str | None = None
    besides: str | None = None  # the appointment being moved: its own time does not clash
    room: Room | None = None  # the room asked for, if any


def around(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The stretch of calendar the checks of [start, end) read: the clock hour it starts
    in is counted for overbooking."""
    return start, max(end, start.replace(minute=0, second=0, microsecond=0)
                      + timedelta(hours=1))


def check(clinic: ClinicCalendars, calendar: Calendar, wanted: Wanted, now: datetime) -> bool:
    """Refuse the time with a sentence, or say whether it is an overbooking."""
    start, end, who = wanted.start, wanted.end, wanted.who
    not_past(start, now)
    check_hours(clinic, who, start, end)
    if mine := calendar.clashes(calendar.by_patient.get(wanted.patient, []), start, end,
                                wanted.besides):
        raise BookingRefused(f"The patient already has an appointment {span(mine[0])} "
                             f"({mine[0].type or 'no type'}); move or cancel that one first.")
    if wanted.room is not None:
        check_room(clinic, calendar, wanted)
    taken = calendar.clashes(calendar.of(who.reference), start, end, wanted.besides)
    if not taken:
        return False
    reason = (wanted.overbook_reason or "").strip()
    if not reason:
        raise AlreadyBooked(f"{who.name} is already booked {span(taken[0])} "
                             f"({taken[0].type or 'no type'}); choose another time, or "
                             "overbook with a reason.")
    hour = start.replace(minute=0, second=0, microsecond=0)
    squeezed = [b for b in calendar.clashes(calendar.of(who.reference), hour,
                                            hour + timedelta(hours=1), wanted.besides)
                if b.overbooked and hour <= b.start]
    if len(squeezed) >= clinic.rules.max_overbook_per_hour:
        raise BookingRefused(
            f"{who.name} already has {len(squeezed)} overbooked "
            f"{'appointment' if len(squeezed) == 1 else 'appointments'} between "
            f"{hour:%H:%M} and {hour + timedelta(hours=1):%H:%M} on {start:%a %d %b %Y}; the "
            f"clinic allows {clinic.rules.max_overbook_per_hour} an hour "
            "(policy scheduling.max_overbook_per_hour).")
    return True


def bookable_patient(work: Work, patient_id: str, why: str) -> dict:
    """The patient to book (`why`: " to book", ...), or a refusal naming the record kept
    when this one was merged into another."""
    patient = work.require_patient(patient_id, why)
    if (kept_id := merged_into(patient)) is None:
        return patient
    kept = work.get("Patient", kept_id)
    into = (f"{family_given(kept, '(no name)')}, MRN {medical_record_number(kept) or 'none'}"
            if kept else f"Patient {kept_id}")
    raise BookingRefused(f"{family_given(patient, 'This patient')} ({patient_id}) was merged "
                         f"into {into}; book for that record.")


def not_past(start: datetime, now: datetime) -> None:
    if start < now:
        raise BookingRefused(f"{moment(start)} is in the past (it is now {moment(now)}); "
                             "book a time from now on.")


def check_hours(clinic: ClinicCalendars, who: Provider, start: datetime, end: datetime) -> None:
    """Refuse a time outside the provider's open hours that day."""
    template = clinic.availability.template_of(who.user)
    hours = template.open_hours(start.date()) if template else []
    if any(opens <= start and end <= closes for opens, closes in hours):
        return
    if not hours:
        raise BookingRefused(f"{who.name} does not see patients on {start:%A}s "
                             f"({start:%a %d %b %Y}); choose another day.")
    listed = ", ".join(f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in hours)
    raise BookingRefused(f"{start:%H:%M}-{end:%H:%M} on {start:%a %d %b %Y} is outside "
                         f"{who.name}'s hours that day ({listed}).")


def check_room(clinic: ClinicCalendars, calendar: Calendar, wanted: Wanted) -> None:
    """Refuse a room that is closed then or holds another appointment (never overbooked)."""
    place, start, end = wanted.room, wanted.start, wanted.end
    hours = clinic.availability.room_template(place.name).open_hours(start.date())
    if not any(opens <= start and end <= closes for opens, closes in hours):
        listed = ", ".join(f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in hours)
        raise BookingRefused(f"{place.name} is not open {start:%H:%M}-{end:%H:%M} on "
                             f"{start:%a %d %b %Y} (open {listed or 'not at all'} that day).")
    if taken := calendar.clashes(calendar.by_location.get(place.reference, []) if
                                 place.reference else [], start, end, wanted.besides):
        raise BookingRefused(f"{place.name} is taken {span(taken[0])}; choose another room "
                             "or time.")


def moment(at: datetime) -> str:
    """A booking's time as the front desk says it: "09:00 on Mon 02 Mar 2026"."""
    return f"{at.astimezone():%H:%M on %a %d %b %Y}"


def span(booked: Booked) -> str:
    start, end = booked.start.astimezone(), booked.end.astimezone()
    return f"{start:%H:%M}-{end:%H:%M} on {start:%a %d %b %Y}"
