"""Screenshot scenes of signing re-checks, run by tests.ui.screenshots (which see): a
warfarin pended by a nurse meets an ibuprofen that arrived afterwards, so the basket's
Review and sign shows the NEW interaction with its source and asks for a reason; and the
Medications list marks the draft "pended, not signed". Not a test: people look at them."""

from pathlib import Path

from app.clinical.charting.entries import create
from app.clinical.records import Records
from app.clinical.visits.encounters import now
from app.security.roles import Permission
from tests.ui.screenshots import clinician_window, save, wait_until

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
PATIENT = {"resourceType": "Patient", "name": [{"family": "Mensah", "given": ["Ama"]}],
           "gender": "female", "birthDate": "1958-11-21"}


def _medication(patient_id: str, record_id: str, status: str, name: str, code: str,
                sig: str) -> dict:
    return {"resourceType": "MedicationRequest", "id": record_id, "status": status,
            "intent": "order", "medicationCodeableConcept": {
                "text": name, "coding": [{"system": RXNORM, "code": code}]},
            "subject": {"reference": f"Patient/{patient_id}"}, "authoredOn": now(),
            "dosageInstruction": [{"text": sig}]}


def signing_rechecks(env, info, folder: Path) -> None:
    """The warfarin draft (pended by the nurse, no alert then) and the ibuprofen signed at
    another workstation afterwards: the review, the refusal without a reason, the list."""
    window = clinician_window(env, info)
    ws = window.ws
    ama = ws.patients.register(ws.session, PATIENT)["id"]
    warfarin = _medication(ama, "scene-signcheck-warfarin", "draft", "Warfarin 5 mg tablet",
                           "855332", "Take 1 tablet by mouth once a day.")
    warfarin["note"] = [{"text": "Pended by Nurse Nina Okoro"}]
    with Records(ws.store).write(ws.session, Permission.EDIT_CHART) as work:
        create(work, warfarin, ama, "medication pended")
        create(work, _medication(ama, "scene-signcheck-ibuprofen", "active",
                                 "Ibuprofen 200 MG Oral Tablet", "310965",
                                 "Take 2 tablets by mouth every 6 hours as needed."),
               ama, "medication arrived by sync")
    chart = window.workspace.open_chart(ama)
    wait_until(lambda: chart.orders is not None)
    chart.show_section("medications")
    wait_until(lambda: chart.orders.basket_bar.isVisible())
    save(window, folder, "medications-pended-not-signed")
    review = chart.orders.review()
    wait_until(lambda: review.isVisible())
    save(review, folder, "basket-signing-new-alert")
    review.save.click()  # no reason given: refused, asked again
    wait_until(lambda: review.save.isEnabled())
    save(review, folder, "basket-signing-refused-without-reason")
    review.override.setText("Ibuprofen stops today; INR checked on Friday")
    review.save.click()
    wait_until(lambda: not review.isVisible() and chart.orders.basket_bar.isHidden())
    window.close()  # nothing is left unsigned: closes without asking
    wait_until(lambda: not window.isVisible())
