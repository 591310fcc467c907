"""Renewing and changing a medication order, on a real store: the new order
names the old one, the old one leaves the list, and the safety check runs as for a new
order, but never against the order being replaced."""

import pytest

from app.clinical.orders.medication_changes import MedicationChanges
from app.clinical.orders.sig import build_sig
from app.clinical.safety.prescribing import SafetyAlerts
from tests.clinical.charting.test_problems import audit_details, valid, ward  # noqa: F401
from tests.clinical.safety.test_prescribing_checks import (
    IBUPROFEN_200MG,
    WARFARIN_5MG,
    issues,
    medication_names,
    start,
)


def changes(ws) -> MedicationChanges:
    return MedicationChanges(ws.store, ws.medications, ws.changes)


def order(ws, record_id: str) -> dict:
    return ws.medications.current(ws.session, record_id)


def test_renewing_a_drug_that_now_interacts_shows_the_alert(ward):
    doctor, ann = ward.doctor, ward.patient_id
    warfarin = start(doctor, ann, "Warfarin 5 mg tablet", WARFARIN_5MG).request
    start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG,
          override="Three days only")
    with pytest.raises(SafetyAlerts, match="Warfarin 5 mg tablet was not saved: Major "
                                           "drug-drug: .* with Ibuprofen"):
        changes(doctor).renew(doctor.session, warfarin["id"])
    assert order(doctor, warfarin["id"])["status"] == "active"  # nothing saved
    renewed = changes(doctor).renew(doctor.session, warfarin["id"],
                                    override="Ibuprofen ends Friday").request
    assert valid(renewed) and renewed["status"] == "active"
    assert renewed["priorPrescription"] == {"reference": f"MedicationRequest/{warfarin['id']}"}
    assert renewed["dosageInstruction"] == warfarin["dosageInstruction"]
    assert renewed["authoredOn"] > warfarin["authoredOn"]
    page = doctor.chart.section(doctor.session, ann, "medications")
    assert sorted(i.status for i in page.items) == ["active", "active", "completed"]
    names = sorted(medication_names(doctor, ann))
    assert names == ["Ibuprofen 200 MG Oral Tablet", "Warfarin 5 mg tablet"]
    renewal_issues = [i for i in issues(doctor, ann) if i["implicated"][0]["reference"]
                      == f"MedicationRequest/{renewed['id']}"]
    assert [i["mitigation"][0]["action"]["text"] for i in renewal_issues] == [
        "Overridden: Ibuprofen ends Friday"]


def test_changing_the_dose_does_not_alert_against_itself(ward):
    doctor, ann = ward.doctor, ward.patient_id
    ibuprofen = start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG).request
    service = changes(doctor)
    sig = build_sig("2", "tablet", "oral", "tid", 5, 30, 0, service.dose_limit(ibuprofen))
    changed = service.change(doctor.session, ibuprofen["id"], sig)
    assert changed.alerts == () and changed.issues == ()
    assert changed.request["dosageInstruction"][0]["text"] == (
        "Take 2 tablets by mouth three times a day for 5 days.")
    assert changed.request["dispenseRequest"]["quantity"]["value"] == 30
    assert medication_names(doctor, ann) == ["Ibuprofen 200 MG Oral Tablet"]
    page = doctor.chart.section(doctor.session, ann, "medications")
    assert sorted(i.status for i in page.items) == ["active", "stopped"]
    assert audit_details(doctor, ibuprofen["id"])[-1] == (
        "medication stopped: Changed to Ibuprofen 200 MG Oral Tablet, Take 2 tablets by "
        "mouth three times a day for 5 days")


def test_a_nurse_pends_a_renewal_and_the_old_order_stays(ward):
    doctor, nurse, ann = ward.doctor, ward.nurse, ward.patient_id
    ibuprofen = start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG).request
    pended = changes(nurse).renew(nurse.session, ibuprofen["id"]).request
    assert pended["status"] == "draft"
    assert pended["note"][0]["text"] == f"Pended by {nurse.session.full_name}"
    assert order(doctor, ibuprofen["id"])["status"] == "active"

    doctor.orders.sign_basket(doctor.session, ann)  # the physician signs the renewal
    assert order(doctor, pended["id"])["status"] == "active"
    assert order(doctor, ibuprofen["id"])["status"] == "completed"
    assert medication_names(doctor, ann) == ["Ibuprofen 200 MG Oral Tablet"]


def test_front_desk_cannot_renew(ward):
    doctor, ann = ward.doctor, ward.patient_id
    ibuprofen = start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG).request
    with pytest.raises(Exception, match="pend"):
        changes(ward.desk).renew(ward.desk.session, ibuprofen["id"])
