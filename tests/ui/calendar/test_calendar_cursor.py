"""The Calendar's cursor: Enter waits for the week asked for, a cell overlapped by an
appointment off the 15-minute grid opens it, and the cursor's cell stays in sight under the
day headings, which stay at the top however far the grid is scrolled."""

from datetime import time

from PySide6.QtCore import Qt

from app.clinical.visits.booking import BookingRequest
from app.ui.calendar.appointment_dialog import AppointmentDialog
from app.ui.calendar.booking_dialog import BookingDialog
from app.ui.calendar.grid import CURSOR, GUTTER, HEADER
from app.ui.calendar.view import CalendarView
from tests.ui.calendar.test_calendar_week import NEXT_MONDAY, WAIT, at, go_to, open_calendar

HEADING = "#F4F4F4"  # a day's heading (not today's)


def test_enter_right_after_choosing_another_provider_waits_for_their_week(
        qtbot, clinic, background):
    frank = clinic.sign_in("frank")  # the front desk
    try:
        view = CalendarView(frank, background)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitUntil(lambda: view.grid.week is not None, timeout=WAIT)
        view.provider.setCurrentIndex(1)  # Nina Nurse: her week is being read
        qtbot.keyClick(view.grid, Qt.Key.Key_Return)
        assert view.dialog is None  # not a booking with Dr Lee, still shown
        assert view.said.text().startswith("Reading the week…")
        qtbot.waitUntil(lambda: view.grid.week.provider.user == "nina", timeout=WAIT)
        qtbot.keyClick(view.grid, Qt.Key.Key_Return)
        assert isinstance(view.dialog, BookingDialog)
        assert view.dialog.windowTitle() == "Book with Nina Nurse"
        view.dialog.reject()
    finally:
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        frank.store.close()


def test_enter_on_the_cell_an_off_grid_appointment_overlaps_opens_it(qtbot, clinic, ws,
                                                                     background):
    ws.booking.book(ws.session, BookingRequest(clinic.patient_ids["Johnston"],
                                               at(time(9, 7)), "Routine", "drlee"))
    view = open_calendar(qtbot, ws, background)
    go_to(qtbot, view, at(time(9)))
    assert view.grid.booked_at(*view.grid.cursor).patient_name.startswith("Johnston")
    [block] = view.grid.blocks
    outline = view.grid.block_rect(block).toRect()  # the cursor is drawn round the block
    image = view.grid.grab().toImage()
    assert CURSOR.name() in {image.pixelColor(outline.center().x(), y).name()
                             for y in range(outline.bottom() - 1, outline.bottom() + 3)}
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    assert isinstance(view.dialog, AppointmentDialog)
    assert view.dialog.appointment.start == at(time(9, 7))
    view.dialog.reject()
    assert view.grid.booked_at(view.grid.cursor[0], view.grid.cursor[1] + 2) is None  # 09:30


def in_sight(view: CalendarView) -> bool:
    """Whether the whole of the cursor's cell is in the scroll area's viewport, below the
    headings drawn at its top."""
    cell = view.grid.cell_rect(*view.grid.cursor)
    port = view.scroll.viewport()
    below_headings = port.rect().adjusted(0, HEADER, 0, 0)
    return all(below_headings.contains(view.grid.mapTo(port, corner))
               for corner in (cell.topLeft(), cell.bottomRight()))


def test_the_arrows_scroll_the_grid_to_keep_the_cursor_in_sight(qtbot, ws, background):
    view = open_calendar(qtbot, ws, background)
    view.resize(1200, 360)  # a small window: the afternoon is below the fold
    qtbot.waitUntil(lambda: view.scroll.verticalScrollBar().maximum() > 0, timeout=WAIT)
    go_to(qtbot, view, at(time(16, 45)))
    qtbot.waitUntil(lambda: in_sight(view), timeout=WAIT)
    assert view.scroll.verticalScrollBar().value() > 0
    shown = view.scroll.viewport().grab().toImage()  # what the clerk sees: the day names
    assert shown.pixelColor(GUTTER + 4, HEADER // 2).name().upper() == HEADING
    go_to(qtbot, view, at(time(8)))
    qtbot.waitUntil(lambda: in_sight(view), timeout=WAIT)


def test_an_evening_walk_in_placed_under_the_cursor_is_scrolled_to(qtbot, clinic, ws,
                                                                  background, monkeypatch):
    late = at(time(19, 30), NEXT_MONDAY)
    monkeypatch.setattr(ws.booking, "_clock", lambda: late)  # the walk-in's "now"
    ws.booking.walk_in(ws.session, clinic.patient_ids["Johnston"], "drlee")
    view = open_calendar(qtbot, ws, background)
    view.resize(1200, 360)
    qtbot.waitUntil(lambda: view.scroll.verticalScrollBar().maximum() > 0, timeout=WAIT)
    assert view.grid.place_cursor(late)  # as a walk-in's start is, once the week is in
    qtbot.waitUntil(lambda: in_sight(view), timeout=WAIT)
    assert view.grid.booked_at(*view.grid.cursor).start == late


def test_a_walk_in_at_ten_to_midnight_is_on_its_day_under_the_cursor(qtbot, clinic, ws,
                                                                     background, monkeypatch):
    late = at(time(23, 50), NEXT_MONDAY)  # a clinic open late: 15 minutes, past midnight
    monkeypatch.setattr(ws.booking, "_clock", lambda: late)
    ws.booking.walk_in(ws.session, clinic.patient_ids["Johnston"], "drlee")
    view = open_calendar(qtbot, ws, background)
    assert view.grid.last_hour == 24  # the grid runs to midnight, not to 01:00 of nothing
    assert view.grid.place_cursor(late)
    assert view.grid.booked_at(*view.grid.cursor).start == late
