"""The Sync tab decides a double booking made offline on two workstations: both appointments
side by side, then overbook, move or cancel one, never "keep mine". A real SEKMET server
between workstation A and B (the set-up of tests/sync/test_double_booking.py)."""

from datetime import datetime, timedelta

from PySide6.QtCore import QDateTime, Qt

from app.clinical.visits.slots import OVERBOOKED
from app.ui.sync.double_booking_dialog import SAY_WHY, DoubleBookingDialog
from app.ui.sync.view import SyncView
from tests.sync.conftest import a, b, fhir_server  # noqa: F401
from tests.sync.stations import sync
from tests.sync.test_double_booking import NINE, appointment, clinic  # noqa: F401


def open_dialog(qtbot, ws, background) -> tuple[SyncView, DoubleBookingDialog]:
    """B's Sync tab, its one conflict opened, both appointments shown."""
    view = SyncView(ws, background)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.conflicts_model.rowCount() == 1, timeout=10000)
    assert view.table.model().index(0, 2).data() == "Double booking"
    assert view.conflicts_summary.text().endswith("keep both, move or cancel one.")
    qtbot.mouseClick(view.resolve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(view.dialog, DoubleBookingDialog)
                    and view.dialog.decide.isEnabled())
    return view, view.dialog


def shown(dialog: DoubleBookingDialog, side: str) -> dict[str, str]:
    form = dialog.here if side == "here" else dialog.other
    return {form.itemAt(row, form.ItemRole.LabelRole).widget().text():
            form.itemAt(row, form.ItemRole.FieldRole).widget().text()
            for row in range(form.rowCount())}


def move_to(dialog: DoubleBookingDialog, when: datetime) -> None:
    dialog.options["move"].setChecked(True)
    dialog.move_to.setDateTime(QDateTime(when))


def test_both_bookings_side_by_side_and_an_overbooking_needs_a_reason(
        qtbot, a, b, clinic, fhir_server, background):
    first, second = clinic
    view, dialog = open_dialog(qtbot, b, background)
    assert dialog.heading.text() == "Ada Okafor is booked twice at 09:10 on Mon 02 Jun 2031"
    assert shown(dialog, "here") == {
        "Time": "09:10–09:30 on Mon 02 Jun 2031", "Patient": "Quist, Bea",
        "Provider": "Ada Okafor", "Type": "Check-up", "Status": "Booked"}
    assert shown(dialog, "other")["Patient"] == "Mensah, Ann"
    assert shown(dialog, "other")["Time"] == "09:00–09:20 on Mon 02 Jun 2031"

    qtbot.mouseClick(dialog.decide, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == SAY_WHY
    dialog.reason.setText("urgent: chest pain")
    qtbot.mouseClick(dialog.decide, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.conflicts_model.rowCount() == 0)
    assert view.message.text() == ("Double booking of Ada Okafor at 09:10 on Mon 02 Jun 2031: "
                                   "kept both (overbooked: urgent: chest pain). It is sent at "
                                   "the next sync.")
    assert appointment(b, second.id)["extension"] == [
        {"url": OVERBOOKED, "valueString": "urgent: chest pain"}]
    assert appointment(b, first.id)["status"] == "booked"


def test_a_move_to_a_booked_or_past_time_is_refused_then_a_free_time_is_kept(
        qtbot, a, b, clinic, fhir_server, background):
    _, second = clinic
    view, dialog = open_dialog(qtbot, b, background)
    move_to(dialog, NINE.replace(minute=15))
    qtbot.mouseClick(dialog.decide, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.decide.isEnabled() and "booked too" in dialog.message.text())
    assert dialog.message.text().endswith(
        "09:15 on 02 Jun 2031 is booked too (until 09:20); choose another time.")
    yesterday = datetime.now().replace(second=0, microsecond=0) - timedelta(days=1)
    move_to(dialog, yesterday)
    qtbot.mouseClick(dialog.decide, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.decide.isEnabled() and "passed" in dialog.message.text())
    assert dialog.message.text().endswith(
        f"{yesterday:%H:%M on %d %b %Y} has passed; choose a time from now on.")
    assert view.conflicts_model.rowCount() == 1  # refused: nothing stored, still open

    move_to(dialog, NINE.replace(hour=10))
    qtbot.mouseClick(dialog.decide, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.conflicts_model.rowCount() == 0)
    moved = datetime.fromisoformat(appointment(b, second.id)["start"]).astimezone()
    assert moved.strftime("%H:%M %d %b") == "10:00 02 Jun"


def test_cancelling_the_other_one_reaches_the_first_workstation(
        qtbot, a, b, clinic, fhir_server, background):
    first, second = clinic
    view, dialog = open_dialog(qtbot, b, background)
    dialog.options["cancel-other"].setChecked(True)
    dialog.reason.setText("Ann rebooked for Tuesday")
    qtbot.mouseClick(dialog.decide, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.conflicts_model.rowCount() == 0)
    assert "cancelled the one booked elsewhere (Ann rebooked for Tuesday)" in view.message.text()
    sync(b, fhir_server)
    sync(a, fhir_server)
    assert appointment(a, first.id)["status"] == "cancelled"
    assert appointment(a, second.id)["status"] == "booked"
