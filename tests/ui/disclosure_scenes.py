"""Screenshot scenes of a patient's amendment requests and accounting of disclosures, run
by tests.ui.screenshots (which see): the chart's Amendments tab (one accepted, one denied
with its reason, one waiting), the deny dialog refusing an empty reason, the Disclosures
tab after two prints to named recipients and one for the patient, and that printout's first
page. Not a test: people look at them."""

import subprocess
import tempfile
from pathlib import Path

from app.clinical.amendments.requests import Amendments
from app.clinical.charting.entries import create
from app.clinical.printing.printouts import Printouts, PrintRequest
from app.clinical.records import Records
from app.security.roles import Permission
from tests.ui.screenshots import clinician_window, save, wait_until

PATIENT = {"resourceType": "Patient", "name": [{"family": "Lindqvist", "given": ["Marta"]}],
           "gender": "female", "birthDate": "1971-11-23"}


def _charted(ws, patient_id: str) -> tuple[str, str]:
    """A problem and an allergy for the requests to be about: (Condition id, allergy id)."""
    subject = {"reference": f"Patient/{patient_id}"}
    problem = {"resourceType": "Condition", "id": "scene-diabetes", "subject": subject,
               "code": {"text": "Type 2 diabetes mellitus"}, "onsetDateTime": "2010-04-01",
               "clinicalStatus": {"coding": [{
                   "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                   "code": "active"}]}}
    allergy = {"resourceType": "AllergyIntolerance", "id": "scene-penicillin",
               "patient": subject, "code": {"text": "Penicillin"},
               "reaction": [{"manifestation": [{"text": "Hives"}]}]}
    with Records(ws.store).write(ws.session, Permission.EDIT_CHART) as work:
        create(work, problem, patient_id, "problem added")
        create(work, allergy, patient_id, "allergy added")
    return problem["id"], allergy["id"]


def amendments_and_disclosures(env, info, folder: Path) -> None:
    window = clinician_window(env, info)
    ws = window.ws
    marta = ws.patients.register(ws.session, PATIENT)["id"]
    problem, allergy = _charted(ws, marta)
    service = Amendments(ws.store, ws.changes)
    accepted = service.request(ws.session, marta, f"Condition/{problem}",
                               "My diabetes was found in 2012, not 2010.")
    service.accept(ws.session, accepted.id, "Matches the 2012 referral letter.")
    denied = service.request(ws.session, marta, f"AllergyIntolerance/{allergy}",
                             "I am not allergic to penicillin; please remove it.")
    service.deny(ws.session, denied.id, "The 2019 hospital record documents hives after "
                                        "amoxicillin; the allergy stays until tested.")
    service.request(ws.session, marta, f"Patient/{marta}", "My middle name is Elin.")
    work = Path(tempfile.mkdtemp(prefix="hearth-disclosures-"))
    printouts = Printouts(ws.store, ws.policy.sync.organization, ws.policy.billing)
    for document, to in (("medications", "Dr Ada Park, Riverside Cardiology"),
                         ("problems", "Northside Life Insurance (authorization on file)")):
        printouts.print(ws.session, PrintRequest(marta, document, work / f"{document}.pdf",
                                                 to=to))
    chart = window.workspace.open_chart(marta)
    wait_until(lambda: chart.amendments is not None)
    tab = chart.amendments
    chart.sections.setCurrentWidget(tab)
    wait_until(lambda: tab.model.rowCount() == 3)
    tab.table.selectRow(2)
    save(window, folder, "chart-amendments")
    dialog = tab.decision_dialog(accept=False)
    dialog.show()
    dialog.save.click()
    wait_until(lambda: dialog.message.tone == "alert")
    save(dialog, folder, "amendment-deny-without-reason")
    dialog.reject()
    shown = chart.disclosures
    chart.sections.setCurrentWidget(shown)
    wait_until(lambda: shown.model.rowCount() == 2)
    shown.print_to(work / "accounting.pdf")
    wait_until(lambda: shown.model.rowCount() == 3)
    save(window, folder, "chart-disclosures")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1",
                    str(work / "accounting.pdf"), str(folder / "disclosures-printout")],
                   check=True)
    window.close()
    wait_until(lambda: not window.isVisible())
