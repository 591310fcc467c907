"""Screenshot scenes of Print…, run by tests.ui.screenshots (which see): the demo doctor opens
Print… over a chart with Ctrl+P's dialog and prints the immunization record for a school
(the dialog then says where the file went); the after-visit summary with its visits; the
biller's claim details with "Print superbill…", and Print… preset to that superbill, what
else is not offered and why. Not a test: people look at them."""

import subprocess
import tempfile
from pathlib import Path

from app.clinical.billing.coding import Coding, Line, VisitCoding
from app.clinical.records import Records
from app.security.roles import Permission
from tests.ui.claims_scenes import BILLER, BILLER_PASSWORD, _fees_and_biller
from tests.ui.screenshots import clinician_window, save, signed_in_window, wait_until

PATIENT = {"resourceType": "Patient", "name": [{"family": "Achterberg", "given": ["Lotte"]}],
           "gender": "female", "birthDate": "2014-06-09"}
CVX = "http://hl7.org/fhir/sid/cvx"
SHOTS = (("2024-09-12", "08", "Tdap"), ("2025-10-01", "140", "Influenza, seasonal, injectable"))


def print_dialogs(env, info, folder: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="hearth-print-"))
    _fees_and_biller(env, info)
    window = clinician_window(env, info)
    ws = window.ws
    lotte = ws.patients.register(ws.session, PATIENT)["id"]
    for day, code, name in SHOTS:  # doses given here, as the doctor records them
        _immunized(ws, lotte, day, code, name)
    visit = ws.encounters.start_visit(ws.session, lotte)["id"]
    ws.encounters.finish_visit(ws.session, visit)
    VisitCoding(ws.store, ws.changes).code(ws.session, visit, Coding(
        ("Z23",), (Line("G0008", pointers=(1,)),)))
    chart = window.workspace.open_chart(lotte)
    wait_until(lambda: chart.summary is not None)
    dialog = chart.open_print()
    wait_until(dialog.print_button.isEnabled)
    dialog.choose("immunizations")
    dialog.recipient.setText("Riverside Elementary School")
    dialog.path.setText(str(work / "Achterberg-Lotte-immunizations.pdf"))
    save(dialog, folder, "print-dialog")
    dialog.print_button.click()
    wait_until(lambda: dialog.last is not None)
    save(dialog, folder, "print-dialog-printed")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(dialog.last.path),
                    str(folder / "immunization-record-printout")], check=True)
    dialog.choose("after-visit-summary")
    save(dialog, folder, "print-dialog-visit")
    dialog.close()
    window.close()
    wait_until(lambda: not window.isVisible())
    _biller_prints_the_superbill(env, info, folder, f"claim-{visit}")


def _immunized(ws, patient_id: str, day: str, code: str, name: str) -> None:
    with Records(ws.store, ws.changes).write(ws.session, Permission.EDIT_CHART) as work:
        work.save({"resourceType": "Immunization", "status": "completed",
                   "id": f"{patient_id}-{code}", "occurrenceDateTime": day,
                   "patient": {"reference": f"Patient/{patient_id}"},
                   "vaccineCode": {"coding": [{"system": CVX, "code": code}], "text": name}},
                  "create")


def _biller_prints_the_superbill(env, info, folder: Path, claim_id: str) -> None:
    window = signed_in_window(env, info.root, BILLER, BILLER_PASSWORD, info.hints())
    tab = window.workspace.claims
    window.workspace.setCurrentWidget(tab)
    wait_until(lambda: any(r.claim_id == claim_id for r in tab.model.rows()))
    shown = tab.table.model()
    tab.table.selectRow(next(n for n in range(shown.rowCount())
                             if shown.index(n, 4).data() == claim_id))
    details = tab.open_details()
    wait_until(lambda: details.shown is not None)
    save(details, folder, "claim-details-print-superbill")
    dialog = details.print_superbill()
    wait_until(dialog.print_button.isEnabled)
    save(dialog, folder, "print-dialog-superbill")
    dialog.close()
    details.close()
    window.close()
    wait_until(lambda: not window.isVisible())
