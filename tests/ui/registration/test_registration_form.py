"""The front desk registers a walk-in from the Patients tab: the form, its refusals and the
duplicate check, over the real clinic store (Johnston, Chauncey, born 1975-10-12, is in it)."""

import pytest
from PySide6.QtCore import Qt

from app.bootstrap import open_workstation
from app.ui.patients.view import PatientsView
from app.ui.registration.dialog import RegistrationDialog
from tests.conftest import ADMIN_PASSWORD, password_of

WAIT = 10000


@pytest.fixture
def frank(clinic):
    """Frank, at the front desk."""
    desk = clinic.sign_in("frank")
    yield desk
    desk.store.close()


def open_form(qtbot, ws, background) -> tuple[PatientsView, RegistrationDialog]:
    """The Patients tab shown, and the form opened from it with Ctrl+N."""
    view = PatientsView(ws, background)
    qtbot.addWidget(view)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)  # shortcuts go to the active window
    view.focus_search()
    qtbot.keyClick(view.field, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialogs = view.findChildren(RegistrationDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    return view, dialogs[0]


def fill(qtbot, form, family: str, given: str, born: str, sex: str = "Male") -> None:
    qtbot.keyClicks(form.family, family)
    qtbot.keyClicks(form.given, given)
    qtbot.keyClicks(form.birth_date, born)
    form.sex.setCurrentText(sex)


def test_a_walk_in_is_registered_and_shown_by_mrn(qtbot, frank, background):
    view, dialog = open_form(qtbot, frank, background)
    fill(qtbot, dialog.form, "Walker", "Robert", "1990-05-06")
    qtbot.keyClicks(dialog.form.payer, "Acme Health")
    qtbot.keyClicks(dialog.form.member_id, "AC-1234")
    qtbot.keyClick(dialog.form.birth_date, Qt.Key.Key_Return)  # Enter saves

    qtbot.waitUntil(lambda: view.message.text().startswith("Registered "), timeout=WAIT)
    assert view.findChildren(RegistrationDialog) == []  # closed and gone
    mrn = view.field.text()
    assert view.message.text() == f"Registered Walker, Robert (MRN {mrn})."
    assert [(hit.name, hit.mrn) for hit in view.model.rows()] == [("Walker, Robert", mrn)]
    qtbot.keyClicks(view.field, "johnston")  # the next patient: the MRN is replaced
    assert view.field.text() == "johnston"
    qtbot.waitUntil(lambda: [hit.name for hit in view.model.rows()] == ["Johnston, Chauncey"],
                    timeout=WAIT)


def test_a_duplicate_is_shown_with_why_and_register_as_new_creates(qtbot, frank, background):
    view, dialog = open_form(qtbot, frank, background)
    fill(qtbot, dialog.form, "Johnston", "Chauncy", "1975-10-12")  # a letter left out
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)

    panel = dialog.candidates
    qtbot.waitUntil(panel.isVisible, timeout=WAIT)
    shown = [[panel.table.model().index(0, c).data() for c in range(4)]]
    assert shown[0][:2] == ["Johnston, Chauncey", "1975-10-12"]
    assert "same birth date" in shown[0][3]
    assert dialog.message.text() == "Nothing is saved yet."
    assert dialog.form.height() >= dialog.form.sizeHint().height()  # the form is not squashed

    qtbot.mouseClick(panel.new, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.message.text().startswith("Registered "), timeout=WAIT)
    assert view.message.text().startswith("Registered Johnston, Chauncy (MRN ")
    assert [hit.name for hit in view.model.rows()] == ["Johnston, Chauncy"]


def test_open_this_patient_finds_the_one_registered_already(qtbot, clinic, frank, background):
    view, dialog = open_form(qtbot, frank, background)
    fill(qtbot, dialog.form, "Johnston", "Chauncey", "1975-10-12")
    qtbot.keyClick(dialog.form.family, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.candidates.isVisible, timeout=WAIT)
    qtbot.keyClick(dialog.candidates.table, Qt.Key.Key_Return)  # Enter opens, never creates

    qtbot.waitUntil(lambda: view.message.text().startswith("Opened "), timeout=WAIT)
    assert view.findChildren(RegistrationDialog) == []  # closed and gone
    assert [hit.patient_id for hit in view.model.rows()] == [clinic.patient_ids["Johnston"]]


def test_a_future_birth_date_marks_the_field_and_keeps_what_was_typed(qtbot, frank,
                                                                      background):
    _, dialog = open_form(qtbot, frank, background)
    fill(qtbot, dialog.form, "Walker", "Robert", "2099-01-01")
    qtbot.keyClicks(dialog.form.phone, "555-0100")
    qtbot.keyClick(dialog.form.phone, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: dialog.message.text().startswith("Not saved"), timeout=WAIT)
    assert dialog.message.text() == "Not saved:\nThe birth date 2099-01-01 is in the future."
    assert dialog.form.marked() == [dialog.form.birth_date]
    assert dialog.form.birth_date.toolTip() == "The birth date 2099-01-01 is in the future."
    assert dialog.isVisible() and dialog.form.birth_date.hasFocus()
    typed = (dialog.form.family.text(), dialog.form.given.text(), dialog.form.phone.text())
    assert typed == ("Walker", "Robert", "555-0100")


def test_billing_sees_no_register_button(qtbot, clinic, background):
    admin = open_workstation(clinic.env, clinic.root, "admin", ADMIN_PASSWORD)
    admin.users.add(admin.session, "bill", "Bill Billing", "billing", password_of("bill"))
    admin.close()
    bill = clinic.sign_in("bill")
    try:
        view = PatientsView(bill, background)
        qtbot.addWidget(view)
        view.show()
        view.activateWindow()
        qtbot.waitUntil(view.isActiveWindow)
        qtbot.keyClick(view.field, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        assert not view.register.isVisible()
        assert view.findChildren(RegistrationDialog) == []
    finally:
        bill.store.close()


def test_a_clinician_opening_a_candidate_gets_the_chart(qtbot, clinic, ws, background):
    _, dialog = open_form(qtbot, ws, background)
    fill(qtbot, dialog.form, "Johnston", "Chauncey", "1975-10-12")
    qtbot.keyClick(dialog.form.family, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.candidates.isVisible, timeout=WAIT)
    with qtbot.waitSignal(dialog.parent().open_chart) as opened:
        qtbot.mouseClick(dialog.candidates.open, Qt.MouseButton.LeftButton)
    assert opened.args == [clinic.patient_ids["Johnston"]]
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_esc_cancels_and_saves_nothing(qtbot, frank, background):
    view, dialog = open_form(qtbot, frank, background)
    fill(qtbot, dialog.form, "Walker", "Robert", "1990-05-06")
    qtbot.keyClick(dialog.form.given, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    qtbot.keyClicks(view.field, "walker")
    qtbot.waitUntil(lambda: view.message.text().startswith("No patients match"), timeout=WAIT)


def test_saving_an_empty_form_marks_each_required_field(qtbot, frank, background):
    _, dialog = open_form(qtbot, frank, background)
    qtbot.keyClicks(dialog.form.payer, "Acme Health")  # insurance begun, member id left out
    qtbot.keyClick(dialog.form.payer, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: dialog.message.text().startswith("Not saved"), timeout=WAIT)
    form = dialog.form
    assert form.marked() == [form.family, form.given, form.birth_date, form.sex,
                             form.member_id]
    assert dialog.message.text().splitlines()[1:] == [
        "The family name is missing.", "The given name is missing.",
        "The birth date is missing.",
        "The sex is missing: say male, female, other or unknown.",
        "The insurance member id is missing."]


def test_another_number_is_recorded_with_its_kind(
        qtbot, frank, background):
    view, dialog = open_form(qtbot, frank, background)
    fill(qtbot, dialog.form, "Osei", "Kwame", "1966-01-09")
    dialog.form.number_kind.setCurrentText("Passport")
    qtbot.keyClicks(dialog.form.number, "G1234567")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.message.text().startswith("Registered "), timeout=WAIT)
    mrn = view.field.text()
    found = frank.patients.get(frank.session, view.model.rows()[0].patient_id)
    assert [(i["type"]["text"], i["value"]) for i in found["identifier"]
            if i["value"] != mrn] == [("Passport", "G1234567")]
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
