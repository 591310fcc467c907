"""Repeating appointments: an RFC 5545 RRULE (python-dateutil) made into real Appointments.

Each occurrence is an Appointment of its own: it syncs alone and is moved, cancelled or
marked a no-show alone. The occurrences share a series identifier (system
urn:hearth:appointment-series) and carry the rule as written (extension
urn:hearth:recurrence), for display; nothing expands a stored rule later, so a series can
never vanish or shift because a rule was re-read. "This and following" moves or cancels
the occurrences of a series from one on.

The rule is read in local wall-clock time from the first start (a 09:00 weekly visit stays
at 09:00 across a change of summer time). A rule without COUNT or UNTIL is cut at the
policy's scheduling.max_occurrences, and the answer says so; a rule with an end that makes
more than that is refused.

A series is booked whole or not at all: if any occurrence falls outside the provider's
hours, in the past or on another booking, nothing is stored and the refusal lists every
such date with its reason. A patient told "weekly for six weeks" must get six, or hear at
the desk which dates fail, not find a gap later; the desk then picks another time, or books
the odd date alone. An occurrence on an appointment of another series of the same patient
or provider is refused as overlapping series.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

import sqlalchemy
from dateutil.rrule import rrule, rrulestr

from app.clinical.records import Work
from app.clinical.visits.booking import (
    MOVABLE,
    UNCHOSEN,
    Booking,
    BookingRequest,
    cancel_in,
    stored,
)
from app.clinical.visits.booking_checks import Wanted, bookable_patient, check, moment
from app.clinical.visits.booking_errors import BookingRefused
from app.clinical.visits.providers import ensure_practitioner
from app.clinical.visits.rooms import ensure_room, room
from app.clinical.visits.schedule import Appointment, listed
from app.clinical.visits.slots import OVERBOOKED, SERIES, Calendar, calendar
from app.security.roles import Permission
from app.security.session import Session
from fhir_common import fhir_json

RECURRENCE = "urn:hearth:recurrence"  # valueString: the RRULE as the desk wrote it
OF_SERIES = sqlalchemy.text(
    "SELECT id, json FROM resource WHERE type = 'Appointment' AND deleted = 0 AND EXISTS"
    " (SELECT 1 FROM json_each(resource.json, '$.identifier') WHERE json_extract(value, '$.system')"
    " = :system AND json_extract(value, '$.value') = :series)"
    " ORDER BY datetime(json_extract(json, '$.start'))")
ENDS = re.compile(r"\b(COUNT|UNTIL)=", re.IGNORECASE)
UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)
LISTED = 5  # problem dates named in a refusal; the rest are counted


@dataclass(frozen=True)
class SeriesBooked:
    series_id: str
    rule: str
    appointments: list[Appointment]
    capped: str | None  # the sentence saying an endless rule was cut, else None


class Series:
    def __init__(self, booking: Booking):
        self._booking = booking

    def starts(self, rule_text: str, first: datetime) -> tuple[list[datetime], str | None]:
        """The occurrences' starts (aware, local) and, for an endless rule, the sentence
        saying where it was cut."""
        body = rule_text.strip().removeprefix("RRULE:").removeprefix("rrule:")
        local = UNTIL_UTC.sub(lambda m: "UNTIL=" + datetime.strptime(
            m.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC).astimezone().strftime(
            "%Y%m%dT%H%M%S"), body)  # the rule is read in local time
        try:
            rule = rrulestr(local, dtstart=first.astimezone().replace(tzinfo=None))
        except (ValueError, TypeError, OverflowError) as exc:
            said = str(exc) if str(exc).startswith(("invalid", "unknown", "RRULE")) else (
                "it must be NAME=VALUE parts joined by ';'")  # not dateutil's own wording
            raise BookingRefused(f"The repeat rule {rule_text.strip()!r} is not an RFC 5545 "
                                 f"RRULE ({said}); write one like FREQ=WEEKLY;COUNT=6.") from None
        if not isinstance(rule, rrule):
            raise BookingRefused(f"The repeat rule {rule_text.strip()!r} is not one RRULE; "
                                 "write one like FREQ=WEEKLY;COUNT=6.")
        cap = self._booking.clinic.rules.max_occurrences
        starts = [at.astimezone() for at in islice(rule, cap + 1)]
        if not starts:
            raise BookingRefused(f"The repeat rule {body!r} makes no appointment from "
                                 f"{moment(first)}.")
        endless = ENDS.search(body) is None
        if len(starts) > cap and not endless:
            raise BookingRefused(f"The repeat rule {body!r} makes more than {cap} appointments; "
                                 f"the clinic allows {cap} in one series (policy scheduling."
                                 "max_occurrences). Shorten it with COUNT or UNTIL.")
        if not endless:
            return starts, None
        starts = starts[:cap]
        return starts, (f"The repeat rule {body!r} has no end (COUNT or UNTIL), so it was "
                        f"capped at {cap} appointments, the last at {moment(starts[-1])} "
                        "(policy scheduling.max_occurrences).")

    def book(self, session: Session, request: BookingRequest, rule_text: str) -> SeriesBooked:
        """Every occurrence booked, or none (see the module note)."""
        kind = self._booking.clinic.types.get(request.type)
        length = timedelta(minutes=request.minutes or kind.minutes)
        starts, capped = self.starts(rule_text, request.start)
        body = rule_text.strip().removeprefix("RRULE:")
        with self._booking.records.write(session, Permission.MANAGE_SCHEDULE) as work:
            patient = bookable_patient(work, request.patient_id, " to book")
            booked = calendar(work.conn, starts[0], starts[-1] + length + timedelta(hours=1))
            ref = f"Patient/{request.patient_id}"
            place = room(work.conn, self._booking.clinic.availability, request.room) if (
                request.room) else None
            first = Wanted(UNCHOSEN, ref, starts[0], starts[0] + length, room=place)
            who = self._booking.named(work, session, request.provider) or self._booking.choose(
                work, session, None, first, booked)[0]
            wanted = [Wanted(who, ref, at, at + length, request.overbook_reason, room=place)
                      for at in starts]
            overbooked = self._checked(booked, wanted)
            who = ensure_practitioner(work, who, self._booking.clinic.availability)
            if place:
                place = ensure_room(work, place, self._booking.clinic.availability)
            series_id, made = str(uuid.uuid4()), []
            for number, (want, over) in enumerate(zip(wanted, overbooked, strict=True), 1):
                resource = self._booking.resource(patient, who, want.start, want.end,
                                                  kind.name, "booked", place)
                resource["identifier"] = [{"system": SERIES, "value": series_id}]
                resource["extension"] = [{"url": RECURRENCE, "valueString": body}] + (
                    [{"url": OVERBOOKED, "valueString": request.overbook_reason.strip()}]
                    if over else [])
                work.save(resource, "create", f"booked {kind.name} with {who.name} at "
                          f"{moment(want.start)}, {number} of {len(wanted)} of series "
                          f"{series_id} ({body})")
                made.append(resource)
            return SeriesBooked(series_id, body, listed(work.conn, made), capped)

    def move_following(self, session: Session, appointment_id: str,
                       start: datetime) -> list[Appointment]:
        """This occurrence to `start`, and each later one of its series by as much."""
        with self._booking.records.write(session, Permission.MANAGE_SCHEDULE) as work:
            moving = self._following(work, appointment_id, "moved")
            delta = start.astimezone() - _start(moving[0])
            booked = calendar(work.conn, _start(moving[0]) + min(delta, timedelta(0)),
                              _start(moving[-1]) + max(delta, timedelta(0)) + timedelta(days=1))
            free = booked.without({r["id"] for r in moving})
            problems = []
            for resource in moving:
                try:
                    when = self._booking.shift(work, resource, _start(resource) + delta, None,
                                               free)
                except BookingRefused as refused:
                    problems.append(f"{_start(resource):%a %d %b %Y}: {refused.message}")
                    continue
                work.save(resource, "update", f"moved with the following occurrences to {when}")
            if problems:
                raise BookingRefused(_refusal("The occurrences were not moved", len(moving),
                                              problems))
            return listed(work.conn, moving)

    def cancel_following(self, session: Session, appointment_id: str,
                         reason: str | None = None) -> list[Appointment]:
        """This occurrence and each later one of its series, cancelled."""
        with self._booking.records.write(session, Permission.MANAGE_SCHEDULE) as work:
            cancelling = self._following(work, appointment_id, "cancelled")
            for resource in cancelling:
                cancel_in(work, resource, reason)
            return listed(work.conn, cancelling)

    def _checked(self, booked: Calendar, wanted: list[Wanted]) -> list[bool]:
        """Whether each occurrence overbooks; or the refusal naming every date that fails."""
        problems, overbooked, series = [], [], set()
        for n, want in enumerate(wanted):
            if n and want.start < wanted[n - 1].end:
                raise BookingRefused("The repeat rule makes appointments that overlap each "
                                     f"other ({moment(want.start)}); space them further apart.")
            for bookings in (booked.by_patient.get(want.patient, []),
                             booked.of(want.who.reference)):
                series |= {b.series for b in booked.clashes(bookings, want.start, want.end)
                           if b.series}
            try:
                overbooked.append(check(self._booking.clinic, booked, want,
                                        self._booking.now()))
            except BookingRefused as refused:
                problems.append(f"{want.start:%a %d %b %Y}: {refused.message}")
        if series:
            raise BookingRefused(f"The series overlaps another repeating series of the same "
                                 f"patient or provider ({', '.join(sorted(series))}); move or "
                                 "cancel that series first, or choose another time.")
        if problems:
            raise BookingRefused(_refusal("The series was not booked", len(wanted), problems))
        return overbooked

    def _following(self, work: Work, appointment_id: str, done: str) -> list[dict]:
        """The occurrence and the later ones of its series still booked, by start."""
        first = stored(work, appointment_id)
        series = next((i.get("value") for i in first.get("identifier", [])
                       if i.get("system") == SERIES), None)
        if series is None:
            raise BookingRefused(f"The appointment {appointment_id} is not part of a repeating "
                                 f"series; it is {done} on its own.")
        if first.get("status") not in MOVABLE:
            raise BookingRefused(f"The appointment {appointment_id} cannot be {done}: it is "
                                 f"{first.get('status')}.")
        rows = work.conn.execute(OF_SERIES, {"system": SERIES, "series": series})
        return [r for r in (fhir_json.loads(body) for _, body in rows)
                if r.get("status") in MOVABLE and _start(r) >= _start(first)]


def _start(resource: dict) -> datetime:
    return datetime.fromisoformat(resource["start"]).astimezone()


def _refusal(what: str, total: int, problems: list[str]) -> str:
    more = f"; and {len(problems) - LISTED} more" if len(problems) > LISTED else ""
    return (f"{what}: {len(problems)} of its {total} dates cannot be booked, nothing was "
            f"stored. " + " ".join(problems[:LISTED]) + more)
