"""Opening a report lists the results it groups, with value, range and flag, in one audited
read; a result it names that is not on this computer is counted, never silently dropped."""

import pytest
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.clinical.chart.report_results import ReportResults
from app.errors import NotFound
from tests.clinical.chart.visit_ward import REPORT, ROSA, build
from tests.conftest import password_of


@pytest.fixture(scope="module")
def doctor(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("reports") / "store"
    ws = open_workstation(build(root, {"drlee": ("Dr Lee", "physician")}), root, "drlee",
                          password_of("drlee"))
    yield ws
    ws.store.close()


def test_a_report_lists_its_results_with_value_range_and_flag(doctor):
    report = ReportResults(doctor.store).read(doctor.session, ROSA, REPORT)
    assert report.title == "Complete blood count"
    assert [(r.title, r.value, r.range, r.flag) for r in report.results] == [
        ("Hemoglobin", "9.1 g/dL", "13.5–17.5 g/dL", "L"),
        ("Leukocytes", "11.2 ×10³/µL", "4.0–10.5 ×10³/µL", "H")]
    assert report.missing == 1  # the platelets it names were never sent
    assert report.why_no_text is None  # its results are its content


def test_reading_a_report_is_one_audited_read(doctor):
    ReportResults(doctor.store).read(doctor.session, ROSA, REPORT)
    with doctor.store.read() as conn:
        details = conn.execute(text("SELECT detail FROM audit WHERE patient = :p AND detail "
                                    "LIKE 'report %'"), {"p": ROSA}).scalars().all()
    assert details[-1] == f"report DiagnosticReport/{REPORT} with its results"


def test_a_report_of_another_chart_is_not_read(doctor):
    with pytest.raises(NotFound, match="not in this patient's chart"):
        ReportResults(doctor.store).read(doctor.session, "someone-else", REPORT)
