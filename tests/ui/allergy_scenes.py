"""Screenshot scenes of recording allergies, run by tests.ui.screenshots (which see): the
banner with coded and free-text allergies, the allergy dialog picking from the coded list,
and the same dialog warning that free text cannot be checked. Not a test: people look at
them."""

from pathlib import Path

from PySide6.QtTest import QTest

from tests.ui.screenshots import clinician_window, save, wait_until

PATIENT = {"resourceType": "Patient", "name": [{"family": "Adjei", "given": ["Efua"]}],
           "gender": "female", "birthDate": "1971-08-14"}


def allergy_picker(env, info, folder: Path) -> None:
    """A new demo patient allergic to Penicillins and Peanut (picked from the list) and to
    "latex glove" (typed): the banner, then the Add allergy dialog on "pen" and on a
    substance the list lacks. The dialog is cancelled; nothing more is saved."""
    window = clinician_window(env, info)
    ws = window.ws
    efua = ws.patients.register(ws.session, PATIENT)["id"]
    listed = ws.allergies.allergens()
    for name, reaction in (("Penicillins", "Hives"), ("Peanut", "Throat swelling")):
        picked = listed.named(name)
        ws.allergies.add(ws.session, efua, picked.name, reaction, "severe",
                         substance_code=picked.coding(), category=picked.category)
    ws.allergies.add(ws.session, efua, "latex glove", "Rash", "mild", category="environment")
    chart = window.workspace.open_chart(efua)
    wait_until(lambda: chart.summary is not None)
    tab = chart.show_section("allergies")
    wait_until(lambda: tab.records.model.rowCount() == 3)
    save(window, folder, "allergy-banner")
    tab.buttons["Add allergy…"].click()
    dialog = tab.dialog
    wait_until(dialog.save.isEnabled)
    QTest.keyClicks(dialog.substance, "pen")
    save(dialog, folder, "allergy-picker")
    dialog.substance.clear()
    QTest.keyClicks(dialog.substance, "strawberries")
    save(dialog, folder, "allergy-free-text")
    dialog.reject()
    window.close()
