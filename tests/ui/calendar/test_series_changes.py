"""An appointment of a weekly series opened from the week: Cancel and Move ask whether they
change only this one or this and the following ones."""

from datetime import time, timedelta

from PySide6.QtCore import Qt

from app.clinical.visits.booking import BookingRequest
from app.clinical.visits.recurrence import Series
from app.ui.calendar.appointment_dialog import CANCEL, MOVE, AppointmentDialog
from tests.ui.calendar.test_calendar_week import NEXT_MONDAY, WAIT, at, go_to, open_calendar


def weekly_for_four(ws, clinic) -> list[str]:
    booked = Series(ws.booking).book(ws.session, BookingRequest(
        clinic.patient_ids["Conn"], at(time(9)), "Routine", "drlee"), "FREQ=WEEKLY;COUNT=4")
    return [a.id for a in booked.appointments]


def statuses(ws, ids: list[str]) -> list[tuple[str, str]]:
    week = {a.id: a for d in range(4) for day in ws.weeks.week(
        ws.session, "drlee", NEXT_MONDAY + timedelta(weeks=d)).days for a in day.appointments}
    return [(f"{week[i].start:%d %b %H:%M}", week[i].status) for i in ids]


def open_second(qtbot, view) -> AppointmentDialog:
    """Turn to the week of the second occurrence and press Enter on it."""
    qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.grid.week.monday == NEXT_MONDAY + timedelta(weeks=1),
                    timeout=WAIT)
    go_to(qtbot, view, at(time(9), NEXT_MONDAY + timedelta(weeks=1)))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    dialog = view.dialog
    qtbot.waitUntil(lambda: not dialog.series.isHidden(), timeout=WAIT)
    assert dialog.only_this.isChecked()  # the cautious choice unless told
    assert dialog.and_following.text() == "This and following (3 appointments)"
    return dialog


def test_this_and_following_cancel_leaves_the_earlier_ones(qtbot, clinic, ws, background):
    ids = weekly_for_four(ws, clinic)
    view = open_calendar(qtbot, ws, background)
    dialog = open_second(qtbot, view)
    dialog.and_following.setChecked(True)
    dialog.reason.setText("moving away")
    qtbot.mouseClick(dialog.buttons[CANCEL], Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: view.said.text().startswith("Cancelled 3 of"), timeout=WAIT)
    assert "the earlier ones stay" in view.said.text()
    assert [status for _, status in statuses(ws, ids)] == ["booked", "cancelled", "cancelled",
                                                           "cancelled"]
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_this_and_following_move_shifts_the_later_ones_by_as_much(qtbot, clinic, ws,
                                                                   background):
    ids = weekly_for_four(ws, clinic)
    view = open_calendar(qtbot, ws, background)
    dialog = open_second(qtbot, view)
    dialog.and_following.setChecked(True)
    qtbot.mouseClick(dialog.buttons[MOVE], Qt.MouseButton.LeftButton)
    go_to(qtbot, view, at(time(10), NEXT_MONDAY + timedelta(weeks=1)))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: view.said.text().startswith("Moved 3 of"), timeout=WAIT)
    assert [when[-5:] for when, _ in statuses(ws, ids)] == ["09:00", "10:00", "10:00", "10:00"]
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_an_appointment_of_no_series_is_not_asked_about(qtbot, clinic, ws, background):
    ws.booking.book(ws.session, BookingRequest(clinic.patient_ids["Conn"], at(time(9)),
                                               "Routine", "drlee"))
    view = open_calendar(qtbot, ws, background)
    go_to(qtbot, view, at(time(9)))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    assert view.dialog.series.isHidden() and not view.dialog.following
