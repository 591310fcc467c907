"""The lab requisition and the prescription as a lab or a pharmacist reads them: signed
orders only, parsed back from the PDF, on the paper asked for, audited as one export, and a
sentence (with no file left behind) when there is nothing signed or nowhere to write."""

from datetime import date

import pdfplumber
import pytest
from sqlalchemy import text

from app.clinical.charting.entries import create
from app.clinical.charting.problems import Problems
from app.clinical.orders.order_prints import OrderPrints, PrintRequest
from app.clinical.orders.service_requests import OrderLine, Orders
from app.clinical.orders.sig import build_sig
from app.clinical.patients.registration import Insurance, coverage_of
from app.clinical.records import Records
from app.clinical.visits.encounters import now, user_reference
from app.errors import UsageError
from app.security.policy import BillingPolicy
from app.security.roles import Permission
from tests.clinical.charting.test_problems import ward  # noqa: F401 (the fixture)

BEA = {"resourceType": "Patient", "name": [{"family": "Nwosu", "given": ["Bea"]}],
       "identifier": [{"system": "urn:example:riverside-mrn", "value": "RV-1958-23"}],
       "birthDate": "1958-11-23", "gender": "female",
       "address": [{"line": ["12 Mill Lane"], "city": "Springfield", "state": "IL",
                    "postalCode": "62704"}]}
WARFARIN_5MG, IBUPROFEN_200MG, AMOXICILLIN_500MG = "855332", "310965", "308191"


def words(path) -> tuple[str, tuple[float, float]]:
    """The whole printout's words, one space apart, and its page size in points."""
    with pdfplumber.open(path) as pdf:
        return (" ".join(" ".join(p.extract_text().split()) for p in pdf.pages),
                (round(pdf.pages[0].width), round(pdf.pages[0].height)))


@pytest.fixture
def bea(ward):
    """Bea, with an address and an insurance card, in the ward's store."""
    doctor = ward.doctor
    bea = doctor.patients.register(doctor.session, BEA)["id"]
    with Records(doctor.store).write(ward.desk.session, Permission.EDIT_DEMOGRAPHICS) as work:
        work.save(coverage_of(Insurance("Acme Health", "AH-4471", "G-20"), bea), "create")
    return bea


def print_orders(ws, patient_id, output, clinic: str | None = None, **how):
    prints = OrderPrints(ws.store, billing=BillingPolicy(organization_name=clinic))
    return prints.print(ws.session, PrintRequest(patient_id, output, **how))


def prescription(n: int, patient_id: str, ws) -> dict:
    """A signed order for amoxicillin, as one arrives by sync."""
    sig = build_sig(1, "capsule", "oral", "tid", duration_days=7, quantity=21, refills=1)
    return {"resourceType": "MedicationRequest", "id": f"amox-{n}", "status": "active",
            "intent": "order", "medicationCodeableConcept": {
                "text": "Amoxicillin 500 MG Oral Capsule", "coding": [{
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": AMOXICILLIN_500MG}]},
            "subject": {"reference": f"Patient/{patient_id}"}, "authoredOn": now(),
            "requester": user_reference(ws.session), "dosageInstruction": [sig.dosage],
            "dispenseRequest": sig.dispense}


def test_the_requisition_lists_each_signed_test_for_the_lab(ward, bea, tmp_path):
    doctor = ward.doctor
    diabetes = Problems(doctor.store).add(doctor.session, bea, "E11.9")
    orders = Orders(doctor.store)
    orders.pend_many(doctor.session, bea, [
        OrderLine("58410-2", "urgent", note="Draw before 10:00"),
        OrderLine("Lipid panel", condition_id=diabetes["id"]),
        OrderLine("xr-chest-2v", reason="Cough for 6 weeks")])
    orders.sign_basket(doctor.session, bea)
    orders.pend(ward.nurse.session, bea, OrderLine("TSH"))  # pended: not printed

    printed = print_orders(doctor, bea, tmp_path / "req.pdf", "Riverside Family Practice",
                           kind="lab", paper="letter")

    said, size = words(printed.path)
    assert said.startswith(f"Riverside Family Practice · Laboratory and imaging requisition, "
                           f"{date.today():%d %B %Y} Nwosu, Bea · born 1958-11-23 · "
                           "MRN RV-1958-23")
    assert (printed.orders, printed.pages, printed.paper, size) == (3, 1, "letter", (612, 792))
    assert "Laboratory and imaging requisition" in said
    assert ("Patient Nwosu, Bea Born 1958-11-23 Sex Female MRN" in said
            and "Address 12 Mill Lane, Springfield, IL 62704" in said
            and "Insurance Acme Health · member AH-4471 · group G-20" in said)
    assert "CBC (complete blood count) LOINC 58410-2" in said
    assert "Priority URGENT" in said and "Draw before 10:00" in said
    assert "Lipid panel LOINC 57698-3" in said and "Reason Type 2 diabetes mellitus" in said
    assert f"Ordered {date.today().isoformat()} by {doctor.session.full_name}" in said
    assert "XR chest 2 views imaging code xr-chest-2v" in said and "Cough for 6 weeks" in said
    assert "TSH" not in said
    name = doctor.session.full_name
    assert f"Ordering clinician {name}" in said and f"Signature: {name} Date" in said
    assert f"Printed by {doctor.session.user} at" in said and said.endswith("Page 1 of 1")
    with doctor.store.read() as conn:
        [audit] = conn.execute(text("SELECT detail FROM audit WHERE action = 'export' AND "
                                    "entity = :e"), {"e": f"Patient/{bea}"}).scalars().all()
    assert audit.startswith("laboratory and imaging requisition printed: 3 orders (")


def test_the_prescription_gives_the_sig_in_words_and_any_override(ward, bea, tmp_path):
    doctor = ward.doctor
    doctor.medications.prescribe(doctor.session, bea, "Ibuprofen 200 MG Oral Tablet",
                                 "1 tablet by mouth three times a day", rxnorm=IBUPROFEN_200MG)
    doctor.medications.prescribe(doctor.session, bea, "Warfarin 5 mg tablet",
                                 "1 tablet by mouth once a day", rxnorm=WARFARIN_5MG,
                                 override="Ibuprofen stops tomorrow; INR on Friday")
    with Records(doctor.store).write(doctor.session, Permission.EDIT_CHART) as work:
        # as a sync'd order arrives: structured dosage and dispense
        create(work, prescription(1, bea, doctor), bea, "medication ordered")

    printed = print_orders(doctor, bea, tmp_path / "rx.pdf", kind="prescription", paper="a4")

    said, size = words(printed.path)
    assert (printed.orders, size) == (3, (595, 842)) and "Prescription" in said
    assert "Warfarin 5 mg tablet RxNorm 855332" in said
    assert "Directions 1 tablet by mouth once a day" in said
    assert "Quantity not stated Refills not stated" in said
    assert "Safety alert" in said and "Overridden: Ibuprofen stops tomorrow; INR on " \
                                     "Friday" in said
    assert ("Amoxicillin 500 MG Oral Capsule RxNorm 308191" in said
            and "Directions Take 1 capsule by mouth three times a day for 7 days." in said
            and "Quantity 21 capsule Refills 1" in said)


def test_every_page_of_a_long_prescription_says_whose_it_is(ward, bea, tmp_path):
    doctor = ward.doctor
    with Records(doctor.store).write(doctor.session, Permission.EDIT_CHART) as work:
        for n in range(16):
            create(work, prescription(n, bea, doctor), bea, "medication ordered")

    printed = print_orders(doctor, bea, tmp_path / "rx.pdf", "Riverside Family Practice",
                           kind="prescription", paper="a4")

    with pdfplumber.open(printed.path) as pdf:
        pages = [" ".join(page.extract_text().split()) for page in pdf.pages]
        assert all(0 < c["x0"] and c["x1"] < page.width and 0 < c["top"]
                   and c["bottom"] < page.height for page in pdf.pages for c in page.chars)
    head = (f"Riverside Family Practice · Prescription, {date.today():%d %B %Y} "
            "Nwosu, Bea · born 1958-11-23 · MRN RV-1958-23")
    assert printed.pages == len(pages) >= 2
    assert all(page.startswith(head) and page.endswith(f"Page {n} of {len(pages)}")
               for n, page in enumerate(pages, start=1))


def test_nothing_signed_prints_nothing_and_says_why(ward, bea, tmp_path):
    Orders(ward.nurse.store).pend(ward.nurse.session, bea, OrderLine("TSH"))
    folder = tmp_path / "prints"
    folder.mkdir()
    out = folder / "req.pdf"
    with pytest.raises(UsageError) as refused:
        print_orders(ward.doctor, bea, out)
    assert refused.value.message == (
        "Nothing to print: Nwosu, Bea has no signed lab or imaging orders (1 pended order "
        "waits for a physician's signature). No file was written.")
    with pytest.raises(UsageError) as refused:
        print_orders(ward.doctor, bea, out, kind="prescription")
    assert refused.value.message == ("Nothing to print: Nwosu, Bea has no signed medication "
                                     "orders. No file was written.")
    assert list(folder.iterdir()) == []


def test_a_folder_that_does_not_exist_is_named_before_anything_is_read(ward, bea, tmp_path):
    out = tmp_path / "no-such-folder" / "req.pdf"
    with pytest.raises(UsageError) as refused:
        print_orders(ward.doctor, bea, out)
    assert refused.value.message == (f"Cannot write the requisition to {out}: No such file or "
                                     "directory. Nothing was written.")
    assert not out.parent.exists()
