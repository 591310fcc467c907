"""Screenshot scenes of the Calendar's clinic day and rooms (called by tests/ui/screenshots.py,
whose helpers it uses): the front desk's view of every provider on one day, a week after the
week scene's so the two never share a time (one time double booked by a sync, held); its
rooms, and booking a free time in one."""

from datetime import date, datetime, timedelta
from pathlib import Path

from app.cli.demo import DOCTOR, NURSE
from app.clinical.visits.booking import BookingRequest
from app.ui.calendar.view import DAY, ROOMS
from tests.ui.screenshots import desk_window, save, wait_until

PLAN = [  # who, when, type, room
    (DOCTOR, "08:30", "Routine", "Room 1"), (DOCTOR, "09:00", "Check-up", "Room 1"),
    (DOCTOR, "10:15", "Follow-up", None), (DOCTOR, "11:00", "Emergency", "Room 1"),
    (DOCTOR, "14:00", "Routine", None), (DOCTOR, "15:30", "Check-up", "Room 2"),
    (NURSE, "08:00", "Routine", "Treatment room"), (NURSE, "09:00", "Follow-up", None),
    (NURSE, "10:00", "Check-up", "Treatment room"), (NURSE, "13:30", "Routine", None),
    (NURSE, "16:00", "Follow-up", "Treatment room")]


def double_booked(ws, mine: str, patient_id: str) -> None:
    """Another workstation's booking of the same provider and time, pulled here and held by
    the pull's own check: both blocks are marked until the Sync tab decides it."""
    import copy
    import uuid
    from datetime import UTC

    from app.clinical.visits.double_booking import hold_double_bookings
    from app.store.resources import get_resource, put_resource

    with ws.store.read() as conn:
        theirs = copy.deepcopy(get_resource(conn, "Appointment", mine))
    theirs["id"] = str(uuid.uuid4())
    theirs["participant"] = [
        {**p, "actor": {"reference": f"Patient/{patient_id}"}}
        if p["actor"]["reference"].startswith("Patient/") else p
        for p in theirs["participant"] if not p["actor"]["reference"].startswith("Location/")]
    now = datetime.now(UTC).isoformat()
    with ws.store.write() as conn:
        put_resource(conn, theirs, "sync", now)
        hold_double_bookings(conn, [theirs], "sync", now)


def clinic_day(env, info, folder: Path) -> None:
    front = desk_window(env, info)
    ws, view = front.ws, front.workspace.calendar
    with ws.store.read() as conn:
        patients = [pid for (pid,) in conn.exec_driver_sql(
            "SELECT id FROM resource WHERE type = 'Patient' AND deleted = 0 LIMIT 10")]
    day = date.today() - timedelta(days=date.today().weekday()) + timedelta(days=15)  # a Tue
    made = [ws.booking.book(ws.session, BookingRequest(
        patients[number % len(patients)], datetime.fromisoformat(f"{day}T{clock}").astimezone(),
        kind, who, room=room)) for number, (who, clock, kind, room) in enumerate(PLAN)]
    ws.booking.cancel(ws.session, made[4].id, "patient called: car broke down")
    double_booked(ws, made[0].id, patients[-1])
    front.workspace.setCurrentWidget(view)
    wait_until(lambda: view.provider.count() > 0)
    view.show_view(DAY)
    view.turn((day - view.day).days)
    wait_until(lambda: view.grid.week is None and view.grid.columns
               and view.grid.columns[0].day == day and view.grid.blocks)
    view.grid.place_cursor(datetime.fromisoformat(f"{day}T11:30").astimezone())
    view.grid.setFocus()
    save(front, folder, "calendar-clinic-day")
    view.show_view(ROOMS)
    wait_until(lambda: view.grid.accessibleName() == "Rooms calendar")
    save(front, folder, "calendar-rooms")
    wait_until(lambda: not view.reading)
    view.grid.cursor = (1, view.grid.cursor[1])  # Room 2, free at 11:30
    view.choose(view.grid.moment(*view.grid.cursor), None)  # as Enter there does
    save(view.dialog, folder, "calendar-room-booking")  # in Room 2, with whom?
    view.dialog.reject()
    front.close()
