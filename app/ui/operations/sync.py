"""Operations on sync's side of the store: the open conflicts, one conflict, resolving it
(a double booking by its own decisions), and what is on this computer only."""

from dataclasses import dataclass

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.fhir.names import family_given
from app.clinical.sync.conflicts import Conflict
from app.clinical.sync.local_only import LocalOnly, local_only
from app.clinical.visits.double_booking import Decision, DoubleBookings, Side
from app.errors import NotFound
from app.ui.common.background import Background
from app.ui.operations import Op

CONFLICTS = "conflicts"
CONFLICT = "conflict opened"
BOTH_BOOKINGS = "double booking compared"
LOCAL_ONLY = "records on this computer only"


@dataclass(frozen=True)
class ConflictRow:
    conflict: Conflict
    patient: str | None  # the patient's name, when this store has the patient


def conflict_rows(ws: Workstation, names: dict[str, str | None]) -> list[ConflictRow]:
    """The open conflicts with their patients' names, for the database thread.

    A Patient conflict carries the name; for any other record the patient is read once
    (an audited read) and remembered in `names`, so a list reloaded every cycle does not
    write a read of the same patient to the audit trail every few minutes. `names` is only
    touched here, on the one database thread.
    """
    rows = []
    for conflict in ws.conflicts.list(ws.session):
        if conflict.type == "Patient":
            name = family_given(conflict.local or conflict.remote or conflict.base)
        elif (patient_id := conflict.patient_id) is None:
            name = None
        else:
            if patient_id not in names:
                try:
                    names[patient_id] = family_given(ws.patients.get(ws.session, patient_id))
                except NotFound:
                    names[patient_id] = None
            name = names[patient_id]
        rows.append(ConflictRow(conflict, name))
    return rows


def conflicts(owner: QObject, background: Background, ws: Workstation,
              names: dict[str, str | None]) -> Op[list[ConflictRow]]:
    return Op(owner, background, lambda: conflict_rows(ws, names), CONFLICTS)


def conflict(owner: QObject, background: Background, ws: Workstation,
             conflict_id: int) -> Op[Conflict]:
    return Op(owner, background, lambda: ws.conflicts.get(ws.session, conflict_id), CONFLICT)


def resolve(owner: QObject, background: Background, ws: Workstation, conflict_id: int,
            keep: str, merged: dict | None) -> Op[Conflict]:
    """Keep "local", "remote" or the "merged" version the person wrote."""
    return Op(owner, background,
              lambda: ws.conflicts.resolve(ws.session, conflict_id, keep, merged))


def double_booking(owner: QObject, background: Background, ws: Workstation,
                   conflict_id: int) -> Op[tuple[Side, Side]]:
    """The appointment booked here and the other one, side by side."""
    return Op(owner, background,
              lambda: DoubleBookings(ws.store, ws.changes).sides(ws.session, conflict_id),
              BOTH_BOOKINGS)


def decide_double_booking(owner: QObject, background: Background, ws: Workstation,
                          conflict_id: int, decision: Decision) -> Op[str]:
    """Overbook, move the one booked here, or cancel one; what was done, as a sentence."""
    return Op(owner, background, lambda: DoubleBookings(ws.store, ws.changes).resolve(
        ws.session, conflict_id, decision))


def local_records(owner: QObject, background: Background, ws: Workstation) -> Op[LocalOnly]:
    """The records no server has confirmed, by type (the outbox, counted)."""
    return Op(owner, background, lambda: local_only(ws.store), LOCAL_ONLY)
