"""The Reports tab over a seeded fortnight (tests/clinical/reports/clinic_data.py): what it
shows equals a clerk's count by hand, the plot has a bar per day, and exports write files."""

import csv
import dataclasses
from collections import Counter
from datetime import date

import pdfplumber
import pytest
from PySide6.QtCore import QDate

from app.bootstrap import open_workstation
from app.security.policy import BillingPolicy
from app.ui.reports.view import ReportsView
from app.ui.shell.workspace import Workspace
from tests.clinical.reports import clinic_data as data
from tests.conftest import new_store, password_of

WAIT = 10000
MONDAY, SUNDAY = date(2025, 3, 3), date(2025, 3, 9)  # the fortnight's first week


@pytest.fixture(scope="module")
def doctor(keyring_session, tmp_path_factory):
    """Dr Dana (physician) over the imported fortnight; reports only read, so one store."""
    root = tmp_path_factory.mktemp("reports-tab") / "store"
    env, report = new_store(root, {"dana": ("Dana Doc", "physician")},
                            [data.write_ndjson(root.parent / "clinic.ndjson")])
    assert not report.skipped, report.errors
    station = open_workstation(env, root, "dana", password_of("dana"))
    yield station
    station.store.close()


@pytest.fixture
def view(qtbot, doctor, background):
    shown = ReportsView(doctor, background)
    qtbot.addWidget(shown)
    shown.resize(1200, 700)
    shown.show()
    return shown


def run_week(qtbot, view, background, name="visits-per-day"):
    view.report.setCurrentIndex(view.report.findData(name))
    view.first.setDate(QDate(MONDAY))
    view.last.setDate(QDate(SUNDAY))
    view.run_button.click()
    qtbot.waitUntil(lambda: not background.busy and view.table is not None, timeout=WAIT)


def by_hand() -> Counter:
    """Visits that took place each day of the week, counted from the records themselves."""
    counted = Counter()
    for (day, _provider, _kind), visits in data.expected_visits_per_day().items():
        if MONDAY.isoformat() <= day <= SUNDAY.isoformat():
            counted[day] += visits
    return counted


def test_visits_per_day_of_a_week_show_the_hand_count_and_a_bar_per_day(qtbot, view,
                                                                         background):
    run_week(qtbot, view, background)

    expected = by_hand()
    shown = Counter()
    for row in range(view.model.rowCount()):
        day, visits = (view.model.index(row, column).data() for column in (0, 3))
        shown[day] += int(visits)
    assert shown == expected
    assert view.total.text() == f"Total: Visits {sum(expected.values())}"
    assert view.plot.bar_heights() == [expected[(MONDAY.replace(day=3 + n)).isoformat()]
                                       for n in range(7)]
    assert view.plot.heading.text() == "Visits by day"
    assert view.shown_line.text().startswith("Visits per day, Mon 03 Mar 2025 to Sun 09 Mar")


def test_export_csv_writes_the_table_shown_where_the_save_dialog_says(qtbot, view,
                                                                      background, tmp_path):
    run_week(qtbot, view, background)
    view.export_csv_button.click()
    view.save_dialog.selectFile(str(tmp_path / "week"))
    view.save_dialog.accept()
    qtbot.waitUntil(lambda: view.message.text().startswith("Wrote"), timeout=WAIT)

    written = tmp_path / "week.csv"
    with open(written, encoding="utf-8-sig", newline="") as read:
        lines = list(csv.reader(read))
    assert lines[0] == ["Day", "Provider", "Visit type", "Visits"]
    assert lines[-1] == ["Total", "", "", str(sum(by_hand().values()))]
    assert len(lines) == view.model.rowCount() + 2
    assert view.message.text() == (f"Wrote visits per day for 2025-03-03 to 2025-03-09 to "
                                   f"{written}.")


def test_export_pdf_says_the_file_and_its_pages(qtbot, view, background, tmp_path):
    run_week(qtbot, view, background, "no-show-rate")
    view.export("pdf", tmp_path / "no-shows")
    qtbot.waitUntil(lambda: view.message.text().startswith("Wrote"), timeout=WAIT)
    assert (tmp_path / "no-shows.pdf").read_bytes().startswith(b"%PDF")
    assert view.message.text().endswith(f"to {tmp_path / 'no-shows.pdf'} (1 page).")


def test_the_pdf_is_headed_with_the_clinic_the_policy_names(qtbot, view, background, doctor,
                                                             tmp_path, monkeypatch):
    named = BillingPolicy(organization_name="Lakeside Health Centre")
    monkeypatch.setattr(doctor, "policy", dataclasses.replace(doctor.policy, billing=named))
    run_week(qtbot, view, background, "no-show-rate")
    view.export("pdf", tmp_path / "no-shows")
    qtbot.waitUntil(lambda: view.message.text().startswith("Wrote"), timeout=WAIT)
    with pdfplumber.open(tmp_path / "no-shows.pdf") as pdf:
        words = " ".join(pdf.pages[0].extract_text().split())
    assert words.startswith("Lakeside Health Centre · Clinic report No-show rate: "
                            "03 Mar 2025 to 09 Mar 2025")


def test_a_period_ending_before_it_starts_is_said_in_the_alert_tone(qtbot, view, background):
    view.first.setDate(QDate(SUNDAY))
    view.last.setDate(QDate(MONDAY))
    view.run_button.click()
    assert view.message.text() == ("The period starts after it ends: From (Sun 09 Mar 2025) "
                                   "is after To (Mon 03 Mar 2025). Nothing was read.")
    assert "color" in view.message.styleSheet()
    assert not background.busy and view.table is None
    assert not view.export_csv_button.isEnabled()


def test_last_week_fills_from_and_to(view):
    view.quick["Last week"].click()
    first, last = view.first.date().toPython(), view.last.date().toPython()
    assert first.weekday() == 0 and (last - first).days == 6
    assert 7 <= (date.today() - first).days <= 13


def test_only_roles_that_run_reports_have_the_reports_tab(qtbot, clinic, background):
    tabs = {}
    for user in ("nina", "drlee"):
        station = clinic.sign_in(user)
        workspace = Workspace(station, background)
        qtbot.addWidget(workspace)
        tabs[user] = [workspace.tabText(i) for i in range(workspace.count())]
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        workspace.leave()
        station.store.close()
    assert "Reports" not in tabs["nina"]  # a nurse: no RUN_REPORTS
    assert tabs["drlee"][tabs["drlee"].index("Calendar") + 1] == "Reports"
