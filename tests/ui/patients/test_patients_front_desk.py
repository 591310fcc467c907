"""Front desk finds patients but is offered no chart: Enter and a double-click open the
patient's details, never a chart tab (a chart would only be refused), and the tab says so."""

import pytest
from PySide6.QtCore import Qt

from app.ui.chart.view import ChartView
from app.ui.shell.workspace import Workspace

WAIT = 10000


@pytest.fixture
def frank(clinic):
    """Frank, at the front desk."""
    desk = clinic.sign_in("frank")
    yield desk
    desk.store.close()


def test_front_desk_finds_a_patient_and_opens_details_not_a_chart(qtbot, clinic, frank, background):
    workspace = Workspace(frank, background)
    qtbot.addWidget(workspace)
    workspace.show()
    tabs = workspace.count()
    view = workspace.patients
    assert view.message.text().endswith("Enter opens the patient's details (contact, "
                                        "insurance, appointments); charts open for clinical "
                                        "roles only.")

    qtbot.keyClicks(view.field, "johnston")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=WAIT)
    qtbot.keyClick(view.field, Qt.Key.Key_Return)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    cell = view.table.visualRect(view.table.model().index(0, 0)).center()
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)

    assert workspace.count() == tabs + 1  # one details tab, opened once
    assert not isinstance(workspace.widget(tabs), ChartView)
    assert workspace.widget(tabs).patient_id == clinic.patient_ids["Johnston"]
    assert view.model.rows()[0].patient_id == clinic.patient_ids["Johnston"]
    assert view.table.toolTip().startswith("Enter opens the patient's details")
