"""Booking a time the provider already has: refused, then offered as an overbooking that
needs a reason, kept on the appointment."""

from datetime import time

from PySide6.QtCore import QDateTime, Qt

from app.clinical.visits.slots import OVERBOOKED
from app.store.resources import get_resource
from tests.ui.calendar.test_calendar_week import WAIT, at, book, go_to, open_calendar


def test_an_already_booked_time_is_offered_as_an_overbooking_with_a_reason(
        qtbot, clinic, ws, background):
    johnston = book(ws, clinic.patient_ids["Johnston"], at(time(10)))
    frank = clinic.sign_in("frank")  # the front desk
    try:
        view = open_calendar(qtbot, frank, background)
        go_to(qtbot, view, at(time(11)))
        qtbot.keyClick(view.grid, Qt.Key.Key_Return)
        dialog = view.dialog
        dialog.start.setDateTime(QDateTime(at(time(10)).replace(tzinfo=None)))
        qtbot.keyClicks(dialog.search, "Conn")
        qtbot.waitUntil(lambda: dialog.hits.count() > 0, timeout=WAIT)
        assert not dialog.overbook_row.isVisible()
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(dialog.overbook_row.isVisible, timeout=WAIT)
        assert "is already booked" in dialog.said.text()

        qtbot.mouseClick(dialog.overbook_button, Qt.MouseButton.LeftButton)
        assert dialog.said.text() == "Say why you overbook: the reason is kept on the appointment."
        dialog.overbook_reason.setText("urgent: fever in an infant")
        made = []
        dialog.booked.connect(made.extend)
        qtbot.mouseClick(dialog.overbook_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(made), timeout=WAIT)
        assert not dialog.isVisible()
        [overbooked] = made
        assert overbooked.start == at(time(10)) and overbooked.patient_id == (
            clinic.patient_ids["Conn"])
        with frank.store.read() as conn:
            stored = get_resource(conn, "Appointment", overbooked.id)
            assert stored["extension"] == [{"url": OVERBOOKED,
                                            "valueString": "urgent: fever in an infant"}]
            assert get_resource(conn, "Appointment", johnston)["status"] == "booked"
    finally:
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        frank.store.close()
