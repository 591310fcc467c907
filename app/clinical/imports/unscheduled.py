"""Imported appointments no calendar of this clinic would show, named in the import report.

An Appointment belongs to a calendar through its Slot (Appointment.slot -> Slot.schedule ->
Schedule) or, as Hearth books them, through its Practitioner, whose Schedule is their
calendar (app.clinical.visits.providers). One arriving from another system may name a Slot
or Schedule that is in neither the file nor the store, or a practitioner who is not one of
this clinic's clinicians. Such an appointment is still imported: it is a patient's real
visit, and refusing it would lose it. It is on Today's list and in the patient's details,
but on no provider's calendar, and nothing warns the clinician who is to see the patient.
So the report names each one, by id and time, with what was unknown, for the front desk to
book it with a clinician here (or to import the missing Schedule). Those that hold no time
(cancelled, not attended, on the waiting list, entered in error) are left out.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, text

from app.clinical.visits.booking_checks import moment
from app.clinical.visits.providers import providers
from app.clinical.visits.slots import FREEING

STORED = text("SELECT :type || '/' || id, json_extract(json, '$.schedule.reference')"
              " FROM resource WHERE type = :type AND deleted = 0 AND id IN :ids"
              ).bindparams(bindparam("ids", expanding=True))
BATCH = 500  # references asked about per query (SQLite bounds a statement's parameters)


@dataclass(frozen=True)
class Imported:
    """An appointment as imported: where it came from and what it names."""

    source: object  # the file, as the report names it
    index: int  # the entry in that file
    id: str
    start: str | None
    slots: tuple[str, ...]  # "Slot/<id>" references
    practitioners: tuple[str, ...]  # "Practitioner/<id>" references

    @classmethod
    def of(cls, source: object, index: int, appointment: dict) -> "Imported | None":
        """None for an appointment that holds no time on a calendar."""
        if appointment.get("status") in FREEING:
            return None
        return cls(source, index, appointment["id"], appointment.get("start"),
                   _references(appointment.get("slot", []), "Slot/"),
                   _references([p.get("actor") or {} for p in appointment.get("participant", [])],
                               "Practitioner/"))


def unscheduled(conn: Connection, imported: list[Imported]) -> list[tuple[Imported, str]]:
    """Each imported appointment no calendar here shows, with a sentence saying why."""
    clinicians = {p.reference for p in providers(conn) if p.reference}
    slots = _stored(conn, "Slot", {ref for one in imported for ref in one.slots})
    schedules = _stored(conn, "Schedule", {s for s in slots.values() if s})
    found = []
    for one in imported:
        why = [_slot_problem(ref, slots, schedules) for ref in one.slots]
        if not any(ref in clinicians for ref in one.practitioners):
            why.append(f"{' and '.join(one.practitioners)} "
                       f"{'is' if len(one.practitioners) == 1 else 'are'} not one of this "
                       "clinic's clinicians" if one.practitioners else "it names no practitioner")
        if why := [w for w in why if w]:
            when = _instant(one.start)
            found.append((one, f"Appointment {one.id} at {moment(when) if when else 'no time'}"
                               f": {'; '.join(why)}. Imported, but on no provider's calendar:"
                               " book it with a clinician here, or import its Schedule."))
    return found


def _slot_problem(ref: str, slots: dict, schedules: dict) -> str | None:
    if ref not in slots:
        return f"{ref} is in neither the file nor the store"
    schedule = slots[ref]
    if not schedule:
        return f"{ref} names no Schedule"
    if schedule not in schedules:
        return f"{ref} is in {schedule}, which is in neither the file nor the store"
    return None


def _stored(conn: Connection, kind: str, references: set[str]) -> dict[str, str | None]:
    """Of these `kind/<id>` references, those the store holds: each with the Schedule it
    names (a Slot's; None for anything else)."""
    ids = sorted(ref.removeprefix(f"{kind}/") for ref in references if ref.startswith(f"{kind}/"))
    found = {}
    for start in range(0, len(ids), BATCH):
        found |= dict(conn.execute(STORED, {"type": kind, "ids": ids[start:start + BATCH]}).all())
    return found


def _instant(start: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(start) if start else None
    except ValueError:
        return None


def _references(nodes: list, prefix: str) -> tuple[str, ...]:
    return tuple(ref for node in nodes if isinstance(node, dict)
                 and isinstance(ref := node.get("reference"), str) and ref.startswith(prefix))
