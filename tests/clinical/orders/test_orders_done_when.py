"""Issue 15's "Done when" through the services alone, the twin of
tests/ui/test_orders_walkthrough.py: a CBC and the diabetes set ordered, the set's metformin
prescribed, warfarin stopped by the patient's ibuprofen and amoxicillin by the penicillin
allergy (its override audited), the basket signed, both papers printed, and a result for
the set's BMP filed to the physician, flagged, and acknowledged."""

import csv
import io

import pdfplumber
import pytest

from app.clinical.orders.order_prints import OrderPrints, PrintRequest
from app.clinical.orders.order_sets import expand
from app.clinical.orders.service_requests import OrderLine
from app.clinical.safety.prescribing import SafetyAlerts
from tests.clinical.charting.test_problems import ward  # noqa: F401 (the fixture)
from tests.clinical.results.test_result_arrivals import potassium, report, run_import
from tests.clinical.safety.test_prescribing_checks import SNOMED_PENICILLIN_ALLERGY

WARFARIN_5MG, IBUPROFEN_200MG, AMOXICILLIN_500MG = "855332", "310965", "308191"


def printed(ws, patient_id: str, kind: str, path) -> str:
    OrderPrints(ws.store).print(ws.session, PrintRequest(patient_id, path, kind=kind))
    with pdfplumber.open(path) as pdf:
        return " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)


def test_order_prescribe_sign_print_and_review_a_result(ward, admin, tmp_path):  # noqa: F811
    doctor, ann = ward.doctor, ward.patient_id
    session = doctor.session
    doctor.allergies.add(session, ann, "Penicillin", "Hives", "moderate",
                         substance_code=SNOMED_PENICILLIN_ALLERGY, category="medication")
    doctor.medications.start(session, ann, "Ibuprofen 200 MG Oral Tablet",
                             "1 tablet three times daily", rxnorm=IBUPROFEN_200MG)
    doctor.orders.pend(session, ann, OrderLine("58410-2"))
    [metformin] = expand(doctor.orders, session, ann, "Diabetes annual").medications
    doctor.medications.prescribe(session, ann, metformin.name, metformin.sig,
                                 rxnorm=metformin.rxcui)

    with pytest.raises(SafetyAlerts) as warfarin:
        doctor.medications.prescribe(session, ann, "Warfarin 5 mg tablet", "1 tablet daily",
                                     rxnorm=WARFARIN_5MG)
    assert "Malone DC" in warfarin.value.alerts[0].source
    with pytest.raises(SafetyAlerts, match="allergic to Penicillin"):
        doctor.medications.prescribe(session, ann, "Amoxicillin 500 MG Oral Capsule",
                                     "1 capsule three times daily", rxnorm=AMOXICILLIN_500MG)
    reason = "Tolerated amoxicillin in 2023"
    doctor.medications.prescribe(session, ann, "Amoxicillin 500 MG Oral Capsule",
                                 "1 capsule three times daily", rxnorm=AMOXICILLIN_500MG,
                                 override=reason)
    out = io.StringIO()
    admin.audit.export(admin.session, out, patient=ann)
    assert [row["detail"].split("; ")[-1] for row in csv.DictReader(io.StringIO(
        out.getvalue())) if "overridden" in row["detail"]] == [
        f"safety: 1 alert(s) overridden, reason: {reason}"]

    signed = doctor.orders.sign_basket(session, ann)
    assert len(signed) == 5
    requisition = printed(doctor, ann, "lab", tmp_path / "labs.pdf")
    assert "CBC (complete blood count)" in requisition and "HbA1c" in requisition
    prescription = printed(doctor, ann, "prescription", tmp_path / "rx.pdf")
    assert "Amoxicillin 500 MG Oral Capsule" in prescription and "Refills 3" in prescription

    bmp = next(order for order in signed if order["code"]["text"].startswith("BMP"))
    k = potassium(ann, 6.9, "HH")
    run_import(admin, tmp_path, report(ann, [{"reference": f"ServiceRequest/{bmp['id']}"}], k),
               k)
    [item] = doctor.results_inbox.open_items(session)
    assert (item.flag, item.order_id) == ("critical", bmp["id"])
    doctor.results_inbox.acknowledge(session, item.task_id, "Repeat K+ today")
    assert doctor.results_inbox.open_items(session) == []
