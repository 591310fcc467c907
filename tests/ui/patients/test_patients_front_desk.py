"""Front desk finds patients but is offered no chart: Enter and a double-click open no tab
(a chart would only be refused), and the tab says why."""

import pytest
from PySide6.QtCore import Qt

from app.ui.shell.workspace import Workspace

WAIT = 10000


@pytest.fixture
def frank(clinic):
    """Frank, at the front desk."""
    desk = clinic.sign_in("frank")
    yield desk
    desk.store.close()


def test_front_desk_finds_a_patient_and_no_chart_tab_opens(qtbot, clinic, frank, background):
    workspace = Workspace(frank, background)
    qtbot.addWidget(workspace)
    workspace.show()
    tabs = workspace.count()
    view = workspace.patients
    assert view.message.text().endswith("Charts open for clinical roles only; your role sees "
                                        "the details listed here.")

    qtbot.keyClicks(view.field, "johnston")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=WAIT)
    qtbot.keyClick(view.field, Qt.Key.Key_Return)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    cell = view.table.visualRect(view.table.model().index(0, 0)).center()
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)

    assert workspace.count() == tabs
    assert view.model.rows()[0].patient_id == clinic.patient_ids["Johnston"]
    assert view.table.toolTip().startswith("Charts open for clinical roles only")
