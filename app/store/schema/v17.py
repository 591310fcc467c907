"""Schema version 17: a slimmer write set. Frozen once released.

Each record saved or imported was written four times keyed on its random UUID text: the
record (primary key (type, id), plus resource_by_id), its outbox row (local_change_by_resource)
and its chart index row (primary key (type, id)); and the outbox row held a second full copy
of its JSON. Past the page cache every insert then read and decrypted a page per index (the
import rate halved by 700,000 records) and the copy made the store 1.6x the size (issue 19).

From here:
- `resource` has an integer key, `record` (an INTEGER PRIMARY KEY: stable, unlike an
  implicit rowid, which VACUUM may renumber), one unique text index (id, type), which also
  finds a record by id alone (a urn:uuid reference names no type), and resource_by_type,
  whose entries are (type, record): new records go at the end of their type's run, so it
  costs no random read. The indexes of schemas 12 to 14 are made again as they were.
- the outbox row names its record by `record` (local_change_by_record: integer, appended)
  and holds no JSON while it is the record's current JSON; the trigger below copies that
  JSON into the record's waiting rows just before it is replaced, so every row still has
  the version it queued (an import compares a file's version with them), and a sync sends
  the newest, as before, once per record however often it was edited. A delete has none.
- the chart index row is keyed by its record's `record` (no text key index; type and id are
  kept, so chart reads still join the record by (type, id)).
- `outbox`, a view: each outbox row with its record's type, id and the JSON it queued.

A foreign key ties each outbox and chart index row to its record, so a record with
changes still waiting can never be removed. Outbox seqs keep their AUTOINCREMENT high-water
mark (a merge's undo names its rows by seq, schema 10). An outbox row whose record is not
stored (no write path makes one) gets a tombstone record made from it, so nothing queued
is lost; a chart index row whose record is not stored indexes nothing and is not kept.

The migration runs in one transaction after the backup (migrations.migrate): a store killed
part-way is at schema 16, as it was, and migrates again at the next start. It copies each
table once, so the old copies' pages are then free inside the file: migrate VACUUMs once
after it (itself one transaction; skipped without disk room for a second copy, when later
writes reuse those pages instead). At 100,059 records: 26-32 s, 341 MB -> 223 MB.
"""

from sqlalchemy import Connection

from app.store.schema.v12 import APPOINTMENTS_BY_START
from app.store.schema.v13 import APPOINTMENTS_BY_PRACTITIONER
from app.store.schema.v14 import REPORT_INDEXES

KEPT_JSON = "CASE WHEN l.op = 'delete' THEN NULL ELSE coalesce(l.json, r.json) END"

TOMBSTONES_FOR_ORPHANS = (
    "INSERT INTO resource (type, id, version_id, last_updated, json, deleted) "
    "SELECT l.type, l.id, NULL, max(l.at), coalesce((SELECT j.json FROM local_change j "
    "WHERE j.type = l.type AND j.id = l.id AND j.json IS NOT NULL ORDER BY j.seq DESC "
    "LIMIT 1), json_object('resourceType', l.type, 'id', l.id)), 1 FROM local_change l "
    "WHERE NOT EXISTS (SELECT 1 FROM resource r WHERE r.type = l.type AND r.id = l.id) "
    "GROUP BY l.type, l.id")

RESOURCES = (
    """CREATE TABLE resource_v17 (
        record INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        version_id TEXT,
        last_updated TEXT NOT NULL,
        json TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0
    )""",
    "INSERT INTO resource_v17 (record, type, id, version_id, last_updated, json, deleted) "
    "SELECT rowid, type, id, version_id, last_updated, json, deleted FROM resource "
    "ORDER BY rowid",
    "DROP TABLE resource",
    "ALTER TABLE resource_v17 RENAME TO resource",
    "CREATE UNIQUE INDEX resource_by_key ON resource (id, type)",
    "CREATE INDEX resource_by_type ON resource (type)",
    *APPOINTMENTS_BY_START,
    *APPOINTMENTS_BY_PRACTITIONER,
    *REPORT_INDEXES,
)

OUTBOX = (
    """CREATE TABLE local_change_v17 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        record INTEGER NOT NULL REFERENCES resource (record),
        op TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
        base_version TEXT,
        json TEXT,
        user TEXT NOT NULL,
        at TEXT NOT NULL,
        held_by INTEGER REFERENCES conflict (id)
    )""",
    # a row keeps its JSON only where it is not the record's current one
    "INSERT INTO local_change_v17 (seq, record, op, base_version, json, user, at, held_by) "
    "SELECT l.seq, r.record, l.op, l.base_version, CASE WHEN l.op = 'delete' OR "
    "l.json IS r.json THEN NULL ELSE l.json END, l.user, l.at, l.held_by "
    "FROM local_change l JOIN resource r ON r.type = l.type AND r.id = l.id ORDER BY l.seq",
    "DROP TABLE local_change",
    "ALTER TABLE local_change_v17 RENAME TO local_change",
    "CREATE INDEX local_change_by_record ON local_change (record)",
    "CREATE INDEX local_change_unheld ON local_change (held_by, seq)",
    # When a record's JSON is replaced, its waiting rows that meant that JSON get a copy.
    """CREATE TRIGGER resource_keeps_queued_json AFTER UPDATE OF json ON resource
    WHEN OLD.json IS NOT NEW.json BEGIN
        UPDATE local_change SET json = OLD.json
        WHERE record = OLD.record AND json IS NULL AND op != 'delete';
    END""",
    f"""CREATE VIEW outbox AS SELECT l.seq, l.record, r.type, r.id, l.op, l.base_version,
        {KEPT_JSON} AS json, l.user, l.at, l.held_by
        FROM local_change l JOIN resource r ON r.record = l.record""",
)

COMPARTMENT = (
    """CREATE TABLE patient_compartment_v17 (
        record INTEGER PRIMARY KEY REFERENCES resource (record),
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        section TEXT,
        date TEXT,
        status TEXT,
        code TEXT
    )""",
    "INSERT INTO patient_compartment_v17 (record, type, id, patient_id, section, date, "
    "status, code) SELECT r.record, c.type, c.id, c.patient_id, c.section, c.date, c.status, "
    "c.code FROM patient_compartment c JOIN resource r ON r.type = c.type AND r.id = c.id "
    "ORDER BY r.record",
    "DROP TABLE patient_compartment",
    "ALTER TABLE patient_compartment_v17 RENAME TO patient_compartment",
    "CREATE INDEX compartment_by_patient ON patient_compartment (patient_id, type)",
    "CREATE INDEX compartment_by_section ON patient_compartment (patient_id, section, date)",
)

OUTBOX_HIGH_WATER = "SELECT seq FROM sqlite_sequence WHERE name = 'local_change'"


def slim_the_write_set(conn: Connection) -> None:
    """Integer keys for records, outbox and chart index; the outbox without JSON copies."""
    high_water = conn.exec_driver_sql(OUTBOX_HIGH_WATER).scalar_one_or_none()
    conn.exec_driver_sql(TOMBSTONES_FOR_ORPHANS)
    for statement in (*RESOURCES, *OUTBOX, *COMPARTMENT):
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name IN "
                         "('local_change', 'local_change_v17')")
    if high_water:
        conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) "
                             "VALUES ('local_change', ?)", (high_water,))
