"""The Inbox's results: what a physician reviews beside the notes to cosign.

Real widgets offscreen over a store of this module's own (the Inbox tests' fixtures); the
results come in through the real importer, as a lab file would.
"""

from datetime import datetime, timedelta

import orjson
from PySide6.QtCore import Qt
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.clinical.orders.service_requests import OrderLine
from app.store.resources import get_resource, put_resource
from app.ui.chart.table import ITEM_ROLE
from app.ui.chart.view import ChartView
from app.ui.inbox.results import NO_RESULTS
from tests.conftest import ADMIN_PASSWORD
from tests.sync.stations import patient
from tests.ui.inbox.test_inbox_view import practice, sign_in, workspace_of  # noqa: F401

WAIT = 10000
BMP = "51990-0"
HH = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                  "code": "HH"}]}


def lab_report(patient_id: str, tag: str, order: str) -> list[dict]:
    """A critical potassium and its report, answering `order` ("ServiceRequest/<id>")."""
    potassium = {"resourceType": "Observation", "id": f"k-{tag}", "status": "final",
                 "code": {"text": "Potassium"}, "subject": {"reference": f"Patient/{patient_id}"},
                 "effectiveDateTime": "2026-03-02T09:00:00+00:00", "interpretation": [HH],
                 "valueQuantity": {"value": 6.9, "unit": "mmol/L"}}
    report = {"resourceType": "DiagnosticReport", "id": f"rep-{tag}", "status": "final",
              "code": {"text": "Basic metabolic panel"}, "basedOn": [{"reference": order}],
              "subject": {"reference": f"Patient/{patient_id}"},
              "issued": "2026-03-02T10:00:00+00:00",
              "result": [{"reference": f"Observation/{potassium['id']}"}]}
    return [report, potassium]


def import_file(practice, tmp_path, resources: list[dict]) -> None:  # noqa: F811
    path = tmp_path / "lab.json"
    path.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection",
                                   "entry": [{"resource": r} for r in resources]}))
    admin = open_workstation(*practice, "admin", ADMIN_PASSWORD)
    try:
        admin.importer.run(admin.session, [path])
    finally:
        admin.close()


def signed_order(ws, family: str) -> tuple[str, dict]:
    patient_id = ws.patients.register(ws.session, patient(family))["id"]
    ws.orders.pend(ws.session, patient_id, OrderLine(BMP))
    return patient_id, ws.orders.sign_basket(ws.session, patient_id)[0]


def reported_order(qtbot, sign_in, practice, background, tmp_path, family: str,  # noqa: F811
                   tag: str, report=lab_report):
    """Dr Lee signs a basic metabolic panel for a new patient `family`, the admin imports
    `report(patient_id, tag, "ServiceRequest/<order id>")` as a lab file, and Dr Lee's
    workspace opens: (ws, patient id, order, workspace, its Inbox's results)."""
    ws = sign_in("drlee")
    patient_id, order = signed_order(ws, family)
    import_file(practice, tmp_path, report(patient_id, tag, f"ServiceRequest/{order['id']}"))
    workspace = workspace_of(qtbot, ws, background)
    return ws, patient_id, order, workspace, workspace.inbox.results


def shown(panel, row: int = 0) -> list[str]:
    return [panel.table.model().index(row, c).data()
            for c in range(panel.table.model().columnCount())]


def test_a_result_for_an_order_is_flagged_opened_at_the_report_and_acknowledged(
        qtbot, sign_in, practice, background, tmp_path):  # noqa: F811
    ws, patient_id, order, workspace, results = reported_order(
        qtbot, sign_in, practice, background, tmp_path, "Adeyemi", "a1")

    qtbot.waitUntil(lambda: workspace.tabText(2) == "Inbox (1)", timeout=WAIT)
    assert shown(results) == ["Critical", "Adeyemi, Ann", "Basic metabolic panel",
                              "10:00 on 02 Mar 2026", f"{order['code']['text']}, ordered today"]
    assert results.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "1 critical" in results.message.text()

    workspace.setCurrentWidget(workspace.inbox)
    results.table.setFocus()
    qtbot.keyClick(results.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(workspace.currentWidget(), ChartView), timeout=WAIT)
    chart = workspace.currentWidget()
    qtbot.waitUntil(lambda: "reports" in chart.tabs
                    and chart.sections.currentWidget() is chart.tabs["reports"], timeout=WAIT)
    reports = chart.records("reports")
    qtbot.waitUntil(lambda: reports.table.currentIndex().isValid(), timeout=WAIT)
    assert reports.table.currentIndex().data(ITEM_ROLE).id == "rep-a1"

    workspace.setCurrentWidget(workspace.inbox)
    qtbot.mouseClick(results.acknowledge_button, Qt.MouseButton.LeftButton)
    dialog = results.dialog
    assert dialog.heading.text() == "Basic metabolic panel for Adeyemi, Ann"
    qtbot.keyClicks(dialog.note, "Repeat K+ today")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.tabText(2) == "Inbox", timeout=WAIT)
    assert results.message.text() == NO_RESULTS and results.model.rowCount() == 0
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    with ws.store.read() as conn:
        assert conn.execute(text(
            "SELECT user, detail FROM audit WHERE action = 'update' AND entity LIKE 'Task/%' "
            "AND patient = :p"), {"p": patient_id}).all() == [
            ("drlee", "result acknowledged: Basic metabolic panel; note: Repeat K+ today")]


def test_a_result_for_an_unknown_order_waits_in_the_clinic_queue_marked_deceased(
        qtbot, sign_in, practice, background, tmp_path):  # noqa: F811
    ws = sign_in("drlee")
    patient_id = ws.patients.register(ws.session, patient(
        "Quist", "Bea", deceasedDateTime="2026-02-20"))["id"]
    import_file(practice, tmp_path, lab_report(patient_id, "q1", "ServiceRequest/elsewhere-9"))
    workspace = workspace_of(qtbot, ws, background)
    results = workspace.inbox.results

    qtbot.waitUntil(lambda: results.model.rowCount() == 1, timeout=WAIT)
    assert shown(results)[1:] == ["Quist, Bea (deceased)", "Basic metabolic panel",
                                  "10:00 on 02 Mar 2026", "Clinic queue"]
    nurse_inbox = workspace_of(qtbot, sign_in("nina"), background).inbox
    assert nurse_inbox.results is None  # nurses sign no orders: no results filed to them


def test_an_order_with_no_result_after_the_policys_days_is_listed_as_overdue(
        qtbot, sign_in, background):  # noqa: F811
    ws = sign_in("drlee")
    patient_id, order = signed_order(ws, "Mensah")
    waited = ws.policy.results.overdue_days + 3
    with ws.store.write() as conn:  # signed that many days ago
        old = get_resource(conn, "ServiceRequest", order["id"])
        old["authoredOn"] = (datetime.now().astimezone() - timedelta(days=waited)).isoformat()
        put_resource(conn, old, "drlee", old["authoredOn"])
    workspace = workspace_of(qtbot, ws, background)
    results = workspace.inbox.results

    qtbot.waitUntil(lambda: results.overdue_model.rowCount() == 1, timeout=WAIT)
    overdue = [results.overdue_table.model().index(0, c).data() for c in range(4)]
    assert overdue[0] == "Mensah, Ann" and overdue[3] == f"{waited} days"
    assert overdue[1] == order["code"]["text"]
    results.overdue_table.selectRow(0)
    results.overdue_table.setFocus()
    qtbot.keyClick(results.overdue_table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: workspace.open_charts() == [patient_id], timeout=WAIT)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_acknowledging_what_was_acknowledged_elsewhere_says_who_and_keeps_the_note(
        qtbot, sign_in, practice, background, tmp_path):  # noqa: F811
    _ws, patient_id, _order, workspace, results = reported_order(
        qtbot, sign_in, practice, background, tmp_path, "Boateng", "b1")
    qtbot.waitUntil(lambda: any(i.patient_id == patient_id for i in results.model.rows()),
                    timeout=WAIT)
    row = next(r for r in range(results.table.model().rowCount())
               if results.table.model().index(r, 1).data() == "Boateng, Ann")
    results.table.selectRow(row)
    elsewhere = sign_in("drlee")  # another window, whose change this one does not hear
    elsewhere.results_inbox.acknowledge(elsewhere.session, next(
        i.task_id for i in results.model.rows() if i.patient_id == patient_id))

    qtbot.mouseClick(results.acknowledge_button, Qt.MouseButton.LeftButton)
    dialog = results.dialog
    qtbot.keyClicks(dialog.note, "Seen")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "already acknowledged by Dr Lee at " in dialog.message.text(),
                    timeout=WAIT)
    assert dialog.isVisible() and dialog.note.toPlainText() == "Seen"
    dialog.reject()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
