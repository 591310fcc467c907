"""When each provider sees patients, and each room is open: weekly templates of opening
hours with their breaks.

Clinic-editable data (resources/scheduling/availability.json, or the clinic's copy the
policy names): named week templates, each weekday a list of sessions {start, end, breaks},
in local wall-clock time; `providers` assigns a template to each Hearth user name, "*" to
everyone else, and `rooms` one to each room appointments may be booked into.
`slot_minutes` is the grid bookings start on. The free time of a day is its sessions less
their breaks; booked appointments are taken off that (app.clinical.visits.slots), so no
Slot resources are stored: they would be a second copy of the calendar to keep in step,
and FHIR lets a server derive them.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from app.clinical.visits.clinic_files import clinic_file
from app.errors import UsageError

FILE = "availability.json"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Hours = tuple[time, time]


@dataclass(frozen=True)
class WeekTemplate:
    name: str
    days: tuple[tuple[Hours, ...], ...]  # by weekday from Monday: open hours, breaks taken out

    def open_hours(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's open hours as aware local times."""
        return [(_local(day, start), _local(day, end)) for start, end in self.days[day.weekday()]]


class Availability:
    """The templates of one file and who works to which."""

    def __init__(self, path: str | None = None):
        data, self.source = clinic_file(FILE, path)
        self.version = data["version"]
        self.slot_minutes = data.get("slot_minutes", 15)
        if isinstance(self.slot_minutes, bool) or not isinstance(self.slot_minutes, int) or not (
                1 <= self.slot_minutes <= 240):
            raise UsageError(f"slot_minutes in {self.source} must be a whole number of minutes "
                             "from 1 to 240.")
        templates = data.get("templates")
        if not isinstance(templates, dict) or not templates:
            raise UsageError(f"{self.source} names no week templates.")
        self.templates = {name: self._template(name, week) for name, week in templates.items()}
        self._assigned = data.get("providers") or {}
        self.rooms: dict[str, str] = data.get("rooms") or {}  # room name: its week
        for user, name in (*self._assigned.items(), *self.rooms.items()):
            if name not in self.templates:
                raise UsageError(f"{self.source} gives {user!r} the template {name!r}, which "
                                 "it does not define.")

    def template_of(self, user: str) -> WeekTemplate | None:
        """The week `user` works to; None: no template, so never bookable."""
        name = self._assigned.get(user, self._assigned.get("*"))
        return self.templates.get(name) if name else None

    def room_template(self, room: str) -> WeekTemplate | None:
        """The week a room is open; None: not one of the clinic's rooms."""
        name = self.rooms.get(room)
        return self.templates[name] if name else None

    def _template(self, name: str, week) -> WeekTemplate:
        if not isinstance(week, dict) or set(week) - set(WEEKDAYS):
            raise UsageError(f"The template {name!r} in {self.source} must give sessions by "
                             f"weekday ({', '.join(WEEKDAYS)}).")
        return WeekTemplate(name, tuple(tuple(self._sessions(name, day, week.get(day, [])))
                                        for day in WEEKDAYS))

    def _sessions(self, name: str, day: str, sessions) -> list[Hours]:
        hours: list[Hours] = []
        where = f"{name!r} {day}"
        for session in sessions:
            start, end = self._clock(session, "start", where), self._clock(session, "end", where)
            if end <= start:
                raise UsageError(f"A session of {where} in {self.source} ends ({end:%H:%M}) "
                                 f"before it starts ({start:%H:%M}).")
            pieces = [(start, end)]
            for pause in session.get("breaks", []):
                pieces = _less(pieces, (self._clock(pause, "start", where),
                                        self._clock(pause, "end", where)))
            hours += pieces
        return sorted(hours)

    def _clock(self, entry, key: str, where: str) -> time:
        try:
            return time.fromisoformat(entry[key])
        except (KeyError, TypeError, ValueError):
            raise UsageError(f"Each session and break of {where} in {self.source} needs a "
                             f"{key} time like \"08:30\".") from None


def _less(pieces: list[Hours], pause: Hours) -> list[Hours]:
    """The hours with a break taken out."""
    kept = []
    for start, end in pieces:
        if pause[1] <= start or pause[0] >= end:
            kept.append((start, end))
            continue
        if start < pause[0]:
            kept.append((start, pause[0]))
        if pause[1] < end:
            kept.append((pause[1], end))
    return kept


def _local(day: date, clock: time) -> datetime:
    """A wall-clock time of a local day, aware (the offset in force that day)."""
    return datetime.combine(day, clock).astimezone()
