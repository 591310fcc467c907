"""Charting problems, allergies and medications from the chart's tabs, as a clinician would:
through the dialogs, with the tab, the Summary and the banner showing the result.

Each test charts on a patient of its own store (the `ward` of
tests/clinical/charting/test_problems.py), so the shared clinic's charts stay as other tests
expect them.
"""

from PySide6.QtCore import Qt

from app.clinical.chart.banner import allergy_line
from app.clinical.chart.chart_items import ChartItem
from app.clinical.charting.allergies import Allergies
from app.clinical.charting.medications import Medications
from app.clinical.charting.problems import Problems
from app.ui.chart.allergy_dialog import AllergyDialog
from app.ui.chart.entry_dialogs import (
    AllergyEditDialog,
    MedicationEditDialog,
    NoKnownAllergiesDialog,
    ProblemDialog,
    ProblemEditDialog,
    ReasonDialog,
)
from app.ui.chart.prescribing.dialog import PrescribeDialog
from app.ui.common import theme
from tests.clinical.charting.test_problems import ward  # noqa: F401 (fixture)
from tests.ui.chart.test_chart_view import WAIT, open_chart


def shown_titles(chart, section: str) -> list[tuple[str, str]]:
    model = chart.records(section).model
    return [(model.item(row).title, model.item(row).status) for row in range(model.rowCount())]


def press(tab, button: str, kind: type):
    """Press one of the tab's actions; the dialog it opened, which must be a `kind`."""
    tab.buttons[button].click()
    assert isinstance(tab.dialog, kind)
    return tab.dialog


def save_and_wait(qtbot, chart, dialog) -> None:
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    before = chart.summary
    qtbot.waitUntil(lambda: chart.summary is not before, timeout=WAIT)
    shown = next(key for key, tab in chart.tabs.items() if tab is chart.sections.currentWidget())
    listed = lambda: chart.records(shown).model  # noqa: E731 (the tab's list is replaced)
    qtbot.waitUntil(lambda: listed().rowCount() == listed().total, timeout=WAIT)


def test_a_problem_found_by_name_shows_in_its_tab_and_the_summary(qtbot, ward, background):
    chart = open_chart(qtbot, ward.doctor, background, ward.patient_id)
    tab = chart.show_section("problems")
    dialog = press(tab, "Add problem…", ProblemDialog)
    assert dialog.heading.text() == "Add a problem for Okafor, Ann"
    assert not dialog.save.isEnabled()
    with qtbot.waitSignal(dialog.searched, timeout=WAIT):
        qtbot.keyClicks(dialog.query, "hypertension")
        assert not dialog.save.isEnabled()  # not until the list for these words is shown
    assert dialog.chosen.text() == "I10  Essential (primary) hypertension"
    assert dialog.save.isEnabled()
    qtbot.keyClicks(dialog.onset, "2019-03")
    save_and_wait(qtbot, chart, dialog)

    assert [i.title for i in chart.summary.active_problems] == [
        "Essential (primary) hypertension"]
    assert chart.tab_label("problems") == "Problems (1)"
    qtbot.waitUntil(lambda: chart.records("problems").model.rowCount() == 1, timeout=WAIT)
    assert shown_titles(chart, "problems") == [("Essential (primary) hypertension", "active")]
    assert tab.saved.text() == ("Problem added: Essential (primary) hypertension. It goes to "
                                "the server at the next sync.")
    summary_rows = chart.tabs["summary"].tables["active_problems"].model()
    assert summary_rows.item(0).title == "Essential (primary) hypertension"
    qtbot.waitUntil(lambda: not background.busy)  # the chart's re-read after the save


def test_allergies_no_known_then_an_allergy_in_red_on_the_banner(qtbot, ward, background):
    chart = open_chart(qtbot, ward.nurse, background, ward.patient_id)
    assert chart.banner.allergies.text().startswith("Allergies: none recorded")
    tab = chart.show_section("allergies")
    save_and_wait(qtbot, chart, press(tab, "No known allergies…", NoKnownAllergiesDialog))
    assert chart.banner.allergies.text() == "Allergies: NKA (no known allergies, as recorded)"
    assert chart.banner.allergies.tone is None

    dialog = press(tab, "Add allergy…", AllergyDialog)
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)  # the coded list is read
    qtbot.keyClicks(dialog.substance, "Penicillin")
    qtbot.keyClicks(dialog.reaction, "Hives")
    dialog.severity.setCurrentText("Moderate")
    save_and_wait(qtbot, chart, dialog)
    assert chart.banner.allergies.text() == "Allergies: Penicillins"
    assert chart.banner.allergies.tone == "alert"
    assert theme.alert_color() in chart.banner.allergies.styleSheet()
    qtbot.waitUntil(lambda: chart.records("allergies").model.rowCount() == 2, timeout=WAIT)
    assert sorted(shown_titles(chart, "allergies")) == [("No known allergy", "inactive"),
                                                        ("Penicillins", "active")]


def test_nka_after_the_only_allergy_is_marked_inactive(qtbot, ward, background):
    Allergies(ward.doctor.store).add(ward.doctor.session, ward.patient_id, "Latex", "Rash",
                                     "mild")
    chart = open_chart(qtbot, ward.doctor, background, ward.patient_id)
    tab = chart.show_section("allergies")
    tab.buttons["No known allergies…"].click()
    qtbot.mouseClick(tab.dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.dialog.save.isEnabled(), timeout=WAIT)
    assert tab.dialog.message.text().startswith(
        "Record not accepted: No known allergies cannot be recorded: Latex is recorded as "
        "active.")
    tab.dialog.reject()

    qtbot.waitUntil(lambda: tab.records.model.rowCount() == 1, timeout=WAIT)
    tab.records.table.selectRow(0)
    tab.buttons["Mark inactive…"].click()
    qtbot.keyClicks(tab.dialog.reason, "Tolerated latex gloves 2024")
    save_and_wait(qtbot, chart, tab.dialog)
    assert chart.banner.allergies.text() == "Allergies: Latex (inactive)"
    tab.buttons["No known allergies…"].click()
    save_and_wait(qtbot, chart, tab.dialog)
    assert chart.banner.allergies.text() == "Allergies: NKA (no known allergies, as recorded)"


def test_the_banner_reads_nka_only_while_it_is_current():
    def item(title, status):
        return ChartItem("AllergyIntolerance", title, None, title, status, None, None)

    nka, superseded = item("No known allergy", "active"), item("No known allergy", "inactive")
    assert allergy_line([item("Peanut", "active"), superseded]) == (
        "Allergies: Peanut (not checkable)", "alert")  # free text: it has no code
    assert allergy_line([superseded]) == ("Allergies: No known allergy (inactive)", None)
    assert allergy_line([nka, item("Peanut", "inactive")]) == (
        "Allergies: NKA (no known allergies, as recorded)", None)


def test_a_refused_medication_keeps_the_dialog_and_what_was_typed(qtbot, ward, background):
    chart = open_chart(qtbot, ward.doctor, background, ward.patient_id)
    tab = chart.show_section("medications")
    dialog = press(tab, "Prescribe…", PrescribeDialog)
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)
    with qtbot.waitSignal(dialog.searched, timeout=WAIT):
        qtbot.keyClicks(dialog.query, "metformin 500 oral tablet")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Give the dose, e.g. 1 or 500."
    assert dialog.isVisible() and dialog.query.text() == "metformin 500 oral tablet"

    qtbot.keyClicks(dialog.dose, "1")
    dialog.frequency.setCurrentText("bid")
    save_and_wait(qtbot, chart, dialog)
    assert [i.title for i in chart.summary.active_medications] == [
        "metformin hydrochloride 500 MG Oral Tablet"]
    assert chart.tab_label("medications") == "Medications (1)"


def test_resolve_and_stop_act_on_the_selected_current_record(qtbot, ward, background):
    doctor = ward.doctor
    Problems(doctor.store).add(doctor.session, ward.patient_id, "J18.9")
    Medications(doctor.store).start(doctor.session, ward.patient_id, "Amoxicillin 500 mg",
                                    "1 capsule three times daily")
    chart = open_chart(qtbot, doctor, background, ward.patient_id)
    for section, button, reason, status in (("problems", "Resolve…", "Clear on X-ray",
                                             "resolved"),
                                            ("medications", "Discontinue…", "Course done",
                                             "stopped")):
        tab = chart.show_section(section)
        qtbot.waitUntil(lambda t=tab: t.records.model.rowCount() == 1, timeout=WAIT)
        assert not tab.buttons[button].isEnabled()  # nothing selected yet
        tab.records.table.selectRow(0)
        assert tab.buttons[button].isEnabled()
        dialog = press(tab, button, ReasonDialog)
        qtbot.keyClicks(dialog.reason, reason)
        save_and_wait(qtbot, chart, dialog)
        qtbot.waitUntil(lambda t=tab: t.records.model.rowCount() == 1, timeout=WAIT)
        assert shown_titles(chart, section)[0][1] == status
        tab.records.table.selectRow(0)
        assert not tab.buttons[button].isEnabled()  # it is over: nothing to end
    assert chart.summary.active_problems == chart.summary.active_medications == []
    qtbot.waitUntil(lambda: not background.busy)  # the basket's read after the last save too


def test_a_problem_marked_entered_in_error_leaves_the_summary_and_stays_listed(
        qtbot, ward, background):
    doctor = ward.doctor
    Problems(doctor.store).add(doctor.session, ward.patient_id, "J18.9")
    chart = open_chart(qtbot, doctor, background, ward.patient_id)
    assert [i.title for i in chart.summary.active_problems] == ["Pneumonia, unspecified organism"]
    tab = chart.show_section("problems")
    qtbot.waitUntil(lambda: tab.records.model.rowCount() == 1, timeout=WAIT)
    assert not tab.buttons["Entered in error…"].isEnabled()  # nothing selected yet
    tab.records.table.selectRow(0)
    dialog = press(tab, "Entered in error…", ReasonDialog)
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)  # no reason: refused, kept open
    qtbot.waitUntil(lambda: dialog.save.isEnabled() and dialog.message.isVisible(),
                    timeout=WAIT)
    assert dialog.message.text().startswith("Record not accepted:")
    qtbot.keyClicks(dialog.reason, "Wrong patient's chart")
    save_and_wait(qtbot, chart, dialog)

    assert chart.summary.active_problems == []
    qtbot.waitUntil(lambda: chart.records("problems").model.rowCount() == 1, timeout=WAIT)
    assert shown_titles(chart, "problems") == [("Pneumonia, unspecified organism",
                                                "entered-in-error")]
    assert tab.saved.text().startswith("Problem marked entered in error: Pneumonia")
    tab.records.table.selectRow(0)
    assert not tab.buttons["Entered in error…"].isEnabled()  # already marked
    assert not tab.buttons["Edit…"].isEnabled()


def test_editing_a_problem_s_onset_shows_in_the_problems_tab(qtbot, ward, background):
    doctor = ward.doctor
    Problems(doctor.store).add(doctor.session, ward.patient_id, "I10", onset="2019")
    chart = open_chart(qtbot, doctor, background, ward.patient_id)
    tab = chart.show_section("problems")
    qtbot.waitUntil(lambda: tab.records.model.rowCount() == 1, timeout=WAIT)
    tab.records.table.selectRow(0)
    dialog = press(tab, "Edit…", ProblemEditDialog)
    qtbot.keyClicks(dialog.onset, "2018-06-02")
    qtbot.keyClicks(dialog.note, "Onset per GP letter")
    save_and_wait(qtbot, chart, dialog)

    qtbot.waitUntil(lambda: chart.records("problems").model.rowCount() == 1, timeout=WAIT)
    assert chart.records("problems").model.item(0).date == "2018-06-02"
    model = chart.records("problems").model
    assert "2018-06-02" in model.index(0, 0).data()
    assert tab.saved.text().startswith("Problem edited: Essential (primary) hypertension.")
    [problem] = chart.summary.active_problems
    assert problem.date == "2018-06-02"


def test_editing_an_allergy_s_severity_shows_in_the_allergies_tab(qtbot, ward, background):
    doctor = ward.doctor
    Allergies(doctor.store).add(doctor.session, ward.patient_id, "Penicillin", "Hives",
                                "moderate", "low")
    chart = open_chart(qtbot, doctor, background, ward.patient_id)
    tab = chart.show_section("allergies")
    qtbot.waitUntil(lambda: tab.records.model.rowCount() == 1, timeout=WAIT)
    assert not tab.buttons["Edit…"].isEnabled()  # nothing selected yet
    tab.records.table.selectRow(0)
    dialog = press(tab, "Edit…", AllergyEditDialog)
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)  # once the record is shown
    assert (dialog.reaction.text(), dialog.severity.currentData(),
            dialog.criticality.currentData()) == ("Hives", "moderate", "low")
    assert all(w.accessibleName() for w in (dialog.reaction, dialog.severity,
                                            dialog.criticality, dialog.note, dialog.save))
    dialog.severity.setCurrentText("Severe")
    qtbot.keyClicks(dialog.note, "Worse on the second course")
    save_and_wait(qtbot, chart, dialog)

    assert tab.saved.text() == ("Allergy edited: Penicillin (Hives, severe). It goes to the "
                                "server at the next sync.")
    qtbot.waitUntil(lambda: chart.records("allergies").model.rowCount() == 1, timeout=WAIT)
    assert shown_titles(chart, "allergies") == [("Penicillin", "active")]
    [allergy] = chart.summary.allergies
    stored = Allergies(doctor.store).current(doctor.session, allergy.id)
    assert stored["reaction"][0]["severity"] == "severe"


def test_editing_a_medication_s_dose_shows_in_the_medications_tab(qtbot, ward, background):
    doctor = ward.doctor
    Medications(doctor.store).start(doctor.session, ward.patient_id, "Metformin 500 mg tablet",
                                    "1 tablet twice daily")
    chart = open_chart(qtbot, doctor, background, ward.patient_id)
    tab = chart.show_section("medications")
    qtbot.waitUntil(lambda: tab.records.model.rowCount() == 1, timeout=WAIT)
    tab.records.table.selectRow(0)
    dialog = press(tab, "Edit…", MedicationEditDialog)
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)
    assert dialog.dose.text() == "1 tablet twice daily"
    assert dialog.dose.accessibleName() and dialog.note.accessibleName()
    dialog.dose.clear()
    qtbot.keyClicks(dialog.dose, "2 tablets twice daily")
    save_and_wait(qtbot, chart, dialog)

    assert tab.saved.text() == ("Medication edited: Metformin 500 mg tablet, 2 tablets twice "
                                "daily. It goes to the server at the next sync.")
    [medication] = chart.summary.active_medications
    stored = Medications(doctor.store).current(doctor.session, medication.id)
    assert stored["dosageInstruction"] == [{"text": "2 tablets twice daily"}]
    qtbot.waitUntil(lambda: chart.records("medications").model.rowCount() == 1, timeout=WAIT)
    tab.records.table.selectRow(0)
    assert tab.buttons["Edit…"].isEnabled()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)  # the selection's alerts read


def test_a_dose_changed_by_someone_else_while_the_form_was_open_is_not_overwritten(
        qtbot, ward, background):
    doctor, nurse = ward.doctor, ward.nurse
    started = Medications(doctor.store).start(doctor.session, ward.patient_id,
                                              "Metformin 500 mg tablet", "1 tablet twice daily")
    chart = open_chart(qtbot, doctor, background, ward.patient_id)
    tab = chart.show_section("medications")
    qtbot.waitUntil(lambda: tab.records.model.rowCount() == 1, timeout=WAIT)
    tab.records.table.selectRow(0)
    dialog = press(tab, "Edit…", MedicationEditDialog)
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)
    Medications(nurse.store).edit(nurse.session, started["id"], dose="1 tablet once daily")
    dialog.dose.clear()
    qtbot.keyClicks(dialog.dose, "2 tablets twice daily")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "changed meanwhile" in dialog.message.text(), timeout=WAIT)
    assert "your change was not saved" in dialog.message.text()
    stored = Medications(doctor.store).current(doctor.session, started["id"])
    assert stored["dosageInstruction"] == [{"text": "1 tablet once daily"}]


def test_an_allergy_added_says_which_current_drugs_it_could_not_check(qtbot, ward, background):
    doctor = ward.doctor
    doctor.medications.start(doctor.session, ward.patient_id, "Amoxicillin 250 mg capsule",
                             "1 capsule three times daily", rxnorm="308182")
    chart = open_chart(qtbot, doctor, background, ward.patient_id)
    tab = chart.show_section("allergies")
    dialog = press(tab, "Add allergy…", AllergyDialog)
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)  # the coded list is read
    qtbot.keyClicks(dialog.substance, "Penicillin")
    dialog.results.setCurrentRow(dialog.results.count() - 1)  # kept as typed: free text
    save_and_wait(qtbot, chart, dialog)
    assert tab.saved.text() == (
        "Allergy added: Penicillin (not checkable: recorded as free text). No coded check ran "
        "for the allergy 'Penicillin' recorded as text. It goes to the server at the next "
        "sync.")
