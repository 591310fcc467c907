"""The Today tab over the real clinic store: today's list, check-in, opening a chart.

The clinic store is shared by the UI tests, so each test books its own appointments for
today and looks only at those rows.
"""

from datetime import date, datetime, time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView
from sqlalchemy import text

from app.clinical.visits.schedule import Appointment, Schedule
from app.ui.common.table_models import row_at
from app.ui.today.view import TodayView, day_text


@pytest.fixture
def practitioner(ws) -> str:
    with ws.store.read() as conn:
        return "Practitioner/" + conn.execute(text(
            "SELECT id FROM resource WHERE type = 'Practitioner' ORDER BY id LIMIT 1")).scalar()


@pytest.fixture
def book(clinic, ws, practitioner):
    def booking(family: str, hhmm: str, status: str = "booked") -> Appointment:
        start = datetime.combine(date.today(), time.fromisoformat(hhmm))
        return Schedule(ws.store).book(ws.session, clinic.patient_ids[family], practitioner,
                                       start, 20, "Follow-up", status=status)
    return booking


def open_view(qtbot, ws, background) -> TodayView:
    view = TodayView(ws, background)
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    qtbot.waitUntil(lambda: not background.busy)
    return view


def row_of(view: TodayView, appointment: Appointment) -> int:
    rows = [row_at(view.table, r).id for r in range(view.table.model().rowCount())]
    return rows.index(appointment.id)


def cells(view: TodayView, row: int) -> list[str]:
    return [view.table.model().index(row, column).data() for column in range(5)]


def test_the_table_lists_todays_appointments_by_time(qtbot, ws, background, book):
    later, earlier = book("Conn", "07:10"), book("Johnston", "07:00")

    view = open_view(qtbot, ws, background)

    assert view.date_label.text() == day_text(date.today())
    assert row_of(view, earlier) < row_of(view, later)
    assert cells(view, row_of(view, earlier)) == [
        "07:00–07:20", "Johnston, Chauncey", "Follow-up", earlier.practitioner, "Booked"]
    assert view.message.text().endswith("still to arrive.")


def test_check_in_shows_the_patient_as_arrived(qtbot, ws, background, book):
    booked = book("Conn", "07:30")
    view = open_view(qtbot, ws, background)
    view.table.selectRow(row_of(view, booked))
    assert view.check_in.isEnabled()

    qtbot.mouseClick(view.check_in, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: cells(view, row_of(view, booked))[4] == "Arrived")
    assert view.message.text() == "Conn, Liz is checked in (07:30 with " \
        f"{booked.practitioner})."
    assert row_at(view.table).id == booked.id  # the row stays selected
    assert not view.check_in.isEnabled()


def test_a_cancelled_appointment_cannot_be_checked_in(qtbot, ws, background, book):
    cancelled = book("Johnston", "07:40", status="cancelled")
    view = open_view(qtbot, ws, background)

    view.table.selectRow(row_of(view, cancelled))

    assert cells(view, row_of(view, cancelled))[4] == "Cancelled"
    assert not view.check_in.isEnabled()


def test_double_click_or_enter_opens_the_patients_chart(qtbot, clinic, ws, background, book):
    booked = book("Johnston", "07:50")
    view = open_view(qtbot, ws, background)
    cell = view.table.visualRect(view.table.model().index(row_of(view, booked), 1)).center()

    with qtbot.waitSignal(view.open_chart) as opened:  # a double click starts with a press
        qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert opened.args == [clinic.patient_ids["Johnston"]]

    with qtbot.waitSignal(view.open_chart) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [clinic.patient_ids["Johnston"]]


def test_mine_shows_only_what_is_booked_with_the_user(qtbot, ws, background, book):
    book("Conn", "08:00")  # with a Synthea practitioner, not "Dr Lee"
    view = open_view(qtbot, ws, background)
    assert view.model.rowCount() > 0 and view.whole_clinic.isChecked()

    qtbot.mouseClick(view.mine, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not background.busy)

    assert view.model.rowCount() == 0
    assert "No appointments today booked with you (Dr Lee)" in view.message.text()


def test_every_control_has_a_name_a_screen_reader_can_say(qtbot, ws, background):
    view = open_view(qtbot, ws, background)
    controls = view.findChildren(QAbstractButton) + view.findChildren(QAbstractItemView)
    assert controls and all(c.accessibleName() for c in controls if c.isVisibleTo(view))
