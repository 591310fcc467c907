"""The audit trail is tamper-evident: any change, removal or reordering is found."""

import csv
import io

import pytest
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.errors import PermissionDenied


@pytest.fixture
def trail(admin):
    """An admin whose trail has a dozen rows."""
    for i in range(4):
        admin.users.add(admin.session, f"user{i}", f"User {i}", "nurse", "nurse pass 1")
        admin.users.lock(admin.session, f"user{i}")
        admin.users.unlock(admin.session, f"user{i}")
    return admin


def tamper(ws, sql):
    with ws.store.write() as conn:
        conn.exec_driver_sql(sql)


def problems(ws):
    return ws.audit.verify(ws.session).problems


def test_untouched_trail_verifies(trail):
    result = trail.audit.verify(trail.session)
    assert result.intact and result.rows >= 13


def test_changed_row_is_found(trail):
    tamper(trail, "UPDATE audit SET user = 'someone-else' WHERE seq = 5")
    assert problems(trail) == ["audit row 5 was changed after it was written"]


def test_removed_row_is_found(trail):
    tamper(trail, "DELETE FROM audit WHERE seq = 6")
    assert problems(trail) == ["audit row 6 was removed"]


def test_reordered_rows_are_found(trail):
    tamper(trail, "UPDATE audit SET seq = -1 WHERE seq = 7")
    tamper(trail, "UPDATE audit SET seq = 7 WHERE seq = 8")
    tamper(trail, "UPDATE audit SET seq = 8 WHERE seq = -1")
    assert "audit rows are out of order at row 7" in problems(trail)


def test_rows_removed_from_the_end_are_found(trail):
    tamper(trail, "DELETE FROM audit WHERE seq >= (SELECT max(seq) - 1 FROM audit)")
    assert problems(trail)[-1].endswith("were removed from the end")


def test_verification_itself_is_audited(trail):
    trail.audit.verify(trail.session)
    with trail.store.read() as conn:
        last = conn.execute(text("SELECT action, entity FROM audit ORDER BY seq DESC")).first()
    assert tuple(last) == ("query", "AuditTrail")


def export(ws, **filters):
    out = io.StringIO()
    ws.audit.export(ws.session, out, **filters)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_export_sorts_by_user_then_time(trail):
    rows = export(trail, sort="user")
    assert [r["user"] for r in rows] == sorted(r["user"] for r in rows)
    admin_seqs = [int(r["seq"]) for r in rows if r["user"] == "admin"]
    assert admin_seqs == sorted(admin_seqs)


@pytest.mark.parametrize("sort, column", [("action", "action"), ("record", "entity")])
def test_export_sorts_by_the_action_or_the_record_accessed(trail, sort, column):
    rows = export(trail, sort=sort)
    assert [r[column] for r in rows] == sorted(r[column] for r in rows)
    assert len({r[column] for r in rows}) > 1  # more than one kind, so the order is seen


def test_export_filters_and_records_itself(trail):
    export(trail, user="admin", since="2000-01-01")
    rows = export(trail, sort="time")
    assert rows[-1]["action"] == "export" and "user=admin" in rows[-1]["detail"]


def test_only_admins_and_auditors_review_the_trail(trail, env, store_dir):
    trail.users.add(trail.session, "audrey", "Audrey Auditor", "auditor", "auditor pass")
    auditor = open_workstation(env, store_dir, "audrey", "auditor pass")
    assert auditor.audit.verify(auditor.session).intact
    with pytest.raises(PermissionDenied, match="nurse and may not review"):
        nurse = open_workstation(env, store_dir, "user0", "nurse pass 1")
        nurse.audit.verify(nurse.session)
