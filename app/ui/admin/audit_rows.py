"""The audit trail's table model: one row per audit entry, newest first, a refused or failed
access drawn bold on the alert tint so a reviewer's eye goes to it first."""

from app.clinical.audit_trail.viewer import Shown
from app.display_time import when_text
from app.ui.common.table_models import Column, RowsModel

COLUMNS = (Column("When", lambda row: when_text(row.entry.at, with_date=True, seconds=True)),
           Column("User", lambda row: row.entry.user),
           Column("Role", lambda row: row.entry.role or ""),
           Column("Action", lambda row: row.entry.action),
           Column("Outcome", lambda row: row.entry.outcome),
           Column("Patient", lambda row: row.patient),
           Column("Record", lambda row: row.entry.entity or ""),
           Column("Detail", lambda row: row.entry.detail or ""))
DETAIL = 7  # the column that takes the width left


def unusual(row: Shown) -> bool:
    """A refused or failed access: what a review looks for."""
    return row.entry.outcome != "success"


class AuditRows(RowsModel):
    def __init__(self) -> None:
        super().__init__(COLUMNS, flagged=unusual)
