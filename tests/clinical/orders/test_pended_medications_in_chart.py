"""A pended medication order is not yet the patient's drug: the chart's medication count
and active list leave it out, and the Medications list marks it "pended, not signed" (the
Orders tab lists it as pended). Real store."""

from tests.clinical.charting.test_problems import ward  # noqa: F401 (the fixture)
from tests.clinical.safety.test_prescribing_checks import IBUPROFEN_200MG, WARFARIN_5MG, start


def test_a_pended_warfarin_is_not_counted_as_a_current_medication(ward):
    nurse, doctor, ann = ward.nurse, ward.doctor, ward.patient_id
    start(doctor, ann, "Ibuprofen 200 MG Oral Tablet", IBUPROFEN_200MG)
    start(nurse, ann, "Warfarin 5 mg tablet", WARFARIN_5MG, override="Asked Dr Lee")

    summary = doctor.chart.summary(doctor.session, ann)
    listed = doctor.chart.section(doctor.session, ann, "medications").items

    assert [m.title for m in summary.active_medications] == ["Ibuprofen 200 MG Oral Tablet"]
    assert summary.counts["medications"] == 1
    assert sorted((m.title, m.status) for m in listed) == [
        ("Ibuprofen 200 MG Oral Tablet", "active"),
        ("Warfarin 5 mg tablet", "pended, not signed")]
