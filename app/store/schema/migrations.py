"""Numbered, atomic schema migrations, with a backup first.

The schema version is SQLite's user_version. Each migration runs in its own transaction
together with the version bump, so a crash leaves the store at the old version or the new
one. Before the first migration touches an existing store, an encrypted copy is written to
the backups directory. A store written by a newer Hearth is refused, never "repaired".
"""

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from app.errors import SchemaTooNew
from app.store.chart_index import chart_fields
from app.store.database import Database
from app.store.schema.v1 import INITIAL_SCHEMA
from app.store.schema.v2 import CHART_INDEX
from app.store.schema.v3 import SYNC_HOLDS
from app.store.schema.v4 import NOTE_DRAFTS
from app.store.schema.v5 import (
    BATCH,
    EMPTY,
    INSERT,
    INSERT_PATIENT,
    NOT_STORED,
    PATIENTS_AFTER,
    ROW_IDS,
)
from app.store.schema.v6 import CONFLICT_ORIGIN
from app.store.schema.v7 import key_the_audit_chain
from app.store.schema.v8 import USER_SIGNATURES
from app.store.schema.v9 import add_close_search
from app.store.schema.v10 import MERGES_AND_DUPLICATES
from app.store.schema.v11 import allow_double_bookings
from app.store.schema.v12 import APPOINTMENTS_BY_START
from app.store.schema.v13 import APPOINTMENTS_BY_PRACTITIONER
from app.store.schema.v14 import REPORT_INDEXES
from app.store.schema.v15 import AUDIT_BY_ACTION_AND_TIME
from app.store.schema.v16 import MUST_CHANGE_PASSWORD
from app.store.schema.v17 import slim_the_write_set
from app.store.search_text import search_terms
from fhir_common import fhir_json


@dataclass(frozen=True)
class Migration:
    number: int
    title: str
    apply: Callable[[Connection], None]
    # A migration that copies tables leaves their old pages free inside the file: the store
    # would stay its old size plus the copies until later writes reuse them.
    frees_pages: bool = False


def _run_statements(statements: Sequence[str]) -> Callable[[Connection], None]:
    def apply(conn: Connection) -> None:
        for statement in statements:
            conn.exec_driver_sql(statement)

    return apply


def _add_chart_index(conn: Connection) -> None:
    _run_statements(CHART_INDEX)(conn)
    rows = conn.exec_driver_sql(
        "SELECT r.type, r.id, r.json FROM resource r JOIN patient_compartment c "
        "ON c.type = r.type AND c.id = r.id").all()
    for kind, rid, body in rows:
        conn.exec_driver_sql(
            "UPDATE patient_compartment SET section = :section, date = :date, "
            "status = :status, code = :code WHERE type = :type AND id = :id",
            {**chart_fields(fhir_json.loads(body)), "type": kind, "id": rid})


def _reindex_patient_search(conn: Connection) -> None:
    """Write the patient search index again, a batch of patients at a time (schema.v5)."""
    kept = [tuple(row) for row in conn.exec_driver_sql(NOT_STORED)]
    conn.exec_driver_sql(EMPTY)
    if kept:
        conn.exec_driver_sql(INSERT, kept)
    after = ""
    while batch := conn.exec_driver_sql(PATIENTS_AFTER, {"after": after, "batch": BATCH}).all():
        conn.exec_driver_sql(ROW_IDS, [(pid,) for pid, _ in batch])
        conn.exec_driver_sql(INSERT_PATIENT, [
            (pid, pid, *search_terms(fhir_json.loads(body)).values()) for pid, body in batch])
        after = batch[-1][0]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _run_statements(INITIAL_SCHEMA)),
    Migration(2, "chart index", _add_chart_index),
    Migration(3, "sync holds and conflict kinds", _run_statements(SYNC_HOLDS)),
    Migration(4, "note drafts", _run_statements(NOTE_DRAFTS)),
    Migration(5, "patient search by name parts and folded letters", _reindex_patient_search),
    Migration(6, "where a conflict's other side came from", _run_statements(CONFLICT_ORIGIN)),
    Migration(7, "keyed audit chain, refused accesses, server checkpoints", key_the_audit_chain),
    Migration(8, "user records signed by the admins", _run_statements(USER_SIGNATURES)),
    Migration(9, "patients found by sound, near spelling and fragment", add_close_search),
    Migration(10, "patient merges and possible duplicates",
              _run_statements(MERGES_AND_DUPLICATES)),
    Migration(11, "double bookings held as sync conflicts", allow_double_bookings),
    Migration(12, "appointments found by start time", _run_statements(APPOINTMENTS_BY_START)),
    Migration(13, "booked times found by practitioner",
              _run_statements(APPOINTMENTS_BY_PRACTITIONER)),
    Migration(14, "clinic reports counted from indexes", _run_statements(REPORT_INDEXES)),
    Migration(15, "audit trail paged by action and by time",
              _run_statements(AUDIT_BY_ACTION_AND_TIME)),
    Migration(16, "a password changed at the next sign-in",
              _run_statements(MUST_CHANGE_PASSWORD)),
    Migration(17, "integer keys and an outbox without copies", slim_the_write_set,
              frees_pages=True),
)


def schema_version(db: Database) -> int:
    with db.read() as conn:
        return conn.exec_driver_sql("PRAGMA user_version").scalar_one()


def migrate(
    db: Database, backups: Path, migrations: Sequence[Migration] = MIGRATIONS
) -> list[Migration]:
    """Bring the store to the newest schema; returns the migrations that ran."""
    current = schema_version(db)
    latest = migrations[-1].number
    if current > latest:
        raise SchemaTooNew(
            f"The store at {db.path.parent} has schema version {current}, but this Hearth "
            f"knows versions up to {latest}. Install the newer Hearth that wrote it; the "
            "store was not changed."
        )
    pending = [m for m in migrations if m.number > current]
    if pending and current > 0:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        db.backup_to(backups / f"hearth-schema{current}-{stamp}.db")
    for migration in pending:
        with db.write() as conn:
            migration.apply(conn)
            conn.exec_driver_sql(f"PRAGMA user_version={migration.number:d}")
    if current > 0 and any(m.frees_pages for m in pending) and _room_to_vacuum(db):
        db.vacuum()
    return pending


def _room_to_vacuum(db: Database) -> bool:
    """VACUUM writes a second copy of the store before it replaces the first; without room
    for it the migrated store is kept as it is (its free pages are reused by later writes)."""
    return shutil.disk_usage(db.path.parent).free > 2 * db.path.stat().st_size
