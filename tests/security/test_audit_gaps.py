"""What the trail used to miss: refused accesses, what a search asked and showed, conflict
lists, store checks, and charts exported as JSON."""

import pytest

from app.cli import commands as cli
from app.errors import PermissionDenied
from tests.conftest import password_of, sign_in


def last_row(ws):
    with ws.store.read() as conn:
        return conn.exec_driver_sql(
            "SELECT user, action, outcome, patient, entity, detail FROM audit "
            "ORDER BY seq DESC LIMIT 1").mappings().one()


@pytest.fixture
def doctor(admin, env, store_dir):
    return sign_in(admin, env, store_dir, "pat", "physician")


@pytest.fixture
def ann(doctor):
    return doctor.patients.register(doctor.session, {
        "resourceType": "Patient", "name": [{"family": "Lee", "given": ["Ann"]}],
        "birthDate": "1980-03-14"})


def test_a_refused_chart_read_is_in_the_chained_trail(admin, env, store_dir, ann):
    desk = sign_in(admin, env, store_dir, "fay", "front-desk")
    with pytest.raises(PermissionDenied):
        desk.chart.summary(desk.session, ann["id"])
    assert dict(last_row(desk)) == {
        "user": "fay", "action": "read", "outcome": "refused", "patient": None, "entity": None,
        "detail": "refused: front-desk may not read the clinical chart"}
    assert admin.audit.verify(admin.session).intact


def test_a_search_row_names_the_text_and_the_patients_shown(doctor, ann):
    doctor.search.search(doctor.session, "lee  ann")
    row = last_row(doctor)
    assert (row["action"], row["detail"]) == (
        "query", f"patient search 'lee ann': 1 hits: {ann['id']}")


def test_listing_conflicts_is_audited_once_per_list_shown(doctor):
    doctor.conflicts.list(doctor.session)
    doctor.conflicts.list(doctor.session)  # the sync view's reload of the same list
    with doctor.store.read() as conn:
        rows = conn.exec_driver_sql("SELECT detail FROM audit WHERE entity = 'Conflict'").all()
    assert [tuple(r) for r in rows] == [("listed 0 sync conflicts",)]


def test_a_store_check_is_audited(admin):
    admin.check_store()
    assert (last_row(admin)["entity"], last_row(admin)["detail"]) == (
        "Store", "store check: intact")


def test_chart_as_json_is_recorded_as_an_export(doctor, ann, env, store_dir, monkeypatch,
                                                  capsys):
    monkeypatch.setenv("HEARTH_PASSWORD", password_of("pat"))
    status = cli.main(["--store", str(store_dir), "--user", "pat", "chart", ann["id"],
                       "--json"], env)
    capsys.readouterr()
    with doctor.store.read() as conn:
        action, detail = conn.exec_driver_sql(
            "SELECT action, detail FROM audit WHERE patient = ? AND user = 'pat' "
            "ORDER BY seq DESC LIMIT 1", (ann["id"],)).one()
    assert (status, action, detail) == (0, "export", "chart summary as JSON")
