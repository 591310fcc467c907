"""New medication orders with a structured sig: what is stored (Dosage, dispenseRequest,
patient instructions, indication), who may order (a nurse pends, a physician signs), and
a dose over the adult maximum warned, never refused."""

import pytest

from app.clinical.charting.medications import Medications
from app.clinical.charting.problems import Problems
from app.clinical.orders.dose_limits import limit_for
from app.clinical.orders.sig import build_sig
from app.clinical.safety.prescribing import SafetyAlerts
from app.errors import InvalidRecord, PermissionDenied
from tests.clinical.charting.test_problems import (  # noqa: F401 (the ward fixture)
    active_titles,
    audit_details,
    valid,
    ward,
    writes,
)
from tests.clinical.orders.test_order_prints import print_orders, words

AMOXICILLIN_500MG = "308191"
IBUPROFEN_200MG, WARFARIN_5MG = "310965", "855332"


def amoxicillin_sig():
    return build_sig("1", "capsule", "oral", "tid", 10, 30, 0)


def test_a_prescription_stores_its_sig_quantity_refills_and_indication(ward):
    doctor, ann = ward.doctor, ward.patient_id
    pneumonia = Problems(doctor.store).add(doctor.session, ann, "J18.9")
    started = Medications(doctor.store).prescribe(
        doctor.session, ann, "Amoxicillin 500 MG Oral Capsule", amoxicillin_sig(),
        rxnorm=AMOXICILLIN_500MG, instructions="Finish the whole course",
        condition_id=pneumonia["id"])
    request = started.request
    assert valid(request) and request["status"] == "active"
    dosage = request["dosageInstruction"][0]
    assert dosage["text"] == "Take 1 capsule by mouth three times a day for 10 days."
    assert dosage["patientInstruction"] == "Finish the whole course"
    assert dosage["timing"]["repeat"]["frequency"] == 3
    assert request["dispenseRequest"]["quantity"] == {"value": 30, "unit": "capsule"}
    assert request["dispenseRequest"]["numberOfRepeatsAllowed"] == 0
    assert request["reasonReference"] == [{"reference": f"Condition/{pneumonia['id']}",
                                           "display": "Pneumonia, unspecified organism"}]
    assert audit_details(doctor, request["id"])[-1].startswith(
        "medication started: Amoxicillin 500 MG Oral Capsule, Take 1 capsule by mouth three "
        "times a day for 10 days; safety: checked, no alert")


def test_the_printed_prescription_gives_quantity_and_refills(ward, tmp_path):
    doctor, ann = ward.doctor, ward.patient_id
    Medications(doctor.store).prescribe(doctor.session, ann, "Amoxicillin 500 MG Oral Capsule",
                                        amoxicillin_sig(), rxnorm=AMOXICILLIN_500MG)
    printed = print_orders(doctor, ann, tmp_path / "rx.pdf", kind="prescription", paper="a4")
    said, _size = words(printed.path)
    assert "Directions Take 1 capsule by mouth three times a day for 10 days." in said
    assert "Quantity 30 capsule Refills 0" in said


def test_the_indication_is_one_of_the_patient_s_active_problems(ward):
    doctor, ann = ward.doctor, ward.patient_id
    problems = Problems(doctor.store)
    resolved = problems.add(doctor.session, ann, "J18.9")
    problems.resolve(doctor.session, resolved["id"], "Clear on X-ray")
    hypertension = problems.add(doctor.session, ann, "I10")
    medications = Medications(doctor.store)
    assert medications.indications(doctor.session, ann) == [
        (hypertension["id"], "Essential (primary) hypertension")]
    with pytest.raises(InvalidRecord, match="There is no problem nope in this patient's "
                                            "chart to give as the medication's indication"):
        medications.prescribe(doctor.session, ann, "Amoxicillin 500 MG Oral Capsule",
                              amoxicillin_sig(), condition_id="nope")


def test_a_nurse_s_order_is_a_draft_waiting_for_a_physician(ward):
    nurse, ann = ward.nurse, ward.patient_id
    pended = Medications(nurse.store).prescribe(
        nurse.session, ann, "Amoxicillin 500 MG Oral Capsule", amoxicillin_sig(),
        rxnorm=AMOXICILLIN_500MG).request
    assert valid(pended) and pended["status"] == "draft"
    assert pended["requester"]["identifier"]["value"] == "nina"
    assert [n["text"] for n in pended["note"]] == [f"Pended by {nurse.session.full_name}"]
    assert active_titles(nurse, ann, "active_medications") == []
    assert audit_details(nurse, pended["id"])[-1].startswith(
        "medication pended for a physician to sign: Amoxicillin 500 MG Oral Capsule")


def test_a_nurse_s_order_is_still_checked(ward):
    doctor, nurse, ann = ward.doctor, ward.nurse, ward.patient_id
    Medications(doctor.store).prescribe(doctor.session, ann, "Ibuprofen 200 MG Oral Tablet",
                                        "1 tablet daily", rxnorm=IBUPROFEN_200MG)
    before = writes(nurse)
    with pytest.raises(SafetyAlerts, match="Major drug-drug"):
        Medications(nurse.store).prescribe(nurse.session, ann, "Warfarin 5 mg tablet",
                                           "1 tablet daily", rxnorm=WARFARIN_5MG)
    assert writes(nurse) == before


def test_a_dose_over_the_adult_maximum_is_saved_with_the_warning(ward):
    doctor, ann = ward.doctor, ward.patient_id
    sig = build_sig("1200", "mg", "oral", "qid", limit=limit_for(frozenset({"5640"})))
    started = Medications(doctor.store).prescribe(
        doctor.session, ann, "Ibuprofen 200 MG Oral Tablet", sig, rxnorm=IBUPROFEN_200MG)
    assert started.request["status"] == "active"
    assert started.warnings == (
        "4800 mg a day of ibuprofen is above the adult maximum of 3200 mg a day (Motrin "
        "(ibuprofen) prescribing information: do not exceed 3,200 mg a day).",)


@pytest.mark.parametrize("who", ["desk", "billing"])
def test_front_desk_and_billing_may_not_prescribe(ward, who):
    ws = getattr(ward, who)
    before = writes(ws)
    with pytest.raises(PermissionDenied, match="may not pend lab, imaging and medication "
                                               "orders"):
        Medications(ws.store).prescribe(ws.session, ward.patient_id, "Amoxicillin",
                                        amoxicillin_sig())
    assert writes(ws) == before
