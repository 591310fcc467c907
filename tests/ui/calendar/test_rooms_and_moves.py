"""The Rooms view books a free cell into its room with the clinician chosen in the dialog and
moves an appointment dropped on another room's column there; the keyboard's Move puts an
appointment in another provider's column of the clinic's day."""

from datetime import time

from PySide6.QtCore import Qt

from app.clinical.visits.booking import BookingRequest
from app.ui.calendar.appointment_dialog import MOVE
from app.ui.calendar.booking_dialog import BookingDialog
from tests.ui.calendar.test_calendar_drag import at, drag, open_calendar, row_of, where
from tests.ui.calendar.test_calendar_week import WAIT


def rooms_view(qtbot, station, background):
    view = open_calendar(qtbot, station, background, clinic_day=True)
    qtbot.keyClick(view.grid, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: view.title.text().startswith("Rooms:") and not view.reading,
                    timeout=WAIT)
    return view


def put_cursor(qtbot, view, column: int, clock: time) -> None:
    view.grid.setFocus()
    while view.grid.cursor != (column, row_of(view, clock)):
        c, r = view.grid.cursor
        qtbot.keyClick(view.grid, Qt.Key.Key_Right if c < column else Qt.Key.Key_Left
                       if c > column else Qt.Key.Key_Down if r < row_of(view, clock)
                       else Qt.Key.Key_Up)


def test_a_free_cell_in_a_room_books_into_it_with_the_clinician_chosen(qtbot, clinic,
                                                                         background):
    frank = clinic.sign_in("frank")  # the front desk
    try:
        view = rooms_view(qtbot, frank, background)
        put_cursor(qtbot, view, 1, time(10))  # Room 2
        qtbot.keyClick(view.grid, Qt.Key.Key_Return)
        dialog = view.dialog
        assert isinstance(dialog, BookingDialog) and dialog.windowTitle() == "Book in Room 2"
        dialog.clinician.setCurrentIndex(dialog.clinician.findText("Nina Nurse (nina)"))
        qtbot.keyClicks(dialog.search, "Johnston")
        qtbot.waitUntil(lambda: dialog.hits.count() > 0, timeout=WAIT)
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.grid.booked_at(1, row_of(view, time(10))) is not None,
                        timeout=WAIT)
        made = view.grid.booked_at(1, row_of(view, time(10)))
        assert made.practitioner == "Nina Nurse" and made.patient_name.startswith("Johnston")
        assert view.grid.booked_at(0, row_of(view, time(10))) is None  # not Room 1
    finally:
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        frank.store.close()


def test_dropping_on_another_rooms_column_moves_it_there(qtbot, clinic, ws, background):
    moved = ws.booking.book(ws.session, BookingRequest(
        clinic.patient_ids["Johnston"], at(time(9)), "Routine", "drlee", room="Room 1")).id
    view = rooms_view(qtbot, ws, background)
    drag(qtbot, view, (0, row_of(view, time(9))), (2, row_of(view, time(11))))
    qtbot.waitUntil(lambda: where(view, moved) == (2, row_of(view, time(11))), timeout=WAIT)
    assert view.grid.booked_at(0, row_of(view, time(9))) is None
    assert view.grid.booked_at(2, row_of(view, time(11))).practitioner == "Dr Lee"
    assert view.said.text().startswith("Moved Johnston") and "Treatment room" in (
        view.said.text())


def test_a_drop_on_a_taken_room_says_so_and_leaves_it(qtbot, clinic, ws, background):
    kept = ws.booking.book(ws.session, BookingRequest(
        clinic.patient_ids["Johnston"], at(time(9)), "Routine", "drlee", room="Room 1")).id
    ws.booking.book(ws.session, BookingRequest(
        clinic.patient_ids["Conn"], at(time(9)), "Routine", "nina", room="Room 2"))
    view = rooms_view(qtbot, ws, background)
    drag(qtbot, view, (0, row_of(view, time(9))), (1, row_of(view, time(9))))
    qtbot.waitUntil(lambda: "taken" in view.said.text(), timeout=WAIT)
    assert view.said.text().startswith("Calendar unchanged: Room 2 is taken 09:00-09:15")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    assert where(view, kept) == (0, row_of(view, time(9)))


def test_keyboard_move_to_another_providers_column_books_it_with_them(qtbot, clinic, ws,
                                                                      background):
    moved = ws.booking.book(ws.session, BookingRequest(
        clinic.patient_ids["Johnston"], at(time(9)), "Routine", "drlee")).id
    view = open_calendar(qtbot, ws, background, clinic_day=True)
    put_cursor(qtbot, view, 0, time(9))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    qtbot.mouseClick(view.dialog.buttons[MOVE], Qt.MouseButton.LeftButton)
    put_cursor(qtbot, view, 1, time(11))  # Nina Nurse, 11:00
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: where(view, moved) == (1, row_of(view, time(11))), timeout=WAIT)
    assert view.grid.booked_at(1, row_of(view, time(11))).practitioner == "Nina Nurse"
    assert view.said.text() == (f"Moved Johnston, Chauncey to Nina Nurse, "
                                f"{at(time(11)):%a %d %b %H:%M}.")
