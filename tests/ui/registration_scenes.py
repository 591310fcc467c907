"""Screenshot scene of the registration form, run by tests.ui.screenshots (which see): a
patient registered already opened from the duplicate check after typing a phone. Not a test:
people look at it."""

from pathlib import Path

from tests.ui.screenshots import desk_window, save, wait_until


def open_existing(env, info, folder: Path) -> None:
    """A demo patient typed again with a phone, then "Open this patient": the form says the
    phone would not be saved with them before it closes. Nothing is saved."""
    front = desk_window(env, info)
    patients = front.workspace.patients
    front.workspace.setCurrentWidget(patients)
    patients.field.setText("mar")
    wait_until(lambda: patients.model.rowCount() > 0)
    known = patients.model.rows()[0]
    form_dialog = patients.open_registration()
    family, given = known.name.split(", ", 1)
    for field, text in ((form_dialog.form.family, family), (form_dialog.form.given, given),
                        (form_dialog.form.birth_date, known.birth_date),
                        (form_dialog.form.phone, "555-301-7788")):
        field.setText(text)
    form_dialog.form.sex.setCurrentIndex(form_dialog.form.sex.findData(known.gender))
    form_dialog.save.click()
    wait_until(form_dialog.candidates.isVisible)
    form_dialog.candidates.open.click()
    save(form_dialog, folder, "registration-open-existing")
    form_dialog.reject()
    front.close()
