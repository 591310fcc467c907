"""The pairs sync flagged, reviewed from the Patients tab: a second record of Chauncey
Johnston arrives by a pull, the tab counts it, the desk compares the two or says why they
are two people, and that word is remembered."""

import pytest
from PySide6.QtCore import Qt

from app.clinical.patients.arrived_duplicates import flag_arrived
from app.ui.merge.dialog import MergeDialog
from app.ui.merge.review import NO_REASON, NONE_LEFT, PossibleDuplicatesDialog
from app.ui.patients.view import PatientsView

WAIT = 10000
LEFT = Qt.MouseButton.LeftButton
ARRIVED = {"resourceType": "Patient", "name": [{"family": "Johnston", "given": ["Chauncey"]}],
           "birthDate": "1975-10-12", "gender": "male"}


@pytest.fixture
def frank(clinic):
    """Frank, at the front desk."""
    desk = clinic.sign_in("frank")
    yield desk
    desk.store.close()


@pytest.fixture
def arrived(clinic, frank):
    """A second Johnston, flagged as a pull that brought him from another workstation does."""
    other = frank.patients.register(frank.session, ARRIVED)
    with frank.store.write() as conn:
        flag_arrived(conn, [other], "frank", "2026-03-02T09:02:00+00:00")
    return clinic.patient_ids["Johnston"], other["id"]


def review_from(qtbot, patients: PatientsView) -> PossibleDuplicatesDialog:
    qtbot.mouseClick(patients.possible, LEFT)
    dialog = patients.findChildren(PossibleDuplicatesDialog)[-1]
    qtbot.waitUntil(lambda: "review" in dialog.message.text(), timeout=WAIT)
    return dialog


@pytest.fixture
def patients(qtbot, frank, background, arrived) -> PatientsView:
    view = PatientsView(frank, background)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.possible.text() == "Possible duplicates (1)", timeout=WAIT)
    return view


def test_a_pair_opens_the_merge_dialog_with_both_records(qtbot, background, arrived, patients):
    review = review_from(qtbot, patients)
    assert review.model.rowCount() == 1
    assert "same birth date" in review.model.index(0, 2).data()

    merge = review.open_merge()

    assert sorted(merge.ids) == sorted(arrived)
    qtbot.waitUntil(merge.merge_button.isEnabled, timeout=WAIT)
    assert [p.values["Name"].text() for p in merge.panels] == ["Johnston, Chauncey"] * 2
    qtbot.mouseClick(merge.merge_button, LEFT)
    qtbot.waitUntil(lambda: review.model.rowCount() == 0, timeout=WAIT)
    qtbot.waitUntil(lambda: patients.possible.text() == "Possible duplicates (0)", timeout=WAIT)
    assert isinstance(merge, MergeDialog)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_not_the_same_person_needs_a_reason_and_is_remembered(qtbot, background, patients):
    review = review_from(qtbot, patients)
    qtbot.mouseClick(review.apart, LEFT)
    assert review.message.text() == NO_REASON
    assert review.model.rowCount() == 1

    qtbot.keyClicks(review.reason, "twins: different middle names on their ID cards")
    qtbot.mouseClick(review.apart, LEFT)

    qtbot.waitUntil(lambda: review.model.rowCount() == 0, timeout=WAIT)
    assert review.message.text().startswith("Kept apart: Johnston, Chauncey and Johnston, "
                                            "Chauncey are two people.")
    assert review.message.text().endswith(NONE_LEFT)
    qtbot.waitUntil(lambda: patients.possible.text() == "Possible duplicates (0)", timeout=WAIT)
    again = review_from(qtbot, patients)
    assert again.model.rowCount() == 0 and not again.apart.isEnabled()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
