"""The steps of tests/ui/test_billing_walkthrough.py, each as a person does it on the screens:
the clinic a new user finds (set up through the services), a visit finished from the visit
bar and coded in its window, Print… with its words read back from the PDF, the biller's
Claims tab, the Sync tab and the Reports tab."""

import dataclasses
from decimal import Decimal
from pathlib import Path

import pdfplumber
from PySide6.QtCore import QDate, Qt

from app.bootstrap import open_workstation
from app.clinical.billing.fees import HCPCS, Fee, FeeSchedule
from app.clinical.records import Records
from app.security.policy import SyncPolicy
from app.security.roles import Permission
from app.ui.chart.billing.coding_dialog import CodingDialog
from app.ui.chart.billing.service_lines import POINTERS
from app.ui.chart.view import ChartView
from app.ui.claims.view import ClaimsView
from app.ui.printing.print_dialog import PrintDialog
from app.ui.shell.window import WorkstationWindow
from tests.clinical.billing.test_837 import CLINIC
from tests.clinical.billing.test_claims import save_as
from tests.conftest import ADMIN_PASSWORD, new_store, password_of

WAIT = 15_000
CLICK = Qt.MouseButton.LeftButton
USERS = {"drlee": ("Dr Lee", "physician"), "bea": ("Bea Biller", "billing")}
ANN = {"resourceType": "Patient", "name": [{"family": "Okafor", "given": ["Ann"]}],
       "birthDate": "1960-05-01", "gender": "female",
       "address": [{"line": ["12 High St"], "city": "Springfield", "state": "IL",
                    "postalCode": "62701"}]}
FLU = {"resourceType": "Immunization", "id": "ann-flu", "status": "completed",
       "occurrenceDateTime": "2025-10-01",
       "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "140"}],
                       "text": "Influenza, seasonal, injectable"}}


def clinic(root: Path, server: str):
    """A clinic whose IT policy syncs with `server` and names who bills (NPI, address):
    the admin's fee schedule (G0439 at 120.00, 98.40 for Acme Health), Ann (insured by
    Acme Health) with diabetes and hypertension on her problem list and a flu shot on file.
    (The environment, Ann's id.)"""
    env, _ = new_store(root, USERS)
    env = dataclasses.replace(env, policy=dataclasses.replace(
        env.policy, billing=CLINIC, sync=SyncPolicy(server=server, interval_seconds=3600)))
    admin = open_workstation(env, root, "admin", ADMIN_PASSWORD)
    FeeSchedule(admin.store).set_fees(admin.session, [
        Fee("G0439", HCPCS, "Annual wellness visit", "default", Decimal("120.00")),
        Fee("G0439", HCPCS, "Annual wellness visit", "Acme Health", Decimal("98.40"))])
    admin.close()
    doctor = open_workstation(env, root, "drlee", password_of("drlee"))
    ann = doctor.patients.register(doctor.session, ANN)["id"]
    save_as(doctor, {"resourceType": "Coverage", "id": "cov-ann", "status": "active",
                     "subscriberId": "ACM123456", "beneficiary": {"reference": f"Patient/{ann}"},
                     "relationship": {"coding": [{"code": "self"}]},
                     "payor": [{"display": "Acme Health"}]})
    for code in ("E11.9", "I10"):
        doctor.problems.add(doctor.session, ann, code)
    with Records(doctor.store).write(doctor.session, Permission.EDIT_CHART) as work:
        work.save({**FLU, "patient": {"reference": f"Patient/{ann}"}}, "create")
    doctor.close()
    return env, ann


def signed_in(qtbot, window: WorkstationWindow, user: str) -> None:
    """The sign-in screen answered; the window's first sync tried."""
    window.login.submitted.emit(user, password_of(user))
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: window.online.text() not in ("", "Not synced yet"), timeout=WAIT)


def finish_a_visit(qtbot, chart: ChartView) -> None:
    """Start visit, then Finish visit… and "Finish visit" in the question."""
    bar = chart.visit
    qtbot.waitUntil(bar.start.isVisible, timeout=WAIT)
    qtbot.mouseClick(bar.start, CLICK)
    qtbot.waitUntil(bar.finish.isVisible, timeout=WAIT)
    qtbot.mouseClick(bar.finish, CLICK)
    qtbot.mouseClick(next(b for b in bar.confirm.buttons() if b.text() == "Finish visit"),
                     CLICK)
    qtbot.waitUntil(lambda: bar.state.text().startswith("Visit finished"), timeout=WAIT)


def open_latest_visit(qtbot, chart: ChartView, background):
    """Encounters tab, the newest visit chosen and Enter: its window, read."""
    tab = chart.show_section("encounters")  # its list is read again as the visit ends
    qtbot.waitUntil(lambda: tab.records.table.model().rowCount() > 0
                    and not background.busy, timeout=WAIT)
    table = tab.records.table
    table.setCurrentIndex(table.model().index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    window = tab.opened
    qtbot.waitUntil(lambda: window.visit is not None, timeout=WAIT)
    return window


def code_the_visit(qtbot, coding: CodingDialog) -> None:
    """Both proposed diagnoses ticked, G0439 typed and Enter, pointing at both; Ctrl+S."""
    qtbot.waitUntil(coding.save.isEnabled, timeout=WAIT)
    chosen = coding.diagnoses.chosen
    for row in range(chosen.count()):
        chosen.item(row).setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(coding.lines.searched, timeout=WAIT):
        qtbot.keyClicks(coding.lines.query, "G0439")
    qtbot.keyClick(coding.lines.query, Qt.Key.Key_Return)
    coding.lines.table.item(0, POINTERS).setText("1, 2")
    qtbot.keyClick(coding, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "saved" in coding.message.text(), timeout=WAIT)


def print_to(qtbot, dialog: PrintDialog, document: str | None, path: Path) -> str:
    """In Print…, `document` chosen (None: as preset), the file named, Print: what the PDF
    says, one line of words."""
    qtbot.waitUntil(dialog.print_button.isEnabled, timeout=WAIT)
    if document is not None:
        dialog.document.setCurrentIndex(dialog.document.findText(document))
    dialog.path.setText(str(path))
    with qtbot.waitSignal(dialog.printed, timeout=WAIT):
        qtbot.mouseClick(dialog.print_button, CLICK)
    with pdfplumber.open(path) as pdf:
        return " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)


def submit_on_the_claims_tab(qtbot, tab: ClaimsView, claim_id: str) -> None:
    qtbot.waitUntil(lambda: any(r.claim_id == claim_id for r in tab.model.rows()),
                    timeout=WAIT)
    table = tab.table.model()
    tab.table.selectRow(next(n for n in range(table.rowCount())
                             if table.index(n, 4).data() == claim_id))
    qtbot.mouseClick(tab.submit_button, CLICK)
    qtbot.waitUntil(lambda: tab.message.text() == f"Submitted {claim_id}.", timeout=WAIT)


def export_837(qtbot, tab: ClaimsView, since, output: Path) -> None:
    dialog = tab.export_837()
    dialog.since.setDate(QDate(since))
    dialog.output.setText(str(output))
    qtbot.mouseClick(dialog.export_button, CLICK)
    qtbot.waitUntil(lambda: output.exists() and "Wrote" in tab.message.text(), timeout=WAIT)
