"""Schema version 1, frozen as SQL: later versions add migrations, never edit this file.

See ARCHITECTURE.md "Local store: FHIR-native". Times are ISO 8601 UTC text, which sorts.
"""

INITIAL_SCHEMA = (
    # Facts about this store itself (its id, when it was made).
    """CREATE TABLE store_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    # The current local copy of every FHIR resource, as the JSON it is on the server.
    """CREATE TABLE resource (
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        version_id TEXT,
        last_updated TEXT NOT NULL,
        json TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (type, id)
    )""",
    # The last version the server confirmed: the common ancestor for three-way merge.
    """CREATE TABLE base (
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        version_id TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (type, id)
    )""",
    # The outbox, written in the same transaction as the change. Ordered by seq, never clock.
    """CREATE TABLE local_change (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
        base_version TEXT,
        json TEXT,
        user TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX local_change_by_resource ON local_change (type, id)",
    # Append-only, hash-chained trail of every access to patient data.
    """CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        role TEXT,
        action TEXT NOT NULL CHECK (action IN ('create', 'read', 'update', 'delete', 'query',
                                               'login', 'logout', 'export')),
        patient TEXT,
        entity TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
        detail TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        uploaded INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX audit_by_patient ON audit (patient, at)",
    "CREATE INDEX audit_by_user ON audit (user, at)",
    "CREATE INDEX audit_not_uploaded ON audit (uploaded, seq)",
    # Local, remote and base versions kept until a person resolves them.
    """CREATE TABLE conflict (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        type TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        local_json TEXT,
        remote_json TEXT,
        base_json TEXT,
        remote_version TEXT,
        detected_at TEXT NOT NULL,
        resolved_at TEXT,
        resolution TEXT,
        resolved_by TEXT
    )""",
    "CREATE INDEX conflict_open ON conflict (resolved_at, type, resource_id)",
    # Per-scope sync cursors, saved in the same transaction as the page they cover.
    """CREATE TABLE sync_state (
        scope TEXT PRIMARY KEY,
        cursor TEXT,
        updated_at TEXT NOT NULL
    )""",
    # Which patient each resource belongs to (the FHIR patient compartment).
    """CREATE TABLE patient_compartment (
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        PRIMARY KEY (type, id)
    )""",
    "CREATE INDEX compartment_by_patient ON patient_compartment (patient_id, type)",
    # Patient search: names, identifiers, phone, birth date; accent- and case-insensitive.
    """CREATE VIRTUAL TABLE patient_search USING fts5 (
        patient_id UNINDEXED,
        names,
        identifiers,
        telecom,
        birth_date,
        tokenize = "unicode61 remove_diacritics 2 tokenchars '-'",
        prefix = '1 2 3'
    )""",
    # Local accounts. Passwords are argon2id hashes; roles are fixed names.
    """CREATE TABLE app_user (
        name TEXT PRIMARY KEY,
        full_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('physician', 'nurse', 'front-desk', 'billing',
                                           'admin', 'auditor')),
        password_hash TEXT NOT NULL,
        locked INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL
    )""",
)
