"""Screenshot scenes of a new prescription, run by tests.ui.screenshots (which see): warfarin
for a patient on ibuprofen stopped by the interaction with its source and asking for the
reason, a drug typed as free text said to be unchecked, and the red banner when the safety
pack is missing. Not a test: people look at them."""

from pathlib import Path

from PySide6.QtTest import QTest

from tests.ui.screenshots import chart_window, rosa_on_ibuprofen, save, wait_until


def new_prescription(work: Path, folder: Path) -> None:
    """Rosa (tests/clinical/chart/visit_ward.py) on ibuprofen; nothing more is saved."""
    from app.clinical.safety.packs import load_knowledge
    from tests.clinical.chart.visit_ward import ROSA

    root = work / "rosa-prescribe" / "store"
    ws = rosa_on_ibuprofen(root)
    background, chart = chart_window(ws, ROSA)
    tab = chart.show_section("medications")

    dialog = _open(tab)
    _fill(dialog, "warfarin 5", "1", "tablet", "daily", "30", "30", "2")
    dialog.instructions.setText("Same time each evening; no new painkillers without asking")
    dialog.save.click()
    wait_until(dialog.alerts.isVisible)
    dialog.override.setText("Ibuprofen stops on Friday; INR checked on Monday")
    save(dialog, folder, "prescribe-interaction")
    dialog.reject()

    dialog = _open(tab)
    _fill(dialog, "Grandma's tonic", "5", "ml", "daily", "", "", "")
    save(dialog, folder, "prescribe-free-text")
    dialog.reject()

    ws.safety.knowledge = load_knowledge(root, shipped=work / "no-such-pack.json")
    dialog = _open(tab)
    _fill(dialog, "amoxicillin 500 oral capsule", "1", "capsule", "tid", "7", "21", "0")
    save(dialog, folder, "prescribe-no-pack")
    dialog.reject()
    chart.close()
    background.wait_until_idle()
    ws.store.close()


def _open(tab):
    tab.buttons["Prescribe…"].click()
    dialog = tab.dialog
    wait_until(dialog.save.isEnabled)
    return dialog


def _fill(dialog, drug, dose, unit, frequency, days, quantity, refills) -> None:
    QTest.keyClicks(dialog.query, drug)
    wait_until(lambda: dialog.chosen.text() != "" and dialog.save.isEnabled()
               and (dialog.model.rowCount() or "no safety check" in dialog.chosen.text()))
    dialog.dose.setText(dose)
    dialog.unit.setCurrentText(unit)
    dialog.frequency.setCurrentText(frequency)
    dialog.days.setText(days)
    dialog.quantity.setText(quantity)
    dialog.refills.setText(refills)
