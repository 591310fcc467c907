"""The visit bar under the chart's banner: a physician starts a visit without an appointment
and finishes it, the Encounters tab following (marked "pending sync" until the server has
it); front desk sees no bar.

Each test registers a patient of its own in the shared clinic store, so a visit left in
progress cannot leak into another test's chart.
"""

import re
from dataclasses import replace
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel

from app.clinical.chart.chart_items import ChartItem
from app.display_time import when_text
from app.security.policy import SyncPolicy
from app.ui.chart.table import cell_text, status_tip
from app.ui.chart.view import ChartView
from app.ui.chart.visit import VisitBar
from tests.ui.chart.test_chart_view import WAIT, open_chart

SINCE = r"since \d\d:\d\d"  # started during the test: today, so the time alone


@pytest.fixture
def walk_in(ws) -> str:
    """A patient seen without an appointment."""
    return ws.patients.register(ws.session, {
        "resourceType": "Patient", "name": [{"family": "Walker", "given": ["Iris"]}],
        "birthDate": "1988-07-09"})["id"]


def click(qtbot, button: QAbstractButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def answer(qtbot, bar: VisitBar, choice: str) -> None:
    """Press one of the buttons of the bar's "Finish visit?" question."""
    assert bar.confirm is not None and bar.confirm.isVisible()
    click(qtbot, next(b for b in bar.confirm.buttons() if b.text() == choice))


def encounter_rows(qtbot, chart: ChartView, total: int) -> list[tuple[str, str | None]]:
    """The Encounters tab's Status cells and their tooltips, once it lists `total` visits."""
    qtbot.waitUntil(lambda: chart.tab_label("encounters") == f"Encounters ({total})",
                    timeout=WAIT)
    chart.show_section("encounters")
    model = chart.records("encounters").model
    qtbot.waitUntil(lambda: model.rowCount() == total, timeout=WAIT)
    status = next(n for n, c in enumerate(model.columns) if c.field == "status")
    return [(model.index(row, status).data(),
             model.index(row, status).data(Qt.ItemDataRole.ToolTipRole))
            for row in range(total)]


def test_a_physician_starts_a_visit_and_finishes_it_from_the_chart(qtbot, ws, background,
                                                                     walk_in):
    # with a sync server (without one the window says once that nothing syncs)
    ws.policy = replace(ws.policy, sync=SyncPolicy(server="https://fhir.example/fhir/"))
    chart = open_chart(qtbot, ws, background, walk_in)
    bar = chart.visit
    qtbot.waitUntil(bar.start.isVisible, timeout=WAIT)
    assert bar.state.text() == "No visit in progress." and not bar.finish.isVisible()

    click(qtbot, bar.start)
    qtbot.waitUntil(bar.finish.isVisible, timeout=WAIT)

    assert re.fullmatch(rf"Visit in progress {SINCE} \(Dr Lee\)", bar.state.text())
    assert not bar.start.isVisible()
    assert ws.encounters.current_visit(ws.session, walk_in)["id"] == bar.visit["id"]
    assert encounter_rows(qtbot, chart, 1) == [(
        "in-progress · pending sync",
        "in-progress\nSaved on this computer; not yet on the server.")]

    click(qtbot, bar.finish)
    answer(qtbot, bar, "Keep visit open")
    assert bar.finish.isVisible() and ws.encounters.current_visit(ws.session, walk_in)
    click(qtbot, bar.finish)
    answer(qtbot, bar, "Finish visit")
    qtbot.waitUntil(bar.start.isVisible, timeout=WAIT)

    assert re.fullmatch(r"Visit finished at \d\d:\d\d\. No visit in progress\.",
                        bar.state.text())
    assert not bar.finish.isVisible() and bar.start.isEnabled()
    assert ws.encounters.current_visit(ws.session, walk_in) is None
    qtbot.waitUntil(lambda: chart.records("encounters").model.rowCount() == 1
                    and chart.records("encounters").model.item(0).status == "finished",
                    timeout=WAIT)
    assert encounter_rows(qtbot, chart, 1) == [(
        "pending sync", "finished\nSaved on this computer; not yet on the server.")]


def test_the_bar_names_everyone_in_the_visit(qtbot, clinic, ws, background, walk_in):
    nina = clinic.sign_in("nina")
    try:
        nina.encounters.start_visit(nina.session, walk_in)  # the nurse takes the patient in
    finally:
        nina.store.close()
    ws.encounters.start_visit(ws.session, walk_in)  # the physician joins from Today

    bar = open_chart(qtbot, ws, background, walk_in).visit
    qtbot.waitUntil(bar.finish.isVisible, timeout=WAIT)

    assert re.fullmatch(rf"Visit in progress {SINCE} \(Nina Nurse, Dr Lee\)", bar.state.text())
    assert bar.state.font().bold()


def test_front_desk_sees_no_visit_bar(qtbot, clinic, background, walk_in):
    desk = clinic.sign_in("frank")
    try:
        chart = ChartView(desk, background, walk_in)
        qtbot.addWidget(chart)
        chart.show()
        with qtbot.waitSignal(chart.titled, timeout=WAIT):
            pass
        chart.visit.load()  # even if asked, it neither shows nor reads
        assert not chart.visit.isVisibleTo(chart) and not background.busy
    finally:
        desk.store.close()


def test_no_bar_under_a_chart_that_did_not_open(qtbot, ws, background):
    chart = ChartView(ws, background, "nobody")
    qtbot.addWidget(chart)
    chart.show()
    with qtbot.waitSignal(chart.titled, timeout=WAIT):
        pass
    assert not chart.visit.isVisible()


def test_a_visit_that_cannot_start_says_why(qtbot, ws, background):
    bar = VisitBar(ws.session, ws.encounters, background, "nobody")
    qtbot.addWidget(bar)
    bar.load()
    qtbot.waitUntil(bar.start.isVisible, timeout=WAIT)

    click(qtbot, bar.start)
    qtbot.waitUntil(bar.problem.isVisible, timeout=WAIT)

    assert "There is no patient nobody to start a visit for." in bar.problem.text()
    qtbot.waitUntil(lambda: bar.start.isEnabled(), timeout=WAIT)  # read again: still none
    assert bar.state.text() == "No visit in progress."


def test_every_control_of_the_bar_has_an_accessible_name(qtbot, ws, background, walk_in):
    bar = open_chart(qtbot, ws, background, walk_in).visit
    qtbot.waitUntil(bar.start.isVisible, timeout=WAIT)
    controls = bar.findChildren(QAbstractButton) + bar.findChildren(QLabel)
    assert len(controls) == 5 and all(c.accessibleName() for c in controls)
    assert bar.accessibleName() == "Visit"


def test_a_visit_left_open_from_another_day_says_which_day():
    now = datetime(2026, 3, 4, 15, 0).astimezone()
    assert when_text(now.replace(hour=9, minute=2).isoformat(), now) == "09:02"
    assert when_text(now.replace(day=2).isoformat(), now) == "15:00 on 02 Mar"
    assert when_text(now.replace(year=2025).isoformat(), now) == "15:00 on 04 Mar 2025"
    assert when_text("sometime", now) == "sometime"


def test_pending_sync_is_said_with_the_status_or_alone_for_a_finished_record():
    def item(status, pending):
        return ChartItem("Condition", "c", None, "Asthma", status, None, None, pending)

    assert cell_text(item("active", True), "status") == "active · pending sync"
    assert cell_text(item("final", True), "status") == "pending sync"
    assert cell_text(item(None, True), "status") == "pending sync"
    assert cell_text(item("active", False), "status") == "active"
    assert status_tip(item("active", False)) == "active"
    assert status_tip(item(None, True)) == "Saved on this computer; not yet on the server."
    assert status_tip(item(None, False)) is None
