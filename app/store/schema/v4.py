"""Schema version 4: note drafts. Frozen once released.

A draft is the author's work in progress: saved every few seconds and on every focus change
so that a crash or a power cut loses at most the last few seconds of typing. It is not a
FHIR resource and never leaves the workstation (it is in the encrypted store, like
everything else); signing turns it into a DocumentReference, queued for sync, and deletes
the draft in the same transaction.
"""

NOTE_DRAFTS = (
    """CREATE TABLE note_draft (
        id TEXT PRIMARY KEY,
        author TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        encounter_id TEXT,
        template TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        appends TEXT,
        created_at TEXT NOT NULL,
        saved_at TEXT NOT NULL
    )""",
    "CREATE INDEX note_draft_by_author ON note_draft (author, patient_id)",
)
