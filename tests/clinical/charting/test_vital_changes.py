"""The change check: a reading far from the patient's previous one asks to be checked, with
the previous value and its date; the limits are the clinic's policy, refused by name when
wrong."""

import json
from dataclasses import replace
from datetime import date

import pytest

from app.clinical.charting.vital_changes import Previous
from app.clinical.charting.vitals import VITALS, Typed, Vitals, check
from app.errors import UsageError
from app.security.policy import VITAL_KEYS, Policy, VitalsPolicy
from tests.clinical.charting.test_vitals import ann, nurse  # noqa: F401 (fixtures)
from tests.sync.stations import patient

WEIGHT = Previous(75.9, "2026-11-02T09:30:00+00:00")


def test_176_typed_for_a_759_kg_patient_is_questioned_with_the_last_reading():
    assert check({"weight": "176"}, {"weight": WEIGHT}) == [
        "Weight 176 kg is 132 % above the last reading, 75.9 kg on 2026-11-02; check the "
        "value and units."]
    assert check({"weight": "78"}, {"weight": WEIGHT}) == []  # within 10 %


def test_the_previous_readings_come_from_the_chart_and_a_child_is_not_held_to_height(
        nurse, ann):
    vitals = Vitals(nurse.store)
    vitals.record(nurse.session, ann, {"systolic": 120, "diastolic": 80, "weight": "75.9",
                                       "height": 170, "temperature": "36.8"})

    previous = vitals.entry_context(nurse.session, ann).previous

    assert {key: p.value for key, p in previous.items()} == {
        "systolic": 120, "diastolic": 80, "weight": 75.9, "height": 170, "temperature": 36.8}
    assert check({"systolic": "200", "diastolic": "80", "height": "160",
                  "temperature": Typed("[degF]", "98.6")}, previous) == [
        f"Systolic pressure 200 mmHg is 80 mmHg above the last reading, 120 mmHg on "
        f"{date.today()}; check the value and units.",
        f"Height 160 cm is 10 cm below the last reading, 170 cm on {date.today()}; check the "
        "value and units."]
    child = nurse.patients.register(nurse.session, {**patient("Young"),
                                                    "birthDate": f"{date.today().year - 9}"})
    vitals.record(nurse.session, child["id"], {"height": 130})
    assert "height" not in vitals.entry_context(nurse.session, child["id"]).previous


def test_the_policy_tunes_the_limits_and_old_readings_are_not_compared():
    strict = VitalsPolicy(max_change={"weight": {"percent": 2, "absolute": 1}})
    assert check({"weight": "77.5"}, {"weight": WEIGHT}, strict)[0].startswith(
        "Weight 77.5 kg is 2 % above the last reading")
    assert check({"weight": "76.5"}, {"weight": WEIGHT}, strict) == []  # under 1 kg
    assert check({"heart_rate": "150"}, {"heart_rate": Previous(70, "2026-11-02")},
                 strict) == []  # no limit set for it
    old = {"weight": Previous(75.9, "2020-01-01")}
    assert check({"weight": "176"}, old, replace(strict, compare_within_days=30)) == []


@pytest.mark.parametrize(("vitals", "refusal"), [
    ({"units": "imperial"}, "The policy's vitals.units is 'imperial'; it must be \"metric\" or "
                            "\"us\"."),
    ({"max_change": {"weight": {"percent": -5}}},
     "The policy's vitals.max_change.weight.percent is -5; it must be a number above 0 and at "
     "most 1000."),
    ({"max_change": {"wieght": {"percent": 5}}},
     "The policy's vitals.max_change.wieght is not a reading Hearth records; use one of "
     "systolic, diastolic, heart_rate, respiratory_rate, temperature, spo2, weight, height."),
    ({"max_change": {"weight": {"pct": 5}}},
     "The policy's vitals.max_change.weight must be {\"percent\": …}, {\"absolute\": …} or "
     "both."),
    ({"compare_within_days": "a year"},
     "The policy's vitals.compare_within_days is 'a year'; it must be a whole number of days "
     "from 1 to 36500."),
    ({"unit": "us"}, "Unknown policy vitals setting(s): unit."),
])
def test_a_bad_vitals_setting_is_refused_naming_it(policy_file, vitals, refusal):
    values = {**json.loads(policy_file.read_text())}
    values["vitals"] = {**values.get("vitals", {}), **vitals}
    with pytest.raises(UsageError) as refused:
        Policy.from_json(json.dumps(values).encode(), "policy.json")
    assert refused.value.message == refusal


def test_the_shipped_policy_sets_a_limit_for_every_reading_hearth_records():
    shipped = Policy.default().vitals
    assert VITAL_KEYS == tuple(v.key for v in VITALS)
    assert set(shipped.max_change) == set(VITAL_KEYS)
    assert shipped == VitalsPolicy()  # the code's defaults are the shipped file's
