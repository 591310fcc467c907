"""A store at schema 16 with records, chart index rows and outbox rows, written as Hearth
wrote them before schema 17 (every outbox row a full copy of the JSON it queued), for the
tests of the migration to schema 17."""

from pathlib import Path

import orjson

from app.store.database import Database
from app.store.schema.migrations import MIGRATIONS, migrate

RESOURCE = ("INSERT INTO resource (type, id, version_id, last_updated, json, deleted) "
            "VALUES (?, ?, NULL, ?, ?, ?) ON CONFLICT (type, id) DO UPDATE SET "
            "last_updated = excluded.last_updated, json = excluded.json, "
            "deleted = excluded.deleted")
OUTBOX = ("INSERT INTO local_change (type, id, op, base_version, json, user, at, held_by) "
          "VALUES (?, ?, ?, NULL, ?, 'nina', ?, ?)")
COMPARTMENT = ("INSERT OR REPLACE INTO patient_compartment (type, id, patient_id, section, "
               "date, status, code) VALUES (?, ?, ?, ?, ?, NULL, ?)")


def patient(pid: str, family: str) -> dict:
    return {"resourceType": "Patient", "id": pid, "name": [{"family": family}]}


def pulse(oid: str, pid: str, beats: int) -> dict:
    return {"resourceType": "Observation", "id": oid, "status": "final",
            "subject": {"reference": f"Patient/{pid}"},
            "category": [{"coding": [{"code": "vital-signs"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
            "effectiveDateTime": "2024-05-01T10:00:00Z",
            "valueQuantity": {"value": beats, "unit": "/min"}}


def save(conn, record: dict, op: str, at: str, held_by: int | None = None) -> None:
    """A record saved as schema 16 saved it: the record, its chart index row, its outbox
    row with the record's JSON."""
    save_many(conn, [record], op, at, held_by)


def save_many(conn, records: list[dict], op: str, at: str, held_by: int | None = None
              ) -> None:
    rows = []
    for record in records:
        key = (record["resourceType"], record["id"])
        owner = record["id"] if key[0] == "Patient" else record["subject"]["reference"][8:]
        section = "demographics" if key[0] == "Patient" else "vitals"
        rows.append((key, orjson.dumps(record).decode(), owner, section))
    conn.exec_driver_sql(RESOURCE, [(*key, at, body, 0) for key, body, _, _ in rows])
    conn.exec_driver_sql(OUTBOX, [(*key, op, body, at, held_by) for key, body, _, _ in rows])
    conn.exec_driver_sql(COMPARTMENT, [(*key, owner, section, "2024-05-01", None)
                                       for key, _, owner, section in rows])


def delete(conn, kind: str, rid: str, at: str) -> None:
    conn.exec_driver_sql("UPDATE resource SET deleted = 1 WHERE type = ? AND id = ?",
                         (kind, rid))
    conn.exec_driver_sql("DELETE FROM patient_compartment WHERE type = ? AND id = ?",
                         (kind, rid))
    conn.exec_driver_sql(OUTBOX, (kind, rid, "delete", None, at, None))


def schema16_store(path: Path, key: bytes) -> Database:
    database = Database(path, key)
    migrate(database, path.parent / "backups", [m for m in MIGRATIONS if m.number <= 16])
    return database


def outbox_at_16(database: Database) -> list[tuple]:
    """Every queued row as schema 16 holds it: seq, type, id, op, JSON, held_by."""
    with database.read() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(
            "SELECT seq, type, id, op, json, held_by FROM local_change ORDER BY seq")]
