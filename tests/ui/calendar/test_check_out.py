"""Checking a patient out from the week: once they have arrived, on the day; and a no-show
only once the appointment's time has come."""

from datetime import date, time

from PySide6.QtCore import Qt

from app.clinical.visits.booking import BookingRequest
from app.ui.calendar.appointment_dialog import CHECK_OUT, NO_SHOW, AppointmentDialog
from app.ui.calendar.view import CalendarView
from tests.ui.calendar.test_calendar_week import WAIT, at, book, go_to, open_calendar


def test_an_arrived_patient_is_checked_out_and_shown_seen(qtbot, clinic, ws, background):
    book(ws, clinic.patient_ids["Conn"], at(time(9)))  # next week: makes Dr Lee's Practitioner
    lee = next(p for p in ws.weeks.providers(ws.session) if p.user == "drlee")
    ws.schedule.book(ws.session, clinic.patient_ids["Johnston"], lee.reference,
                     at(time(9), date.today()), 15, "Routine", status="arrived")
    view = CalendarView(ws, background)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitUntil(lambda: view.grid.week is not None and bool(view.grid.blocks), timeout=WAIT)
    go_to(qtbot, view, at(time(9), date.today()))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    dialog = view.dialog
    assert isinstance(dialog, AppointmentDialog) and dialog.buttons[CHECK_OUT].isEnabled()
    qtbot.mouseClick(dialog.buttons[CHECK_OUT], Qt.MouseButton.LeftButton)

    column = view.grid.days.index(date.today())
    row = (9 - view.grid.first_hour) * 60 // view.grid.slot
    qtbot.waitUntil(lambda: view.grid.booked_at(column, row).status == "fulfilled",
                    timeout=WAIT)
    assert view.said.text() == "Checked out Johnston, Chauncey: the 09:00 visit is over."
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_check_out_is_offered_only_once_the_patient_has_arrived(clinic, ws, qtbot):
    book(ws, clinic.patient_ids["Conn"], at(time(9)))  # next week: makes Dr Lee's Practitioner
    lee = next(p for p in ws.weeks.providers(ws.session) if p.user == "drlee")
    today = ws.schedule.book(ws.session, clinic.patient_ids["Johnston"], lee.reference,
                             at(time(9), date.today()), 15, "Routine")  # not here yet
    assert not AppointmentDialog(today).buttons[CHECK_OUT].isEnabled()


def test_no_show_waits_until_the_appointments_time_has_come(clinic, ws, qtbot):
    coming = ws.booking.book(ws.session, BookingRequest(clinic.patient_ids["Conn"],
                                                        at(time(9)), "Routine", "drlee"))
    button = AppointmentDialog(coming).buttons[NO_SHOW]  # next week
    assert not button.isEnabled()
    assert button.toolTip() == "Still to come: mark a no-show once its time has come."


def test_no_show_follows_the_booking_services_clock(qtbot, clinic, ws, background,
                                                    monkeypatch):
    book(ws, clinic.patient_ids["Conn"], at(time(9)))
    monkeypatch.setattr(ws.booking, "_clock", lambda: at(time(9, 30)))  # its time has come
    view = open_calendar(qtbot, ws, background)
    go_to(qtbot, view, at(time(9)))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    assert view.dialog.buttons[NO_SHOW].isEnabled()
    qtbot.mouseClick(view.dialog.buttons[NO_SHOW], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.said.text() == "Marked Conn, Liz as not attended.",
                    timeout=WAIT)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
