"""The registration form asks for an emergency contact: saved on the new patient
(Patient.contact, v2-0131 "Emergency Contact"), refused with the field marked when it has
no name or a phone with no digits; the edit of demographics, which keeps stored contacts as
they are, does not ask."""

from PySide6.QtCore import Qt

from app.ui.demographics.edit_dialog import EditDemographicsDialog
from tests.ui.registration.test_registration_form import fill, frank, open_form  # noqa: F401

WAIT = 10000


def test_the_emergency_contact_is_saved_with_the_new_patient(qtbot, frank, background):  # noqa: F811
    view, dialog = open_form(qtbot, frank, background)
    fill(qtbot, dialog.form, "Walker", "Robert", "1990-05-06")
    qtbot.keyClicks(dialog.form.contact_name, "Mary Walker")
    qtbot.keyClicks(dialog.form.contact_relationship, "mother")
    qtbot.keyClicks(dialog.form.contact_phone, "555-0177")
    qtbot.keyClick(dialog.form.contact_phone, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: view.message.text().startswith("Registered "), timeout=WAIT)
    [hit] = view.model.rows()
    [contact] = frank.patients.get(frank.session, hit.patient_id)["contact"]
    assert contact["name"] == {"text": "Mary Walker"}
    assert contact["relationship"][0]["coding"][0]["display"] == "Emergency Contact"
    assert contact["relationship"][1] == {"text": "mother"}
    assert contact["telecom"] == [{"system": "phone", "value": "555-0177"}]


def test_a_contact_without_a_name_or_with_no_digits_is_marked(qtbot, frank, background):  # noqa: F811
    _, dialog = open_form(qtbot, frank, background)
    fill(qtbot, dialog.form, "Walker", "Robert", "1990-05-06")
    qtbot.keyClicks(dialog.form.contact_relationship, "neighbour")
    qtbot.keyClick(dialog.form.contact_relationship, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: dialog.message.text().startswith("Not saved"), timeout=WAIT)
    assert dialog.message.text() == "Not saved:\nThe emergency contact's name is missing."
    assert dialog.form.marked() == [dialog.form.contact_name]

    qtbot.keyClicks(dialog.form.contact_name, "Pat")
    qtbot.keyClicks(dialog.form.contact_phone, "next door")
    qtbot.keyClick(dialog.form.contact_phone, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: "no digits" in dialog.message.text(), timeout=WAIT)
    assert dialog.message.text() == ("Not saved:\nThe emergency contact's phone 'next door' "
                                     "has no digits.")
    assert dialog.form.marked() == [dialog.form.contact_phone]
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_editing_demographics_does_not_ask_for_a_contact(qtbot, clinic, frank, background):  # noqa: F811
    patient = frank.patients.get(frank.session, clinic.patient_ids["Johnston"])
    dialog = EditDemographicsDialog(frank, background, patient, [])
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.form.contact_name.isVisible()
