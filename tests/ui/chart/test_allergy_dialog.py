"""Adding an allergy as a clinician would: the substance picked from the coded list with the
keyboard, so prescribing checks it; free text allowed but warned of and marked "not
checkable" on the banner; a damaged allergen file named, with free text still working."""

import pytest
from PySide6.QtCore import Qt

from app.clinical.chart.banner import allergy_line
from app.clinical.chart.chart_items import ChartItem
from app.clinical.charting.allergies import Allergies
from app.clinical.safety.patient_lists import DRUG_CLASS
from app.clinical.safety.prescribing import SafetyAlerts
from app.ui.chart.allergy_dialog import AllergyDialog
from app.ui.common import theme
from app.ui.operations.entries import Services
from tests.clinical.charting.test_problems import ward  # noqa: F401 (fixture)
from tests.ui.chart.test_chart_entries import press, save_and_wait
from tests.ui.chart.test_chart_view import WAIT, open_chart

AMOXICILLIN_250MG = "308182"
WARNING = "a free-text allergy cannot be checked against prescriptions"


def listed(dialog) -> list[str]:
    return [dialog.results.item(row).text() for row in range(dialog.results.count())]


def add_dialog(qtbot, chart) -> AllergyDialog:
    dialog = press(chart.show_section("allergies"), "Add allergy…", AllergyDialog)
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)  # the coded list is read
    return dialog


def test_penicillins_picked_with_the_keyboard_stops_amoxicillin(qtbot, ward, background):
    doctor, ann = ward.doctor, ward.patient_id
    chart = open_chart(qtbot, doctor, background, ann)
    dialog = add_dialog(qtbot, chart)
    qtbot.keyClicks(dialog.substance, "pen")
    assert listed(dialog) == ["Penicillins · drug class",
                              "penicillin G · drug ingredient · RxNorm 7980",
                              "penicillin V · drug ingredient · RxNorm 7984",
                              "\u201cpen\u201d as typed · free text, not checkable"]
    qtbot.keyClick(dialog.substance, Qt.Key.Key_Down)  # into the list, on the best match
    assert dialog.results.hasFocus() and dialog.chosen.text() == "Penicillins · drug class"
    assert not dialog.free_text.isVisible() and not dialog.category.isEnabled()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
        qtbot.keyClick(dialog.results, Qt.Key.Key_Return)
    allergy = saved.args[0].allergy
    assert allergy["code"] == {"text": "Penicillins", "coding": [
        {"system": DRUG_CLASS, "code": "penicillin", "display": "Penicillins"}]}
    assert allergy["category"] == ["medication"]
    qtbot.waitUntil(lambda: chart.banner.allergies.text() == "Allergies: Penicillins",
                    timeout=WAIT)
    with pytest.raises(SafetyAlerts, match="allergic to Penicillins"):
        doctor.medications.prescribe(doctor.session, ann, "Amoxicillin 250 MG Oral Capsule",
                                     "1 capsule three times daily", rxnorm=AMOXICILLIN_250MG)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_free_text_is_warned_of_and_marked_not_checkable_on_the_banner(qtbot, ward,
                                                                       background):
    chart = open_chart(qtbot, ward.nurse, background, ward.patient_id)
    dialog = add_dialog(qtbot, chart)
    qtbot.keyClicks(dialog.substance, "penicil")
    assert dialog.category.currentText() == "Medication"  # Penicillins, the best match
    qtbot.keyClicks(dialog.substance, "in")
    assert listed(dialog) == ["\u201cpenicilin\u201d as typed · free text, not checkable"]
    assert dialog.category.currentText() == "Not stated"  # no longer the list's
    assert dialog.free_text.isVisible() and dialog.free_text.tone == "alert"
    assert WARNING in dialog.free_text.text()
    assert theme.alert_color() in dialog.free_text.styleSheet()
    assert dialog.category.isEnabled()  # a free-text substance's kind is the clinician's
    dialog.category.setCurrentText("Medication")
    save_and_wait(qtbot, chart, dialog)
    assert chart.banner.allergies.text() == "Allergies: penicilin (not checkable)"
    assert chart.banner.allergies.accessibleDescription() == (
        "An allergy marked not checkable was recorded as free text: no prescription is "
        "checked against it.")
    assert chart.tabs["allergies"].saved.text().startswith(
        "Allergy added: penicilin (not checkable: recorded as free text).")


def test_the_banner_marks_only_current_free_text_allergies():
    def item(title, code=None, status="active"):
        return ChartItem("AllergyIntolerance", title, None, title, status, None, None,
                         code=code)

    assert allergy_line([item("Penicillins", "penicillin"), item("Peanut", "SNOMED CT 1"),
                         item("latex glove"), item("Kiwi", status="inactive")]) == (
        "Allergies: Penicillins, Peanut, latex glove (not checkable), Kiwi (inactive)",
        "alert")


def test_a_damaged_allergen_file_is_named_and_free_text_still_saves(qtbot, ward, background,
                                                                    tmp_path):
    nurse = ward.nurse
    damaged = tmp_path / "allergens.json"
    damaged.write_text("not json")
    services = Services(nurse.session, nurse.problems,
                        Allergies(nurse.store, safety=nurse.safety, allergens_file=str(damaged)),
                        nurse.medications, ward.patient_id)
    dialog = AllergyDialog(services, background, "Okafor, Ann")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)
    assert dialog.list_problem.isVisible() and dialog.list_problem.tone == "alert"
    assert dialog.list_problem.text().startswith(
        f"The allergen list file {damaged} could not be read (")
    qtbot.keyClicks(dialog.substance, "Peanut")
    assert listed(dialog) == ["\u201cPeanut\u201d as typed · free text, not checkable"]
    assert WARNING in dialog.free_text.text()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert saved.args[0].allergy["code"] == {"text": "Peanut"}
