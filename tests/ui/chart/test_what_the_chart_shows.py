"""What a clinician needs beside each title, in full: a problem's code, a medication's dose,
an allergy's reaction and severity, a result's range and its flag in a word; a report opened
lists its results; a visit opened shows what was charted in it."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QStyle

from app.bootstrap import open_workstation
from app.ui.chart.table import COLUMNS, ITEM_ROLE
from app.ui.chart.view import ChartView
from app.ui.chart.visit_record import VisitWindow
from tests.clinical.chart.visit_ward import REPORT, ROSA, VISIT, build
from tests.conftest import password_of

WAIT = 10000


@pytest.fixture(scope="module")
def rosa_store(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("rosa") / "store"
    return build(root, {"drlee": ("Dr Lee", "physician")}), root


@pytest.fixture
def chart(qtbot, rosa_store, background):
    ws = open_workstation(*rosa_store, "drlee", password_of("drlee"))
    font = QApplication.font()
    QApplication.setFont(QFont("DejaVu Sans", 10))  # as on a desktop; offscreen Qt uses 9 pt
    view = ChartView(ws, background, ROSA)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitUntil(lambda: view.summary is not None, timeout=WAIT)
    yield view
    view.close()
    background.wait_until_idle()
    ws.store.close()
    QApplication.setFont(font)


def rows(qtbot, chart, section) -> dict[str, dict[str, str]]:
    """Each record's cells as the table shows them, by column heading, keyed by record id."""
    chart.show_section(section)
    model = chart.records(section).model
    qtbot.waitUntil(lambda: model.rowCount() == model.total, timeout=WAIT)
    return {model.index(r, 0).data(ITEM_ROLE).id: {
        column.heading: model.index(r, c).data() for c, column in enumerate(model.columns)}
        for r in range(model.rowCount())}


def test_each_section_shows_code_dose_reaction_and_range(qtbot, chart):
    assert rows(qtbot, chart, "problems")["rosa-diabetes"]["Code"] == "ICD-10-CM E11.9"
    medications = rows(qtbot, chart, "medications")
    assert medications["rosa-metformin"]["Dose and directions"] == (
        "1 tablet by mouth twice daily with meals")
    assert medications["rosa-salbutamol"]["Dose and directions"] == (
        "2 puffs inhaled every 4 hours as needed")
    assert rows(qtbot, chart, "allergies")["rosa-penicillin"]["Reaction (severity)"] == (
        "Hives, Wheeze (severe)")
    labs = rows(qtbot, chart, "labs")
    assert (labs["rosa-hb"]["Result"], labs["rosa-hb"]["Range"], labs["rosa-hb"]["Flag"]) == (
        "9.1 g/dL", "13.5–17.5 g/dL", "Low")
    assert labs["rosa-urine"]["Flag"] == "Abnormal"


def test_a_flag_and_a_range_are_never_cut_short(qtbot, chart):
    rows(qtbot, chart, "labs")
    table = chart.records("labs").table
    model = table.model()
    # the item delegate's text margins, as Qt's style draws them
    margins = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                             table) + 1)
    for heading in ("Flag", "Range"):
        column = [c.heading for c in COLUMNS["labs"]].index(heading)
        for row in range(model.rowCount()):
            index = model.index(row, column)
            font = index.data(Qt.ItemDataRole.FontRole) or table.font()
            room = table.visualRect(index).width() - margins
            assert QFontMetrics(font).horizontalAdvance(index.data()) <= room, index.data()


def test_the_summary_shows_codes_doses_and_reactions_too(qtbot, chart):
    summary = chart.tabs["summary"]
    problems = summary.tables["active_problems"].model()
    medications = summary.tables["active_medications"].model()
    cells = {problems.index(r, c).data() for r in range(problems.rowCount())
             for c in range(problems.columnCount())}
    cells |= {medications.index(r, c).data() for r in range(medications.rowCount())
              for c in range(medications.columnCount())}
    allergies = summary.tables["allergies"].model()
    cells |= {allergies.index(0, c).data() for c in range(allergies.columnCount())}
    assert {"ICD-10-CM E11.9", "1 tablet by mouth twice daily with meals",
            "Hives, Wheeze (severe)"} <= cells


def test_selecting_a_report_lists_its_results_with_range_and_flag(qtbot, chart):
    reports = chart.show_section("reports")
    table = reports.records.table
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=WAIT)
    with qtbot.waitSignal(reports.opened, timeout=WAIT):
        table.selectRow(0)
    results = reports.results
    shown = [[results.index(r, c).data() for c in range(1, 5)]
             for r in range(results.rowCount())]
    assert shown == [["Hemoglobin", "9.1 g/dL", "13.5–17.5 g/dL", "Low"],
                     ["Leukocytes", "11.2 ×10³/µL", "4.0–10.5 ×10³/µL", "High"]]
    assert reports.results_table.isVisible()
    assert reports.count.text().startswith("2 results; 1 more result named by this report "
                                           "is not on this computer")
    assert reports.records.model.item(0).id == REPORT


@pytest.mark.parametrize("how", ["Enter", "double-click"])
def test_a_visit_opens_with_its_notes_vitals_orders_and_diagnoses(qtbot, chart, how):
    encounters = chart.show_section("encounters")
    table = encounters.records.table
    qtbot.waitUntil(lambda: table.model().rowCount() == 2, timeout=WAIT)
    row = next(r for r in range(2) if table.model().item(r).id == VISIT)
    table.setFocus()
    table.selectRow(row)
    if how == "Enter":
        qtbot.keyClick(table, Qt.Key.Key_Return)
    else:
        cell = table.visualRect(table.model().index(row, 1)).center()
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    window = encounters.opened
    qtbot.waitUntil(lambda: window.visit is not None, timeout=WAIT)
    assert len(encounters.findChildren(VisitWindow)) == 1  # opened once, however opened
    assert window.heading.text().startswith("Diabetes follow-up · ")

    def cells(group):
        model = window.tables[group].model()
        return [[model.index(r, c).data() for c in range(1, 4)]
                for r in range(model.rowCount())]

    assert cells("notes") == [["Progress note", "", "Dr Amy Shah"]]
    assert cells("vitals") == [["Body weight", "71.5 kg", "Nina Nurse"]]
    assert cells("orders") == [["Metformin 500 mg tablet",
                                "1 tablet by mouth twice daily with meals", "Dr Amy Shah"],
                               ["HbA1c", "active", "Dr Amy Shah"]]
    assert cells("diagnoses") == [
        ["Type 2 diabetes mellitus", "ICD-10-CM E11.9", "Dr Amy Shah"],
        ["Anaemia", "ICD-10-CM D64.9 · Discharge diagnosis", "Dr. Chidi Okafor"]]
    assert cells("results")[0] == ["Hemoglobin", "9.1 g/dL (Low; range 13.5–17.5 g/dL)",
                                   "not recorded"]


def test_the_visit_in_progress_opens_from_the_visit_bar(qtbot, clinic, ws, background):
    patient_id = clinic.patient_ids["Conn"]
    ws.encounters.start_visit(ws.session, patient_id)
    chart = ChartView(ws, background, patient_id)
    qtbot.addWidget(chart)
    chart.show()
    qtbot.waitUntil(chart.visit.open.isVisible, timeout=WAIT)
    qtbot.mouseClick(chart.visit.open, Qt.MouseButton.LeftButton)
    window = chart.tabs["encounters"].opened
    qtbot.waitUntil(lambda: window.visit is not None, timeout=WAIT)
    assert window.heading.text().endswith("· in-progress")
    assert window.visit.participants == ["Dr Lee"] and window.visit.empty
