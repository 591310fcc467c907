"""Screenshot scenes of the Calendar's front-desk flows, run by tests.ui.screenshots (which
see): a walk-in found by name, the walk-in arrived in today's column, and a cancelled time
offered to the waiting list. Not a test: people look at them."""

from pathlib import Path

from app.cli.demo import DOCTOR
from tests.ui.screenshots import desk_window, save, wait_until


def walk_in_and_waitlist(env, info, folder: Path) -> None:
    from datetime import date, datetime, timedelta

    from app.clinical.visits.booking import BookingRequest
    from app.clinical.visits.waitlist import Waitlist, WaitlistRequest
    from app.ui.calendar.appointment_dialog import CANCEL
    from app.ui.calendar.waitlist_dialog import OffersDialog

    front = desk_window(env, info)
    ws, view = front.ws, front.workspace.calendar
    front.workspace.setCurrentWidget(view)
    wait_until(lambda: view.provider.count() > 0)
    view.provider.setCurrentIndex(next(i for i in range(view.provider.count())
                                       if view.provider.itemData(i).user == DOCTOR))
    wait_until(lambda: view.grid.week is not None)

    view.desk.walk_in.click()
    walk_in = view.dialog
    walk_in.picker.search.setText("mar")
    wait_until(lambda: walk_in.picker.hits.count() > 0)
    save(walk_in, folder, "calendar-walk-in")
    walk_in.see_now.click()
    wait_until(lambda: view.said.text().startswith("Walk-in:") and any(
        b.appointment.status == "arrived" and b.appointment.type == "Walk-in"
        for b in view.grid.blocks))
    save(front, folder, "calendar-walk-in-arrived")

    with ws.store.read() as conn:
        patients = [pid for (pid,) in conn.exec_driver_sql(
            "SELECT id FROM resource WHERE type = 'Patient' AND deleted = 0 LIMIT 3")]
    wednesday = date.today() - timedelta(days=date.today().weekday()) + timedelta(days=9)
    start = datetime.fromisoformat(f"{wednesday}T14:30").astimezone()
    freed = ws.booking.book(ws.session, BookingRequest(patients[0], start, "Routine", DOCTOR))
    waitlist = Waitlist(ws.booking)
    for patient, kind in ((patients[1], "Follow-up"), (patients[2], "Routine")):
        waitlist.add(ws.session, WaitlistRequest(patient, kind, date.today(),
                                                 wednesday + timedelta(days=14)))
    view.next.click()
    wait_until(lambda: any(b.appointment.id == freed.id for b in view.grid.blocks))
    view.choose(freed.start, freed)
    view.dialog.reason.setText("patient called: feeling better")
    view.dialog.buttons[CANCEL].click()
    wait_until(lambda: isinstance(view.dialog, OffersDialog))
    save(view.dialog, folder, "calendar-waitlist-offers")
    view.dialog.reject()
    front.close()
