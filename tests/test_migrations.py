"""Migrations: backup first, each one atomic, never half-applied."""

import pytest
import sqlcipher3

from app.store.database import Database, raw_key_pragma
from app.store.keys import new_data_key
from app.store.migrations import MIGRATIONS, Migration, migrate, schema_version


def add_table(conn):
    conn.exec_driver_sql("CREATE TABLE note_draft (id TEXT PRIMARY KEY, body TEXT)")


def half_then_fail(conn):
    conn.exec_driver_sql("CREATE TABLE half_done (id INTEGER)")
    raise RuntimeError("migration bug")


@pytest.fixture
def db(tmp_path):
    key = new_data_key()
    database = Database(tmp_path / "hearth.db", key)
    migrate(database, tmp_path / "backups")
    yield database, key
    database.close()


def table_names(database):
    with database.read() as conn:
        return {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}


def test_new_store_is_not_backed_up(db, tmp_path):
    assert not (tmp_path / "backups").exists()


def test_upgrade_backs_up_first_and_the_backup_opens_with_the_same_key(db, tmp_path):
    database, key = db
    migrate(database, tmp_path / "backups", [*MIGRATIONS, Migration(2, "drafts", add_table)])
    assert schema_version(database) == 2 and "note_draft" in table_names(database)
    [backup] = (tmp_path / "backups").iterdir()
    copy = sqlcipher3.connect(str(backup))
    copy.execute(f'PRAGMA key="{raw_key_pragma(key)}"')
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    assert not copy.execute("SELECT 1 FROM sqlite_master WHERE name='note_draft'").fetchall()
    copy.close()


def test_failed_migration_leaves_the_store_as_it_was(db, tmp_path):
    database, _ = db
    broken = [*MIGRATIONS, Migration(2, "broken", half_then_fail)]
    with pytest.raises(RuntimeError, match="migration bug"):
        migrate(database, tmp_path / "backups", broken)
    assert schema_version(database) == 1
    assert "half_done" not in table_names(database)
