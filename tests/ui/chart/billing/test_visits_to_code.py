"""Billing reads no chart, so finds visits to code in its "To code" tab: a finished visit
is listed by patient until it is coded ready to bill, and opens in the coding dialog."""

from PySide6.QtCore import Qt

from app.bootstrap import open_workstation
from app.ui.chart.billing.service_lines import POINTERS
from app.ui.shell.workspace import Workspace
from tests.conftest import ADMIN_PASSWORD, password_of
from tests.ui.chart.billing.test_coding_dialog import WAIT, code_diabetes_wellness


def test_billing_codes_a_finished_visit_from_its_to_code_tab(qtbot, clinic, ws, background):
    patient = next(iter(clinic.patient_ids.values()))
    visit = ws.encounters.start_visit(ws.session, patient)["id"]
    ws.encounters.finish_visit(ws.session, visit)
    admin = open_workstation(clinic.env, clinic.root, "admin", ADMIN_PASSWORD)
    admin.users.add(admin.session, "bea", "Bea Biller", "billing", password_of("bea"))
    admin.close()
    biller = clinic.sign_in("bea")
    workspace = Workspace(biller, background)
    qtbot.addWidget(workspace)
    tab = workspace.to_code
    assert workspace.tabText(workspace.indexOf(tab)) == "To code"
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=WAIT)
    (row,) = tab.model.rows()
    assert (row.encounter_id, row.state) == (visit, "Not coded yet.")
    assert tab.table.model().index(0, 1).data() == row.patient and "," in row.patient
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    dialog = tab.coding
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)
    code_diabetes_wellness(qtbot, dialog)
    dialog.lines.table.item(0, POINTERS).setText("")
    dialog.save.click()  # saved, but a line pointing at no diagnosis is not ready
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and tab.model.rows()[0].state
                    != "Not coded yet.", timeout=WAIT)
    assert tab.model.rows()[0].state.startswith("Coded, not ready: Line 1 (G0439) points at")
    dialog.lines.table.item(0, POINTERS).setText("1")
    dialog.save.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=WAIT)
    assert "No finished visit" in tab.status.text()
    assert dialog.readiness.text() == "Ready to bill."
    dialog.close()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    biller.store.close()


def test_a_physician_has_no_to_code_tab(qtbot, ws, background):
    workspace = Workspace(ws, background)
    qtbot.addWidget(workspace)
    assert workspace.to_code is None
    assert "To code" not in [workspace.tabText(i) for i in range(workspace.count())]
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
