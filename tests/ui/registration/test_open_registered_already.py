"""Opening the patient registered already from the duplicate check, after typing details the
record may lack: the clerk is told what would not be saved before the form closes on it."""

from PySide6.QtCore import Qt

from app.ui.registration.dialog import RegistrationDialog
from tests.ui.registration.test_registration_form import WAIT, fill, frank, open_form  # noqa: F401


def test_a_phone_typed_before_opening_the_existing_patient_is_not_dropped_unsaid(
        qtbot, frank, background):  # noqa: F811
    view, dialog = open_form(qtbot, frank, background)
    fill(qtbot, dialog.form, "Johnston", "Chauncey", "1975-10-12")
    qtbot.keyClicks(dialog.form.phone, "+1 617 555 0100")
    qtbot.keyClicks(dialog.form.payer, "Acme Health")
    qtbot.keyClicks(dialog.form.member_id, "AC-1234")
    qtbot.keyClick(dialog.form.family, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.candidates.isVisible, timeout=WAIT)

    qtbot.mouseClick(dialog.candidates.open, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.message.text() == (
        "The phone +1 617 555 0100 and insurance typed here are not saved with Johnston, "
        "Chauncey: press Open this patient again to open their record anyway, and add what "
        "you typed with Edit… on their details.")
    qtbot.mouseClick(dialog.candidates.open, Qt.MouseButton.LeftButton)  # yes, open
    qtbot.waitUntil(lambda: view.message.text().startswith("Opened "), timeout=WAIT)
    assert view.findChildren(RegistrationDialog) == []  # closed and gone
