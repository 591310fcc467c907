"""Medications: started as active orders, stopped with a reason, never deleted, written only
by clinicians."""

import pytest

from app.clinical.charting.medications import Medications
from app.errors import InvalidRecord, PermissionDenied
from tests.clinical.charting.test_problems import (  # noqa: F401 (the ward fixture)
    active_titles,
    audit_details,
    valid,
    versions,
    ward,
    writes,
)


def test_starting_a_medication_makes_an_active_order(ward):
    request = Medications(ward.doctor.store).start(
        ward.doctor.session, ward.patient_id, "Metformin 500 mg tablet",
        "1 tablet by mouth twice daily with meals", "Type 2 diabetes", rxnorm="860975")
    assert valid(request)
    assert (request["status"], request["intent"]) == ("active", "order")
    assert request["medicationCodeableConcept"] == {
        "text": "Metformin 500 mg tablet",
        "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": "860975"}]}
    assert request["dosageInstruction"] == [{"text": "1 tablet by mouth twice daily with meals"}]
    assert request["reasonCode"] == [{"text": "Type 2 diabetes"}]
    assert request["authoredOn"] and request["requester"]["identifier"]["value"] == "drlee"
    assert active_titles(ward.doctor, ward.patient_id, "active_medications") == [
        "Metformin 500 mg tablet"]


def test_a_medication_needs_a_name_a_dose_and_a_real_rxnorm_code(ward):
    medications, session = Medications(ward.doctor.store), ward.doctor.session
    with pytest.raises(InvalidRecord, match="Say which medication"):
        medications.start(session, ward.patient_id, "", "1 daily")
    with pytest.raises(InvalidRecord, match="Say the dose and how to take it"):
        medications.start(session, ward.patient_id, "Lisinopril 10 mg", " ")
    with pytest.raises(InvalidRecord, match="'RX-1' is not an RxNorm code"):
        medications.start(session, ward.patient_id, "Lisinopril 10 mg", "1 daily",
                          rxnorm="RX-1")


def test_stopping_keeps_the_order_with_its_reason(ward):
    medications, session = Medications(ward.nurse.store), ward.nurse.session
    started = Medications(ward.doctor.store).start(
        ward.doctor.session, ward.patient_id, "Amoxicillin 500 mg capsule",
        "1 capsule three times daily for 7 days", "Pneumonia")
    stopped = medications.stop(session, started["id"], "Course completed")
    assert valid(stopped)
    assert (stopped["status"], stopped["statusReason"]) == ("stopped",
                                                            {"text": "Course completed"})
    assert active_titles(ward.nurse, ward.patient_id, "active_medications") == []
    page = ward.nurse.chart.section(session, ward.patient_id, "medications")
    assert [(i.title, i.status) for i in page.items] == [
        ("Amoxicillin 500 mg capsule", "stopped")]
    assert [v["status"] for v in versions(ward.nurse, started["id"])] == ["active", "stopped"]
    assert audit_details(ward.nurse, started["id"])[-1] == "medication stopped: Course completed"
    with pytest.raises(InvalidRecord, match="is stopped, not active: there is nothing to stop"):
        medications.stop(session, started["id"], "again")
    with pytest.raises(InvalidRecord, match="Say why the medication is stopped"):
        medications.stop(session, Medications(ward.doctor.store).start(
            ward.doctor.session, ward.patient_id, "Aspirin 81 mg", "1 daily")["id"], "")


def test_an_order_entered_in_error_leaves_the_active_list(ward):
    medications, session = Medications(ward.doctor.store), ward.doctor.session
    wrong = medications.start(session, ward.patient_id, "Warfarin 5 mg", "1 daily")
    in_error = medications.enter_in_error(session, wrong["id"], "Wrong patient")
    assert valid(in_error)
    assert (in_error["status"], in_error["statusReason"]["text"]) == ("entered-in-error",
                                                                      "Wrong patient")
    assert active_titles(ward.doctor, ward.patient_id, "active_medications") == []
    with pytest.raises(InvalidRecord, match="entered in error and cannot be changed"):
        medications.enter_in_error(session, wrong["id"], "again")


def test_editing_a_medication_replaces_its_dose_and_adds_a_note(ward):
    medications, session = Medications(ward.doctor.store), ward.doctor.session
    started = medications.start(session, ward.patient_id, "Metformin 500 mg tablet",
                                "1 tablet twice daily")
    edited = medications.edit(session, started["id"], dose="2 tablets twice daily",
                              note="HbA1c still high")
    assert valid(edited)
    assert edited["dosageInstruction"] == [{"text": "2 tablets twice daily"}]
    assert edited["note"][-1]["text"] == "HbA1c still high"
    assert audit_details(ward.doctor, started["id"])[-1] == (
        "medication edited: dose 1 tablet twice daily -> 2 tablets twice daily; note: HbA1c "
        "still high")
    noted = medications.edit(session, started["id"], note="Tolerating well")
    assert [n["text"] for n in noted["note"]] == ["HbA1c still high", "Tolerating well"]
    assert noted["dosageInstruction"] == [{"text": "2 tablets twice daily"}]
    assert medications.current(session, started["id"]) == noted
    with pytest.raises(InvalidRecord, match="Give a new dose or a note"):
        medications.edit(session, started["id"], dose=" ")
    with pytest.raises(InvalidRecord, match="already has that dose"):
        medications.edit(session, started["id"], dose="2 tablets twice daily")


def test_a_stopped_medication_cannot_be_edited(ward):
    medications, session = Medications(ward.doctor.store), ward.doctor.session
    started = medications.start(session, ward.patient_id, "Amoxicillin 500 mg", "1 daily")
    medications.stop(session, started["id"], "Course completed")
    before = writes(ward.doctor)
    with pytest.raises(InvalidRecord, match="Amoxicillin 500 mg is stopped: only an active or "
                                            "on-hold medication can be edited"):
        medications.edit(session, started["id"], dose="2 daily")
    assert writes(ward.doctor) == before
    assert versions(ward.doctor, started["id"])[-1]["dosageInstruction"] == [{"text": "1 daily"}]


@pytest.mark.parametrize("who", ["desk", "billing"])
def test_front_desk_and_billing_may_not_prescribe_or_stop(ward, who):
    request = Medications(ward.doctor.store).start(ward.doctor.session, ward.patient_id,
                                                   "Aspirin 81 mg", "1 daily")
    ws = getattr(ward, who)
    medications, before = Medications(ws.store), writes(ws)
    with pytest.raises(PermissionDenied, match="may not pend lab, imaging and medication "
                                               "orders"):
        medications.start(ws.session, ward.patient_id, "Aspirin", "1 daily")
    for attempt in (
        lambda: medications.stop(ws.session, request["id"], "done"),
        lambda: medications.enter_in_error(ws.session, request["id"], "wrong"),
        lambda: medications.edit(ws.session, request["id"], dose="2 daily"),
        lambda: medications.current(ws.session, request["id"]),
    ):
        with pytest.raises(PermissionDenied, match="may not edit the clinical chart"):
            attempt()
    assert writes(ws) == before
