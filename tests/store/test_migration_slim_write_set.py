"""Schema 17: a store upgraded from 16 keeps every record, chart index row and queued
change (the JSON each queued, its hold, its seq), and from then on sends each record once
with its newest version however often it was edited."""

import os
import sys
import uuid
from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from app.errors import NotFound
from app.store.database import Database
from app.store.keyfile import KeyFile
from app.store.keys import new_data_key
from app.store.paths import StorePaths
from app.store.resources import delete_resource, put_resource
from app.store.schema.migrations import migrate, schema_version
from app.store.store import Store
from app.store.sync_side import StoreSyncSide
from tests.kill_child import kill_mid_run
from tests.store.schema16 import (
    delete,
    outbox_at_16,
    patient,
    pulse,
    save,
    save_many,
    schema16_store,
)

MIGRATOR = Path(__file__).with_name("migrate_process.py")


@pytest.fixture
def upgraded(tmp_path):
    """A schema 16 store with edits waiting (one held), a delete, a row removed after it
    was sent, and an outbox row whose record was never stored; migrated to the newest."""
    database = schema16_store(tmp_path / "hearth.db", new_data_key())
    with database.write() as conn:
        conn.exec_driver_sql("INSERT INTO conflict (type, resource_id, detected_at, kind) "
                             "VALUES ('Patient', 'held', 't0', 'edit')")
        save(conn, patient("ann", "Lee"), "create", "t1")
        save(conn, pulse("o1", "ann", 72), "create", "t2")
        save(conn, patient("ann", "Lee-Okafor"), "update", "t3")
        save(conn, patient("held", "Stone"), "create", "t4", held_by=1)
        save(conn, pulse("o2", "ann", 90), "create", "t5")
        delete(conn, "Observation", "o2", "t6")
        save(conn, patient("sent", "Gone"), "create", "t7")
        conn.exec_driver_sql("DELETE FROM local_change WHERE seq = 7")  # confirmed by a sync
        conn.exec_driver_sql("INSERT INTO local_change (type, id, op, json, user, at) VALUES "
                             "('Patient', 'lost', 'create', ?, 'nina', 't8')",
                             (orjson.dumps(patient("lost", "Never Stored")).decode(),))
    before = outbox_at_16(database)
    migrate(database, tmp_path / "backups")
    store = Store(StorePaths(tmp_path), KeyFile.new(tmp_path / "key", str(uuid.uuid4())),
                  database, b"", b"")
    yield store, before
    store.close()


def queued(store) -> list[tuple]:
    with store.read() as conn:
        return [tuple(row) for row in conn.execute(text(
            "SELECT seq, type, id, op, json, held_by FROM outbox ORDER BY seq"))]


def test_every_queued_change_keeps_its_json_hold_and_seq(upgraded, tmp_path):
    store, before = upgraded
    assert schema_version(store.db) == 17
    assert queued(store) == before
    [backup] = (tmp_path / "backups").iterdir()
    assert backup.name.startswith("hearth-schema16-")
    with store.read() as conn:
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        assert conn.execute(text("PRAGMA freelist_count")).scalar_one() == 0  # vacuumed
        copies = conn.execute(text("SELECT count(*) FROM local_change WHERE json IS NOT NULL"))
        assert copies.scalar_one() == 1  # only Ann's first version, since replaced
        never_stored = conn.execute(text(
            "SELECT deleted FROM resource WHERE type = 'Patient' AND id = 'lost'"))
        assert never_stored.scalar_one() == 1  # kept as a tombstone: its change still queued


def test_the_chart_index_and_records_are_kept(upgraded):
    store, _ = upgraded
    with store.read() as conn:
        rows = conn.execute(text("SELECT c.type, c.id, c.patient_id, c.section FROM "
                                 "patient_compartment c JOIN resource r ON r.record = c.record "
                                 "ORDER BY c.record")).all()
        assert [tuple(r) for r in rows] == [
            ("Patient", "ann", "ann", "demographics"), ("Observation", "o1", "ann", "vitals"),
            ("Patient", "held", "held", "demographics"), ("Patient", "sent", "sent",
                                                          "demographics")]


def test_a_seq_removed_before_the_upgrade_is_never_reused(upgraded):
    store, before = upgraded
    with store.write() as conn:
        put_resource(conn, patient("new", "Next"), "nina", "t9")
    assert queued(store)[-1][0] == max(row[0] for row in before) + 1


def test_edits_after_the_upgrade_keep_each_queued_version_and_send_the_newest_once(upgraded):
    store, _ = upgraded
    with store.write() as conn:
        put_resource(conn, patient("ann", "Okafor"), "nina", "t9")
        put_resource(conn, patient("ann", "Okafor-Lee"), "nina", "t10")
    names = [orjson.loads(body)["name"][0]["family"]
             for _, kind, rid, _, body, _ in queued(store) if (kind, rid) == ("Patient", "ann")]
    assert names == ["Lee", "Lee-Okafor", "Okafor", "Okafor-Lee"]
    pending = {c.key: c for c in StoreSyncSide(store, "nina", "nurse").pending_changes(50)}
    assert sorted(pending) == ["Observation/o1", "Observation/o2", "Patient/ann",
                               "Patient/lost"]  # "held" waits for a person
    assert pending["Patient/ann"].resource["name"] == [{"family": "Okafor-Lee"}]
    assert pending["Patient/ann"].upto_seq == queued(store)[-1][0]
    assert pending["Observation/o2"].op == "delete"


def test_deleting_a_record_never_stored_says_so_and_queues_nothing(upgraded):
    store, _ = upgraded
    with pytest.raises(NotFound, match="no Patient nobody here to delete; nothing was"):
        with store.write() as conn:
            delete_resource(conn, "Patient", "nobody", "nina", "t9")
    assert len(queued(store)) == 7


def big_schema16_store(path, key, patients: int):
    database = schema16_store(path, key)
    with database.write() as conn:
        save_many(conn, [record for n in range(patients) for record in (
            patient(f"p{n}", f"Family {n}"), pulse(f"o{n}", f"p{n}", 60 + n % 40))],
            "create", "t1")
    return database


def test_a_migration_killed_part_way_leaves_the_store_as_it_was(tmp_path):
    """SIGKILL during the migration's one transaction: the store opens at schema 16 with
    everything queued (the WAL's uncommitted pages are ignored), and migrates next time."""
    key = new_data_key()
    database = big_schema16_store(tmp_path / "hearth.db", key, 15_000)
    before = outbox_at_16(database)
    database.close()
    printed, err = kill_mid_run(
        [sys.executable, str(MIGRATOR), str(tmp_path / "hearth.db"), key.hex()],
        {**os.environ, "PYTHONPATH": str(MIGRATOR.parents[2])},
        lambda lines: lines[-1].strip() == "migrating", 0.3, 120, "migration")
    assert "migrated\n" not in printed, "the migration finished before the kill"
    database = Database(tmp_path / "hearth.db", key)
    assert schema_version(database) == 16
    assert outbox_at_16(database) == before
    migrate(database, tmp_path / "backups")
    store = Store(StorePaths(tmp_path), KeyFile.new(tmp_path / "key", str(uuid.uuid4())),
                  database, b"", b"")
    assert queued(store) == before
    store.close()
