"""Leaving a chart with unsigned orders (CPRS's "sign unsigned orders"): a physician closing
the chart's tab is asked Sign now / Leave unsigned / Cancel about the orders they pended; a
nurse is told theirs wait for a physician. Real workspace, real store, offscreen."""

import orjson
import pytest
from PySide6.QtWidgets import QMessageBox

from app.clinical.orders.service_requests import OrderLine
from app.ui.chart.orders.basket_dialog import SignOrdersDialog
from app.ui.chart.view import ChartView
from app.ui.shell.window import WorkstationWindow
from app.ui.shell.workspace import Workspace
from tests.clinical.charting.test_problems import ward  # noqa: F401 (fixture)
from tests.ui.chart.test_chart_view import WAIT
from tests.ui.shell.test_window import open_chart, signed_in


@pytest.fixture
def leaving(qtbot, background):
    """A workspace for `ws` with the patient's chart open and `test` pended in it."""
    def open_with_pended(ws, patient_id, test="Lipid panel"):
        workspace = Workspace(ws, background)
        qtbot.addWidget(workspace)
        workspace.show()
        chart = workspace.open_chart(patient_id)
        qtbot.waitUntil(lambda: chart.basket is not None, timeout=WAIT)
        ws.orders.pend(ws.session, patient_id, OrderLine(test))
        qtbot.waitUntil(lambda: chart.basket.isVisible(), timeout=WAIT)
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        return workspace, chart
    yield open_with_pended
    background.wait_until_idle()


def close_and_answer(qtbot, workspace, chart, answer: str | None) -> QMessageBox:
    workspace.close_current_chart()
    [box] = [b for b in chart.findChildren(QMessageBox) if b.isVisible()]
    if answer:
        next(b for b in box.buttons() if b.text() == answer).click()
    return box


def charts(workspace) -> list[ChartView]:
    return [workspace.widget(i) for i in range(workspace.count())
            if isinstance(workspace.widget(i), ChartView)]


def statuses(ws) -> list[str]:
    with ws.store.read() as conn:
        return [orjson.loads(j)["status"] for (j,) in conn.exec_driver_sql(
            "SELECT json FROM resource WHERE type = 'ServiceRequest'")]


def test_cancel_keeps_the_chart_and_leave_unsigned_closes_it(qtbot, ward, leaving):
    workspace, chart = leaving(ward.doctor, ward.patient_id)

    box = close_and_answer(qtbot, workspace, chart, "Cancel")
    assert box.text() == "You have 1 unsigned order for Okafor, Ann: Lipid panel."
    assert charts(workspace) == [chart]

    close_and_answer(qtbot, workspace, chart, "Leave unsigned")
    assert charts(workspace) == [] and statuses(ward.doctor) == ["draft"]


def test_sign_now_opens_the_basket_and_closes_once_signed(qtbot, ward, leaving, background):
    workspace, chart = leaving(ward.doctor, ward.patient_id)

    close_and_answer(qtbot, workspace, chart, "Sign now")
    review = chart.findChild(SignOrdersDialog)
    assert review.orders.item(0).text().startswith("Test: Lipid panel (routine)")
    review.save.click()
    qtbot.waitUntil(lambda: charts(workspace) == [], timeout=WAIT)

    assert statuses(ward.doctor) == ["active"]
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)  # the other tabs' reads


def test_a_nurse_leaving_is_told_her_orders_wait_for_a_physician(qtbot, ward, leaving):
    workspace, chart = leaving(ward.nurse, ward.patient_id, "TSH")

    box = close_and_answer(qtbot, workspace, chart, None)
    assert box.text() == "1 unsigned order you pended for Okafor, Ann wait for a physician " \
                         "to sign them."
    box.accept()
    assert charts(workspace) == [] and statuses(ward.nurse) == ["draft"]


def test_a_chart_without_unsigned_orders_closes_without_asking(qtbot, ward, background):
    workspace = Workspace(ward.doctor, background)
    qtbot.addWidget(workspace)
    chart = workspace.open_chart(ward.patient_id)
    qtbot.waitUntil(lambda: chart.basket is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    workspace.close_current_chart()
    assert charts(workspace) == []


def test_closing_the_window_asks_first_and_closes_once_answered(qtbot, clinic):
    window = WorkstationWindow(clinic.env, clinic.root)
    qtbot.addWidget(window)
    window.show()
    workspace = signed_in(qtbot, window)
    chart = open_chart(qtbot, workspace, next(iter(clinic.patient_ids.values())))
    window.ws.orders.pend(window.ws.session, chart.patient_id, OrderLine("TSH"))
    qtbot.waitUntil(lambda: chart.basket.isVisible(), timeout=WAIT)

    assert not window.close()  # asked, not closed
    assert window.isVisible()
    [box] = [b for b in chart.findChildren(QMessageBox) if b.isVisible()]
    next(b for b in box.buttons() if b.text() == "Leave unsigned").click()

    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT)
