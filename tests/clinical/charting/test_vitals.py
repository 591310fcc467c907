"""Vital signs: coded Observations the trend plots read, BMI computed and said to be,
unusual values warned about, impossible ones refused, one transaction per entry; and, with a
real FHIR server, readings taken in a visit on one workstation show on another."""

import pytest
from sqlalchemy import text

from app.clinical.charting.trends import VITAL_SIGNS
from app.clinical.charting.vitals import Vitals, check
from app.clinical.fhir.validation import validation_errors
from app.clinical.visits.encounters import Encounters
from app.errors import InvalidRecord, NotFound, PermissionDenied
from fhir_common import fhir_json
from tests.conftest import sign_in
from tests.sync.conftest import start_fhir_server
from tests.sync.stations import patient, sync, workstation

FULL_SET = {"systolic": "120", "diastolic": "80", "heart_rate": "72", "respiratory_rate": "16",
            "temperature": "37.2", "spo2": "98", "weight": "80", "height": "175"}


@pytest.fixture
def nurse(admin, env, store_dir):
    return sign_in(admin, env, store_dir, "nina", "nurse")


@pytest.fixture
def ann(nurse):
    return nurse.patients.register(nurse.session, patient("Okafor"))["id"]


def codes_and_units(observation: dict) -> list[tuple[str, str | None]]:
    parts = observation.get("component", [observation])
    return [(observation["code"]["coding"][0]["code"], None)] * ("component" in observation) + [
        (part["code"]["coding"][0]["code"], part["valueQuantity"]["code"]) for part in parts]


def counts(ws) -> dict[str, int]:
    with ws.store.read() as conn:
        return {
            "observations": conn.execute(text(
                "SELECT count(*) FROM resource WHERE type = 'Observation'")).scalar_one(),
            "outbox": conn.execute(text(
                "SELECT count(*) FROM outbox WHERE type = 'Observation'")).scalar_one(),
            "audit": conn.execute(text(
                "SELECT count(*) FROM audit WHERE action = 'create' AND entity LIKE "
                "'Observation/%'")).scalar_one(),
        }


def test_readings_become_vital_sign_observations_with_loinc_and_ucum(nurse, ann):
    visit = Encounters(nurse.store).start_visit(nurse.session, ann)

    made = Vitals(nurse.store).record(nurse.session, ann, FULL_SET, visit["id"])

    assert [codes_and_units(o) for o in made] == [
        [("85354-9", None), ("8480-6", "mm[Hg]"), ("8462-4", "mm[Hg]")],
        [("8867-4", "/min")], [("9279-1", "/min")], [("8310-5", "Cel")], [("59408-5", "%")],
        [("29463-7", "kg")], [("8302-2", "cm")], [("39156-5", "kg/m2")]]
    for observation in made:
        assert validation_errors("Observation", fhir_json.dumps(observation)) == []
        assert observation["category"][0]["coding"][0]["code"] == "vital-signs"
        assert observation["status"] == "final"
        assert observation["encounter"] == {"reference": f"Encounter/{visit['id']}"}
        assert observation["performer"][0]["display"] == "Nina"
    assert made[0]["component"][0]["valueQuantity"]["value"] == 120
    assert made[3]["valueQuantity"]["value"] == 37.2
    # the trend plots read them under the codes they chart
    plotted = nurse.trends.series(nurse.session, ann,
                                  [c for sign in VITAL_SIGNS for c in sign.codes])
    assert {code: [p.value for p in points] for code, points in plotted.items() if points} == {
        "8480-6": [120], "8462-4": [80], "8867-4": [72], "9279-1": [16], "8310-5": [37.2],
        "59408-5": [98], "29463-7": [80], "8302-2": [175], "39156-5": [26.1]}


def test_bmi_is_computed_from_weight_and_height_and_says_so(nurse, ann):
    made = Vitals(nurse.store).record(nurse.session, ann, {"weight": 80, "height": 175})

    weight, height, bmi = made
    assert bmi["valueQuantity"]["value"] == 26.1
    assert [d["reference"] for d in bmi["derivedFrom"]] == [
        f"Observation/{weight['id']}", f"Observation/{height['id']}"]
    assert bmi["note"][0]["text"] == ("Computed by Hearth from the weight 80 kg and the height "
                                      "175 cm (taken with it).")


def test_a_weight_alone_uses_the_latest_height_on_file(nurse, ann):
    vitals = Vitals(nurse.store)
    vitals.record(nurse.session, ann, {"height": 160})
    latest = vitals.record(nurse.session, ann, {"height": 170})[0]
    assert vitals.height_on_file(nurse.session, ann).cm == 170

    weight, bmi = vitals.record(nurse.session, ann, {"weight": "72,5"})

    assert weight["valueQuantity"]["value"] == 72.5
    assert bmi["valueQuantity"]["value"] == 25.1
    assert bmi["derivedFrom"][1]["reference"] == f"Observation/{latest['id']}"
    assert "the height 170 cm (measured " in bmi["note"][0]["text"]


def test_no_height_anywhere_means_no_bmi(nurse, ann):
    assert [o["code"]["text"] for o in
            Vitals(nurse.store).record(nurse.session, ann, {"weight": 80})] == ["Weight"]


def test_unusual_values_warn_and_are_saved_when_confirmed(nurse, ann):
    unusual = {"heart_rate": "300", "temperature": "98.6", "weight": "80", "height": "1.75"}

    assert check(unusual) == [
        "Heart rate 300 /min is outside 20–250; check it was typed correctly.",
        "Temperature 98.6 °C is outside 30–43; check it was typed correctly.",
        "Height 1.75 cm is outside 30–250; check it was typed correctly.",
        "BMI 261224.5 kg/m² is outside 10–70; check it was typed correctly."]
    assert check({"heart_rate": 72, "spo2": 100}) == []
    made = Vitals(nurse.store).record(nurse.session, ann, {"heart_rate": "300"})
    assert made[0]["valueQuantity"]["value"] == 300


@pytest.mark.parametrize(("readings", "refusal"), [
    ({"heart_rate": "-5"}, "Heart rate cannot be -5 /min."),
    ({"temperature": "3y"}, "Temperature “3y” is not a number."),
    ({"systolic": "80", "diastolic": "120"},
     "The systolic pressure (80) must be higher than the diastolic (120); were they swapped?"),
    ({"systolic": "120"}, "Enter both the systolic and the diastolic pressure, or neither."),
    ({"spo2": "105"}, "SpO2 cannot be above 100 % (it was 105)."),
    ({"heart_rate": "", "weight": None}, "Enter at least one reading."),
    ({"bmi": "25"}, "Hearth does not record 'bmi' as a vital sign (BMI is computed from "
                    "weight and height)."),
])
def test_impossible_values_are_refused_and_nothing_is_written(nurse, ann, readings, refusal):
    before = counts(nurse)

    with pytest.raises(InvalidRecord) as warned:
        check(readings)
    with pytest.raises(InvalidRecord) as refused:
        Vitals(nurse.store).record(nurse.session, ann, readings)

    assert warned.value.message == refused.value.message == refusal
    assert counts(nurse) == before


def test_one_entry_is_one_transaction_with_its_outbox_rows_and_one_audit_row(nurse, ann):
    before = counts(nurse)

    made = Vitals(nurse.store).record(nurse.session, ann, FULL_SET)

    assert counts(nurse) == {"observations": before["observations"] + 8,
                             "outbox": before["outbox"] + 8, "audit": before["audit"] + 1}
    with nurse.store.read() as conn:
        detail = conn.execute(text("SELECT detail FROM audit WHERE entity = :e"),
                              {"e": f"Observation/{made[0]['id']}"}).scalar_one()
    assert detail.startswith(
        "vital signs: blood pressure 120/80 mmHg; heart rate 72 /min; respiratory rate 16 /min; "
        "temperature 37.2 °C; SpO2 98 %; weight 80 kg; height 175 cm; BMI 26.1 kg/m² "
        "(computed); records ")
    assert all(f"Observation/{o['id']}" in detail for o in made)
    assert Vitals(nurse.store).waiting_to_sync(nurse.session, ann) == 8


def test_a_visit_of_another_patient_or_no_patient_is_refused(nurse, ann):
    other = nurse.patients.register(nurse.session, patient("Other"))["id"]
    visit = Encounters(nurse.store).start_visit(nurse.session, other)

    with pytest.raises(InvalidRecord, match="That visit is another patient's"):
        Vitals(nurse.store).record(nurse.session, ann, {"heart_rate": 70}, visit["id"])
    with pytest.raises(NotFound, match="no patient nobody"):
        Vitals(nurse.store).record(nurse.session, "nobody", {"heart_rate": 70})


@pytest.mark.parametrize(("name", "role"), [("frank", "front-desk"), ("bill", "billing")])
def test_front_desk_and_billing_may_not_record_vitals(admin, env, store_dir, ann, name, role):
    ws = sign_in(admin, env, store_dir, name, role)

    with pytest.raises(PermissionDenied, match="may not edit the clinical chart"):
        Vitals(ws.store).record(ws.session, ann, {"heart_rate": 70})

    assert counts(ws)["observations"] == 0


@pytest.fixture
def stations(env, tmp_path):
    """Workstations A and B, each its own store with a physician signed in."""
    a, b = workstation(env, tmp_path / "a"), workstation(env, tmp_path / "b")
    yield a, b
    for ws in (a, b):
        ws.store.close()


def test_vitals_taken_in_a_visit_on_a_show_on_b_after_sync(stations, tmp_path):
    a, b = stations
    with start_fhir_server(tmp_path / "server") as server:
        ann = a.patients.register(a.session, patient("Okafor"))["id"]
        visit = Encounters(a.store).start_visit(a.session, ann)
        Vitals(a.store).record(a.session, ann, {"systolic": 132, "diastolic": 84,
                                                "heart_rate": 66}, visit["id"])
        assert Vitals(a.store).waiting_to_sync(a.session, ann) == 2

        sync(a, server)
        sync(b, server)

    assert Vitals(a.store).waiting_to_sync(a.session, ann) == 0
    shown = b.trends.series(b.session, ann, ["8480-6", "8462-4", "8867-4"])
    assert {code: [p.value for p in points] for code, points in shown.items()} == {
        "8480-6": [132], "8462-4": [84], "8867-4": [66]}
    counts_on_b = b.chart.summary(b.session, ann).counts
    assert (counts_on_b["vitals"], counts_on_b["encounters"]) == (2, 1)
    assert Encounters(b.store).current_visit(b.session, ann)["id"] == visit["id"]
