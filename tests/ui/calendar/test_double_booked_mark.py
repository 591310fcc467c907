"""A double booking held at sync shows on the calendar: both blocks say so and are drawn with
a red border until it is decided in the Sync tab."""

import copy
import uuid
from datetime import UTC, datetime, time

from app.clinical.visits.double_booking import hold_double_bookings
from app.store.resources import get_resource, put_resource
from app.ui.calendar.grid import DOUBLE_BOOKED, HELD_TEXT
from tests.ui.calendar.test_calendar_week import at, book, go_to, open_calendar


def arrive_at_the_same_time(ws, mine: str, patient_id: str) -> str:
    """Another workstation's booking of the same provider and time, pulled here: the pull's
    own check (hold_double_bookings) holds the clash as a conflict."""
    with ws.store.read() as conn:
        theirs = copy.deepcopy(get_resource(conn, "Appointment", mine))
    theirs["id"] = str(uuid.uuid4())
    for participant in theirs["participant"]:
        if participant["actor"]["reference"].startswith("Patient/"):
            participant["actor"] = {"reference": f"Patient/{patient_id}"}
    now = datetime.now(UTC).isoformat()
    with ws.store.write() as conn:
        put_resource(conn, theirs, "sync", now)
        assert hold_double_bookings(conn, [theirs], "sync", now)
    return theirs["id"]


def test_both_appointments_of_a_held_double_booking_are_marked(qtbot, clinic, ws,
                                                                background):
    mine = book(ws, clinic.patient_ids["Johnston"], at(time(9)))
    theirs = arrive_at_the_same_time(ws, mine, clinic.patient_ids["Conn"])
    view = open_calendar(qtbot, ws, background)
    go_to(qtbot, view, at(time(9)))
    assert view.grid.toolTip().endswith(f"; {HELD_TEXT}")
    blocks = {b.appointment.id: b for b in view.grid.blocks}
    assert set(blocks) == {mine, theirs}
    image = view.grid.grab().toImage()
    for block in blocks.values():
        edge = view.grid.block_rect(block).toRect()
        assert DOUBLE_BOOKED.name() in {image.pixelColor(edge.center().x(), y).name()
                                        for y in range(edge.top() - 1, edge.top() + 2)}
