"""A store upgraded to schema 17 with changes still queued sends exactly those, each record
once in its newest version, to a real FHIR server, and its outbox is then empty."""

import uuid

import httpx
from sqlalchemy import text

from app.store.keyfile import KeyFile
from app.store.keys import new_data_key
from app.store.paths import StorePaths
from app.store.schema.migrations import migrate
from app.store.store import Store
from app.store.sync_side import StoreSyncSide
from sync.engine import SyncEngine
from sync.transport import Transport
from sync.worker import SyncWorker
from tests.store.schema16 import patient, pulse, save, schema16_store


def test_what_was_queued_before_the_upgrade_is_sent_after_it(tmp_path, fresh_fhir_server):
    database = schema16_store(tmp_path / "hearth.db", new_data_key())
    with database.write() as conn:
        save(conn, patient("ann", "Lee"), "create", "2024-05-01T10:00:00Z")
        save(conn, pulse("o1", "ann", 72), "create", "2024-05-01T10:01:00Z")
        save(conn, patient("ann", "Lee-Okafor"), "update", "2024-05-01T10:02:00Z")
        save(conn, patient("ben", "Stone"), "create", "2024-05-01T10:03:00Z")
    migrate(database, tmp_path / "backups")
    store = Store(StorePaths(tmp_path), KeyFile.new(tmp_path / "key", str(uuid.uuid4())),
                  database, b"", b"")
    engine = SyncEngine(StoreSyncSide(store, "nina", "nurse"),
                        Transport(fresh_fhir_server.base_url))
    try:
        status = SyncWorker(engine, interval_seconds=60).run_once()
    finally:
        engine.transport.close()

    assert (status.pending, status.last_error) == (0, None)
    server = fresh_fhir_server.base_url
    families = sorted(e["resource"]["name"][0]["family"]
                      for e in httpx.get(f"{server}Patient").json()["entry"])
    assert families == ["Lee-Okafor", "Stone"]
    assert httpx.get(f"{server}Observation/o1").json()["valueQuantity"]["value"] == 72
    with store.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM local_change")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM resource WHERE version_id IS NULL"
                                 )).scalar_one() == 0
    store.close()
