"""Billing's Claims tab on a real store: a coded visit's claim is submitted from the screen
and reads "submitted"; one missing a diagnosis shows why and stays a draft; Export 837P
writes a file pyx12 finds no error in; a denial recorded by hand shows its reason; Enter
opens a claim's lines and charges."""

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import orjson
import pdfplumber
import pytest
from PySide6.QtCore import QDate, Qt

from app.bootstrap import Workstation, open_workstation
from app.clinical.billing.claims import Claims
from app.clinical.billing.coding import Coding, Line, VisitCoding
from app.clinical.billing.fees import HCPCS, Fee, FeeSchedule
from app.ui.claims.view import KEEP_ROW, ClaimsView
from app.ui.claims.words import status_text
from app.ui.shell.workspace import Workspace
from tests.clinical.billing.test_837 import CLINIC, pyx12_errors
from tests.clinical.billing.test_claims import save_as
from tests.conftest import ADMIN_PASSWORD, password_of

WAIT = 10_000
WELLNESS = Coding(("E11.9",), (Line("G0439", pointers=(1,)),))
NO_DIAGNOSIS = ("The claim has no diagnosis: add at least one ICD-10-CM code (the first is the "
                "primary). Line 1 (G0439) points at no diagnosis: give it one, such as 1 for "
                "the primary.")


@dataclass(frozen=True)
class Desk:
    doctor: Workstation
    biller: Workstation
    patient_id: str
    shown: list  # the workspaces a test built, alive until it ends


@pytest.fixture
def desk(clinic, ws) -> Desk:
    """Dr Lee, an insured patient with a full address, the clinic's fees and Bea from
    billing, signed in with the clinic's billing settings in her policy."""
    admin = open_workstation(clinic.env, clinic.root, "admin", ADMIN_PASSWORD)
    admin.users.add(admin.session, "bea", "Bea Biller", "billing", password_of("bea"))
    FeeSchedule(admin.store, admin.changes).set_fees(admin.session, [
        Fee("G0439", HCPCS, "Annual wellness visit", "default", Decimal("120.00")),
        Fee("G0439", HCPCS, "Annual wellness visit", "Acme Health", Decimal("98.40"))])
    admin.close()
    ann = ws.patients.register(ws.session, {
        "resourceType": "Patient", "name": [{"family": "Okafor", "given": ["Ann"]}],
        "birthDate": "1960-05-01", "gender": "female",
        "address": [{"line": ["12 High St"], "city": "Springfield", "state": "IL",
                     "postalCode": "62701"}]})
    save_as(ws, {"resourceType": "Coverage", "id": "cov-ann", "status": "active",
                 "subscriberId": "ACM123456",
                 "beneficiary": {"reference": f"Patient/{ann['id']}"},
                 "relationship": {"coding": [{"code": "self"}]},
                 "payor": [{"display": "Acme Health"}]})
    env = dataclasses.replace(clinic.env, policy=dataclasses.replace(clinic.env.policy,
                                                                     billing=CLINIC))
    biller = open_workstation(env, clinic.root, "bea", password_of("bea"))
    yield Desk(ws, biller, ann["id"], [])
    biller.store.close()


def coded(desk: Desk, coding: Coding = WELLNESS) -> str:
    """A visit of Ann's, finished and coded by Dr Lee: its claim's id."""
    visit = desk.doctor.encounters.start_visit(desk.doctor.session, desk.patient_id)["id"]
    desk.doctor.encounters.finish_visit(desk.doctor.session, visit)
    return VisitCoding(desk.doctor.store, desk.doctor.changes).code(
        desk.doctor.session, visit, coding).claim["id"]


def claims_tab(qtbot, desk: Desk, background, claim_id: str) -> ClaimsView:
    """Bea's Claims tab with the claim read and selected (the workspace kept with it)."""
    workspace = Workspace(desk.biller, background)
    desk.shown.append(workspace)
    qtbot.addWidget(workspace)
    tab = workspace.claims
    assert workspace.tabText(workspace.indexOf(tab)) == "Claims"
    assert workspace.tabText(workspace.indexOf(tab) - 1) == "To code"
    qtbot.waitUntil(lambda: shown(tab, claim_id) is not None, timeout=WAIT)
    choose(tab, claim_id)
    return tab


def shown(tab: ClaimsView, claim_id: str):
    return next((r for r in tab.model.rows() if r.claim_id == claim_id), None)


def choose(tab: ClaimsView, claim_id: str) -> None:
    """Select the claim's row, as a click on it would."""
    table = tab.table.model()
    row = next(n for n in range(table.rowCount()) if table.index(n, 4).data() == claim_id)
    tab.table.selectRow(row)


def cell(tab: ClaimsView, claim_id: str, column: int) -> str:
    table = tab.table.model()
    row = next(n for n in range(table.rowCount()) if table.index(n, 4).data() == claim_id)
    return table.index(row, column).data()


def settled(qtbot, background) -> None:
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_a_coded_visits_claim_is_submitted_from_the_screen(qtbot, desk, background):
    claim_id = coded(desk)
    tab = claims_tab(qtbot, desk, background, claim_id)
    assert [cell(tab, claim_id, n) for n in range(6)] == [
        "Okafor, Ann", date.today().isoformat(), "Acme Health", "not priced", claim_id,
        "ready"]
    tab.submit_button.click()
    qtbot.waitUntil(lambda: shown(tab, claim_id).status == "submitted", timeout=WAIT)
    assert tab.message.text() == f"Submitted {claim_id}."
    assert cell(tab, claim_id, 3) == "98.40 USD"  # Acme Health's fee
    assert cell(tab, claim_id, 5) == "submitted"
    choose(tab, claim_id)
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    details = tab.details
    qtbot.waitUntil(lambda: details.shown is not None, timeout=WAIT)
    (line, total) = details.tables()["Services"]
    assert (line[1], line[4], line[-1]) == ("G0439", "1", "98.40 USD")
    assert total[-1] == "98.40 USD"
    assert details.tables()["Diagnoses"][0][:2] == ("1", "E11.9")
    details.close()
    settled(qtbot, background)


def test_print_superbill_in_the_details_prints_that_claims_visit(qtbot, desk, background,
                                                                  tmp_path):
    claim_id = coded(desk)
    tab = claims_tab(qtbot, desk, background, claim_id)
    details = tab.open_details()
    qtbot.waitUntil(lambda: details.shown is not None, timeout=WAIT)
    dialog = details.print_superbill()
    qtbot.waitUntil(dialog.print_button.isEnabled, timeout=WAIT)
    assert [dialog.document.itemText(n) for n in range(dialog.document.count())] == [
        "Superbill"]  # billing prints nothing else
    assert dialog.visit.currentData() == claim_id.removeprefix("claim-")
    dialog.path.setText(str(tmp_path / "superbill.pdf"))
    with qtbot.waitSignal(dialog.printed, timeout=WAIT):
        dialog.print_button.click()
    with pdfplumber.open(tmp_path / "superbill.pdf") as pdf:
        words = " ".join(pdf.pages[0].extract_text().split())
    assert "1 G0439 1 1 Annual wellness visit, includes a 98.40 USD" in words
    details.close()
    settled(qtbot, background)


def test_a_claim_missing_a_diagnosis_says_why_and_is_not_submitted(qtbot, desk, background):
    claim_id = coded(desk, Coding((), (Line("G0439"),)))
    tab = claims_tab(qtbot, desk, background, claim_id)
    assert cell(tab, claim_id, 5) == f"draft: {NO_DIAGNOSIS}"
    tab.submit_button.click()
    sentence = f"Claim {claim_id} is not ready to bill. {NO_DIAGNOSIS}"
    qtbot.waitUntil(lambda: tab.message.text() == sentence, timeout=WAIT)
    settled(qtbot, background)
    assert shown(tab, claim_id).status == "draft"
    assert next(r for r in Claims(desk.biller.store).rows(desk.biller.session)
                if r.claim_id == claim_id).status == "draft"


def test_export_837p_writes_a_file_pyx12_finds_no_error_in(qtbot, desk, background,
                                                           tmp_path):
    claim_id = coded(desk)
    Claims(desk.biller.store).submit(desk.biller.session, claim_id)
    tab = claims_tab(qtbot, desk, background, claim_id)
    dialog = tab.export_837()
    output = tmp_path / "batch.837"
    dialog.since.setDate(QDate(date.today()))
    dialog.output.setText(str(output))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: output.exists() and "Wrote" in tab.message.text(), timeout=WAIT)
    assert pyx12_errors(output) == []
    assert f"CLM*{claim_id.removeprefix('claim-')}*98.4***11:B:1*Y*A*Y*Y" in \
        output.read_text().split("~\n")
    assert tab.message.text().startswith(f"Wrote 1 claim(s) to {output} (interchange ")
    assert tab.message.text().endswith(
        f"Acme Health has no payer id on the patients' coverage, so its name was sent as "
        f"the id (claims {claim_id}).")
    qtbot.waitUntil(lambda: shown(tab, claim_id).status == "sent", timeout=WAIT)
    settled(qtbot, background)


def test_an_export_with_nothing_to_send_says_so_and_writes_nothing(qtbot, desk, background,
                                                                   tmp_path):
    claim_id = coded(desk)  # a draft: nothing submitted
    tab = claims_tab(qtbot, desk, background, claim_id)
    dialog = tab.export_837()
    dialog.since.setDate(QDate(date.today()))
    dialog.output.setText(str(tmp_path / "batch.837"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=WAIT)
    assert dialog.message.text() == (
        "No file was written. No submitted claim with a visit since "
        f"{date.today().isoformat()} is waiting to be sent.")
    assert not (tmp_path / "batch.837").exists()
    dialog.close()
    settled(qtbot, background)


def test_a_denial_recorded_by_hand_shows_its_reason(qtbot, desk, background):
    claim_id = coded(desk)
    Claims(desk.biller.store).submit(desk.biller.session, claim_id)
    tab = claims_tab(qtbot, desk, background, claim_id)
    dialog = tab.record_status()
    dialog.denied.setChecked(True)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()  # no reason yet
    qtbot.waitUntil(lambda: "Not recorded" in dialog.message.text(), timeout=WAIT)
    assert dialog.message.text().endswith("Say why the claim was denied: the payer's reason.")
    qtbot.keyClicks(dialog.reason, "CO-50 not medically necessary")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: shown(tab, claim_id).status == "denied", timeout=WAIT)
    assert cell(tab, claim_id, 5) == "denied: CO-50 not medically necessary"
    tab.show_only.setCurrentIndex(tab.show_only.findText("Denied"))
    assert [r.claim_id for r in tab.model.rows()] == [claim_id]
    assert tab.message.text() == (f"Okafor, Ann, claim {claim_id}: denied (CO-50 not "
                                  "medically necessary).")
    settled(qtbot, background)


def test_a_paid_amount_that_is_not_a_number_is_refused_in_the_dialog(qtbot, desk,
                                                                     background):
    claim_id = coded(desk)
    Claims(desk.biller.store).submit(desk.biller.session, claim_id)
    tab = claims_tab(qtbot, desk, background, claim_id)
    dialog = tab.record_status()
    qtbot.keyClicks(dialog.amount, "seventy")
    dialog.save()
    assert dialog.message.text() == ("'seventy' is not an amount: write what was paid, such "
                                     "as 70.00. Nothing was recorded.")
    assert status_text(shown(tab, claim_id)) == "submitted"
    dialog.close()
    settled(qtbot, background)


def test_a_claim_response_file_that_is_not_json_is_named(qtbot, desk, background,
                                                         tmp_path: Path):
    claim_id = coded(desk)
    tab = claims_tab(qtbot, desk, background, claim_id)
    bad = tmp_path / "remit.json"
    bad.write_text("not json")
    tab.import_response(bad)
    qtbot.waitUntil(lambda: tab.message.text().startswith("Nothing imported"), timeout=WAIT)
    assert tab.message.text() == ("Nothing imported from remit.json: remit.json is not "
                                  "JSON: choose a FHIR ClaimResponse file.")
    settled(qtbot, background)


def test_submitting_two_claims_sends_the_ready_one_and_names_the_other(qtbot, desk,
                                                                      background):
    ready = coded(desk)
    lacking = coded(desk, Coding((), (Line("G0439"),)))
    tab = claims_tab(qtbot, desk, background, ready)
    qtbot.waitUntil(lambda: shown(tab, lacking) is not None, timeout=WAIT)
    choose(tab, ready)
    row = next(n for n in range(tab.table.model().rowCount())
               if tab.table.model().index(n, 4).data() == lacking)
    tab.table.selectionModel().select(tab.table.model().index(row, 0), KEEP_ROW)
    assert {r.claim_id for r in tab.selected()} == {ready, lacking}
    tab.submit_button.click()
    qtbot.waitUntil(lambda: shown(tab, ready).status == "submitted", timeout=WAIT)
    assert tab.message.text() == (
        f"Submitted {ready}. Claim {lacking} is not ready to bill. {NO_DIAGNOSIS}")
    assert shown(tab, lacking).status == "draft"
    assert {r.claim_id for r in tab.selected()} == {ready, lacking}  # still chosen
    settled(qtbot, background)


def test_a_payers_claim_response_file_marks_the_claim_paid(qtbot, desk, background,
                                                           tmp_path: Path):
    claim_id = coded(desk)
    Claims(desk.biller.store).submit(desk.biller.session, claim_id)
    tab = claims_tab(qtbot, desk, background, claim_id)
    remit = tmp_path / "remit.json"
    remit.write_bytes(orjson.dumps({
        "resourceType": "ClaimResponse", "id": "remit-1", "status": "active",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                             "code": "professional"}]},
        "use": "claim", "patient": {"reference": f"Patient/{desk.patient_id}"},
        "created": "2026-12-20T09:00:00Z", "insurer": {"display": "Acme Health"},
        "request": {"reference": f"Claim/{claim_id}"}, "outcome": "complete",
        "disposition": "Paid in full",
        "payment": {"type": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/ex-paymenttype",
            "code": "complete"}]}, "date": "2026-12-20",
            "amount": {"value": 98.40, "currency": "USD"}}}))
    tab.import_response(remit)
    qtbot.waitUntil(lambda: shown(tab, claim_id).status == "paid", timeout=WAIT)
    assert tab.message.text() == ("Stored the payer's answer from remit.json: the claim is "
                                  "paid 98.40.")
    settled(qtbot, background)


def test_claims_made_elsewhere_are_shown_only_under_imported(qtbot, desk, background):
    ours = coded(desk)
    theirs = dict(Claims(desk.biller.store).submit(desk.biller.session, ours),
                  id="5f1c0d52-imported")  # as Synthea's: its own id, active
    save_as(desk.doctor, theirs)
    tab = claims_tab(qtbot, desk, background, ours)
    assert tab.show_only.currentText() == "Hearth's claims"
    assert shown(tab, theirs["id"]) is None  # nor the Synthea patients' claims
    assert all(r.claim_id.startswith("claim-") for r in tab.model.rows())
    tab.show_only.setCurrentIndex(tab.show_only.findText("Imported"))
    assert shown(tab, ours) is None
    assert cell(tab, theirs["id"], 5) == "imported"
    assert {r.status for r in tab.model.rows()} == {"imported"}  # Synthea's too
    settled(qtbot, background)
