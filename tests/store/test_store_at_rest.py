"""What a stolen store file reveals (nothing), and how the schema is kept."""

import sqlite3

import pytest
from sqlalchemy import inspect

from app.bootstrap import open_workstation
from app.errors import SchemaTooNew
from app.store import schema
from app.store.schema.migrations import MIGRATIONS, schema_version
from tests.conftest import ADMIN_PASSWORD

PATIENT = {"resourceType": "Patient", "name": [{"family": "Quixotewhistle", "given": ["Ottoline"]}],
           "birthDate": "1961-07-04", "identifier": [{"value": "MRN-88812"}]}


def nurse(admin, env, store_dir):
    admin.users.add(admin.session, "nina", "Nina Nurse", "nurse", "nurse pass 1")
    return open_workstation(env, store_dir, "nina", "nurse pass 1")


def test_store_file_is_not_plain_sqlite(admin, store_dir):
    admin.store.close()
    assert not store_dir.joinpath("hearth.db").read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(store_dir / "hearth.db").execute("SELECT * FROM sqlite_master").fetchall()


def test_patient_details_never_appear_in_any_store_file(admin, env, store_dir):
    ws = nurse(admin, env, store_dir)
    ws.patients.register(ws.session, PATIENT)  # the WAL is still open here: check it too
    files = [p for p in store_dir.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in (b"Quixotewhistle", b"Ottoline", b"MRN-88812", b"1961-07-04"):
            assert secret not in data, f"{secret!r} in {path.name}"
    ws.close()


def test_schema_declarations_match_the_migrated_database(admin):
    with admin.store.read() as conn:
        inspector = inspect(conn)
        for table in schema.metadata.tables.values():
            actual = [c["name"] for c in inspector.get_columns(table.name)]
            assert actual == [c.name for c in table.columns], table.name


def test_newer_schema_is_refused_and_left_alone(admin, env, store_dir):
    newer = MIGRATIONS[-1].number + 1
    with admin.store.write() as conn:
        conn.exec_driver_sql(f"PRAGMA user_version={newer}")
    admin.store.close()
    with pytest.raises(SchemaTooNew, match=f"schema version {newer}.*not changed"):
        open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)
    assert not (store_dir / "backups").exists()


def test_schema_version_is_the_latest_migration(admin):
    assert schema_version(admin.store.db) == MIGRATIONS[-1].number
