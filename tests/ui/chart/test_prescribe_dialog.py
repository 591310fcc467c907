"""New prescription, as a prescriber uses it: the drug found in the offline catalogue as
typed, the sig read back in plain words, the safety check's alerts shown with their source
and overridden only with a reason, a nurse's order pended, free text said to be unchecked,
and a missing pack said at the top. Real store, real Qt widgets."""

from PySide6.QtCore import Qt

from app.clinical.charting.problems import Problems
from app.clinical.orders.order_sets import MedicationProposal
from app.clinical.orders.sig import build_sig
from app.clinical.safety.packs import load_knowledge
from app.ui.chart.prescribing.dialog import PrescribeDialog
from app.ui.operations.entries import Services
from tests.clinical.charting.test_problems import ward  # noqa: F401 (fixture)
from tests.clinical.safety.test_prescribing_checks import SNOMED_PENICILLIN_ALLERGY, issues
from tests.ui.chart.test_chart_entries import press, save_and_wait
from tests.ui.chart.test_chart_view import WAIT, open_chart

IBUPROFEN_200MG, AMOXICILLIN_500MG = "310965", "308191"


def dialog_for(qtbot, ws, background, patient_id, proposal=None) -> PrescribeDialog:
    services = Services(ws.session, ws.problems, ws.allergies, ws.medications, patient_id)
    dialog = PrescribeDialog(services, background, "Okafor, Ann", proposal)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    return dialog


def find(qtbot, dialog, typed: str) -> None:
    with qtbot.waitSignal(dialog.searched, timeout=WAIT):
        qtbot.keyClicks(dialog.query, typed)


def fill_sig(qtbot, dialog, dose="1", unit="capsule", frequency="tid", days="10",
             quantity="30", refills="0") -> None:
    qtbot.keyClicks(dialog.dose, dose)
    dialog.unit.setCurrentText(unit)
    dialog.frequency.setCurrentText(frequency)
    for field, typed in ((dialog.days, days), (dialog.quantity, quantity),
                         (dialog.refills, refills)):
        qtbot.keyClicks(field, typed)


def prescribe(qtbot, dialog) -> None:
    """Ctrl+Enter, as a prescriber at the keyboard would."""
    qtbot.keyClick(dialog.instructions, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_warfarin_for_a_patient_on_ibuprofen_shows_the_interaction_with_its_source(
        qtbot, ward, background):
    doctor = ward.doctor
    doctor.medications.start(doctor.session, ward.patient_id, "Ibuprofen 200 MG Oral Tablet",
                             "1 tablet three times daily", rxnorm=IBUPROFEN_200MG)
    chart = open_chart(qtbot, doctor, background, ward.patient_id)
    tab = chart.show_section("medications")
    dialog = press(tab, "Prescribe…", PrescribeDialog)
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)
    assert not dialog.banner.isVisible()  # the shipped pack is whole and current
    find(qtbot, dialog, "warfarin 5")
    assert dialog.chosen.text() == "Warfarin Sodium 5 MG Oral Tablet  (RxNorm 855332)"
    fill_sig(qtbot, dialog, unit="tablet", frequency="daily", days="30", quantity="30")
    assert dialog.sig.text() == "Take 1 tablet by mouth once a day for 30 days."
    prescribe(qtbot, dialog)
    qtbot.waitUntil(dialog.alerts.isVisible, timeout=WAIT)
    shown = dialog.alerts.text()
    assert shown.startswith("Major drug-drug alert: Warfarin Sodium 5 MG Oral Tablet with "
                            "Ibuprofen 200 MG Oral Tablet")
    assert "Source: Not on the ONC list. Malone DC" in shown
    assert "(Hearth high-priority interactions and allergy groups version 2026.1)." in shown
    assert dialog.save.text() == "Prescribe despite the alert"
    assert chart.summary.active_medications[0].title == "Ibuprofen 200 MG Oral Tablet"

    qtbot.keyClicks(dialog.override, "INR weekly; ibuprofen stops Friday")
    save_and_wait(qtbot, chart, dialog)
    assert [i.title for i in chart.summary.active_medications] == [
        "Warfarin Sodium 5 MG Oral Tablet", "Ibuprofen 200 MG Oral Tablet"]
    assert tab.saved.text().startswith("Prescribed: Warfarin Sodium 5 MG Oral Tablet. Review "
                                       "the medication list: Warfarin Sodium")


def test_amoxicillin_for_a_penicillin_allergy_is_saved_only_with_a_reason(
        qtbot, ward, background):
    doctor, ann = ward.doctor, ward.patient_id
    doctor.allergies.add(doctor.session, ann, "Penicillin", "Hives", "moderate",
                         substance_code=SNOMED_PENICILLIN_ALLERGY, category="medication")
    pneumonia = Problems(doctor.store).add(doctor.session, ann, "J18.9")
    dialog = dialog_for(qtbot, doctor, background, ann)
    find(qtbot, dialog, "amoxicillin 500 oral capsule")
    fill_sig(qtbot, dialog, refills="1")
    dialog.indication.setCurrentText("Pneumonia, unspecified organism")
    qtbot.keyClicks(dialog.instructions, "Finish the course")
    prescribe(qtbot, dialog)
    qtbot.waitUntil(dialog.alerts.isVisible, timeout=WAIT)
    assert dialog.alerts.text().startswith(
        "Contraindicated drug-allergy alert: amoxicillin 500 MG Oral Capsule for a patient "
        "allergic to Penicillin (penicillins)")
    assert dialog.message.text().startswith("Not prescribed yet: the safety check found an "
                                            "alert that stops the order.")
    prescribe(qtbot, dialog)  # still no reason: still not saved
    qtbot.waitUntil(lambda: dialog.save.isEnabled(), timeout=WAIT)
    assert dialog.isVisible() and issues(doctor, ann) == []

    qtbot.keyClicks(dialog.override, "Tolerated amoxicillin in 2023; rash only")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
        prescribe(qtbot, dialog)
    request = saved.args[0].request
    assert request["status"] == "active"
    assert request["dispenseRequest"]["quantity"] == {"value": 30, "unit": "capsule"}
    assert request["dispenseRequest"]["numberOfRepeatsAllowed"] == 1
    assert request["dosageInstruction"][0]["text"] == (
        "Take 1 capsule by mouth three times a day for 10 days.")
    assert request["dosageInstruction"][0]["patientInstruction"] == "Finish the course"
    assert request["reasonReference"][0]["reference"] == f"Condition/{pneumonia['id']}"
    [issue] = issues(doctor, ann)
    assert issue["mitigation"][0]["action"]["text"].endswith(
        "Tolerated amoxicillin in 2023; rash only")


def test_a_nurse_s_prescription_is_pended_for_a_physician(qtbot, ward, background):
    dialog = dialog_for(qtbot, ward.nurse, background, ward.patient_id)
    assert "saved unsigned, for a physician to sign" in " ".join(
        w.text() for w in dialog.findChildren(type(dialog.sig)) if w.isVisible())
    find(qtbot, dialog, AMOXICILLIN_500MG)
    fill_sig(qtbot, dialog)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
        prescribe(qtbot, dialog)
    request = saved.args[0].request
    assert request["status"] == "draft"
    assert request["note"][0]["text"] == f"Pended by {ward.nurse.session.full_name}"


def test_a_drug_typed_as_free_text_says_no_check_can_run(qtbot, ward, background):
    doctor, ann = ward.doctor, ward.patient_id
    dialog = dialog_for(qtbot, doctor, background, ann)
    find(qtbot, dialog, "Grandma's tonic")
    assert dialog.chosen.tone == "alert"
    assert "no safety check can run for it" in dialog.chosen.text()
    fill_sig(qtbot, dialog, unit="ml", frequency="daily", days="", quantity="", refills="")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
        prescribe(qtbot, dialog)
    assert saved.args[0].request["medicationCodeableConcept"] == {"text": "Grandma's tonic"}
    [issue] = issues(doctor, ann)
    assert issue["detail"] == ("No medication safety check ran: Grandma's tonic was given as "
                               "text, not picked from the drug catalogue.")


def test_bad_sig_input_is_named_and_a_high_dose_warned(qtbot, ward, background):
    dialog = dialog_for(qtbot, ward.doctor, background, ward.patient_id)
    find(qtbot, dialog, "ibuprofen 200 oral tablet")
    fill_sig(qtbot, dialog, dose="abc", unit="mg", frequency="qid", days="", quantity="",
             refills="")
    assert dialog.sig.text() == "The dose 'abc' is not a number: write it as 1, 0.5 or 500."
    dialog.dose.setText("1200")
    assert dialog.sig.tone == "alert" and dialog.sig.text() == (
        "Take 1200 mg by mouth four times a day. 4800 mg a day of ibuprofen is above the "
        "adult maximum of 3200 mg a day (Motrin (ibuprofen) prescribing information: do not "
        "exceed 3,200 mg a day).")
    qtbot.keyClicks(dialog.refills, "two")
    prescribe(qtbot, dialog)
    assert dialog.message.text() == "Refills 'two' is not a number."
    assert dialog.isVisible()


def test_an_order_set_line_fills_the_form(qtbot, ward, background):
    proposal = MedicationProposal("860975", "Metformin 500 mg tablet",
                                  build_sig("1", "tablet", "oral", "bid", 90, 180, 3))
    dialog = dialog_for(qtbot, ward.doctor, background, ward.patient_id, proposal)
    qtbot.waitUntil(lambda: dialog.drug() is not None, timeout=WAIT)
    assert dialog.drug().rxcui == "860975"
    assert (dialog.dose.text(), dialog.unit.currentText(), dialog.frequency.currentText(),
            dialog.days.text(), dialog.quantity.text(), dialog.refills.text()) == (
        "1", "tablet", "bid", "90", "180", "3")
    assert dialog.sig.text() == "Take 1 tablet by mouth twice a day for 90 days."


def test_a_missing_pack_is_said_at_the_top_and_needs_an_acknowledgement(
        qtbot, ward, background, tmp_path):
    doctor = ward.doctor
    doctor.safety.knowledge = load_knowledge(doctor.store.paths.root, shipped=tmp_path / "gone")
    dialog = dialog_for(qtbot, doctor, background, ward.patient_id)
    assert dialog.banner.isVisible() and dialog.banner.text().startswith(
        "Medication safety checks: No medication safety pack is installed")
    find(qtbot, dialog, AMOXICILLIN_500MG)
    fill_sig(qtbot, dialog)
    prescribe(qtbot, dialog)
    qtbot.waitUntil(dialog.acknowledge.isVisible, timeout=WAIT)
    assert dialog.save.text() == "Prescribe without a full check"
    dialog.acknowledge.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        prescribe(qtbot, dialog)
