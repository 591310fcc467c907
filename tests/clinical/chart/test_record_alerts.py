"""A medication's or an allergy's detail shows the safety alerts it took part in, read back
from the DetectedIssues saved with the orders: severity, words, source with the pack's
version, and the override reason with who gave it."""

from app.clinical.chart.record_alerts import RecordAlerts
from tests.clinical.charting.test_problems import audit_details, ward  # noqa: F401
from tests.clinical.safety.test_prescribing_checks import (
    AMOXICILLIN_250MG,
    IBUPROFEN_200MG,
    PENICILLIN_V,
    RXNORM,
    WARFARIN_5MG,
    start,
)


def test_an_overridden_interaction_shows_on_both_drugs_with_reason_and_source(ward):
    doctor, ann = ward.doctor, ward.patient_id
    ibuprofen = start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG).request
    warfarin = start(doctor, ann, "Warfarin 5 mg tablet", WARFARIN_5MG,
                     override="INR checked on Friday").request
    alerts = RecordAlerts(doctor.store)
    [shown] = alerts.read(doctor.session, ann, f"MedicationRequest/{warfarin['id']}")
    assert (shown.kind, shown.severity) == ("Drug interaction alert", "High")
    assert "serious bleeding" in shown.detail
    assert "Malone DC" in shown.source and " version " in shown.source
    assert shown.action == "Overridden: INR checked on Friday"
    assert shown.by == doctor.session.full_name
    assert shown.other == "Ibuprofen 200 MG Oral Tablet"
    [same] = alerts.read(doctor.session, ann, f"MedicationRequest/{ibuprofen['id']}")
    assert same.other == "Warfarin 5 mg tablet" and same.detail == shown.detail
    assert audit_details(doctor, warfarin["id"])[-1] == "medication safety alerts shown"


def test_an_allergy_shows_the_drugs_it_flagged(ward):
    doctor, ann = ward.doctor, ward.patient_id
    start(doctor, ann, "Amoxicillin 250 MG Oral Capsule", AMOXICILLIN_250MG)
    allergy = doctor.allergies.record(
        doctor.session, ann, "Penicillin", "Hives", "moderate", category="medication",
        substance_code={"system": RXNORM, "code": PENICILLIN_V, "display": "penicillin V"}
    ).allergy
    [shown] = RecordAlerts(doctor.store).read(doctor.session, ann,
                                              f"AllergyIntolerance/{allergy['id']}")
    assert shown.kind == "Allergy alert" and shown.other == "Amoxicillin 250 MG Oral Capsule"
    assert shown.action is None
