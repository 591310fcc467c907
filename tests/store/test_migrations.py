"""Migrations: backup first, each one atomic, never half-applied."""

import orjson
import pytest
import sqlcipher3
from sqlalchemy import text

from app.store.database import Database, raw_key_pragma
from app.store.keys import new_data_key
from app.store.schema.migrations import MIGRATIONS, Migration, migrate, schema_version

VITAL = {"resourceType": "Observation", "id": "o1", "status": "final",
         "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2020-05-01T10:00:00Z",
         "category": [{"coding": [{"code": "vital-signs"}]}],
         "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]}}


def half_then_fail(conn):
    conn.exec_driver_sql("CREATE TABLE half_done (id INTEGER)")
    raise RuntimeError("migration bug")


@pytest.fixture
def v1_store(tmp_path):
    """A store at schema 1 holding an observation, as an older Hearth left it."""
    key = new_data_key()
    database = Database(tmp_path / "hearth.db", key)
    migrate(database, tmp_path / "backups", MIGRATIONS[:1])
    with database.write() as conn:
        conn.execute(text("INSERT INTO resource VALUES ('Observation', 'o1', NULL, 'now', "
                          ":json, 0)"), {"json": orjson.dumps(VITAL).decode()})
        conn.execute(text("INSERT INTO patient_compartment VALUES ('Observation', 'o1', 'p1')"))
        conn.execute(text("INSERT INTO patient_search VALUES ('p1', 'Ann Lee', '', '', '')"))
    yield database, key
    database.close()


def test_new_store_is_not_backed_up(tmp_path):
    database = Database(tmp_path / "hearth.db", new_data_key())
    migrate(database, tmp_path / "backups")
    assert schema_version(database) == MIGRATIONS[-1].number
    assert not (tmp_path / "backups").exists()
    database.close()


def test_upgrade_fills_the_chart_index_for_existing_records(v1_store, tmp_path):
    database, _ = v1_store
    migrate(database, tmp_path / "backups")
    with database.read() as conn:
        row = conn.execute(text("SELECT section, date, code FROM patient_compartment")).one()
    assert tuple(row) == ("vitals", "2020-05-01T10:00:00Z", "8867-4")
    with database.read() as conn:
        mapped = conn.execute(text("SELECT p.names FROM patient_search_row m JOIN "
                                   "patient_search p ON p.rowid = m.search_rowid")).scalar_one()
    assert mapped == "Ann Lee"


def test_upgrade_backs_up_first_and_the_backup_opens_with_the_same_key(v1_store, tmp_path):
    database, key = v1_store
    migrate(database, tmp_path / "backups")
    [backup] = (tmp_path / "backups").iterdir()
    copy = sqlcipher3.connect(str(backup))
    copy.execute(f'PRAGMA key="{raw_key_pragma(key)}"')
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    assert copy.execute("SELECT count(*) FROM resource").fetchone()[0] == 1
    copy.close()


def test_failed_migration_leaves_the_store_as_it_was(v1_store, tmp_path):
    database, _ = v1_store
    with pytest.raises(RuntimeError, match="migration bug"):
        migrate(database, tmp_path / "backups",
                [MIGRATIONS[0], Migration(2, "bad", half_then_fail)])
    assert schema_version(database) == 1
    with database.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'"
                                 )).scalar_one() == 0
