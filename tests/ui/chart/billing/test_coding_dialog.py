"""Coding a finished visit from its window: the physician picks E11.9 and a HCPCS line
pointing at it, saves, and reads "Ready to bill"; an unsigned note keeps it not ready with
the service's sentence; a bad modifier is refused and nothing is saved."""

import pytest
from PySide6.QtCore import Qt

from app.clinical.billing.coding import VisitCoding
from app.ui.chart.billing.coding_dialog import READY, CodingDialog
from app.ui.chart.billing.service_lines import MODIFIERS
from app.ui.chart.visit_record import VisitWindow

WAIT = 10_000


@pytest.fixture
def finished(clinic, ws) -> tuple[str, str]:
    """A Synthea patient's visit, started and finished by Dr Lee: (patient, visit)."""
    patient = next(iter(clinic.patient_ids.values()))
    visit = ws.encounters.start_visit(ws.session, patient)
    ws.encounters.finish_visit(ws.session, visit["id"])
    return patient, visit["id"]


def opened(qtbot, ws, background, visit_id: str) -> CodingDialog:
    dialog = CodingDialog(ws, background, visit_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)
    return dialog


def code_diabetes_wellness(qtbot, dialog: CodingDialog, modifier: str = "") -> None:
    """Type E11.9 and Enter, then G0439 and Enter, as a coder at the keyboard would."""
    for row in range(dialog.diagnoses.chosen.count()):  # start from no diagnosis
        dialog.diagnoses.chosen.item(row).setCheckState(Qt.CheckState.Unchecked)
    with qtbot.waitSignal(dialog.diagnoses.searched, timeout=WAIT):
        qtbot.keyClicks(dialog.diagnoses.query, "E11.9")
    qtbot.keyClick(dialog.diagnoses.query, Qt.Key.Key_Return)
    with qtbot.waitSignal(dialog.lines.searched, timeout=WAIT):
        qtbot.keyClicks(dialog.lines.query, "G0439")
    qtbot.keyClick(dialog.lines.query, Qt.Key.Key_Return)
    dialog.lines.table.item(0, MODIFIERS).setText(modifier)


def test_a_physician_codes_a_finished_visit_and_it_is_ready_to_bill(qtbot, ws, background,
                                                                    finished):
    _, visit = finished
    window = VisitWindow(ws, background, finished[0], visit, None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.visit is not None, timeout=WAIT)
    assert window.code_button.isVisible()
    dialog = window.open_coding()
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)
    code_diabetes_wellness(qtbot, dialog)
    assert dialog.diagnoses.codes() == ("E11.9",)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "saved" in dialog.message.text(), timeout=WAIT)
    assert dialog.readiness.text() == READY and dialog.readiness.tone == "muted"
    claim = VisitCoding(ws.store).show(ws.session, visit).claim
    assert [d["diagnosisCodeableConcept"]["coding"][0]["code"]
            for d in claim["diagnosis"]] == ["E11.9"]
    (line,) = claim["item"]
    assert (line["productOrService"]["coding"][0]["code"], line["diagnosisSequence"],
            line["locationCodeableConcept"]["coding"][0]["code"]) == ("G0439", [1], "11")
    assert claim["provider"]["display"] == "Dr Lee"


def test_an_unsigned_note_keeps_the_visit_not_ready_saying_so(qtbot, ws, background, finished):
    patient, visit = finished
    ws.notes.start_draft(ws.session, patient, "progress", encounter_id=visit)
    dialog = opened(qtbot, ws, background, visit)
    code_diabetes_wellness(qtbot, dialog)
    dialog.save.click()
    qtbot.waitUntil(lambda: "saved" in dialog.message.text(), timeout=WAIT)
    assert dialog.readiness.tone == "alert"
    assert dialog.readiness.text().startswith("Not ready to bill:")
    assert "is not signed yet: it must be signed before the visit is billed." \
        in dialog.readiness.text()


def test_a_bad_modifier_is_refused_with_the_services_sentence(qtbot, ws, background, finished):
    _, visit = finished
    dialog = opened(qtbot, ws, background, visit)
    code_diabetes_wellness(qtbot, dialog, modifier="2$")
    dialog.save.click()
    qtbot.waitUntil(lambda: dialog.message.tone == "alert", timeout=WAIT)
    assert dialog.message.text() == (
        "Coding not saved: The modifier '2$' on line 1 (G0439) is not two letters or digits; "
        "a modifier is two characters, such as 25 or GT.")
    assert dialog.lines.table.item(0, MODIFIERS).text() == "2$"  # what was typed stays
    assert VisitCoding(ws.store).show(ws.session, visit).claim is None


def test_units_that_are_not_a_number_are_refused_before_saving(qtbot, ws, background,
                                                               finished):
    _, visit = finished
    dialog = opened(qtbot, ws, background, visit)
    code_diabetes_wellness(qtbot, dialog)
    dialog.lines.table.item(0, 3).setText("two")
    dialog.save.click()
    assert dialog.message.text() == ("Coding not saved: Units on line 1 (G0439) must be a "
                                     "whole number of 1 or more, not 'two'.")


def test_a_nurse_is_not_offered_coding(qtbot, clinic, background, finished):
    patient, visit = finished
    nurse = clinic.sign_in("nina")
    window = VisitWindow(nurse, background, patient, visit, None)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.visit is not None, timeout=WAIT)
    assert not window.code_button.isVisible() and window.code_button.isHidden()
    nurse.store.close()


def test_alt_up_makes_a_diagnosis_the_primary(qtbot, ws, background, finished):
    _, visit = finished
    dialog = opened(qtbot, ws, background, visit)
    code_diabetes_wellness(qtbot, dialog)
    with qtbot.waitSignal(dialog.diagnoses.searched, timeout=WAIT):
        qtbot.keyClicks(dialog.diagnoses.query, "I10")
    qtbot.keyClick(dialog.diagnoses.query, Qt.Key.Key_Return)
    assert dialog.diagnoses.codes() == ("E11.9", "I10")
    qtbot.keyClick(dialog.diagnoses.chosen, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert dialog.diagnoses.codes() == ("I10", "E11.9")
    assert dialog.diagnoses.chosen.currentItem().text().startswith("1. primary, I10")


def test_enter_before_the_new_matches_arrive_adds_nothing(qtbot, ws, background, finished):
    _, visit = finished
    dialog = opened(qtbot, ws, background, visit)
    before = dialog.diagnoses.codes()
    with qtbot.waitSignal(dialog.diagnoses.searched, timeout=WAIT):
        qtbot.keyClicks(dialog.diagnoses.query, "hyper")
    qtbot.keyClicks(dialog.diagnoses.query, "lipidemia")
    qtbot.keyClick(dialog.diagnoses.query, Qt.Key.Key_Return)  # the list is still "hyper"'s
    assert dialog.diagnoses.codes() == before
    qtbot.waitUntil(lambda: dialog.diagnoses.found.count() > 0 and dialog.diagnoses.found.item(
        0).text().startswith("E78"), timeout=WAIT)  # the new list: now Enter adds from it
