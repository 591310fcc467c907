"""The Patients tab shows a patient found by a misspelled name, and says how it was found."""

from app.ui.patients.view import PatientsView


def test_a_misspelled_family_name_finds_the_patient_and_says_it_sounds_alike(
        qtbot, clinic, ws, background):
    view = PatientsView(ws, background)
    qtbot.addWidget(view)
    view.show()
    qtbot.keyClicks(view.field, "jonsten")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert view.model.rows()[0].patient_id == clinic.patient_ids["Johnston"]
    assert view.table.model().index(0, 0).data() == (
        "Johnston, Chauncey  (sounds like “jonsten”)")
