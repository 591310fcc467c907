"""Screenshot scenes of the front desk's double bookings, run by tests.ui.screenshots (which
see): a double booking from two workstations decided in the Sync tab, and the booking
dialog offering to overbook a time already booked. Not a test: people look at them."""

from pathlib import Path

from app.cli.demo import DOCTOR
from tests.sync.conftest import start_fhir_server
from tests.sync.stations import sync, workstation
from tests.ui.screenshots import desk_window, save, wait_until


def double_booking_dialog(env, work: Path, folder: Path) -> None:
    """Two workstations book Dr Okafor at 09:00 and 09:10 offline (a real SEKMET server
    between them); the second to sync decides the double booking in its Sync tab."""
    from datetime import datetime

    from app.store.resources import put_resource
    from app.ui.common.background import Background
    from app.ui.sync.view import SyncView
    from tests.sync.stations import patient

    with start_fhir_server(work / "double-booking-server") as server:
        first, second = (workstation(env, work / f"booking-{n}") for n in "ab")
        with first.store.write() as conn:
            put_resource(conn, {"resourceType": "Practitioner", "id": "dr-okafor",
                                "name": [{"family": "Okafor", "given": ["Ada"]}]},
                         "setup", "2026-01-01T00:00:00+00:00")
        ann = first.patients.register(first.session, patient("Mensah", "Ann"))
        bea = first.patients.register(first.session, patient("Quist", "Bea"))
        sync(first, server)
        sync(second, server)
        nine = datetime(datetime.now().year + 1, 6, 2, 9, 0)
        first.schedule.book(first.session, ann["id"], "Practitioner/dr-okafor", nine, 20,
                            "Follow-up")
        second.schedule.book(second.session, bea["id"], "Practitioner/dr-okafor",
                             nine.replace(minute=10), 20, "Check-up")
        sync(first, server)
        sync(second, server)
        first.store.close()
    background = Background()
    view = SyncView(second, background)
    view.resize(1280, 520)
    view.show()
    wait_until(lambda: view.conflicts_model.rowCount() > 0)
    save(view, folder, "sync-double-booking")
    view._open_current()
    wait_until(lambda: view.dialog is not None and view.dialog.decide.isEnabled())
    view.dialog.options["cancel-other"].setChecked(True)
    view.dialog.reason.setText("Ann rebooked for Tuesday at her request")
    save(view.dialog, folder, "double-booking-dialog")
    view.dialog.reject()
    view.close()
    background.wait_until_idle()
    second.store.close()


def calendar_overbook(env, info, folder: Path) -> None:
    """The booking dialog refusing Monday 08:30 of next week (booked by calendar_screens) and
    offering to overbook it with a reason; then one of today's appointments, which can be
    checked in. Nothing is saved."""
    from datetime import date, datetime, timedelta

    from PySide6.QtCore import QDateTime


    front = desk_window(env, info)
    view = front.workspace.calendar
    front.workspace.setCurrentWidget(view)
    wait_until(lambda: view.provider.count() > 0)
    view.provider.setCurrentIndex(next(i for i in range(view.provider.count())
                                       if view.provider.itemData(i).user == DOCTOR))
    wait_until(lambda: not view.reading)  # Enter waits for the doctor's week too
    monday = date.today() - timedelta(days=date.today().weekday()) + timedelta(days=7)
    view.choose(datetime.fromisoformat(f"{monday}T11:00").astimezone(), None)
    dialog = view.dialog
    dialog.start.setDateTime(QDateTime(datetime.fromisoformat(f"{monday}T08:30")))
    dialog.search.setText("mar")
    wait_until(lambda: dialog.hits.count() > 0)
    dialog.book_button.click()
    wait_until(dialog.overbook_row.isVisible)
    dialog.overbook_reason.setText("urgent: fever since last night")
    save(dialog, folder, "calendar-overbook")
    dialog.reject()
    wait_until(lambda: view.grid.week is not None and bool(view.grid.blocks))
    today = sorted((b.appointment for b in view.grid.blocks  # the demo books today
                    if b.appointment.start.date() == date.today()),
                   key=lambda a: a.status != "booked")[0]  # one still to come, if any
    view.choose(today.start, today)
    save(view.dialog, folder, "calendar-appointment")
    view.dialog.reject()
    front.close()

