"""Screenshot scenes of visit coding, run by tests.ui.screenshots (which see): the demo
doctor codes a finished visit from its window (diagnoses proposed from the patient's
problems, a HCPCS line and a code of the clinic's own), first with the visit's note still
unsigned (not ready, saying why), then a visit with nothing left to sign (ready to bill);
then a biller (added by the demo admin) sees the visits still to code in the To code tab.
Not a test: people look at them."""

from pathlib import Path

from PySide6.QtCore import Qt

from app.bootstrap import open_workstation
from app.cli.demo import ADMIN
from app.ui.chart.billing.service_lines import DESCRIPTION, MODIFIERS, POINTERS
from app.ui.chart.visit_record import VisitWindow
from tests.ui.screenshots import clinician_window, save, signed_in_window, wait_until

BILLER_PASSWORD = "demo biller pass 1"
PATIENT = {"resourceType": "Patient", "name": [{"family": "Boateng", "given": ["Kofi"]}],
           "gender": "male", "birthDate": "1961-04-17"}


def visit_coding(env, info, folder: Path) -> None:
    window = clinician_window(env, info)
    ws = window.ws
    kofi = ws.patients.register(ws.session, PATIENT)["id"]
    for code in ("E11.9", "I10"):
        ws.problems.add(ws.session, kofi, code)
    unsigned = _finished_visit(ws, kofi, with_draft=True)
    dialog = _coded(window, kofi, unsigned)
    save(dialog, folder, "visit-coding-not-ready")
    dialog.lines.table.item(0, MODIFIERS).setText("2$")
    dialog.save.click()
    wait_until(lambda: dialog.message.tone == "alert")
    save(dialog, folder, "visit-coding-refused")
    dialog.parent().close()
    ready = _finished_visit(ws, kofi, with_draft=False)
    dialog = _coded(window, kofi, ready)
    save(dialog, folder, "visit-coding-ready")
    dialog.parent().close()
    _finished_visit(ws, kofi, with_draft=False)  # not coded yet
    window.close()
    wait_until(lambda: not window.isVisible())
    visits_to_code(env, info, folder)


def visits_to_code(env, info, folder: Path) -> None:
    """The biller's To code tab: the visit with the unsigned note and the one not coded."""
    admin = next(u for u in info.users if u.name == ADMIN)
    station = open_workstation(env, info.root, admin.name, admin.password)
    station.users.add(station.session, "demo-biller", "Bea Biller", "billing", BILLER_PASSWORD)
    station.close()
    window = signed_in_window(env, info.root, "demo-biller", BILLER_PASSWORD, info.hints())
    tab = window.workspace.to_code
    window.workspace.setCurrentWidget(tab)
    wait_until(lambda: tab.model.rowCount() > 0)
    save(window, folder, "visits-to-code")
    window.close()
    wait_until(lambda: not window.isVisible())


def _finished_visit(ws, patient_id: str, with_draft: bool) -> str:
    visit = ws.encounters.start_visit(ws.session, patient_id)
    if with_draft:
        ws.notes.start_draft(ws.session, patient_id, "progress", encounter_id=visit["id"])
    ws.encounters.finish_visit(ws.session, visit["id"])
    return visit["id"]


def _coded(window, patient_id: str, visit_id: str):
    """The visit's window, its coding dialog filled in at the keyboard, and saved."""
    opened = VisitWindow(window.ws, window.background, patient_id, visit_id, window)
    opened.show()
    wait_until(lambda: opened.visit is not None)
    opened.code_button.click()
    dialog = opened.coding
    dialog.resize(1100, 900)
    wait_until(dialog.save.isEnabled)
    chosen = dialog.diagnoses.chosen
    for row in range(chosen.count()):
        chosen.item(row).setCheckState(Qt.CheckState.Checked)
    lines = dialog.lines
    lines.query.setText("wellness sub")
    lines.searching.search()
    wait_until(lambda: lines.found.count() > 0)
    lines.add_found()
    lines.table.item(0, POINTERS).setText("1, 2")
    lines.query.setText("99214")
    lines.add_typed()
    lines.table.item(1, DESCRIPTION).setText("Office visit, established patient, moderate")
    lines.table.item(1, MODIFIERS).setText("25")
    dialog.diagnoses.query.setText("hyperlipidemia")
    dialog.diagnoses.searching.search()
    wait_until(lambda: dialog.diagnoses.found.count() > 0)
    dialog.save.click()
    wait_until(lambda: "saved" in dialog.message.text())
    return dialog
