"""Checking a patient in from the week: on the day of the appointment, not before."""

from datetime import date, time

from PySide6.QtCore import Qt

from app.ui.calendar.appointment_dialog import CHECK_IN, AppointmentDialog
from app.ui.calendar.view import CalendarView
from tests.ui.calendar.test_calendar_week import WAIT, at, book, go_to


def test_the_front_desk_checks_in_todays_patient_from_the_week(qtbot, clinic, ws, background):
    later = book(ws, clinic.patient_ids["Conn"], at(time(9)))  # next week: makes Dr Lee's
    lee = next(p for p in ws.weeks.providers(ws.session) if p.user == "drlee")
    ws.schedule.book(ws.session, clinic.patient_ids["Johnston"], lee.reference,
                     at(time(9), date.today()), 15, "Routine")
    frank = clinic.sign_in("frank")  # the front desk
    try:
        view = CalendarView(frank, background)
        qtbot.addWidget(view)
        view.resize(1200, 800)
        view.show()
        qtbot.waitUntil(lambda: view.grid.week is not None and bool(view.grid.blocks),
                        timeout=WAIT)
        go_to(qtbot, view, at(time(9), date.today()))
        qtbot.keyClick(view.grid, Qt.Key.Key_Return)
        dialog = view.dialog
        assert isinstance(dialog, AppointmentDialog) and dialog.buttons[CHECK_IN].isEnabled()
        qtbot.mouseClick(dialog.buttons[CHECK_IN], Qt.MouseButton.LeftButton)
        column = view.grid.days.index(date.today())
        row = (9 - view.grid.first_hour) * 60 // view.grid.slot
        qtbot.waitUntil(lambda: view.grid.booked_at(column, row).status == "arrived",
                        timeout=WAIT)
        assert view.said.text().startswith("Checked in Johnston") and "09:00" in (
            view.said.text())
        [next_week] = [a for a in frank.weeks.week(frank.session, "drlee", at(time(9)).date())
                       .days[0].appointments if a.id == later]
        assert not AppointmentDialog(next_week).buttons[CHECK_IN].isEnabled()
    finally:
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        frank.store.close()
