"""What a chart line shows beside its title, read from the record: a problem's code, a
medication's dose and directions, an allergy's reaction and severity, a result's range."""

import pytest

from app.clinical.chart.chart_items import describe
from tests.clinical.chart.visit_ward import resources

RECORDS = {r["id"]: r for r in resources()}


@pytest.mark.parametrize(("record", "field", "shown"), [
    ("rosa-diabetes", "code", "ICD-10-CM E11.9"),  # the ICD-10 code before the SNOMED one
    ("rosa-metformin", "dose", "1 tablet by mouth twice daily with meals"),
    ("rosa-salbutamol", "dose", "2 puffs inhaled every 4 hours as needed"),
    ("rosa-penicillin", "reaction", "Hives, Wheeze (severe)"),
    ("rosa-hb", "range", "13.5–17.5 g/dL"),
    ("rosa-urine", "range", "No growth"),
])
def test_each_record_shows_what_a_clinician_reads_beside_its_title(record, field, shown):
    assert getattr(describe(RECORDS[record]), field) == shown


def test_a_one_sided_range_says_which_side_and_a_record_without_one_shows_nothing():
    potassium = {**RECORDS["rosa-hb"], "referenceRange": [{"low": {"value": 3.5,
                                                                   "unit": "mmol/L"}}]}
    assert describe(potassium).range == "≥ 3.5 mmol/L"
    assert describe(RECORDS["rosa-weight"]).range is None
    assert describe({**RECORDS["rosa-metformin"], "dosageInstruction": []}).dose is None
