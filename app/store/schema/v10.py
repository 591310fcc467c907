"""Schema version 10: patient merges that can be undone, and possible duplicates for review.
Frozen once released.

patient_merge keeps, per merge (app.clinical.patients.merge), every record as it was before
and as the merge wrote it, and the outbox rows the merge queued (first_seq..last_seq, whose
seq is never reused: local_change is AUTOINCREMENT). While every one of those rows is still
queued the server has seen nothing of the merge, so it can be undone here.

duplicate_review holds pairs of patients that may be one person, flagged when a pull brought
one of them (app.clinical.patients.arrived_duplicates), one row per pair (the smaller id
first), until a person merges them or says they are two people. It is this workstation's
work list, not a record of the patients, so it is not sent to the server.
"""

MERGES_AND_DUPLICATES = (
    """CREATE TABLE patient_merge (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        keep_id TEXT NOT NULL,
        other_id TEXT NOT NULL,
        merged_at TEXT NOT NULL,
        merged_by TEXT NOT NULL,
        before_json TEXT NOT NULL,
        after_json TEXT NOT NULL,
        first_seq INTEGER,
        last_seq INTEGER,
        undone_at TEXT,
        undone_by TEXT
    )""",
    """CREATE TABLE duplicate_review (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        patient_id TEXT NOT NULL,
        other_id TEXT NOT NULL,
        why TEXT NOT NULL,
        flagged_at TEXT NOT NULL,
        flagged_by TEXT NOT NULL,
        resolved_at TEXT,
        resolution TEXT,
        resolved_by TEXT,
        UNIQUE (patient_id, other_id)
    )""",
)
