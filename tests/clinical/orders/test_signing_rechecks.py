"""Signing is the prescriber's decision, so it sees current alerts: each medication draft of
the basket is checked again when signed, against the lists as they are then. A new alert
that interrupts refuses the signing until a reason is given (kept as a DetectedIssue with the
reason); an alert already shown when the order was pended does not stop it again; an
unsound pack needs the signer's acknowledgement. Real store."""

import pytest

from app.clinical.charting.entries import create
from app.clinical.orders.service_requests import OrderLine
from app.clinical.records import Records
from app.clinical.safety.detected_issues import INCOMPLETE
from app.clinical.safety.packs import load_knowledge
from app.clinical.safety.prescribing import AcknowledgementNeeded, SafetyAlerts
from app.clinical.visits.encounters import now
from app.security.roles import Permission
from tests.clinical.charting.test_problems import ward  # noqa: F401 (the fixture)
from tests.clinical.safety.test_prescribing_checks import (
    IBUPROFEN_200MG,
    RXNORM,
    WARFARIN_5MG,
    issues,
    start,
)


def ibuprofen_arrives(ws, patient_id: str) -> dict:
    """Ibuprofen signed at another workstation, arriving after the warfarin was pended: no
    check here ever compared the two."""
    request = {"resourceType": "MedicationRequest", "id": "ibuprofen-elsewhere",
               "status": "active", "intent": "order", "medicationCodeableConcept": {
                   "text": "Ibuprofen 200 MG Oral Tablet",
                   "coding": [{"system": RXNORM, "code": IBUPROFEN_200MG}]},
               "subject": {"reference": f"Patient/{patient_id}"}, "authoredOn": now()}
    with Records(ws.store).write(ws.session, Permission.EDIT_CHART) as work:
        create(work, request, patient_id, "medication arrived")
    return request


def statuses(ws, patient_id) -> list[tuple[str, str]]:
    return sorted((o["resourceType"], o["status"]) for o in
                  ws.orders.basket(ws.session, patient_id))


def test_a_new_interaction_refuses_the_signing_until_a_reason_is_given(ward):
    nurse, doctor, ann = ward.nurse, ward.doctor, ward.patient_id
    nurse.orders.pend(nurse.session, ann, OrderLine("TSH"))
    warfarin = start(nurse, ann, "Warfarin 5 mg tablet", WARFARIN_5MG).request
    ibuprofen_arrives(doctor, ann)

    [_tsh, line] = doctor.orders.review(doctor.session, ann)
    [seen] = line.new_alerts
    assert seen.about == "MedicationRequest/ibuprofen-elsewhere" and seen.interrupts
    with pytest.raises(SafetyAlerts) as refused:
        doctor.orders.sign_basket(doctor.session, ann)
    said = refused.value.message
    assert said.startswith("Nothing was signed: the safety check at signing found a new alert "
                           "since the order was pended. Warfarin 5 mg tablet: Major drug-drug: "
                           "Warfarin Sodium 5 MG Oral Tablet with Ibuprofen 200 MG Oral Tablet "
                           "(on the medication list): ")
    assert "Source: Not on the ONC list. Malone DC" in said
    assert said.endswith("Give a reason to override this alert, or cancel the order.")
    assert statuses(doctor, ann) == [("MedicationRequest", "draft"), ("ServiceRequest", "draft")]
    assert issues(doctor, ann) == []

    signed = doctor.orders.sign_basket(doctor.session, ann, override="Ibuprofen stops today")

    assert {o["status"] for o in signed} == {"active"}
    [issue] = issues(doctor, ann)
    assert issue["implicated"] == [{"reference": f"MedicationRequest/{warfarin['id']}"},
                                   {"reference": "MedicationRequest/ibuprofen-elsewhere"}]
    assert issue["mitigation"][0]["action"]["text"] == "Overridden: Ibuprofen stops today"
    assert issue["author"]["display"] == doctor.session.full_name


def test_an_alert_shown_when_pended_does_not_stop_the_signing_again(ward):
    nurse, doctor, ann = ward.nurse, ward.doctor, ward.patient_id
    start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG)
    start(nurse, ann, "Warfarin 5 mg tablet", WARFARIN_5MG, override="Asked Dr Lee")
    assert len(issues(doctor, ann)) == 1

    [line] = doctor.orders.review(doctor.session, ann)
    assert line.new_alerts == () and "Overridden: Asked Dr Lee" in line.alerts[0]
    [signed] = doctor.orders.sign_basket(doctor.session, ann)

    assert signed["status"] == "active" and len(issues(doctor, ann)) == 1  # not stored twice


def test_a_pended_renewal_is_not_checked_against_itself_or_the_order_it_renews(ward):
    nurse, doctor, ann = ward.nurse, ward.doctor, ward.patient_id
    warfarin = start(doctor, ann, "Warfarin 5 mg tablet", WARFARIN_5MG).request
    renewal = nurse.medication_changes.renew(nurse.session, warfarin["id"]).request

    [signed] = doctor.orders.sign(doctor.session, [renewal["id"]])

    assert signed["status"] == "active" and issues(doctor, ann) == []


def test_an_unsound_pack_needs_the_signers_acknowledgement(ward, tmp_path):
    nurse, doctor, ann = ward.nurse, ward.doctor, ward.patient_id
    warfarin = start(nurse, ann, "Warfarin 5 mg tablet", WARFARIN_5MG).request
    doctor.safety.knowledge = load_knowledge(doctor.store.paths.root, shipped=tmp_path / "gone")

    with pytest.raises(AcknowledgementNeeded, match=r"^Nothing was signed: No medication "
                       r"safety pack is installed.* Acknowledge this to sign anyway\.$"):
        doctor.orders.sign(doctor.session, [warfarin["id"]])
    assert statuses(doctor, ann) == [("MedicationRequest", "draft")]

    doctor.orders.sign(doctor.session, [warfarin["id"]], acknowledged=True)

    [issue] = issues(doctor, ann)
    assert issue["code"]["text"] == INCOMPLETE
    assert issue["implicated"] == [{"reference": f"MedicationRequest/{warfarin['id']}"}]


def test_two_pended_drugs_that_interact_are_named_once_and_kept_once(ward):
    doctor, ann = ward.doctor, ward.patient_id
    ibuprofen = ibuprofen_arrives(doctor, ann) | {"id": "ibuprofen-pended", "status": "draft"}
    warfarin = ibuprofen | {"id": "warfarin-pended", "medicationCodeableConcept": {
        "text": "Warfarin 5 mg tablet", "coding": [{"system": RXNORM, "code": WARFARIN_5MG}]}}
    with Records(doctor.store).write(doctor.session, Permission.EDIT_CHART) as work:
        work.revise("MedicationRequest", "ibuprofen-elsewhere", "medication",
                    lambda r: r.update(status="entered-in-error") or "entered in error",
                    None, lambda r: "ibuprofen")
        create(work, ibuprofen, ann, "pended elsewhere")
        create(work, warfarin, ann, "pended elsewhere")

    with pytest.raises(SafetyAlerts) as refused:
        doctor.orders.sign_basket(doctor.session, ann)
    assert len(refused.value.alerts) == 1  # one interaction, not once from each side

    doctor.orders.sign_basket(doctor.session, ann, override="Short course, INR watched")
    assert len(issues(doctor, ann)) == 1
