"""A busy day in the Today tab: 200 appointments a page, Next and Previous, whole-day counts.

A store of its own (the shared clinic's today must stay short for the other Today tests).
"""

from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from app.clinical.visits.schedule import PAGE_SIZE, Schedule
from app.ui.common.table_models import row_at
from app.ui.today.view import TodayView
from tests.conftest import signed_in_users


@pytest.fixture(scope="module")
def busy_day(keyring_session, tmp_path_factory):
    """Front desk signed in to a store with PAGE_SIZE + 5 appointments today, a minute apart."""
    for stations in signed_in_users(tmp_path_factory.mktemp("busy") / "store",
                                    {"frank": ("Frank Desk", "front-desk")}):
        desk = stations["frank"]
        with desk.store.read() as conn:
            patient, doctor = (conn.execute(text(
                f"SELECT id FROM resource WHERE type = '{kind}' LIMIT 1")).scalar()
                for kind in ("Patient", "Practitioner"))
        start = datetime.combine(date.today(), datetime.min.time())
        for n in range(PAGE_SIZE + 5):
            Schedule(desk.store).book(desk.session, patient, f"Practitioner/{doctor}",
                                      start + timedelta(minutes=n), 1, "Walk-in")
        yield desk


def test_the_day_is_shown_a_page_at_a_time(qtbot, busy_day, background):
    view = TodayView(busy_day, background)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.position.text() == "1–200 of 205")

    assert view.model.rowCount() == PAGE_SIZE
    assert view.message.text() == "205 appointments: 0 waiting, 205 still to arrive."
    assert not view.previous_page.isEnabled()

    qtbot.mouseClick(view.next_page, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: view.position.text() == "201–205 of 205")
    assert f"{row_at(view.table, 0).start:%H:%M}" == "03:20"
    assert not view.next_page.isEnabled() and view.previous_page.isEnabled()
