"""Schema 11: a store upgraded from 10 keeps its conflicts and the outbox rows they hold,
and accepts a double-booking conflict (the kinds are a CHECK on conflict.kind)."""

import pytest
import sqlcipher3
from sqlalchemy import text

from app.store.database import Database
from app.store.keys import new_data_key
from app.store.schema.migrations import MIGRATIONS, migrate, schema_version

HOLD = ("INSERT INTO conflict (type, resource_id, detected_at, kind) "
        "VALUES ('Appointment', 'a1', 'now', :kind)")


def test_an_upgraded_store_keeps_held_rows_and_takes_double_bookings(tmp_path):
    database = Database(tmp_path / "hearth.db", new_data_key())
    migrate(database, tmp_path / "backups", [m for m in MIGRATIONS if m.number <= 10])
    with database.write() as conn:
        conn.execute(text(HOLD), {"kind": "edit"})
        conn.execute(text("INSERT INTO local_change (type, id, op, json, user, at, held_by) "
                          "VALUES ('Appointment', 'a1', 'create', '{}', 'desk', 'now', 1)"))
    with pytest.raises(sqlcipher3.IntegrityError, match="CHECK"), database.write() as conn:
        conn.execute(text(HOLD), {"kind": "double-booking"})

    assert [m.number for m in migrate(database, tmp_path / "backups",
                                      [m for m in MIGRATIONS if m.number <= 11])] == [11]
    assert schema_version(database) == 11
    with database.write() as conn:
        conn.execute(text(HOLD), {"kind": "double-booking"})
    with database.read() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        assert conn.execute(text("SELECT kind FROM conflict ORDER BY id")).scalars().all() == [
            "edit", "double-booking"]
        assert conn.execute(text("SELECT held_by FROM local_change")).scalar_one() == 1
    with pytest.raises(sqlcipher3.IntegrityError, match="CHECK"), database.write() as conn:
        conn.execute(text(HOLD), {"kind": "something else"})
    database.close()
