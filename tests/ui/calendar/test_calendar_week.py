"""The Calendar tab: a provider's week, booking from a free cell, cancelling with a reason,
and a role that may only read it (billing)."""

from datetime import date, datetime, time, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.bootstrap import open_workstation
from app.clinical.visits.booking import BookingRequest
from app.ui.calendar.appointment_dialog import AppointmentDialog
from app.ui.calendar.booking_dialog import BookingDialog
from app.ui.calendar.view import CalendarView
from app.ui.shell.workspace import Workspace
from tests.conftest import ADMIN_PASSWORD, password_of

WAIT = 10_000
NEXT_MONDAY = date.today() - timedelta(days=date.today().weekday()) + timedelta(days=7)
ROUTINE = "#4C78A8"  # Routine's colour in resources/scheduling/appointment-types.json


def at(clock: time, day: date = NEXT_MONDAY) -> datetime:
    return datetime.combine(day, clock).astimezone()


def open_calendar(qtbot, station, background) -> CalendarView:
    """The calendar turned to next week, Dr Lee's (the first provider), as a user would."""
    view = CalendarView(station, background)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitUntil(lambda: view.grid.week is not None, timeout=WAIT)
    qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.grid.week.monday == NEXT_MONDAY, timeout=WAIT)
    assert view.current_provider().user == "drlee"
    return view


def go_to(qtbot, view: CalendarView, moment: datetime) -> None:
    """Put the cursor on the cell of `moment` with the arrow keys."""
    view.grid.setFocus()
    target = (view.grid.days.index(moment.date()),
              (moment.hour - view.grid.first_hour) * 60 // view.grid.slot)
    while view.grid.cursor != target:
        column, row = view.grid.cursor
        key = (Qt.Key.Key_Right if column < target[0] else Qt.Key.Key_Left if column > target[0]
               else Qt.Key.Key_Down if row < target[1] else Qt.Key.Key_Up)
        qtbot.keyClick(view.grid, key)


def book(ws, patient_id: str, start: datetime) -> str:
    return ws.booking.book(ws.session, BookingRequest(patient_id, start, "Routine",
                                                      "drlee")).id


def test_the_week_shows_a_booked_appointment_in_its_cell(qtbot, clinic, ws, background):
    book(ws, clinic.patient_ids["Johnston"], at(time(9)))
    view = open_calendar(qtbot, ws, background)
    column, row = view.grid.days.index(NEXT_MONDAY), (9 - view.grid.first_hour) * 4
    shown = view.grid.booked_at(column, row)
    assert shown.patient_name.startswith("Johnston") and shown.status == "booked"
    assert view.grid.booked_at(column, row + 1) is None  # 15 minutes, then free
    block = next(b for b in view.grid.blocks if b.appointment.id == shown.id)
    cell = view.grid.cell_rect(column, row)
    assert view.grid.block_rect(block).toRect().intersects(cell)
    image = view.grid.grab().toImage()
    inside = view.grid.block_rect(block).toRect().adjusted(2, 2, -2, -2)
    colours = {image.pixelColor(x, inside.bottom()).name().upper()
               for x in range(inside.left(), inside.right())}
    assert QColor(ROUTINE).name().upper() in colours
    assert "1 appointment this week" in view.said.text()


def test_booking_from_a_free_cell_creates_it_weekly(qtbot, clinic, background):
    frank = clinic.sign_in("frank")  # the front desk
    try:
        view = open_calendar(qtbot, frank, background)
        go_to(qtbot, view, at(time(10)))
        qtbot.keyClick(view.grid, Qt.Key.Key_Return)
        dialog = view.dialog
        assert isinstance(dialog, BookingDialog) and dialog.isVisible()
        assert dialog.start.dateTime().toPython() == datetime.combine(NEXT_MONDAY, time(10))
        dialog.choose_type("Check-up")
        assert dialog.minutes.value() == 30  # the type's length
        qtbot.keyClicks(dialog.search, "Johnston")
        qtbot.waitUntil(lambda: dialog.hits.count() > 0, timeout=WAIT)
        dialog.repeat.setChecked(True)
        dialog.weeks.setValue(3)
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.grid.booked_at(view.grid.days.index(NEXT_MONDAY),
                                                    (10 - view.grid.first_hour) * 4) is not None,
                        timeout=WAIT)
        assert not dialog.isVisible()
        column, row = view.grid.days.index(NEXT_MONDAY), (10 - view.grid.first_hour) * 4
        made = view.grid.booked_at(column, row + 1)  # 30 minutes: two cells
        assert made.patient_name.startswith("Johnston") and made.type == "Check-up"
        assert view.said.text().startswith("Booked Johnston") and "2 more weekly" in (
            view.said.text())
        qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.grid.week.monday == NEXT_MONDAY + timedelta(days=7),
                        timeout=WAIT)
        assert view.grid.booked_at(column, row).type == "Check-up"
    finally:
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        frank.store.close()


def test_booking_in_the_past_is_refused_in_the_dialog(qtbot, clinic, background):
    frank = clinic.sign_in("frank")
    try:
        view = open_calendar(qtbot, frank, background)
        for _ in range(2):  # the week before this one: all past
            qtbot.mouseClick(view.previous, Qt.MouseButton.LeftButton)
        last_week = NEXT_MONDAY - timedelta(days=14)
        qtbot.waitUntil(lambda: view.grid.week.monday == last_week, timeout=WAIT)
        go_to(qtbot, view, at(time(9), last_week))
        qtbot.keyClick(view.grid, Qt.Key.Key_Return)
        dialog = view.dialog
        qtbot.keyClicks(dialog.search, "Johnston")
        qtbot.waitUntil(lambda: dialog.hits.count() > 0, timeout=WAIT)
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.book_button.isEnabled(), timeout=WAIT)
        assert "past" in dialog.said.text() and dialog.isVisible()
        assert view.grid.booked_at(0, (9 - view.grid.first_hour) * 4) is None
    finally:
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        frank.store.close()


def test_cancel_with_a_reason_shows_it_cancelled(qtbot, clinic, ws, background):
    booked = book(ws, clinic.patient_ids["Johnston"], at(time(11)))
    view = open_calendar(qtbot, ws, background)
    go_to(qtbot, view, at(time(11)))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    dialog = view.dialog
    assert isinstance(dialog, AppointmentDialog)
    qtbot.mouseClick(dialog.buttons["cancel"], Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.said.text().startswith("Say why it is cancelled")
    qtbot.keyClicks(dialog.reason, "patient called")
    qtbot.mouseClick(dialog.buttons["cancel"], Qt.MouseButton.LeftButton)
    column, row = view.grid.days.index(NEXT_MONDAY), (11 - view.grid.first_hour) * 4
    qtbot.waitUntil(lambda: view.grid.booked_at(column, row) is None, timeout=WAIT)
    shown = next(b.appointment for b in view.grid.blocks if b.appointment.id == booked)
    assert shown.status == "cancelled"  # still drawn, faded and struck through
    assert view.said.text() == f"Cancelled {shown.patient_name}'s 11:00 appointment."
    with ws.store.read() as conn:
        reason = conn.exec_driver_sql(
            "SELECT json_extract(json, '$.cancelationReason.text') FROM resource "
            "WHERE id = ?", (booked,)).scalar()
    assert reason == "patient called"
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


@pytest.fixture
def bill(clinic):
    admin = open_workstation(clinic.env, clinic.root, "admin", ADMIN_PASSWORD)
    admin.users.add(admin.session, "bill", "Bill Billing", "billing", password_of("bill"))
    admin.close()
    station = clinic.sign_in("bill")
    yield station
    station.store.close()


def test_billing_reads_the_week_but_sees_no_booking(qtbot, clinic, ws, bill, background):
    book(ws, clinic.patient_ids["Johnston"], at(time(9)))
    view = open_calendar(qtbot, bill, background)
    column, row = view.grid.days.index(NEXT_MONDAY), (9 - view.grid.first_hour) * 4
    assert view.grid.booked_at(column, row).patient_name.startswith("Johnston")
    go_to(qtbot, view, at(time(10)))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    assert view.dialog is None and view.findChildren(BookingDialog) == []
    assert view.said.text() == ("Booking needs the permission “book appointments and check "
                                "patients in”, which the billing role does not have; this "
                                "calendar is read only.")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_move_puts_the_appointment_on_the_cell_picked_next(qtbot, clinic, ws, background):
    booked = book(ws, clinic.patient_ids["Johnston"], at(time(9)))
    view = open_calendar(qtbot, ws, background)
    go_to(qtbot, view, at(time(9)))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    qtbot.mouseClick(view.dialog.buttons["move"], Qt.MouseButton.LeftButton)
    assert view.said.text().startswith("Move Johnston")
    go_to(qtbot, view, at(time(14), NEXT_MONDAY + timedelta(days=1)))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    column, row = view.grid.days.index(NEXT_MONDAY), (9 - view.grid.first_hour) * 4
    qtbot.waitUntil(lambda: view.grid.booked_at(column, row) is None, timeout=WAIT)
    moved = view.grid.booked_at(column + 1, (14 - view.grid.first_hour) * 4)
    assert moved.id == booked and view.said.text().startswith("Moved Johnston")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_the_calendar_tab_is_there_for_the_front_desk_and_billing(qtbot, clinic, bill,
                                                                   background):
    frank = clinic.sign_in("frank")
    try:
        for station in (frank, bill):
            workspace = Workspace(station, background)
            qtbot.addWidget(workspace)
            titles = [workspace.tabText(i) for i in range(workspace.count())]
            assert "Calendar" in titles
            qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
            workspace.leave()
    finally:
        frank.store.close()


def test_moving_into_the_lunch_break_is_refused_and_nothing_moves(qtbot, clinic, ws,
                                                                   background):
    booked = book(ws, clinic.patient_ids["Johnston"], at(time(9)))
    view = open_calendar(qtbot, ws, background)
    go_to(qtbot, view, at(time(9)))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    qtbot.mouseClick(view.dialog.buttons["move"], Qt.MouseButton.LeftButton)
    go_to(qtbot, view, at(time(12)))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.said.text().startswith(("Move", "Moving")), timeout=WAIT)
    assert "12:00" in view.said.text() and not view.said.text().startswith("Moved")
    column = view.grid.days.index(NEXT_MONDAY)
    assert view.grid.booked_at(column, (9 - view.grid.first_hour) * 4).id == booked
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
