"""The audit trail as the Admin tab reads it (app.clinical.audit_trail), on a real store: a
big trail read a page at a time through an index, an emergency access found by the
patient's name, exports that parse back, bad filters named, and an auditor who can change
nothing."""

import csv
from decimal import Decimal

import pdfplumber
import pytest

from app.clinical.audit_trail.viewer import PAGE_SIZE, AuditTrail, TrailQuery
from app.clinical.billing.fees import Fee, FeeSchedule
from app.errors import PermissionDenied, UsageError
from app.security.audit_review import AuditFilter, _newest_first
from app.store import audit_log as audit
from tests.conftest import SYNTHEA, sign_in

EMERGENCY = "emergency access: unconscious in the waiting room"  # as break-the-glass writes


def filled(store, count: int, patients: list[str]) -> None:
    """`count` chained rows by three users over `patients`, a second apart, as a busy clinic
    writes them (append_many: one executemany)."""
    events = [audit.Event(f"2026-01-{1 + n // 86400:02d}T{n // 3600 % 24:02d}:"
                          f"{n // 60 % 60:02d}:{n % 60:02d}.000000+00:00",
                          ("drlee", "nina", "frank")[n % 3], "physician", "read", "success",
                          patients[n % len(patients)], "Patient", "chart opened")
              for n in range(count)]
    with store.write() as conn:
        audit.append_many(conn, events)


@pytest.fixture
def clinic(admin, env, store_dir):
    """The admin (patient ids) and an auditor, over a store with the Synthea patients and
    one emergency access by Nina to Liz Conn's chart."""
    admin.importer.run(admin.session, [SYNTHEA])
    with admin.store.read() as conn:
        ids = dict(conn.exec_driver_sql(
            "SELECT json_extract(json, '$.name[0].family'), id FROM resource "
            "WHERE type = 'Patient'").all())
    with admin.store.write() as conn:
        audit.append(conn, audit.Event(audit.now_text(), "nina", "nurse", "create", "success",
                                       ids["Conn"], "Task/grant-1", EMERGENCY))
    auditor = sign_in(admin, env, store_dir, "audrey", "auditor")
    yield admin, auditor, ids
    auditor.store.close()


def test_a_big_trail_is_read_a_page_at_a_time_through_an_index(clinic):
    admin, auditor, ids = clinic
    filled(admin.store, 50_000, list(ids.values()))
    trail = AuditTrail(auditor.store)

    first = trail.page(auditor.session, TrailQuery())
    assert len(first.rows) == PAGE_SIZE and first.total > 50_000
    assert first.summary() == f"{first.total:,} entries; showing 1-500"
    older = trail.page(auditor.session, TrailQuery(), first.rows[-1], 501,
                       (first.total, False))
    assert older.summary() == f"{first.total:,} entries; showing 501-1,000"
    assert older.rows[0].entry.seq == first.rows[-1].entry.seq - 1

    capped = AuditTrail(auditor.store, count_cap=10_000).page(
        auditor.session, TrailQuery(user="drlee"))
    assert capped.summary() == "more than 10,000 entries; showing 1-500"
    for wanted in (AuditFilter(), AuditFilter(user="drlee", action="read"),
                   AuditFilter(patients=(ids["Conn"],), since="2026-01-01"),
                   AuditFilter(action="export"), AuditFilter(since="2026-01-02",
                                                             until="2026-01-03")):
        page = str(_newest_first(wanted).limit(PAGE_SIZE).compile(
            compile_kwargs={"literal_binds": True}))
        with auditor.store.read() as conn:
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {page}"))
        assert "TEMP B-TREE" not in plan, plan  # never sorts (so never reads) every match


def test_the_auditor_finds_an_emergency_access_by_the_patients_name(clinic):
    admin, auditor, ids = clinic
    page = AuditTrail(auditor.store).page(auditor.session, TrailQuery(patient="conn"))
    emergency = [row for row in page.rows if row.entry.detail == EMERGENCY]
    assert [(row.entry.user, row.patient) for row in emergency] == [("nina", "Conn, Liz")]
    with auditor.store.read() as conn:  # looking is itself audited, naming the patient
        last = conn.exec_driver_sql("SELECT user, patient, detail FROM audit "
                                    "ORDER BY seq DESC LIMIT 1").one()
    assert last[:2] == ("audrey", ids["Conn"]) and "names of 1 patients shown" in last[2]

    admin_page = AuditTrail(admin.store).page(admin.session, TrailQuery(patient="conn"))
    assert admin_page.summary() == "No entries match."  # the admin types ids, sees ids
    by_id = AuditTrail(admin.store).page(admin.session, TrailQuery(patient=ids["Conn"]))
    assert {row.patient for row in by_id.rows} == {ids["Conn"]}
    nobody = AuditTrail(auditor.store).page(auditor.session, TrailQuery(patient="Zzyzx"))
    assert nobody.summary() == "No patient is named \u201cZzyzx\u201d. No entries match."


def test_the_filtered_rows_export_as_csv_and_pdf_that_parse_back(clinic, tmp_path):
    _admin, auditor, _ids = clinic
    trail, query = AuditTrail(auditor.store), TrailQuery(patient="Conn", user="nina")
    assert trail.export(auditor.session, query, tmp_path / "trail.csv") == 1
    with (tmp_path / "trail.csv").open() as source:
        rows = list(csv.DictReader(source))
    assert [(r["user"], r["patient name"], r["detail"]) for r in rows] == [
        ("nina", "Conn, Liz", EMERGENCY)]

    assert trail.export(auditor.session, query, tmp_path / "trail.pdf", "Hearth Clinic") == 1
    with pdfplumber.open(tmp_path / "trail.pdf") as pdf:
        words = " ".join((page.extract_text() or "") for page in pdf.pages)
        landscape = pdf.pages[0].width > pdf.pages[0].height
    assert landscape and "Hearth Clinic · Audit trail" in words and "Conn, Liz" in words
    assert "1 entry, newest first; filtered user='nina', patient='Conn'." in words
    with auditor.store.read() as conn:
        exports = conn.exec_driver_sql("SELECT detail FROM audit WHERE action = 'export' "
                                       "AND entity = 'AuditTrail' ORDER BY seq").scalars().all()
    assert [d.split(" to ")[0] for d in exports] == ["1 entries as CSV", "1 entries as PDF"]


def test_bad_filters_are_named(clinic, tmp_path):
    admin, auditor, ids = clinic
    trail = AuditTrail(auditor.store)
    asked = {TrailQuery(since="2026-03-02", until="2026-03-01"):
             "The time range ends before it starts; put the earlier time in From.",
             TrailQuery(since="2026-13-01"):
             "From '2026-13-01' is not a time; type it as 2026-03-01 or 2026-03-01 14:30.",
             TrailQuery(action="peek"): "There is no audit action 'peek'; choose one of "
             "create, read, update, delete, query, login, logout, export."}
    for query, said in asked.items():
        with pytest.raises(UsageError) as refused:
            trail.page(auditor.session, query)
        assert str(refused.value) == said
    filled(admin.store, 6_000, list(ids.values()))
    with pytest.raises(UsageError, match="A PDF holds at most 5,000 entries and more match; "
                                         "narrow the filter or export CSV."):
        trail.export(auditor.session, TrailQuery(), tmp_path / "all.pdf")
    assert not (tmp_path / "all.pdf").exists()


def test_the_auditor_can_change_nothing(clinic):
    _admin, auditor, _ids = clinic
    fee = Fee("99213", "http://www.ama-assn.org/go/cpt", "Office visit", "default",
              Decimal("75.00"), "USD")
    refusals = [lambda: FeeSchedule(auditor.store).set_fees(auditor.session, [fee]),
                lambda: auditor.users.add(auditor.session, "eve", "Eve", "admin", "x" * 12)]
    for change in refusals:
        with pytest.raises(PermissionDenied, match="signed in as auditor and may not"):
            change()
