"""The desk registers a patient covered by a spouse's plan: ticking "Patient is not the
subscriber" asks for the holder; a missing relationship or a holder's birth date that is
not a date is said and marked; once right, the card is saved with its holder."""

from PySide6.QtCore import Qt

from app.clinical.patients.insurance import insurance_of
from app.clinical.patients.insurance_card import Insurance, PolicyHolder
from app.clinical.patients.registration import Registration
from tests.ui.registration.test_registration_form import WAIT, fill, frank, open_form  # noqa: F401


def test_a_spouses_plan_asks_for_the_holder_and_says_what_is_wrong(qtbot, frank, background):
    view, dialog = open_form(qtbot, frank, background)
    form = dialog.form
    fill(qtbot, form, "Walker", "Robert", "1990-05-06")
    for field, text in ((form.payer, "Acme Health"), (form.payer_id, "60054"),
                        (form.member_id, "AC-1234")):
        qtbot.keyClicks(field, text)
    assert not form.holder_family.isVisible()
    form.not_subscriber.click()
    assert form.holder_family.isVisible() and form.relationship.isVisible()
    for field, text in ((form.holder_family, "Walker"), (form.holder_given, "Jane"),
                        (form.holder_birth_date, "03/02/1970")):
        qtbot.keyClicks(field, text)
    qtbot.keyClick(form.holder_birth_date, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: dialog.message.text().startswith("Not saved"), timeout=WAIT)
    assert dialog.message.text().splitlines()[1:] == [
        "Say how the patient is related to the policy holder: spouse, child or other.",
        "The policy holder's birth date '03/02/1970' is not a date (YYYY-MM-DD)."]
    assert form.marked() == [form.relationship, form.holder_birth_date]

    form.relationship.setCurrentText("Spouse")
    form.holder_birth_date.setText("1970-02-03")
    qtbot.keyClick(form.holder_birth_date, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.message.text().startswith("Registered "), timeout=WAIT)
    record = Registration(frank.store, frank.policy.registration).show(
        frank.session, view.field.text())
    assert insurance_of(record.coverages[0]) == Insurance(
        "Acme Health", "AC-1234", "", "60054", "CI", "spouse",
        PolicyHolder("Walker", "Jane", "1970-02-03", ""))
