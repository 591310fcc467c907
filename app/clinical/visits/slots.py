"""Free time: the providers' open hours less what is booked in them.

A booking occupies its provider from start to end unless it was cancelled, not attended,
entered in error or is only on the waiting list. The calendar of a stretch of days, which
the checks of a booking read, is one query (every appointment starting in it, whoever it is
with). The free-time search reads less: only the booked times of one provider, start and
end, from the index of them by practitioner (schema v13), never the records themselves.
"""

import bisect
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate

import orjson
import sqlalchemy
from sqlalchemy import Connection

from app.store.schema.v13 import END, HOLDS_TIME, PRACTITIONER, START

FREEING = ("cancelled", "noshow", "entered-in-error", "waitlist")  # hold no time
OVERBOOKED = "urn:hearth:overbooked"  # valueString: why it was squeezed in
SERIES = "urn:hearth:appointment-series"  # identifier system: the series it belongs to
# A range seek on the index of appointments by start (schema v12), reading only the fields
# a calendar needs: SQLite parses each record once for all of them.
CALENDAR_QUERY = sqlalchemy.text(
    "SELECT id, json_extract(json, '$.start'), json_extract(json, '$.end'),"
    " json_extract(json, '$.minutesDuration'), json_extract(json, '$.participant'),"
    " json_extract(json, '$.appointmentType.text'), json_extract(json, '$.extension'),"
    " json_extract(json, '$.identifier')"
    " FROM resource INDEXED BY appointment_by_start WHERE type = 'Appointment' AND deleted = 0"
    " AND datetime(json_extract(json, '$.start')) >= :since"
    " AND datetime(json_extract(json, '$.start')) < :until"
    " AND json_extract(json, '$.status') NOT IN"
    " ('cancelled', 'noshow', 'entered-in-error', 'waitlist')")
# Providers' booked times, in POSIX seconds by start: a range seek per provider on
# appointment_by_practitioner (schema v13), which holds all it reads, written exactly as the
# index is.
BUSY_QUERY = sqlalchemy.text(
    f"SELECT {PRACTITIONER} AS who, unixepoch({START}) AS at, unixepoch({END})"
    " FROM resource INDEXED BY appointment_by_practitioner"
    f" WHERE {HOLDS_TIME} AND {PRACTITIONER} IN :practitioners"
    f" AND {START} >= :since AND {START} < :until ORDER BY who, at"
).bindparams(sqlalchemy.bindparam("practitioners", expanding=True))
REACH = timedelta(hours=12)  # the longest a booking runs: one started that long before counts


@dataclass(frozen=True, slots=True)
class Booked:
    """The time one appointment holds."""

    start: datetime  # aware, in the offset it was stored with: compare, don't show
    end: datetime
    id: str
    patient: str | None  # "Patient/<id>"
    practitioner: str | None  # "Practitioner/<id>"
    type: str
    overbooked: bool
    series: str | None
    location: str | None = None  # "Location/<id>": the room it is booked into


@dataclass
class Calendar:
    """What is booked from `since` to `until`, by practitioner and by patient, by start."""

    since: datetime
    until: datetime
    by_practitioner: dict[str, list[Booked]] = field(default_factory=dict)
    by_patient: dict[str, list[Booked]] = field(default_factory=dict)
    by_location: dict[str, list[Booked]] = field(default_factory=dict)

    def of(self, practitioner: str | None) -> list[Booked]:
        return self.by_practitioner.get(practitioner, []) if practitioner else []

    def without(self, ids: set[str]) -> "Calendar":
        """The same calendar with these appointments' time freed (they are being moved)."""
        return Calendar(self.since, self.until, *(
            {key: [b for b in bookings if b.id not in ids] for key, bookings in index.items()}
            for index in (self.by_practitioner, self.by_patient, self.by_location)))

    def clashes(self, bookings: list[Booked], start: datetime, end: datetime,
                besides: str | None = None) -> list[Booked]:
        """The bookings that overlap [start, end), other than the appointment `besides`."""
        return [b for b in bookings if b.start < end and start < b.end and b.id != besides]


def calendar(conn: Connection, since: datetime, until: datetime) -> Calendar:
    """What is booked from `since` (and what started up to REACH before, and may run on)
    to `until`, whoever it is with."""
    found = Calendar(since, until)
    rows = conn.execute(CALENDAR_QUERY, {"since": _utc_text(since - REACH),
                                         "until": _utc_text(until)})
    for row in rows:
        booked = _booked(*row)
        if booked is None:
            continue
        for key, index in ((booked.practitioner, found.by_practitioner),
                           (booked.patient, found.by_patient),
                           (booked.location, found.by_location)):
            if key:
                index.setdefault(key, []).append(booked)
    for index in (found.by_practitioner, found.by_patient, found.by_location):
        for bookings in index.values():
            bookings.sort(key=lambda b: b.start)
    return found


@dataclass(frozen=True, slots=True)
class Taken:
    """One provider's booked times in a stretch, as POSIX seconds: the starts in order, and
    beside each the latest end of the bookings up to it (so one bisect says whether a time
    is clear)."""

    starts: list[int]
    reach: list[int]


NOTHING_TAKEN = Taken([], [])


def busy(conn: Connection, practitioners: list[str], since: datetime,
         until: datetime) -> dict[str, Taken]:
    """The times each of `practitioners` ("Practitioner/<id>") is booked, of the
    appointments starting from `since` (less REACH: they may run on) to `until`."""
    rows = conn.execute(BUSY_QUERY, {"practitioners": practitioners,
                                     "until": _utc_text(until),
                                     "since": _utc_text(since - REACH)}).all()
    found: dict[str, tuple[list[int], list[int]]] = {}
    for who, start, end in rows:
        if start is not None and end is not None:
            starts, ends = found.setdefault(who, ([], []))
            starts.append(start)
            ends.append(end)
    return {who: Taken(starts, list(accumulate(ends, max)))
            for who, (starts, ends) in found.items()}


def first_free(open_hours: list[tuple[datetime, datetime]], taken: Taken, after: datetime,
               minutes: int, grid_minutes: int) -> datetime | None:
    """The first start on the grid (counted from each session's start) at or after `after`
    where `minutes` fit in open hours without touching a booked time."""
    length, grid, earliest = minutes * 60, grid_minutes * 60, after.timestamp()
    for opens, closes in open_hours:
        first, last = int(opens.timestamp()), closes.timestamp()
        at = _on_grid(first, max(first, earliest), grid)
        while at + length <= last:
            before = bisect.bisect_left(taken.starts, at + length)  # starting in time
            if before == 0 or taken.reach[before - 1] <= at:
                return opens + timedelta(seconds=at - first)
            at = _on_grid(first, taken.reach[before - 1], grid)  # none fits before it ends
    return None


def _on_grid(opens: int, moment: float, grid: int) -> int:
    """The first grid time at or after `moment` (the grid counted from `opens`), in
    seconds."""
    return opens + grid * int(-((opens - moment) // grid))


def _booked(rid: str, start: str | None, end: str | None, minutes: int | None,
            participants: str | None, kind: str | None, extensions: str | None,
            identifiers: str | None) -> Booked | None:
    """One calendar row as the time it holds; None for a row without a readable start."""
    try:
        began = _aware(datetime.fromisoformat(start))
        ends = _aware(datetime.fromisoformat(end)) if end else began + timedelta(
            minutes=minutes or 1)
    except (TypeError, ValueError):
        return None
    # read with orjson alone: references, urls and codes hold no decimals to keep exact
    actors = [str((p.get("actor") or {}).get("reference", ""))
              for p in orjson.loads(participants or "[]")]
    return Booked(
        began, ends, rid,
        next((a for a in actors if a.startswith("Patient/")), None),
        next((a for a in actors if a.startswith("Practitioner/")), None),
        kind or "",
        bool(extensions) and any(e.get("url") == OVERBOOKED
                                 for e in orjson.loads(extensions)),
        next((i.get("value") for i in orjson.loads(identifiers or "[]")
              if i.get("system") == SERIES), None),
        next((a for a in actors if a.startswith("Location/")), None))


def _aware(moment: datetime) -> datetime:
    """A stored instant as it is (its own offset), or in local time if it has none."""
    return moment if moment.tzinfo else moment.astimezone()


def _utc_text(moment: datetime) -> str:
    """As SQLite's datetime() writes a UTC time, so the two compare as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
