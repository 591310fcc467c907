"""A pended medication order takes part in the safety check (a nurse pended warfarin: the
physician prescribing ibuprofen must see the interaction), and the alert says the other drug
is pended, not yet signed. Real store."""

import pytest

from app.clinical.safety.prescribing import SafetyAlerts
from tests.clinical.charting.test_problems import ward  # noqa: F401 (the fixture)
from tests.clinical.safety.test_prescribing_checks import (
    IBUPROFEN_200MG,
    WARFARIN_5MG,
    medication_names,
    start,
)


def test_ibuprofen_is_stopped_by_the_warfarin_a_nurse_pended(ward):
    nurse, doctor, ann = ward.nurse, ward.doctor, ward.patient_id
    pended = start(nurse, ann, "Warfarin 5 mg tablet", WARFARIN_5MG).request
    assert pended["status"] == "draft"

    with pytest.raises(SafetyAlerts) as refused:
        start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG)

    [alert] = refused.value.alerts
    assert alert.kind == "drug-drug" and alert.about == f"MedicationRequest/{pended['id']}"
    assert alert.message.startswith("Ibuprofen 200 MG Oral Tablet with Warfarin 5 mg tablet "
                                    "(pended, not yet signed): ")
    assert medication_names(doctor, ann) == []


def test_a_second_warfarin_names_the_pended_one_as_a_duplicate(ward):
    nurse, doctor, ann = ward.nurse, ward.doctor, ward.patient_id
    start(nurse, ann, "Warfarin 5 mg tablet", WARFARIN_5MG)

    started = start(doctor, ann, "Warfarin 5 mg tablet", WARFARIN_5MG, override="Dose review")

    assert [a.message for a in started.alerts if a.kind == "duplicate-therapy"] == [
        "Warfarin Sodium 5 MG Oral Tablet and Warfarin 5 mg tablet (pended, not yet signed) "
        "both contain warfarin."]
