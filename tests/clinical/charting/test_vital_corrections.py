"""A wrong vital sign is corrected or marked entered in error, with a reason, through the
write path: the earlier value stays on record, a BMI computed from it follows, and a reading
entered in error leaves the plots and Latest vitals but stays in the list, marked."""

import pytest
from sqlalchemy import text

from app.clinical.charting.trends import VITAL_SIGNS
from app.clinical.charting.vitals import Vitals
from app.errors import InvalidRecord
from tests.clinical.charting.test_vitals import ann, nurse  # noqa: F401 (fixtures)

ALL_CODES = [code for sign in VITAL_SIGNS for code in sign.codes]


def audit_details(ws, observation_id: str) -> list[str]:
    with ws.store.read() as conn:
        return list(conn.execute(text(
            "SELECT detail FROM audit WHERE entity = :e AND action IN ('create', 'update') "
            "ORDER BY seq"), {"e": f"Observation/{observation_id}"}).scalars())


def test_a_weight_typed_wrong_is_corrected_and_its_bmi_recomputed(nurse, ann):
    vitals = Vitals(nurse.store)
    weight, _height, bmi = vitals.record(nurse.session, ann, {"weight": "176", "height": 175})
    shown = vitals.for_correction(nurse.session, weight["id"])

    corrected = vitals.correct(nurse.session, weight["id"], {"29463-7": 76},
                               "typed in lb by mistake", shown)

    assert corrected["status"] == "corrected"
    assert corrected["valueQuantity"]["value"] == 76
    assert corrected["note"][-1]["text"] == ("Corrected from 176 kg to 76 kg: typed in lb by "
                                             "mistake")
    assert audit_details(nurse, weight["id"])[-1] == (
        "Weight corrected from 176 kg to 76 kg: typed in lb by mistake")
    plotted = nurse.trends.series(nurse.session, ann, ALL_CODES)
    assert [p.value for p in plotted["29463-7"]] == [76]
    assert [p.value for p in plotted["39156-5"]] == [24.8]  # was 57.5
    assert audit_details(nurse, bmi["id"])[-1].startswith(
        "BMI recomputed from 57.5 kg/m² to 24.8 kg/m² after the weight was corrected")


def test_a_blood_pressure_panel_is_corrected_as_a_pair(nurse, ann):
    vitals = Vitals(nurse.store)
    [panel] = vitals.record(nurse.session, ann, {"systolic": 210, "diastolic": 80})

    corrected = vitals.correct(nurse.session, panel["id"], {"8480-6": 120, "8462-4": 80},
                               "digits swapped")

    assert [c["valueQuantity"]["value"] for c in corrected["component"]] == [120, 80]
    assert corrected["note"][-1]["text"] == ("Corrected from 210 mmHg / 80 mmHg to 120 mmHg / "
                                             "80 mmHg: digits swapped")
    with pytest.raises(InvalidRecord, match="Enter both the systolic and the diastolic"):
        vitals.correct(nurse.session, panel["id"], {"8480-6": 125}, "again")


def test_entered_in_error_leaves_the_plots_and_latest_but_stays_listed(nurse, ann):
    vitals = Vitals(nurse.store)
    [first] = vitals.record(nurse.session, ann, {"heart_rate": 70})
    weight, _height, bmi = vitals.record(nurse.session, ann, {"weight": 80, "height": 180})
    [wrong] = vitals.record(nurse.session, ann, {"heart_rate": 140})

    vitals.mark_entered_in_error(nurse.session, wrong["id"], "another patient's reading")
    vitals.mark_entered_in_error(nurse.session, weight["id"], "wrong chart")

    plotted = nurse.trends.series(nurse.session, ann, ALL_CODES)
    assert [p.value for p in plotted["8867-4"]] == [70]
    assert plotted["39156-5"] == []  # its BMI went with the weight
    latest = {v.title: v.value for v in nurse.chart.summary(nurse.session, ann).latest_vitals}
    assert latest == {"Heart rate": "70 /min", "Height": "180 cm"}
    listed = nurse.chart.section(nurse.session, ann, "vitals").items
    assert {(i.title, i.status) for i in listed if i.status == "entered-in-error"} == {
        ("Heart rate", "entered-in-error"), ("Weight", "entered-in-error"),
        ("BMI", "entered-in-error")}
    assert len(listed) == 5  # nothing deleted
    assert first["id"] in {i.id for i in listed}
    with pytest.raises(InvalidRecord, match="Heart rate was entered in error and cannot be "
                                            "changed."):
        vitals.correct(nurse.session, wrong["id"], {"8867-4": 80}, "retry")


@pytest.mark.parametrize(("values", "reason", "refusal"), [
    ({"8867-4": 72}, "", "Say why the reading is corrected."),
    ({"8867-4": 72}, "same", "That is the value already recorded; nothing was changed."),
    ({"8867-4": "0"}, "typo", "Heart rate cannot be 0 /min."),
    ({"8867-4": "7o"}, "typo", "Heart rate “7o” is not a number."),
])
def test_a_correction_without_reason_change_or_possible_value_is_refused(
        nurse, ann, values, reason, refusal):
    vitals = Vitals(nurse.store)
    [reading] = vitals.record(nurse.session, ann, {"heart_rate": 72})
    before = audit_details(nurse, reading["id"])

    with pytest.raises(InvalidRecord) as refused:
        vitals.correct(nurse.session, reading["id"], values, reason)

    assert refused.value.message == refusal
    assert audit_details(nurse, reading["id"]) == before
