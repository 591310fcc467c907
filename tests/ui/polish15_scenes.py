"""Screenshot scenes of issue 15's rough edges, run by tests.ui.screenshots (which see): the
Inbox with Refresh above both lists and each order named, the Acknowledge dialog showing
every value with its range and flag, and Print prescription's choice (signed today, or all
current) with today's prescription printed. Not a test: people look at them."""

from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QPoint

from app.bootstrap import open_workstation
from app.cli.demo import DOCTOR
from app.clinical.orders.service_requests import OrderLine
from app.clinical.orders.sig import build_sig
from tests.clinical.orders.test_prescription_choice import ordered
from tests.ui.screenshots import clinician_window, demo_user, imported_by_admin, save, wait_until

INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
UCUM = "http://unitsofmeasure.org"


def acknowledge_and_print_choices(env, info, work: Path, folder: Path) -> None:
    """Efua Darko: a basic metabolic panel signed by the demo doctor, its result imported by
    the admin (critical potassium, normal sodium, high creatinine); lisinopril signed a
    month ago and metformin today. Then the doctor's Inbox, the dialog, and her Orders."""
    ws = open_workstation(env, info.root, DOCTOR, demo_user(info, DOCTOR).password)
    efua = ws.patients.register(ws.session, {
        "resourceType": "Patient", "name": [{"family": "Darko", "given": ["Efua"]}],
        "birthDate": "1954-08-19", "gender": "female"})["id"]
    ws.orders.pend(ws.session, efua, OrderLine("51990-0"))
    bmp = ws.orders.sign_basket(ws.session, efua)[0]
    month_ago = (datetime.now().astimezone() - timedelta(days=30)).isoformat()
    ordered(ws, efua, "Lisinopril 10 MG Oral Tablet", month_ago,
            build_sig(1, "tablet", "oral", "daily", quantity=30, refills=5), rxnorm="314076")
    ws.medications.prescribe(ws.session, efua, "Metformin 500 MG Oral Tablet",
                             build_sig(1, "tablet", "oral", "bid", quantity=60, refills=2),
                             rxnorm="861007")
    ws.close()
    imported_by_admin(env, info, work / "polish15-lab.json", _panel(efua, bmp["id"]))

    window = clinician_window(env, info)
    inbox = window.workspace.inbox
    window.workspace.setCurrentWidget(inbox)
    results = inbox.results
    wait_until(lambda: any(i.patient_id == efua for i in results.model.rows()))
    row = next(r for r in range(results.table.model().rowCount())
               if results.table.model().index(r, 1).data() == "Darko, Efua")
    results.table.selectRow(row)
    save(window, folder, "inbox-refresh-and-orders")
    results.acknowledge_current()
    save(results.dialog, folder, "acknowledge-shows-values")
    results.dialog.reject()

    chart = window.workspace.open_chart(efua)
    wait_until(lambda: chart.orders is not None)
    tab = chart.orders
    chart.sections.setCurrentWidget(tab)
    wait_until(lambda: tab.model.rowCount() >= 3)
    button = tab.buttons["prescription"]
    tab.prescription_menu.popup(button.mapToGlobal(QPoint(0, button.height())))
    save(tab.prescription_menu, folder, "print-prescription-choices")
    tab.prescription_menu.hide()
    tab.prescription_menu.actions()[0].trigger()
    printed = work / "Darko-Efua-prescription.pdf"
    tab.printer.dialog.selectFile(str(printed))
    tab.printer.dialog.accept()
    wait_until(lambda: "saved to" in tab.message.text())
    save(window, folder, "prescription-printed-today")
    window.close()


def _panel(patient_id: str, order_id: str) -> list[dict]:
    issued = datetime.now().astimezone().isoformat()

    def result(tag: str, test: str, value: float, unit: str, low: float, high: float,
               flag: str | None) -> dict:
        quantity = {"unit": unit, "system": UCUM, "code": unit}
        found = {"resourceType": "Observation", "id": f"polish15-{tag}", "status": "final",
                 "code": {"text": test}, "subject": {"reference": f"Patient/{patient_id}"},
                 "effectiveDateTime": issued, "valueQuantity": {"value": value, **quantity},
                 "referenceRange": [{"low": {"value": low, **quantity},
                                     "high": {"value": high, **quantity}}]}
        if flag:
            found["interpretation"] = [{"coding": [{"system": INTERPRETATION, "code": flag}]}]
        return found

    observations = [result("k", "Potassium", 6.9, "mmol/L", 3.5, 5.1, "HH"),
                    result("na", "Sodium", 140, "mmol/L", 135, 145, None),
                    result("cr", "Creatinine", 1.4, "mg/dL", 0.6, 1.2, "H")]
    report = {"resourceType": "DiagnosticReport", "id": "polish15-bmp", "status": "final",
              "code": {"text": "Basic metabolic panel"},
              "basedOn": [{"reference": f"ServiceRequest/{order_id}"}],
              "subject": {"reference": f"Patient/{patient_id}"}, "issued": issued,
              "result": [{"reference": f"Observation/{o['id']}"} for o in observations]}
    return [report, *observations]
