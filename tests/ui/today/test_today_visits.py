"""Today as the day goes: a patient whose visit has started reads "In visit" (not "Seen")
until the visit is finished; front desk is offered no chart it would only be refused (Enter
opens the patient's details instead)."""

import pytest
from PySide6.QtCore import Qt

from app.ui.common.table_models import row_at
from app.ui.today.view import TodayView
from tests.ui.today.test_today_view import book, cells, open_view, practitioner, row_of  # noqa: F401

WAIT = 10000


def status_of(view: TodayView, appointment) -> str:
    return cells(view, row_of(view, appointment))[4]


def test_a_started_visit_reads_in_visit_and_seen_only_once_finished(qtbot, ws, background,
                                                                     book):
    arrived = book("Conn", "06:10", status="arrived")
    view = open_view(qtbot, ws, background)
    view.table.selectRow(row_of(view, arrived))
    assert status_of(view, arrived) == "Arrived" and view.start_visit.text() == "Start visit"

    with qtbot.waitSignal(view.open_chart, timeout=WAIT):
        qtbot.mouseClick(view.start_visit, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: status_of(view, arrived) == "In visit", timeout=WAIT)
    assert view.start_visit.text() == "Join visit"
    assert open_view(qtbot, ws, background).message.text() == (
        "1 appointment: 0 waiting, 1 in visit, 0 still to arrive.")

    visit = ws.encounters.current_visit(ws.session, arrived.patient_id)
    ws.encounters.finish_visit(ws.session, visit["id"])  # as the chart's visit bar does

    qtbot.waitUntil(lambda: status_of(view, arrived) == "Seen", timeout=WAIT)
    assert not view.start_visit.isEnabled()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


@pytest.fixture
def frank(clinic):
    """Frank, at the front desk."""
    desk = clinic.sign_in("frank")
    yield desk
    desk.store.close()


def test_front_desk_is_offered_no_chart(qtbot, frank, background, book):
    booked = book("Johnston", "06:20")
    view = open_view(qtbot, frank, background)
    row = row_of(view, booked)
    view.table.selectRow(row)
    cell = view.table.visualRect(view.table.model().index(row, 1)).center()
    opened, details = [], []
    view.open_chart.connect(opened.append)
    view.open_demographics.connect(details.append)

    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)

    assert opened == [] and set(details) == {booked.patient_id}
    assert not view.open_button.isVisibleTo(view)
    assert view.check_in.isVisibleTo(view) and view.check_in.isEnabled()
    assert view.no_chart.isVisibleTo(view)
    assert view.no_chart.text() == ("Enter opens the patient's details; charts are for "
                                    "clinical roles.")
    assert view.table.toolTip().startswith("Enter opens the patient's details")
    assert row_at(view.table).id == booked.id
