"""Screenshot scenes of the Claims tab's rough edges smoothed (issue 16), run by
tests.ui.screenshots after claims_scenes (whose biller and fees it reuses): a visit whose
note is still unsigned shows "draft: The note ... is not signed yet" and Submit refuses it
with that sentence; the claims other systems made (the demo's Synthea claims) are out of
the default filter, Hearth's claims, and shown under Imported. Not a test: people look at
them."""

from pathlib import Path

from app.clinical.billing.coding import Coding, Line, VisitCoding
from tests.ui.claims_scenes import BILLER, BILLER_PASSWORD
from tests.ui.screenshots import clinician_window, save, signed_in_window, wait_until

PATIENT = {"resourceType": "Patient", "name": [{"family": "Boateng", "given": ["Kwame"]}],
           "gender": "male", "birthDate": "1949-11-02"}
FLU_SHOT = Coding(("E11.9",), (Line("G0008", pointers=(1,)),))


def unsigned_and_imported(env, info, folder: Path) -> None:
    window = clinician_window(env, info)
    ws = window.ws
    ama = ws.patients.register(ws.session, PATIENT)["id"]
    visit = ws.encounters.start_visit(ws.session, ama)["id"]
    ws.encounters.finish_visit(ws.session, visit)
    ws.notes.start_draft(ws.session, ama, "progress", encounter_id=visit)
    claim = VisitCoding(ws.store, ws.changes).code(ws.session, visit, FLU_SHOT).claim["id"]
    window.close()
    wait_until(lambda: not window.isVisible())
    window = signed_in_window(env, info.root, BILLER, BILLER_PASSWORD, info.hints())
    tab = window.workspace.claims
    window.workspace.setCurrentWidget(tab)
    wait_until(lambda: any(r.claim_id == claim for r in tab.model.rows()))
    shown = tab.table.model()
    tab.table.selectRow(next(n for n in range(shown.rowCount())
                             if shown.index(n, 4).data() == claim))
    tab.submit_button.click()
    wait_until(lambda: "is not signed yet" in tab.message.text())
    save(window, folder, "claims-unsigned-note")
    tab.show_only.setCurrentIndex(tab.show_only.findText("Imported"))
    wait_until(lambda: all(r.status == "imported" for r in tab.model.rows()))
    save(window, folder, "claims-imported")
    window.close()
    wait_until(lambda: not window.isVisible())
