"""Schema version 15: the audit trail read a page at a time by action or by time.
Frozen once released.

The Admin tab's Audit trail (app.security.audit_review) pages the trail newest first by
(at, seq) through an index whose leading column the filter fixes. audit_by_user and
audit_by_patient (v7) serve those filters; a filter by action alone, or by a time range
alone, had none and read the whole trail: 1.0-1.7 s at a million rows. These two indexes
(their trailing rowid is seq) serve them. Building them reads the trail once.
"""

AUDIT_BY_ACTION_AND_TIME = (
    "CREATE INDEX audit_by_action ON audit (action, at)",
    "CREATE INDEX audit_by_time ON audit (at)",
)
