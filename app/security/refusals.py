"""Refused accesses go into the audit trail, like the accesses that were allowed.

A user who tries what her role does not permit (front desk opening a chart) is exactly
what an audit review looks for, so each refusal is a chained row with the outcome
"refused" naming the permission. The row is written in its own transaction, because the
refusal rolls back whatever the service had begun; a service must therefore check the
permission before it opens a write transaction of its own.
"""

from collections.abc import Callable

from app.security.roles import Permission
from app.security.session import Session
from app.store import audit_log as audit
from app.store.store import Store

# The kind of access each permission guards, as the trail's action column names it.
ACTIONS = {
    Permission.READ_DEMOGRAPHICS: "read", Permission.READ_CHART: "read",
    Permission.REVIEW_AUDIT: "query", Permission.IMPORT_RECORDS: "create",
}


def refusal_recorder(store: Store) -> Callable[[Session, Permission], None]:
    def record(session: Session, permission: Permission) -> None:
        with store.write() as conn:
            audit.append(conn, audit.event_for(
                session, ACTIONS.get(permission, "update"), outcome="refused",
                detail=f"refused: {session.role} may not {permission}"))

    return record
