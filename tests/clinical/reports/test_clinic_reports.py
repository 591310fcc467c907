"""Clinic reports: each total equals what a clerk counts from the records by hand."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.clinical.reports.catalogue import REPORTS, ClinicReports, Options, period_of
from app.clinical.reports.table import Period
from app.errors import PermissionDenied, UsageError
from tests.clinical.reports import clinic_data as data
from tests.conftest import new_store, password_of

USERS = {"bea": ("Bea Billing", "billing"), "frank": ("Frank Desk", "front-desk"),
         "dana": ("Dana Doc", "physician")}
FORTNIGHT = Period(data.FIRST, data.LAST)


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """(billing's workstation, desk's, doctor's) over the imported fortnight."""
    root = tmp_path_factory.mktemp("reports") / "store"
    source = data.write_ndjson(root.parent / "clinic.ndjson")
    env, report = new_store(root, USERS, [source])
    assert not report.skipped, report.errors
    stations = [open_workstation(env, root, user, password_of(user)) for user in USERS]
    yield stations
    for station in stations:
        station.store.close()


def run(station, name: str, period: Period = FORTNIGHT, **options):
    return ClinicReports(station.store).run(station.session, name, period, Options(**options))


def test_visits_per_day_count_each_visit_that_took_place_by_provider_and_type(clinic):
    table = run(clinic[0], "visits-per-day")
    expected = data.expected_visits_per_day()
    assert {row[:3]: row[3] for row in table.rows} == dict(expected)
    assert table.total[-1] == sum(expected.values()) == 14 * 3 - 7 - 1


def test_visits_per_week_add_up_to_the_days(clinic):
    table = run(clinic[0], "visits-per-week")
    assert [row[0] for row in table.rows][::4] == ["2025-03-03", "2025-03-10"]
    assert table.total[-1] == sum(data.expected_visits_per_day().values())


def test_new_patients_are_those_first_seen_in_the_period(clinic):
    first_seen: dict[str, str] = {}
    for visit in sorted(data.encounters(), key=lambda e: e["period"]["start"]):
        if visit["status"] == "finished":
            first_seen.setdefault(visit["subject"]["reference"], visit["period"]["start"])
    expected = sum(data.in_fortnight(start) for start in first_seen.values())
    table = run(clinic[0], "new-patients")
    assert table.total == ("Total", expected) and 0 < expected < 12


def test_no_show_rate_counts_due_appointments_and_the_missed_ones(clinic):
    table = run(clinic[0], "no-show-rate")
    expected = data.expected_no_shows()
    assert {row[0]: row[1:3] for row in table.rows} == expected
    due, missed = (sum(v[i] for v in expected.values()) for i in (0, 1))
    assert table.total == ("All providers", due, missed, round(100 * missed / due, 1))


def test_top_diagnoses_count_patients_not_records_and_leave_out_errors(clinic):
    table = run(clinic[0], "top-diagnoses")
    assert {row[0]: row[2] for row in table.rows} == dict(data.expected_diagnoses())
    assert table.rows[0][1] == data.DIAGNOSES[table.rows[0][0]]


def test_claims_by_status_with_billed_and_paid_to_the_cent(clinic):
    table = run(clinic[0], "claims-by-status")
    expected = data.expected_claims()
    assert {"paid", "denied", "submitted", "draft", "cancelled"} == {k[0] for k in expected}
    assert {row[:2]: row[2:] for row in table.rows} == {
        key: (count, billed, paid) if key[1] != "not priced" else (count, "", "")
        for key, (count, billed, paid) in expected.items()}
    priced = [v for (_, currency), v in expected.items() if currency == "USD"]
    assert table.total == ("All claims", "USD", sum(v[0] for v in expected.values()),
                           sum(v[1] for v in priced), sum(v[2] for v in priced))


def test_a_period_without_claims_is_a_report_with_no_rows(clinic):
    table = run(clinic[0], "claims-by-status", period_of(data.LAST + timedelta(days=30),
                                                         data.LAST + timedelta(days=40)))
    assert table.rows == [] and table.total == ("All claims", "", 0, "", "")


def test_unreviewed_results_by_reviewer_and_the_clinic_queue(clinic):
    open_tasks = [t for t in data.review_tasks() if t["status"] == "requested"
                  and data.in_fortnight(t["authoredOn"])]
    mine = sum("owner" in t for t in open_tasks)
    table = run(clinic[0], "unreviewed-results")
    assert {row[0]: row[1] for row in table.rows} == {
        "Maria Okafor": mine, "Clinic queue": len(open_tasks) - mine}


def test_unsigned_notes_older_than_the_days_asked_by_author(clinic):
    doctor = clinic[2]
    drafts = [doctor.notes.start_draft(doctor.session, f"pt-{n}", "soap") for n in range(3)]
    ages = {drafts[0].id: 20, drafts[1].id: 5, drafts[2].id: 2}  # days since begun
    with doctor.store.write() as conn:  # begun earlier: only the clock can age a draft
        for draft_id, age in ages.items():
            conn.execute(text("UPDATE note_draft SET created_at = :at WHERE id = :id"), {
                "at": (datetime.now().astimezone() - timedelta(days=age)).isoformat(),
                "id": draft_id})
    recent = period_of((datetime.now() - timedelta(days=30)).date(), datetime.now().date())
    assert run(clinic[0], "unsigned-notes", recent, older_than_days=3).rows[0][:2] == (
        "Dana Doc", 2)
    assert run(clinic[0], "unsigned-notes", recent, older_than_days=10).total[1] == 1
    assert run(clinic[0], "unsigned-notes", FORTNIGHT).rows == []


def test_each_report_is_one_audit_row_naming_the_report_and_its_days(clinic):
    billing = clinic[0]
    for name in REPORTS:
        run(billing, name)
    with billing.store.read() as conn:
        rows = conn.execute(text("SELECT entity, detail, patient FROM audit WHERE user = 'bea' "
                                 "AND entity LIKE 'Report/%' ORDER BY seq")).all()
    last = {entity: (detail, patient) for entity, detail, patient in rows}
    assert set(last) == {f"Report/{name}" for name in REPORTS}
    assert all("2025-03-03 to 2025-03-16" in detail and patient is None
               for detail, patient in last.values())


def test_the_front_desk_may_not_run_reports(clinic):
    with pytest.raises(PermissionDenied):
        run(clinic[1], "visits-per-day")


def test_a_period_ending_before_it_starts_is_refused_with_a_sentence():
    with pytest.raises(UsageError, match="--from 2025-03-16 is after --to 2025-03-03"):
        period_of(data.LAST, data.FIRST)
