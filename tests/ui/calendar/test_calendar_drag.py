"""Rescheduling by drag: a block pressed, moved and released on another cell of the real grid
is moved there (another day of the week, another provider on the clinic's day); a drop the
booking service refuses says why and leaves the block where it was."""

from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QPoint, Qt

from app.clinical.visits.booking import BookingRequest
from app.ui.calendar.view import CalendarView

WAIT = 10_000
NEXT_MONDAY = date.today() - timedelta(days=date.today().weekday()) + timedelta(days=7)


def at(clock: time, day: date = NEXT_MONDAY) -> datetime:
    return datetime.combine(day, clock).astimezone()


def open_calendar(qtbot, station, background, clinic_day: bool = False) -> CalendarView:
    """Dr Lee's next week, or (Alt+2) the clinic's next Monday."""
    view = CalendarView(station, background)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitUntil(lambda: view.grid.week is not None, timeout=WAIT)
    if clinic_day:
        qtbot.keyClick(view.grid, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
        for _ in range((NEXT_MONDAY - date.today()).days):
            qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.grid.week is None and view.grid.columns[0].day == (
            NEXT_MONDAY), timeout=WAIT)
    else:
        qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.grid.week.monday == NEXT_MONDAY, timeout=WAIT)
    return view


def row_of(view: CalendarView, clock: time) -> int:
    return (clock.hour - view.grid.first_hour) * 60 // view.grid.slot + clock.minute // 15


def drag(qtbot, view: CalendarView, start: tuple[int, int], end: tuple[int, int]) -> None:
    """Press in the middle of cell `start`, move in steps to cell `end`, release there."""
    grid = view.grid
    begin, finish = grid.cell_rect(*start).center(), grid.cell_rect(*end).center()
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=begin)
    for step in range(1, 6):
        point = begin + (finish - begin) * step / 5
        qtbot.mouseMove(grid, QPoint(int(point.x()), int(point.y())))
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=finish)


def where(view: CalendarView, appointment_id: str) -> tuple[int, float] | None:
    """The column and first row of the block drawn for the appointment."""
    return next(((b.column, b.first_row) for b in view.grid.blocks
                 if b.appointment.id == appointment_id), None)


def test_dragging_a_block_to_another_day_moves_the_appointment(qtbot, clinic, ws, background):
    moved = ws.booking.book(ws.session, BookingRequest(
        clinic.patient_ids["Johnston"], at(time(9)), "Routine", "drlee")).id
    view = open_calendar(qtbot, ws, background)
    tuesday = view.grid.days.index(NEXT_MONDAY + timedelta(days=1))
    drag(qtbot, view, (0, row_of(view, time(9))), (tuesday, row_of(view, time(10, 30))))
    qtbot.waitUntil(lambda: where(view, moved) == (tuesday, row_of(view, time(10, 30))),
                    timeout=WAIT)
    assert view.grid.booked_at(0, row_of(view, time(9))) is None
    assert view.said.text().startswith("Moved Johnston") and "Tue" in view.said.text()


def test_dragging_to_another_providers_column_books_it_with_them(qtbot, clinic, ws, background):
    moved = ws.booking.book(ws.session, BookingRequest(
        clinic.patient_ids["Johnston"], at(time(9)), "Routine", "drlee")).id
    view = open_clinic_day(qtbot, ws, background)
    drag(qtbot, view, (0, row_of(view, time(9))), (1, row_of(view, time(11))))
    qtbot.waitUntil(lambda: where(view, moved) == (1, row_of(view, time(11))), timeout=WAIT)
    shown = view.grid.booked_at(1, row_of(view, time(11)))
    assert shown.practitioner == "Nina Nurse"
    assert view.said.text().startswith("Moved Johnston") and "Nina Nurse" in view.said.text()


def test_a_refused_drop_says_why_and_leaves_the_block(qtbot, clinic, ws, background):
    kept = ws.booking.book(ws.session, BookingRequest(
        clinic.patient_ids["Johnston"], at(time(9)), "Routine", "drlee")).id
    view = open_calendar(qtbot, ws, background)
    before = where(view, kept)
    drag(qtbot, view, (0, row_of(view, time(9))), (0, row_of(view, time(12, 15))))  # lunch
    qtbot.waitUntil(lambda: not background.busy and "Moving" not in view.said.text(),
                    timeout=WAIT)
    assert "outside Dr Lee's hours" in view.said.text() and "Moved" not in view.said.text()
    assert where(view, kept) == before
    stored = [a for d in ws.weeks.week(ws.session, "drlee", NEXT_MONDAY).days
              for a in d.appointments]
    assert [(a.id, a.start) for a in stored] == [(kept, at(time(9)))]


def open_clinic_day(qtbot, station, background) -> CalendarView:
    return open_calendar(qtbot, station, background, clinic_day=True)
