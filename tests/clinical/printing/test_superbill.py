"""The superbill as the front desk and billing read it, parsed back from the PDF: the clinic
that bills, the patient and who pays, the provider, date and place of service, the numbered
diagnoses, each line's code and charge from the fee schedule (or "not priced"), the total,
why it is not ready to bill, "Page 1 of 1"; billing prints it without reading the chart; a
visit not coded prints nothing and says how to code it."""

from decimal import Decimal

import pytest

from app.bootstrap import open_workstation
from app.clinical.billing.claims import Claims
from app.clinical.billing.coding import Coding, Line, VisitCoding
from app.clinical.billing.fees import HCPCS, Fee, FeeSchedule
from app.clinical.printing.printouts import Printouts, PrintRequest
from app.errors import PermissionDenied, UsageError
from app.security.policy import BillingPolicy
from tests.clinical.billing.test_coding import ann_and_bob, finished
from tests.clinical.printing.test_printouts import last_audit, pages, rows
from tests.conftest import ADMIN_PASSWORD, new_store, password_of

USERS = {"doc": ("Dr Lee", "physician"), "bill": ("Bea Biller", "billing"),
         "frank": ("Frank Desk", "front-desk")}
CLINIC = BillingPolicy(organization_name="Riverside Family Practice", npi="1234567893",
                       tax_id="123456789", address_line="100 Main St", city="Springfield",
                       state="IL", postal_code="62701")
WELLNESS = Coding(("E11.9", "I10"), (Line("G0439", pointers=(1, 2)),
                                     Line("J1885", ("RT",), 2, (1,))))


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """Ann (insured by Acme Health) with a coded visit and a later one not coded; Bob
    (self-pay) with a coded visit whose note is unsigned and whose office visit has no fee;
    the fee schedule: G0439 at 120.00 (Acme Health 98.40), J1885 at 4.25."""
    root = tmp_path_factory.mktemp("superbill") / "store"
    env, _ = new_store(root, USERS)
    ws = {user: open_workstation(env, root, user, password_of(user)) for user in USERS}
    ws["admin"] = open_workstation(env, root, "admin", ADMIN_PASSWORD)
    doc = ws["doc"]
    ann, bob = ann_and_bob(doc)
    FeeSchedule(ws["admin"].store).set_fees(ws["admin"].session, [
        Fee("G0439", HCPCS, "Annual wellness visit", "default", Decimal("120.00")),
        Fee("G0439", HCPCS, "Annual wellness visit", "Acme Health", Decimal("98.40")),
        Fee("J1885", HCPCS, "Ketorolac 15 mg", "default", Decimal("4.25"))])
    coded = finished(doc, ann)
    VisitCoding(doc.store).code(doc.session, coded, WELLNESS)
    later = finished(doc, ann)
    unready = doc.encounters.start_visit(doc.session, bob)["id"]
    doc.notes.start_draft(doc.session, bob, "progress", encounter_id=unready)
    doc.encounters.finish_visit(doc.session, unready)
    VisitCoding(doc.store).code(doc.session, unready, Coding(("I10",), (
        Line("G0439", pointers=(1,)), Line("99215", description="Office visit, high"))))
    yield ws, {"ann": ann, "bob": bob, "coded": coded, "later": later, "unready": unready}
    for station in ws.values():
        station.store.close()


def superbill(ws, tmp_path, patient: str, visit: str | None = None):
    tmp_path.mkdir(parents=True, exist_ok=True)
    request = PrintRequest(patient, "superbill", tmp_path / "superbill.pdf", visit, "a4")
    return Printouts(ws.store, billing=CLINIC).print(ws.session, request)


def served(ws, visit: str) -> str:
    with ws.store.read() as conn:
        return conn.exec_driver_sql("SELECT json_extract(json, '$.period.start') FROM resource "
                                    "WHERE type = 'Encounter' AND id = ?", (visit,)
                                    ).scalar_one()[:10]


def test_billing_prints_the_latest_coded_visit_priced_for_the_patients_payer(clinic,
                                                                            tmp_path):
    ws, ids = clinic
    done = superbill(ws["bill"], tmp_path, ids["ann"])  # no --visit: the later one is not coded
    said = rows(done.path)
    assert said[0] == "Riverside Family Practice · Superbill Okafor, Ann · born 1960-05-01 · MRN " \
        + said[0].split("· MRN ")[1]
    assert said[1:7] == [
        "Billing provider Riverside Family Practice · NPI 1234567893 · tax id 123456789 · "
        "100 Main St, Springfield, IL 62701",
        f"Claim claim-{ids['coded']} (draft, not submitted), visit Encounter/{ids['coded']}",
        "Insurance Acme Health · member id ACM-123 · group G7",
        "Rendering provider Dr Lee (doc)",
        f"Date of service {served(ws['doc'], ids['coded'])}",
        "Place of service 11 Office"]
    assert said[7:10] == ["Diagnoses Pointer ICD-10-CM Diagnosis",
                          "1 E11.9 Type 2 diabetes mellitus without complications",
                          "2 I10 Essential (primary) hypertension"]
    assert said[10] == "Services Line Code Modifiers Units Diagnoses Description Charge"
    assert said[11].startswith("1 G0439 1 1, 2 Annual wellness visit")
    assert said[11].endswith("98.40 USD")
    assert said[12] == "2 J1885 RT 2 1 Injection, ketorolac tromethamine, per 15 mg 8.50 USD"
    assert said[13] == "Total 106.90 USD"
    assert said[14] == ("Charges from the fee schedule for Acme Health, times the units; the "
                        "default fee for J1885, which has no Acme Health fee.")
    assert not any("Not ready to bill" in row for row in said)
    assert said[-1].endswith("Page 1 of 1")
    assert (done.title, done.pages, done.entries) == ("Superbill", 1, 4)


def test_a_line_without_a_fee_is_not_priced_and_the_unready_claim_says_why(clinic, tmp_path):
    ws, ids = clinic
    done = superbill(ws["doc"], tmp_path, ids["bob"], ids["unready"])
    said = rows(done.path)
    assert "Insurance Self-pay: the patient has no insurance on file and pays this bill." in said
    lines = said[said.index("Services Line Code Modifiers Units Diagnoses Description Charge")
                 + 1:]
    assert lines[0].startswith("1 G0439 1 1") and lines[0].endswith("120.00 USD")
    assert lines[1] == "2 99215 1 Office visit, high not priced"
    assert lines[2] == "Total (1 of 2 lines priced) 120.00 USD"
    notes = lines[3]  # the paragraphs under the table, up to the foot
    assert notes.startswith("Charges from the fee schedule's default fees (self-pay)")
    assert "Not priced: line 2 (99215), no fee in the fee schedule" in notes
    assert notes.partition("Not ready to bill ")[2].split(". ") == [
        "The note 'Progress note' by Dr Lee is not signed yet: it must be signed before the "
        "visit is billed", "Line 2 (99215) points at no diagnosis: give it one, such as 1 "
        "for the primary."]


def test_a_submitted_claim_prints_what_it_was_billed(clinic, tmp_path):
    ws, ids = clinic
    visit = finished(ws["doc"], ids["bob"])
    VisitCoding(ws["doc"].store).code(ws["doc"].session, visit, WELLNESS)
    billed = Claims(ws["bill"].store).submit(ws["bill"].session, f"claim-{visit}")
    said = rows(superbill(ws["bill"], tmp_path, ids["bob"], visit).path)
    assert f"Claim claim-{visit} (submitted), visit Encounter/{visit}" in said
    assert billed["total"]["value"] == Decimal("128.50")
    assert "Total 128.50 USD" in said
    assert "Charges as billed when the claim was submitted." in said
    Claims(ws["bill"].store).record(ws["bill"].session, f"claim-{visit}", "denied",
                                    reason="Not covered: annual limit reached")
    said = rows(superbill(ws["bill"], tmp_path, ids["bob"], visit).path)
    assert (f"Claim claim-{visit} (denied: Not covered: annual limit reached), visit "
            f"Encounter/{visit}") in said


def test_printing_a_superbill_is_one_disclosure(clinic, tmp_path):
    ws, ids = clinic
    done = superbill(ws["bill"], tmp_path, ids["ann"], ids["coded"])
    assert last_audit(ws["bill"]) == (
        "export", "success", ids["ann"], f"Patient/{ids['ann']}",
        f"disclosure: superbill printed to {done.path} (a4): 4 entries of "
        f"Claim/claim-{ids['coded']}")


def test_a_visit_not_coded_prints_nothing_and_says_how_to_code_it(clinic, tmp_path):
    ws, ids = clinic
    when = served(ws["doc"], ids["later"])
    with pytest.raises(UsageError) as refused:
        superbill(ws["bill"], tmp_path, ids["ann"], ids["later"])
    assert str(refused.value) == (
        f"Nothing to print: the visit of {when} is not coded yet (hearth visits code "
        f"{ids['later']} --dx CODE --line CODE). No file was written.")
    assert last_audit(ws["bill"])[:2] == ("export", "failure")
    with pytest.raises(PermissionDenied, match="may not code visits for billing"):
        superbill(ws["frank"], tmp_path, ids["ann"], ids["coded"])
    assert list(tmp_path.iterdir()) == []


def test_the_superbill_has_every_page_numbered(clinic, tmp_path):
    ws, ids = clinic
    [page] = pages(superbill(ws["doc"], tmp_path, ids["ann"], ids["coded"]).path)
    assert page.startswith("Riverside Family Practice · Superbill Okafor, Ann")
    assert page.endswith("Page 1 of 1")
