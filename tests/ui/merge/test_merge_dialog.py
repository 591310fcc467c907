"""The front desk merges Chauncey Johnston's second record (registered again, with a visit
booked on it) into the first from the Patients tab, sees the visit under the record kept,
undoes it, and is told in the service's sentence when a merge makes no sense."""

from datetime import date, datetime, time, timedelta

import pytest
from PySide6.QtCore import Qt

from app.clinical.patients.merge import PatientMerge
from app.clinical.visits.schedule import Schedule
from app.ui.demographics.view import DemographicsView
from app.ui.merge.dialog import MergeDialog, moved_text
from app.ui.patients.view import PatientsView
from tests.ui.today.test_today_view import practitioner  # noqa: F401 (a fixture)

WAIT = 10000
LEFT = Qt.MouseButton.LeftButton
USER = Qt.ItemDataRole.UserRole
JOHNSTON = {"resourceType": "Patient", "name": [{"family": "Johnston", "given": ["Chauncey"]}],
            "birthDate": "1975-10-12", "gender": "male",
            "telecom": [{"system": "phone", "value": "555-0199"}]}


@pytest.fixture
def frank(clinic):
    """Frank, at the front desk."""
    desk = clinic.sign_in("frank")
    yield desk
    desk.store.close()


@pytest.fixture
def twice(clinic, frank, practitioner):  # noqa: F811
    """Johnston's record, and a second one of him with tomorrow's follow-up booked on it."""
    second = frank.patients.register(frank.session, JOHNSTON)["id"]
    start = datetime.combine(date.today() + timedelta(days=1), time(9, 30))
    Schedule(frank.store).book(frank.session, second, practitioner, start, 20, "Follow-up")
    return clinic.patient_ids["Johnston"], second


def details(qtbot, frank, background, patient_id) -> DemographicsView:
    view = DemographicsView(frank, background, patient_id)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.shown is not None, timeout=WAIT)
    return view


def opened_from_patients(qtbot, frank, background, highlighted) -> MergeDialog:
    patients = PatientsView(frank, background)
    qtbot.addWidget(patients)
    patients.show()
    qtbot.keyClicks(patients.field, "johnston")
    qtbot.waitUntil(lambda: patients.model.rowCount() == 2, timeout=WAIT)
    ids = [hit.patient_id for hit in patients.model.rows()]
    patients.table.selectRow(ids.index(highlighted))
    qtbot.mouseClick(patients.merge, LEFT)
    [dialog] = patients.findChildren(MergeDialog)
    return dialog


def test_merging_moves_the_visit_to_the_record_kept_and_undo_gives_it_back(
        qtbot, frank, background, twice):
    keep, other = twice
    kept_details = details(qtbot, frank, background, keep)
    assert kept_details.appointments.rowCount() == 0
    dialog = opened_from_patients(qtbot, frank, background, other)
    qtbot.keyClicks(dialog.search, "johnston")
    qtbot.waitUntil(lambda: dialog.hits.count() == 2, timeout=WAIT)
    row = next(i for i in range(2) if dialog.hits.item(i).data(USER) == keep)
    dialog.hits.setCurrentRow(row)
    qtbot.waitUntil(dialog.merge_button.isEnabled, timeout=WAIT)
    assert dialog.panels[0].values["Holds"].text().startswith("1 upcoming appointment")
    assert dialog.panels[0].values["Phone"].text() == "555-0199"
    assert dialog.keep_index == 1  # the record with an MRN is kept unless switched
    assert dialog.explain.text().endswith("makes the first record inactive. It can be undone "
                                          "until the next sync.")

    qtbot.mouseClick(dialog.merge_button, LEFT)

    qtbot.waitUntil(lambda: dialog.message.text().startswith("Merged"), timeout=WAIT)
    assert "moved 1 appointment." in dialog.message.text()
    assert dialog.undo_button.isVisible()
    qtbot.waitUntil(lambda: kept_details.appointments.rowCount() == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: dialog.panels[0].values["Status"].text()
                    == "Merged into the second record",
                    timeout=WAIT)

    qtbot.mouseClick(dialog.undo_button, LEFT)

    qtbot.waitUntil(lambda: dialog.message.text().startswith("Merge undone"), timeout=WAIT)
    qtbot.waitUntil(lambda: kept_details.appointments.rowCount() == 0, timeout=WAIT)
    assert not dialog.undo_button.isVisible()
    assert details(qtbot, frank, background, other).appointments.rowCount() == 1
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_undo_after_the_server_has_the_merge_is_refused_in_a_sentence(
        qtbot, frank, background, twice):
    keep, other = twice
    dialog = MergeDialog(frank, background, keep, other)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.merge_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(dialog.merge_button, LEFT)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Merged"), timeout=WAIT)
    with frank.store.write() as conn:  # as a sync the server confirmed: the outbox is empty
        conn.exec_driver_sql("DELETE FROM local_change")

    qtbot.mouseClick(dialog.undo_button, LEFT)

    qtbot.waitUntil(lambda: "cannot be undone: it has been sent to the server"
                    in dialog.message.text(), timeout=WAIT)
    assert not dialog.undo_button.isVisible()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


@pytest.mark.parametrize("into, said", [
    ("itself", "A patient cannot be merged into itself"),
    ("merged away", "was itself merged into Patient"),
])
def test_a_merge_that_makes_no_sense_is_refused_in_the_services_sentence(
        qtbot, frank, background, twice, into, said):
    keep, other = twice
    if into == "merged away":
        PatientMerge(frank.store).merge(frank.session, keep, other)
    dialog = MergeDialog(frank, background, keep if into == "itself" else other, keep)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.merge_button.isEnabled, timeout=WAIT)
    if into == "merged away":
        dialog.keep_second()  # keep Johnston, merge the record merged into him already

    qtbot.mouseClick(dialog.merge_button, LEFT)

    qtbot.waitUntil(lambda: said in dialog.message.text(), timeout=WAIT)
    assert dialog.undo_button.isHidden() and dialog.merge_button.isEnabled()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_what_moved_is_said_in_a_clerks_words():
    assert moved_text({"AllergyIntolerance": 2, "Appointment": 1, "Coverage": 2,
                       "ExplanationOfBenefit": 3}) == (
        "2 allergies, 1 appointment, 2 insurance, 3 explanation of benefits")
