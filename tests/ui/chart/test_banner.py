"""The patient banner reads the same in `hearth chart` and on the chart tab: name order,
age, sex, birth date, MRN and the allergy line come from one place (app.clinical.chart.banner)."""

import pytest

from app.cli.chart_text import summary_text
from app.clinical.chart.chart import SECTIONS, ChartSummary
from app.clinical.chart.chart_items import ChartItem
from app.ui.chart.banner import Banner

MRN = {"type": {"coding": [{"code": "MR"}]}, "value": "A-1001"}
ANA = {"resourceType": "Patient", "id": "ana", "gender": "female", "birthDate": "1980-02-29",
       "name": [{"family": "Testa", "given": ["Ana"]}], "identifier": [MRN]}
BABY = {"resourceType": "Patient", "id": "baby", "birthDate": "2025-11-01",
        "name": [{"family": "Small", "given": ["Tom"]}]}


def allergy(title: str, status: str | None = "active") -> ChartItem:
    return ChartItem("AllergyIntolerance", title, "2020-01-01", title, status, None, None)


@pytest.mark.parametrize(("patient", "allergies"), [
    (ANA, [allergy("Peanut")]),
    (ANA, [allergy("No known allergy")]),
    (BABY, []),
])
def test_the_cli_and_the_window_show_the_same_banner(qtbot, patient, allergies):
    window = Banner()
    qtbot.addWidget(window)
    window.show_patient(patient, allergies)
    cli = summary_text(ChartSummary(patient, dict.fromkeys(SECTIONS, 0), [], [], allergies,
                                    [], [], [], [], [])).splitlines()
    assert cli[0].startswith(f"{window.name.text()}  |  ")
    for fact in window.details.text().split("  ·  "):
        assert f"  {fact}  " in cli[0]
    assert window.allergies.text() in cli
