"""Schema version 7: a keyed audit chain, refused accesses, and the server's checkpoints.
Frozen once released.

The audit table is rebuilt (SQLite cannot change a CHECK constraint in place) so that an
access refused for want of a permission can be recorded with the outcome "refused". Rows
keep their seq, hashes and the AUTOINCREMENT high-water mark, so rows removed from the end
before the upgrade are still found after it.

A random 32-byte audit key is kept in store_meta (inside the encrypted store): rows from
`audit_keyed_from` on are chained with HMAC-SHA256 under it, older rows keep their plain
SHA-256, so a store made by an older Hearth still verifies. `audit_checkpoint` keeps the
chain heads (seq, hash) that a server acknowledged, newest last.
"""

import secrets

from sqlalchemy import Connection

AUDIT_COLUMNS = ("seq, at, user, role, action, patient, entity, outcome, detail, prev_hash, "
                 "hash, uploaded")
REBUILD_AUDIT = (
    """CREATE TABLE audit_v7 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        role TEXT,
        action TEXT NOT NULL CHECK (action IN ('create', 'read', 'update', 'delete', 'query',
                                               'login', 'logout', 'export')),
        patient TEXT,
        entity TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'refused')),
        detail TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        uploaded INTEGER NOT NULL DEFAULT 0
    )""",
    f"INSERT INTO audit_v7 ({AUDIT_COLUMNS}) SELECT {AUDIT_COLUMNS} FROM audit",
    "DROP TABLE audit",
    "ALTER TABLE audit_v7 RENAME TO audit",
    "CREATE INDEX audit_by_patient ON audit (patient, at)",
    "CREATE INDEX audit_by_user ON audit (user, at)",
    "CREATE INDEX audit_not_uploaded ON audit (uploaded, seq)",
    """CREATE TABLE audit_checkpoint (
        seq INTEGER PRIMARY KEY,
        head TEXT NOT NULL,
        server TEXT NOT NULL,
        acknowledged_at TEXT NOT NULL
    )""",
)
HIGH_WATER = "SELECT seq FROM sqlite_sequence WHERE name = 'audit'"


def key_the_audit_chain(conn: Connection) -> None:
    """Rebuild the audit table, keep its high-water mark, and start the keyed chain after
    the last row written so far (after the highest seq ever used, so a row removed from the
    end before the upgrade cannot be replaced by a keyed one)."""
    high_water = conn.exec_driver_sql(HIGH_WATER).scalar_one_or_none() or 0
    for statement in REBUILD_AUDIT:
        conn.exec_driver_sql(statement)
    if high_water:
        conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name IN ('audit', 'audit_v7')")
        conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES ('audit', ?)",
                             (high_water,))
    conn.exec_driver_sql(
        "INSERT INTO store_meta (key, value) VALUES ('audit_key', ?), ('audit_keyed_from', ?)",
        (secrets.token_hex(32), str(high_water + 1)))
