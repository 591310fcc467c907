"""Units: UCUM codes read as clinicians write them, and US units typed, converted with
sensible precision, stored in the profile's metric units with what was typed kept."""

import pytest

from app.clinical.chart.chart_items import describe
from app.clinical.charting.units import ENTRY_UNITS, from_stored, quantity_unit, shown
from app.clinical.charting.vitals import Typed, Vitals, check, parse
from app.errors import InvalidRecord
from fhir_common import fhir_json
from tests.clinical.charting.test_vitals import ann, nurse  # noqa: F401 (fixtures)

FAHRENHEIT, POUNDS, FEET = (ENTRY_UNITS[k][1] for k in ("temperature", "weight", "height"))


@pytest.mark.parametrize(("code", "read"), [
    ("mm[Hg]", "mmHg"), ("Cel", "°C"), ("{score}", "score"), ("kg/m2", "kg/m²"),
    ("/min", "/min"), ("%", "%"), ("10*3/uL", "×10³/µL"), ("mg/dL", "mg/dL"), ("", "")])
def test_ucum_codes_read_as_clinicians_write_them(code, read):
    assert shown(code) == read


def test_chart_lines_show_readable_units():
    panel = {"resourceType": "Observation", "id": "bp", "status": "final", "code": {
        "text": "Blood pressure"}, "component": [
        {"code": {"coding": [{"code": c}]}, "valueQuantity": {
            "value": v, "unit": "mm[Hg]", "system": "http://unitsofmeasure.org",
            "code": "mm[Hg]"}} for c, v in (("8480-6", 120), ("8462-4", 80))]}
    assert describe(panel).value == "120 mmHg / 80 mmHg"
    assert quantity_unit({"value": 3, "code": "258683005", "system": "http://snomed.info/sct",
                          "unit": "kg"}) == "kg"  # a SNOMED code is not a unit to show


def test_us_units_are_converted_with_sensible_precision():
    assert {k: fhir_json.number_text(v) for k, v in parse({
        "temperature": Typed("[degF]", "98.6"), "weight": Typed("[lb_av]", "165", "4"),
        "height": Typed("[ft_i]", "5", "9")}).items()} == {
        "temperature": "37.0", "weight": "74.96", "height": "175.3"}
    assert (from_stored(FAHRENHEIT, 37.0), from_stored(POUNDS, 74.84),
            from_stored(FEET, 175.3)) == ("98.6 °F", "165 lb", "5 ft 9 in")
    assert check({"temperature": Typed("[degF]", "104")}) == []  # 40.0 °C: usual range


@pytest.mark.parametrize(("typed", "refusal"), [
    (Typed("[ft_i]", "5", "13"), "Height: the inches “13” must be a number from 0 to under 12."),
    (Typed("[ft_i]", "five"), "Height “five” is not a number."),
    (Typed("[degF]", "20"), None),
])
def test_a_bad_us_entry_is_refused_in_words(typed, refusal):
    key = "temperature" if typed.unit == "[degF]" else "height"
    with pytest.raises(InvalidRecord) as refused:
        parse({key: typed})
    assert refused.value.message == (refusal or "Temperature cannot be -6.7 °C.")


def test_us_readings_are_stored_in_ucum_metric_and_say_what_was_typed(nurse, ann):
    made = Vitals(nurse.store).record(nurse.session, ann, {
        "temperature": Typed("[degF]", "98.6"), "weight": Typed("[lb_av]", "165"),
        "height": Typed("[ft_i]", "5", "9"), "heart_rate": "72"})

    temperature, heart_rate = made[1], made[0]
    assert temperature["valueQuantity"] == {"value": 37.0, "unit": "Cel",
                                            "system": "http://unitsofmeasure.org", "code": "Cel"}
    assert fhir_json.dumps(temperature).count(b'"value":37.0') == 1  # not 37.00000001
    assert temperature["note"] == [{"text": "Entered as 98.6 °F; stored as 37.0 °C."}]
    assert made[2]["note"] == [{"text": "Entered as 165 lb; stored as 74.84 kg."}]
    assert made[3]["valueQuantity"]["value"] == 175.3
    assert "note" not in heart_rate
    assert made[4]["valueQuantity"]["value"] == 24.4  # BMI from the stored kg and cm
