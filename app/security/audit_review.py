"""Reviewing the audit trail: verify the chain, export it as CSV (ONC 170.315(d)(3)).

Both are privileged (admin, auditor) and both leave their own trace in the trail.
"""

import csv
from collections.abc import Callable
from typing import TextIO

from sqlalchemy import select

from app.errors import UsageError
from app.security.audit_checkpoints import checkpoint_problems
from app.security.roles import Permission
from app.security.session import Session
from app.store import audit_log as audit
from app.store import schema
from app.store.store import Store

COLUMNS = ("seq", "at", "user", "role", "action", "outcome", "patient", "entity", "detail")
SORT_KEYS = {
    "time": (schema.audit.c.seq,),
    "user": (schema.audit.c.user, schema.audit.c.seq),
    "patient": (schema.audit.c.patient, schema.audit.c.seq),
}


class AuditReview:
    def __init__(self, store: Store):
        self._store = store

    def verify(self, session: Session,
               server_check: Callable[[], list[str]] | None = None) -> audit.Verification:
        """The chain, the last checkpoint kept here and, given `server_check`, the server's
        newest checkpoint (sync.audit_checkpoint.compare_with_server)."""
        session.require(Permission.REVIEW_AUDIT)
        from_server = server_check() if server_check else []
        with self._store.write() as conn:
            result = audit.verify(conn)
            result = audit.Verification(
                result.rows, result.problems + checkpoint_problems(conn) + from_server)
            audit.append(conn, audit.event_for(
                session, "query", entity="AuditTrail",
                detail=f"verified {result.rows} rows"
                       + (" and the server's checkpoint" if server_check else "") + ": "
                       + ("intact" if result.intact else f"{len(result.problems)} problems")))
        return result

    def export(
        self, session: Session, out: TextIO, sort: str = "time", user: str | None = None,
        patient: str | None = None, since: str | None = None, until: str | None = None,
    ) -> int:
        """Write matching rows as CSV; `since`/`until` are ISO dates or times (UTC)."""
        session.require(Permission.REVIEW_AUDIT)
        if sort not in SORT_KEYS:
            raise UsageError(f"Cannot sort by '{sort}'; choose time, user or patient.")
        query = select(*(schema.audit.c[c] for c in COLUMNS)).order_by(*SORT_KEYS[sort])
        if user:
            query = query.where(schema.audit.c.user == user)
        if patient:
            query = query.where(schema.audit.c.patient == patient)
        if since:
            query = query.where(schema.audit.c.at >= since)
        if until:
            query = query.where(schema.audit.c.at < until)
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        with self._store.write() as conn:
            count = 0
            for row in conn.execute(query):
                writer.writerow(row)
                count += 1
            filters = {"sort": sort, "user": user, "patient": patient, "since": since,
                       "until": until}
            audit.append(conn, audit.event_for(
                session, "export", entity="AuditTrail",
                detail=f"{count} rows as CSV; " + ", ".join(
                    f"{k}={v}" for k, v in filters.items() if v)))
        return count
