"""Screenshot scenes of the results inbox, run by tests.ui.screenshots (which see): the demo
doctor's Inbox with results to review beside the notes (a critical one first, one for an
order not on this computer in the clinic queue, a deceased patient marked), an overdue
order, and the Acknowledge dialog. Not a test: people look at them."""

from datetime import datetime, timedelta
from pathlib import Path

from app.bootstrap import open_workstation
from app.cli.demo import DOCTOR
from app.clinical.orders.service_requests import OrderLine
from app.store.resources import get_resource, put_resource
from tests.ui.screenshots import clinician_window, demo_user, imported_by_admin, save, wait_until

INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"


def results_inbox(env, info, work: Path, folder: Path) -> None:
    """Orders signed by the demo doctor for three patients, a lab file imported by the
    admin (a critical potassium, a high LDL, a report for an order placed elsewhere), and
    one order waiting longer than the policy's days; then the doctor's Inbox."""
    ws = open_workstation(env, info.root, DOCTOR, demo_user(info, DOCTOR).password)
    with ws.store.read() as conn:
        patients = conn.exec_driver_sql(
            "SELECT id FROM resource WHERE type = 'Patient' AND deleted = 0 "
            "AND json_extract(json, '$.deceasedDateTime') IS NULL ORDER BY id LIMIT 3"
        ).scalars().all()
    deceased = ws.patients.register(ws.session, {  # the demo has no one deceased
        "resourceType": "Patient", "name": [{"family": "Quist", "given": ["Bea"]}],
        "birthDate": "1941-05-02", "deceasedDateTime": "2026-11-30"})["id"]
    orders = [_signed(ws, pid, code) for pid, code in zip(
        patients, ("51990-0", "57698-3", "58410-2"), strict=False)]
    _backdate(ws, orders[2], days=ws.policy.results.overdue_days + 6)
    resources = [
        *_report(patients[0], "bmp", "Basic metabolic panel", orders[0], "Potassium", 6.9,
                 "mmol/L", "HH"),
        *_report(patients[1], "lipid", "Lipid panel", orders[1], "LDL cholesterol", 4.9,
                 "mmol/L", "H"),
        *_report(deceased, "tsh", "TSH", {"id": "LAB-ORDER-5521"}, "TSH", 2.1, "mIU/L",
                 None)]
    ws.close()
    imported_by_admin(env, info, work / "lab-results.json", resources)

    window = clinician_window(env, info)
    inbox = window.workspace.inbox
    window.workspace.setCurrentWidget(inbox)
    wait_until(lambda: inbox.results.model.rowCount() >= 3
               and inbox.results.overdue_model.rowCount() >= 1)
    save(window, folder, "results-inbox")
    inbox.results.table.selectRow(0)
    inbox.results.acknowledge_current()
    dialog = inbox.results.dialog
    dialog.note.setPlainText("Repeat potassium today; patient phoned, on the way in.")
    save(dialog, folder, "results-acknowledge")
    dialog.reject()
    window.close()


def _signed(ws, patient_id: str, code: str) -> dict:
    ws.orders.pend(ws.session, patient_id, OrderLine(code))
    return ws.orders.sign_basket(ws.session, patient_id)[0]


def _backdate(ws, order: dict, days: int) -> None:
    """As if it had been signed `days` ago (the scene has no time to wait)."""
    with ws.store.write() as conn:
        old = get_resource(conn, "ServiceRequest", order["id"])
        old["authoredOn"] = (datetime.now().astimezone() - timedelta(days=days)).isoformat()
        put_resource(conn, old, DOCTOR, old["authoredOn"])


def _report(patient_id: str, tag: str, title: str, order: dict, test: str, value: float,
            unit: str, flag: str | None) -> list[dict]:
    issued = (datetime.now().astimezone() - timedelta(hours=len(tag))).isoformat()
    observation = {"resourceType": "Observation", "id": f"shot-{tag}-1", "status": "final",
                   "code": {"text": test}, "subject": {"reference": f"Patient/{patient_id}"},
                   "effectiveDateTime": issued, "valueQuantity": {"value": value, "unit": unit}}
    if flag:
        observation["interpretation"] = [{"coding": [{"system": INTERPRETATION,
                                                      "code": flag}]}]
    report = {"resourceType": "DiagnosticReport", "id": f"shot-{tag}", "status": "final",
              "code": {"text": title}, "basedOn": [{"reference": f"ServiceRequest/{order['id']}"}],
              "subject": {"reference": f"Patient/{patient_id}"}, "issued": issued,
              "result": [{"reference": f"Observation/{observation['id']}"}]}
    return [report, observation]
