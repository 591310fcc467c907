"""Schema version 3: what sync needs to keep every local edit visible. Frozen once released.

An outbox row can be held by a conflict record (`held_by`): a person must decide before it is
sent, and until then it stays in the outbox, so no edit is lost. A conflict has a kind: "edit"
(both sides changed the same field), "deleted" (one side deleted what the other edited) or
"rejected" (the server refused the change; `reason` says why), so the screen can say which.
"""

SYNC_HOLDS = (
    "ALTER TABLE local_change ADD COLUMN held_by INTEGER REFERENCES conflict (id)",
    "CREATE INDEX local_change_unheld ON local_change (held_by, seq)",
    "ALTER TABLE conflict ADD COLUMN kind TEXT NOT NULL DEFAULT 'edit' "
    "CHECK (kind IN ('edit', 'deleted', 'rejected'))",
    "ALTER TABLE conflict ADD COLUMN reason TEXT",
)
