"""Renew…, Change… and Discontinue… on the Medications tab, and the safety alerts under the
list, as a prescriber uses them (real store, real dialogs, offscreen)."""

from PySide6.QtCore import Qt

from app.clinical.orders.sig import build_sig
from app.clinical.safety.packs import NO_PACK, Knowledge, PackStatus
from app.ui.chart.entry_dialogs import ReasonDialog
from app.ui.chart.prescribing.changes import ChangeDialog, RenewDialog
from tests.clinical.charting.test_problems import ward  # noqa: F401 (fixture)
from tests.clinical.safety.test_prescribing_checks import IBUPROFEN_200MG, WARFARIN_5MG, start
from tests.ui.chart.test_chart_entries import press, save_and_wait, shown_titles
from tests.ui.chart.test_chart_view import WAIT, open_chart


def medications_tab(qtbot, chart, select: str):
    """The Medications tab, its list read, with the current order `select` selected."""
    tab = chart.show_section("medications")
    model = lambda: chart.records("medications").model  # noqa: E731 (replaced after a save)
    qtbot.waitUntil(lambda: model().rowCount() == model().total > 0, timeout=WAIT)
    row = next(r for r in range(model().rowCount()) if model().item(r).title == select
               and model().item(r).status == "active")
    tab.records.table.selectRow(row)
    return tab


def click_save(qtbot, dialog) -> None:
    with qtbot.waitSignal(dialog.refused, timeout=WAIT):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)


def test_renewing_a_drug_that_now_interacts_shows_the_alert(qtbot, ward, background):
    doctor, ann = ward.doctor, ward.patient_id
    start(doctor, ann, "Warfarin 5 mg tablet", WARFARIN_5MG)
    start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG, override="3 days only")
    chart = open_chart(qtbot, doctor, background, ann)
    tab = medications_tab(qtbot, chart, "Warfarin 5 mg tablet")
    dialog = press(tab, "Renew…", RenewDialog)
    assert dialog.banner.isHidden()  # the shipped pack is whole and current
    assert dialog.directions.text() == "1 tablet daily"
    click_save(qtbot, dialog)
    said = dialog.message.text().splitlines()
    assert said[0].startswith("Major drug-drug alert: Warfarin Sodium 5 MG Oral Tablet with "
                              "Ibuprofen 200 MG Oral Tablet")
    assert said[1].startswith("    Source: Not on the ONC list. Malone DC") and said[1].endswith(
        "(Hearth high-priority interactions and allergy groups version 2026.1).")
    assert dialog.override.isVisible() and dialog.save.text() == "Renew despite the alert"
    qtbot.keyClicks(dialog.override, "Ibuprofen ends Friday")
    save_and_wait(qtbot, chart, dialog)
    assert sorted(shown_titles(chart, "medications")) == [
        ("Ibuprofen 200 MG Oral Tablet", "active"), ("Warfarin 5 mg tablet", "active"),
        ("Warfarin 5 mg tablet", "completed")]
    assert tab.saved.text().startswith("Medication renewed: Warfarin 5 mg tablet.")


def test_changing_the_dose_shows_the_new_sig_and_does_not_alert_against_itself(
        qtbot, ward, background):
    doctor, ann = ward.doctor, ward.patient_id
    doctor.medications.prescribe(doctor.session, ann, "Ibuprofen 200 MG Oral Tablet",
                                 build_sig("1", "tablet", "oral", "tid", None, 30, 1),
                                 rxnorm=IBUPROFEN_200MG)
    chart = open_chart(qtbot, doctor, background, ann)
    tab = medications_tab(qtbot, chart, "Ibuprofen 200 MG Oral Tablet")
    dialog = press(tab, "Change…", ChangeDialog)
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)
    assert dialog.now.text() == "Take 1 tablet by mouth three times a day."
    assert (dialog.dose.text(), dialog.frequency.currentText(), dialog.quantity.text(),
            dialog.refills.text()) == ("1", "tid", "30", "1")
    dialog.dose.setText("2")
    dialog.days.setText("5")
    assert dialog.sig.text() == "Take 2 tablets by mouth three times a day for 5 days."
    dialog.days.setText("five")
    assert dialog.sig.text() == "The duration in days 'five' is not a number."
    dialog.days.setText("5")
    save_and_wait(qtbot, chart, dialog)  # no alert: it is not checked against itself
    assert sorted(shown_titles(chart, "medications")) == [
        ("Ibuprofen 200 MG Oral Tablet", "active"), ("Ibuprofen 200 MG Oral Tablet", "stopped")]
    assert tab.saved.text().startswith("Medication changed: Ibuprofen 200 MG Oral Tablet, "
                                       "Take 2 tablets by mouth three times a day for 5 days.")


def test_discontinue_without_a_reason_is_refused_with_a_sentence(qtbot, ward, background):
    doctor, ann = ward.doctor, ward.patient_id
    start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG)
    chart = open_chart(qtbot, doctor, background, ann)
    tab = medications_tab(qtbot, chart, "Ibuprofen 200 MG Oral Tablet")
    assert tab.buttons["Discontinue…"].shortcut().toString() == "Ctrl+D"
    dialog = press(tab, "Discontinue…", ReasonDialog)
    click_save(qtbot, dialog)
    assert dialog.message.text() == "Record not accepted: Say why the medication is stopped."
    qtbot.keyClicks(dialog.reason, "Stomach upset")
    save_and_wait(qtbot, chart, dialog)
    assert shown_titles(chart, "medications") == [("Ibuprofen 200 MG Oral Tablet", "stopped")]


def test_the_detail_pane_shows_the_alert_with_its_override_reason(qtbot, ward, background):
    doctor, ann = ward.doctor, ward.patient_id
    start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG)
    start(doctor, ann, "Warfarin 5 mg tablet", WARFARIN_5MG, override="INR checked Friday")
    chart = open_chart(qtbot, doctor, background, ann)
    tab = medications_tab(qtbot, chart, "Warfarin 5 mg tablet")
    qtbot.waitUntil(lambda: tab.alerts.text.isVisible(), timeout=WAIT)
    assert tab.alerts.heading.text() == "Safety alerts of Warfarin 5 mg tablet: 1 alert."
    lines = tab.alerts.text.toPlainText().splitlines()
    assert lines[0].startswith("High · Drug interaction alert · with Ibuprofen 200 MG Oral "
                               "Tablet · ")
    assert lines[2].startswith("Source: ") and "Malone DC" in lines[2]
    assert lines[3] == f"Overridden: INR checked Friday (by {doctor.session.full_name})"


def test_without_a_pack_renew_says_so_in_red_and_asks_for_an_acknowledgement(
        qtbot, ward, background):
    doctor, ann = ward.doctor, ward.patient_id
    start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG)
    doctor.medications.safety.knowledge = Knowledge((), PackStatus("missing", NO_PACK, False))
    chart = open_chart(qtbot, doctor, background, ann)
    tab = medications_tab(qtbot, chart, "Ibuprofen 200 MG Oral Tablet")
    dialog = press(tab, "Renew…", RenewDialog)
    assert not dialog.banner.isHidden() and dialog.banner.tone == "alert"
    assert "No medication safety pack is installed" in dialog.banner.text()
    click_save(qtbot, dialog)
    assert dialog.acknowledge.isVisible()
    assert dialog.save.text() == "Renew without a check"
    dialog.acknowledge.setChecked(True)
    save_and_wait(qtbot, chart, dialog)
    assert sorted(shown_titles(chart, "medications")) == [
        ("Ibuprofen 200 MG Oral Tablet", "active"), ("Ibuprofen 200 MG Oral Tablet", "completed")]
