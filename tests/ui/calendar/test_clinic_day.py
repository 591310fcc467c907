"""The Calendar's clinic day: every provider a column, their appointments in it, and a free
cell booking with that column's provider."""

from datetime import date, datetime, time, timedelta

from PySide6.QtCore import Qt

from app.clinical.visits.booking import BookingRequest
from app.ui.calendar.booking_dialog import BookingDialog
from app.ui.calendar.view import CalendarView

WAIT = 10_000
NEXT_MONDAY = date.today() - timedelta(days=date.today().weekday()) + timedelta(days=7)


def at(clock: time, day: date = NEXT_MONDAY) -> datetime:
    return datetime.combine(day, clock).astimezone()


def book(ws, patient_id: str, user: str, start: datetime) -> str:
    return ws.booking.book(ws.session, BookingRequest(patient_id, start, "Routine", user)).id


def open_clinic_day(qtbot, station, background) -> CalendarView:
    """The calendar switched to the clinic's day (Alt+2) and turned to next Monday."""
    view = CalendarView(station, background)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitUntil(lambda: view.grid.week is not None, timeout=WAIT)
    qtbot.keyClick(view.grid, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert view.next.text() == "Next day ▶"
    for _ in range((NEXT_MONDAY - date.today()).days):
        qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.grid.columns and view.grid.columns[0].day == NEXT_MONDAY
                    and view.grid.week is None, timeout=WAIT)
    return view


def row_of(view: CalendarView, clock: time) -> int:
    return (clock.hour - view.grid.first_hour) * 60 // view.grid.slot + clock.minute // 15


def test_the_clinic_day_shows_each_providers_appointments_in_their_own_column(
        qtbot, clinic, ws, background):
    book(ws, clinic.patient_ids["Johnston"], "drlee", at(time(9)))
    other = next(name for name in clinic.patient_ids if name != "Johnston")
    book(ws, clinic.patient_ids[other], "nina", at(time(9)))
    view = open_clinic_day(qtbot, ws, background)
    assert [c.heading for c in view.grid.columns] == ["Dr Lee", "Nina Nurse"]
    assert view.grid.booked_at(0, row_of(view, time(9))).patient_name.startswith("Johnston")
    assert view.grid.booked_at(1, row_of(view, time(9))).patient_name.startswith(other)
    assert view.title.text().startswith("Clinic: Monday")
    assert "2 appointments this day" in view.said.text()


def test_a_free_cell_in_the_second_column_books_with_that_provider(qtbot, clinic, background):
    frank = clinic.sign_in("frank")  # the front desk
    try:
        view = open_clinic_day(qtbot, frank, background)
        view.grid.setFocus()
        qtbot.keyClick(view.grid, Qt.Key.Key_Right)  # Nina Nurse's column
        while view.grid.cursor[1] != row_of(view, time(10)):
            qtbot.keyClick(view.grid, Qt.Key.Key_Down if view.grid.cursor[1] < row_of(
                view, time(10)) else Qt.Key.Key_Up)
        qtbot.keyClick(view.grid, Qt.Key.Key_Return)
        dialog = view.dialog
        assert isinstance(dialog, BookingDialog) and dialog.windowTitle() == "Book with Nina Nurse"
        qtbot.keyClicks(dialog.search, "Johnston")
        qtbot.waitUntil(lambda: dialog.hits.count() > 0, timeout=WAIT)
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.grid.booked_at(1, row_of(view, time(10))) is not None,
                        timeout=WAIT)
        made = view.grid.booked_at(1, row_of(view, time(10)))
        assert made.practitioner == "Nina Nurse" and made.patient_name.startswith("Johnston")
        assert view.grid.booked_at(0, row_of(view, time(10))) is None
    finally:
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        frank.store.close()


def test_the_rooms_view_shows_an_appointment_in_its_room_and_whose_it_is(
        qtbot, clinic, ws, background):
    ws.booking.book(ws.session, BookingRequest(clinic.patient_ids["Johnston"], at(time(9)),
                                               "Routine", "drlee", room="Room 2"))
    view = open_clinic_day(qtbot, ws, background)
    qtbot.keyClick(view.grid, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: view.title.text().startswith("Rooms:"), timeout=WAIT)
    assert [c.heading for c in view.grid.columns] == ["Room 1", "Room 2", "Treatment room"]
    assert view.grid.booked_at(0, row_of(view, time(9))) is None
    shown = view.grid.booked_at(1, row_of(view, time(9)))
    assert shown.patient_name.startswith("Johnston")
    qtbot.keyClick(view.grid, Qt.Key.Key_Right)
    while view.grid.cursor[1] != row_of(view, time(9)):
        qtbot.keyClick(view.grid, Qt.Key.Key_Down if view.grid.cursor[1] < row_of(
            view, time(9)) else Qt.Key.Key_Up)
    assert view.grid.toolTip().startswith("Room 2, Mon")
    assert view.grid.toolTip().endswith("Booked, with Dr Lee")
