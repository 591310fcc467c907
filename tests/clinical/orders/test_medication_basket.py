"""The basket holds pended medication orders beside lab drafts (the roster's contract: a
MedicationRequest draft, a nurse's with "Pended by"), shows each one's stored safety alerts,
and signs them all in one unit of work."""

import orjson

from app.clinical.charting.entries import create
from app.clinical.orders.service_requests import OrderLine, Orders
from app.clinical.records import Records
from app.clinical.visits.encounters import now, user_reference
from app.security.roles import Permission
from tests.clinical.charting.test_problems import ward  # noqa: F401 (the fixture)

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def pend_warfarin(ws, patient_id: str) -> dict:
    """A medication draft as the medication path pends it, with the alert it showed."""
    draft = {"resourceType": "MedicationRequest", "id": "warfarin-draft", "status": "draft",
             "intent": "order", "medicationCodeableConcept": {
                 "text": "Warfarin 5 MG Oral Tablet",
                 "coding": [{"system": RXNORM, "code": "855332"}]},
             "subject": {"reference": f"Patient/{patient_id}"}, "authoredOn": now(),
             "requester": user_reference(ws.session),
             "dosageInstruction": [{"text": "Take 1 tablet by mouth once a day."}],
             "note": [{"text": f"Pended by {ws.session.full_name}"}]}
    issue = {"resourceType": "DetectedIssue", "id": "warfarin-alert", "status": "final",
             "code": {"text": "Drug interaction alert"}, "severity": "high",
             "patient": {"reference": f"Patient/{patient_id}"},
             "implicated": [{"reference": "MedicationRequest/warfarin-draft"}],
             "detail": "Warfarin with an NSAID raises the risk of bleeding.",
             "evidence": [{"code": [{"text": "Phansalkar 2012"}]}]}
    with Records(ws.store).write(ws.session, Permission.PEND_ORDERS) as work:
        create(work, draft, patient_id, "medication pended")
        create(work, issue, patient_id, "alert shown")
    return draft


def test_a_nurses_medication_draft_is_reviewed_with_its_alert_and_signed_with_the_labs(ward):
    nurse, doctor, patient = ward.nurse, ward.doctor, ward.patient_id
    Orders(nurse.store).pend(nurse.session, patient, OrderLine("Lipid panel"))
    pend_warfarin(nurse, patient)

    review = Orders(doctor.store).review(doctor.session, patient)

    assert [line.what for line in review] == [
        "Lipid panel", "Warfarin 5 MG Oral Tablet: Take 1 tablet by mouth once a day."]
    assert review[1].pended_by == "Nina" and review[0].alerts == ()
    assert review[1].alerts == ("Drug interaction alert (high): Warfarin with an NSAID raises "
                                "the risk of bleeding. Source: Phansalkar 2012.",)

    signed = Orders(doctor.store).sign_basket(doctor.session, patient)

    assert [(o["resourceType"], o["status"]) for o in signed] == [
        ("ServiceRequest", "active"), ("MedicationRequest", "active")]
    with doctor.store.read() as conn:
        warfarin = orjson.loads(conn.exec_driver_sql(
            "SELECT json FROM resource WHERE id = 'warfarin-draft'").scalar_one())
    assert warfarin["requester"]["display"] == doctor.session.full_name
    assert [n["text"] for n in warfarin["note"]] == ["Pended by Nina"]  # not said twice
    assert Orders(doctor.store).basket(doctor.session, patient) == []


def test_a_pended_medication_is_cancelled_with_its_reason(ward):
    draft = pend_warfarin(ward.nurse, ward.patient_id)

    cancelled = Orders(ward.nurse.store).cancel(ward.nurse.session, draft["id"], "Wrong patient")

    assert cancelled["status"] == "cancelled"
    assert cancelled["note"][-1]["text"] == "Cancelled: Wrong patient"
