"""Double bookings made offline on two workstations: found at sync, decided by a person.

Two workstations offline can each book a provider at the same time. Both appointments are
different records, so sync merges nothing and nothing clashes field by field: without this
both would simply be kept. So each pull checks the appointments it brings (a check run in
the pull's transaction, app.bootstrap hands it to app.store.sync_side): an arriving
appointment that overlaps, for the same provider, an appointment booked on THIS workstation
that reached the server after it (or has not reached it yet) makes this workstation the
second to sync, and the clash is held as a sync conflict of kind "double-booking" for a
person here to resolve. The appointment booked here is the conflict's record (its outbox
rows wait if it was not sent yet); the one that arrived is its other side. The workstation
that synced first finds its own appointment earlier on the server and raises nothing: one
clash, one person deciding it. A deliberate overbooking (marked with its reason,
app.clinical.visits.slots.OVERBOOKED) is never a conflict, nor is a clash of days gone by
(before today: both visits have happened or not, there is nothing left to move or cancel);
that also keeps a first sync of years of history from reading the whole calendar per page.

The person decides one of (`hearth conflicts resolve ID --overbook/--move/--cancel`):
keep both (an overbooking: the appointment booked here carries the reason), move the one
booked here to another time, or cancel either one with a reason. Each decision is saved
through the write path and sent at the next sync, so the first workstation sees it then.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection

from app.clinical.fhir.names import family_given, main_name
from app.clinical.records import ChangeFeed, Records, Work
from app.clinical.visits.slots import OVERBOOKED, Booked, calendar
from app.errors import InvalidRecord, NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.resources import RECORD
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

KIND = "double-booking"
LONGEST = timedelta(hours=12)  # an appointment starting this long before may still overlap
DECISIONS = ("overbook", "move", "cancel-here", "cancel-other")
ALREADY_HELD = ("SELECT 1 FROM conflict WHERE kind = 'double-booking' AND resolved_at IS NULL "
                "AND resource_id = ? AND json_extract(remote_json, '$.id') = ?")
HOLD = ("INSERT INTO conflict (type, resource_id, local_json, remote_json, remote_version, "
        "detected_at, kind, reason) VALUES ('Appointment', ?, ?, ?, ?, ?, 'double-booking', ?)")


@dataclass(frozen=True)
class Decision:
    """How a person settles a double booking: `action` one of DECISIONS; `reason` for an
    overbooking or a cancellation; `start` the new time when moving the one booked here."""

    action: str
    reason: str | None = None
    start: datetime | None = None


def held(conn: Connection) -> frozenset[str]:
    """The appointments of a double booking nobody has decided yet, both sides: the
    calendar marks them so the front desk knows to settle it in the Sync tab."""
    rows = conn.exec_driver_sql(
        "SELECT resource_id, json_extract(remote_json, '$.id') FROM conflict WHERE kind = "
        "'double-booking' AND resolved_at IS NULL").all()
    return frozenset(i for row in rows for i in row if i)


def hold_double_bookings(conn: Connection, received: list[dict], user: str, at: str
                         ) -> list[tuple[str | None, str, str]]:
    """The pull's check: hold each clash of an arriving appointment with one booked here
    that reached the server later; an audit row (patient, entity, detail) for each. The
    page's appointments are compared with one read of the calendar around them."""
    today = datetime.combine(date.today(), time.min).astimezone()
    arriving = {}
    for arrived in received:
        if arrived["resourceType"] == "Appointment" and not _overbooked(arrived):
            try:
                start = datetime.fromisoformat(arrived["start"]).astimezone()
            except (KeyError, ValueError):
                continue
            if start >= today - LONGEST:  # a clash over by now has nothing left to decide
                arriving[arrived["id"]] = (arrived, start)
    if not arriving:
        return []
    starts = [start for _, start in arriving.values()]
    booked = calendar(conn, min(starts) - LONGEST, max(starts) + LONGEST)
    clashes = []  # (the one here, the one that arrived)
    for practitioner, bookings in booked.by_practitioner.items():
        if practitioner is None:  # nobody to be double-booked
            continue
        for theirs in (b for b in bookings if b.id in arriving):
            clashes += [(mine, arriving[theirs.id][0]) for mine in booked.clashes(
                bookings, theirs.start, theirs.end, besides=theirs.id)
                if mine.id not in arriving and not mine.overbooked]
    here = _booked_here(conn, [mine for mine, _ in clashes])
    return [note for mine, arrived in clashes if mine.id in here
            for note in _hold(conn, mine.id, arrived, at)]


def _hold(conn: Connection, mine_id: str, arrived: dict, at: str
          ) -> list[tuple[str | None, str, str]]:
    """Hold one clash if the appointment `mine_id`, booked here, reached the server after
    `arrived` (and it is not held already); its audit row."""
    local = fhir_json.loads(conn.exec_driver_sql(
        "SELECT json FROM resource WHERE type = 'Appointment' AND id = ?",
        (mine_id,)).scalar_one())
    if (not _reached_server_after(conn, local, arrived)
            or conn.exec_driver_sql(ALREADY_HELD, (mine_id, arrived["id"])).first()):
        return []
    reason = _reason(conn, local, arrived)
    conflict_id = conn.exec_driver_sql(HOLD, (
        mine_id, fhir_json.dumps(local).decode(), fhir_json.dumps(arrived).decode(),
        arrived.get("meta", {}).get("versionId"), at, reason)).lastrowid
    conn.exec_driver_sql(  # not sent yet: it waits for the person's decision
        f"UPDATE local_change SET held_by = ? WHERE record = {RECORD} AND held_by IS NULL",
        (conflict_id, "Appointment", mine_id))
    return [(patient_of(local), f"Appointment/{mine_id}",
             f"sync conflict {conflict_id}: {reason}")]


@dataclass(frozen=True)
class Side:
    """One of the two appointments, as the person deciding compares them."""

    appointment_id: str
    booked_here: bool
    start: datetime  # local time
    end: datetime | None
    patient: str  # "Family, Given"
    provider: str
    kind: str  # the appointment type's text
    status: str


class DoubleBookings:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._records = Records(store, feed)

    def sides(self, session: Session, conflict_id: int) -> tuple[Side, Side]:
        """The appointment booked here and the other one, as they stand now; one audited read
        of each patient named."""
        with self._records.read(session, Permission.MANAGE_SCHEDULE) as work:
            row = work.conn.exec_driver_sql(
                "SELECT resource_id, json_extract(remote_json, '$.id') FROM conflict "
                "WHERE id = ? AND kind = ?", (conflict_id, KIND)).first()
            if row is None:
                raise NotFound(f"There is no double booking among the sync conflicts with "
                               f"number {conflict_id}.")
            found = [work.get("Appointment", rid) for rid in row]
            if None in found:
                raise NotFound("One of the two appointments is no longer here; sync again.")
            return tuple(_side(work, appointment, here) for appointment, here in
                         zip(found, (True, False), strict=True))

    def resolve(self, session: Session, conflict_id: int, decision: Decision) -> str:
        """Settle an open double booking; what was done, as a sentence."""
        if decision.action not in DECISIONS:
            raise InvalidRecord(f"Decide a double booking with one of {', '.join(DECISIONS)}, "
                                f"not {decision.action!r}.")
        needs_reason = decision.action != "move"
        if needs_reason and not (decision.reason or "").strip():
            raise InvalidRecord("Say why (--reason TEXT): an overbooking or a cancellation "
                                "keeps its reason on the appointment.")
        if decision.action == "move" and decision.start is None:
            raise InvalidRecord("Say when the appointment booked here moves to (--move "
                                "YYYY-MM-DDTHH:MM).")
        with self._records.write(session, Permission.MANAGE_SCHEDULE) as work:
            row = work.conn.exec_driver_sql(
                "SELECT resource_id, json_extract(remote_json, '$.id'), resolved_at, "
                "resolved_by, resolution FROM conflict WHERE id = ? AND kind = ?",
                (conflict_id, KIND)).first()
            if row is None:
                raise NotFound(f"There is no double booking among the sync conflicts with "
                               f"number {conflict_id}.")
            mine_id, other_id, resolved_at, resolved_by, resolution = row
            if resolved_at:
                raise InvalidRecord(f"Conflict {conflict_id} was already resolved by "
                                    f"{resolved_by} at {resolved_at} ({resolution}).")
            mine, other = (work.get("Appointment", rid) for rid in (mine_id, other_id))
            if mine is None or other is None:
                raise NotFound("One of the two appointments is no longer here; sync again.")
            done = _decide(work, mine, other, decision)
            work.conn.exec_driver_sql("UPDATE local_change SET held_by = NULL WHERE held_by = ?",
                                      (conflict_id,))
            work.conn.exec_driver_sql(
                "UPDATE conflict SET local_json = ?, resolved_at = ?, resolution = ?, "
                "resolved_by = ? WHERE id = ?",
                (fhir_json.dumps(work.get("Appointment", mine_id)).decode(), work.at, done,
                 session.user, conflict_id))
            work.audit("update", patient=patient_of(mine), entity=f"Appointment/{mine_id}",
                       detail=f"sync conflict {conflict_id} resolved: {done}")
        return done


def _decide(work: Work, mine: dict, other: dict, decision: Decision) -> str:
    reason = (decision.reason or "").strip()
    if decision.action == "overbook":
        kept = [e for e in mine.get("extension", []) if e.get("url") != OVERBOOKED]
        mine["extension"] = [*kept, {"url": OVERBOOKED, "valueString": reason}]
        work.save(mine, "update", f"kept both bookings (overbooked): {reason}")
        return f"kept both (overbooked: {reason})"
    if decision.action == "move":
        return _move(work, mine, decision.start.astimezone())
    cancelled = mine if decision.action == "cancel-here" else other
    cancelled["status"] = "cancelled"
    cancelled["cancelationReason"] = {"text": reason}
    work.save(cancelled, "update", f"cancelled (double booking): {reason}")
    which = "the one booked here" if cancelled is mine else "the one booked elsewhere"
    return f"cancelled {which} ({reason})"


def _side(work: Work, appointment: dict, booked_here: bool) -> Side:
    patient_id = patient_of(appointment)
    patient = patient_id and work.patient(patient_id, "double booking compared")
    end = appointment.get("end")
    return Side(appointment["id"], booked_here,
                datetime.fromisoformat(appointment["start"]).astimezone(),
                datetime.fromisoformat(end).astimezone() if end else None,
                family_given(patient, "(no name)") if patient else "(unknown patient)",
                _provider_name(work.conn, appointment),
                (appointment.get("appointmentType") or {}).get("text") or "appointment",
                appointment.get("status", ""))


def _move(work: Work, mine: dict, start: datetime) -> str:
    old = datetime.fromisoformat(mine["start"]).astimezone()
    end = start + (datetime.fromisoformat(mine["end"]) - old if mine.get("end")
                   else timedelta(minutes=mine.get("minutesDuration") or 1))
    if start < datetime.now().astimezone():
        raise InvalidRecord(f"{start:%H:%M on %d %b %Y} has passed; choose a time from now "
                            "on.")
    booked = calendar(work.conn, start - LONGEST, end)
    if clash := booked.clashes(booked.of(_practitioner(mine)), start, end, besides=mine["id"]):
        raise InvalidRecord(f"{start:%H:%M on %d %b %Y} is booked too (until "
                            f"{clash[0].end.astimezone():%H:%M}); choose another time.")
    mine["start"], mine["end"] = (t.isoformat(timespec="seconds") for t in (start, end))
    work.save(mine, "update", f"moved from {old:%H:%M on %d %b %Y} (double booking)")
    return f"moved the one booked here to {start:%H:%M on %d %b %Y}"


def _reason(conn: Connection, mine: dict, arrived: dict) -> str:
    when = datetime.fromisoformat(mine["start"]).astimezone()
    return (f"{_provider_name(conn, mine)} is booked twice at {when:%H:%M on %d %b %Y}: "
            f"{_who(conn, mine)} (booked here) and {_who(conn, arrived)} (booked on another "
            "workstation). Keep both (overbook, with a reason), move the one booked here, or "
            "cancel one with a reason")


def _who(conn: Connection, appointment: dict) -> str:
    concept = appointment.get("appointmentType") or {}
    kind = concept.get("text") or "appointment"
    start = datetime.fromisoformat(appointment["start"]).astimezone()
    end = f"–{datetime.fromisoformat(appointment['end']).astimezone():%H:%M}" if (
        appointment.get("end")) else ""
    patient_id = patient_of(appointment)
    body = patient_id and conn.exec_driver_sql(
        "SELECT json FROM resource WHERE type = 'Patient' AND id = ?",
        (patient_id,)).scalar_one_or_none()
    name = family_given(fhir_json.loads(body), "(no name)") if body else "(unknown patient)"
    return f"{name}, {kind} {start:%H:%M}{end}"


def _provider_name(conn: Connection, appointment: dict) -> str:
    reference = _practitioner(appointment) or ""
    body = conn.exec_driver_sql(
        "SELECT json FROM resource WHERE type = 'Practitioner' AND id = ?",
        (reference.removeprefix("Practitioner/"),)).scalar_one_or_none()
    name = main_name(fhir_json.loads(body)) if body else {}
    return " ".join([*name.get("given", []), name.get("family", "")]).strip() or reference


def _practitioner(appointment: dict) -> str | None:
    return next((ref for p in appointment.get("participant", [])
                 if str(ref := (p.get("actor") or {}).get("reference", "")).startswith(
                     "Practitioner/")), None)


def _overbooked(appointment: dict) -> bool:
    return any(e.get("url") == OVERBOOKED for e in appointment.get("extension", []))


def _booked_here(conn: Connection, bookings: list[Booked]) -> set[str]:
    """Of these appointments, the ids of those made on this workstation: their creation is
    in this store's audit trail (read through its index by patient, a batch at a time)."""
    wanted = {f"Appointment/{b.id}": b.patient.removeprefix("Patient/") for b in bookings
              if b.patient}
    patients, found = sorted(set(wanted.values())), set()
    for start in range(0, len(patients), 500):  # SQLite bounds a statement's parameters
        batch = patients[start:start + 500]
        found |= {entity for (entity,) in conn.exec_driver_sql(
            f"SELECT entity FROM audit WHERE patient IN ({', '.join('?' * len(batch))}) "
            "AND action = 'create' AND entity LIKE 'Appointment/%'", tuple(batch))
            if entity in wanted}
    return {entity.removeprefix("Appointment/") for entity in found}


def _reached_server_after(conn: Connection, mine: dict, arrived: dict) -> bool:
    """Whether the appointment booked here reached the server after the one that arrived
    (or has not reached it yet): then this workstation is the second to sync."""
    sent = conn.exec_driver_sql(
        "SELECT json_extract(json, '$.meta.lastUpdated') FROM base WHERE type = "
        "'Appointment' AND id = ?", (mine["id"],)).scalar_one_or_none()
    if sent is None:
        return True
    theirs = arrived.get("meta", {}).get("lastUpdated")
    return theirs is None or _instant(sent) >= _instant(theirs)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))

