"""Screenshot scenes of billing's Claims tab, run by tests.ui.screenshots (which see): the
demo doctor codes four visits of an insured patient (the demo admin has set the fees); the
biller submits one, records a denial for another, sees one refused for want of a diagnosis
and one still ready, then opens a claim's details with Enter. Not a test: people look at
them."""

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.bootstrap import open_workstation
from app.cli.demo import ADMIN
from app.clinical.billing.claims import Claims
from app.clinical.billing.coding import Coding, Line, VisitCoding
from app.clinical.billing.fees import HCPCS, Fee, FeeSchedule
from app.clinical.records import Records
from app.errors import HearthError
from app.security.roles import Permission
from tests.ui.screenshots import clinician_window, save, signed_in_window, wait_until

BILLER, BILLER_PASSWORD = "demo-biller", "demo biller pass 1"  # as billing_scenes adds her
PATIENT = {"resourceType": "Patient", "name": [{"family": "Mensah", "given": ["Ama"]}],
           "gender": "female", "birthDate": "1958-09-23",
           "address": [{"line": ["4 Elm Row"], "city": "Springfield", "state": "IL",
                        "postalCode": "62704"}]}
WELLNESS = Coding(("E11.9", "I10"), (Line("G0439", pointers=(1, 2)),
                                     Line("G0008", pointers=(1,))))


def claims_tab(env, info, folder: Path) -> None:
    _fees_and_biller(env, info)
    window = clinician_window(env, info)
    ws = window.ws
    ama = ws.patients.register(ws.session, PATIENT)["id"]
    with Records(ws.store, ws.changes).write(ws.session, Permission.CODE_VISITS) as work:
        work.save({"resourceType": "Coverage", "id": "cov-ama", "status": "active",
                   "subscriberId": "ACM778812", "beneficiary": {"reference": f"Patient/{ama}"},
                   "relationship": {"coding": [{"code": "self"}]},
                   "payor": [{"display": "Acme Health"}]}, "create")
    claims = [_coded(ws, ama, coding) for coding in (
        WELLNESS, WELLNESS, Coding((), (Line("G0439"),)), WELLNESS)]
    window.close()
    wait_until(lambda: not window.isVisible())
    window = signed_in_window(env, info.root, BILLER, BILLER_PASSWORD, info.hints())
    biller = window.ws
    Claims(biller.store, biller.changes).submit(biller.session, claims[1])
    Claims(biller.store, biller.changes).record(biller.session, claims[1], "denied",
                                                reason="CO-50 not medically necessary")
    tab = window.workspace.claims
    window.workspace.setCurrentWidget(tab)
    wait_until(lambda: any(r.claim_id == claims[2] for r in tab.model.rows()))
    _choose(tab, claims[2])
    tab.submit_button.click()
    wait_until(lambda: "not ready to bill" in tab.message.text())
    save(window, folder, "claims-tab-not-ready")
    _choose(tab, claims[0])
    tab.submit_button.click()
    wait_until(lambda: tab.message.text().startswith("Submitted"))
    wait_until(lambda: any(r.claim_id == claims[0] and r.status == "submitted"
                           for r in tab.model.rows()))
    save(window, folder, "claims-tab")
    _choose(tab, claims[0])
    QTest.keyClick(tab.table, Qt.Key.Key_Return)
    wait_until(lambda: tab.details is not None and tab.details.shown is not None)
    save(tab.details, folder, "claim-details")
    tab.details.close()
    dialog = tab.record_status()
    dialog.denied.setChecked(True)
    save(dialog, folder, "claim-record-status")
    dialog.close()
    window.close()
    wait_until(lambda: not window.isVisible())


def _fees_and_biller(env, info) -> None:
    admin = next(u for u in info.users if u.name == ADMIN)
    station = open_workstation(env, info.root, admin.name, admin.password)
    try:
        station.users.add(station.session, BILLER, "Bea Biller", "billing", BILLER_PASSWORD)
    except HearthError:
        pass  # billing_scenes added her already
    FeeSchedule(station.store, station.changes).set_fees(station.session, [
        Fee("G0439", HCPCS, "Annual wellness visit, subsequent", "default", Decimal("120.00")),
        Fee("G0439", HCPCS, "Annual wellness visit, subsequent", "Acme Health",
            Decimal("98.40")),
        Fee("G0008", HCPCS, "Flu vaccine administration", "default", Decimal("25.00"))])
    station.close()


def _coded(ws, patient_id: str, coding: Coding) -> str:
    visit = ws.encounters.start_visit(ws.session, patient_id)["id"]
    ws.encounters.finish_visit(ws.session, visit)
    return VisitCoding(ws.store, ws.changes).code(ws.session, visit, coding).claim["id"]


def _choose(tab, claim_id: str) -> None:
    shown = tab.table.model()
    tab.table.selectRow(next(n for n in range(shown.rowCount())
                             if shown.index(n, 4).data() == claim_id))
