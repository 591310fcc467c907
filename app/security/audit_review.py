"""Reviewing the audit trail: verify the chain, export it as CSV (ONC 170.315(d)(3)), and
the filtered, paged reading the Admin tab's Audit trail shows (app.clinical.audit_trail).

All are privileged (admin, auditor) and all leave their own trace in the trail.

Paging is by keyset, never by OFFSET and never by loading the trail: a page is the next
`size` rows after the last one shown, in an order an index already holds, so the first page
of a million matching rows costs what the first page of ten does. Filtered, rows come newest
first by (at, seq) from the filter's index (audit_by_user, _by_patient, _by_action,
_by_time: their trailing rowid is seq); unfiltered, newest first by seq, the table's own
order. How many match is counted only up to COUNT_CAP: beyond it the screen says "more
than 1,000,000" (the whole trail, unfiltered, is counted exactly: that costs nothing).
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import Connection, and_, func, or_, select

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
    "action": (schema.audit.c.action, schema.audit.c.seq),  # (d)(3): every data element
    "record": (schema.audit.c.entity, schema.audit.c.seq),  # the data accessed
}


Verification = audit.Verification  # what verify answers, named for screens (not the store)
ACTIONS = ("create", "read", "update", "delete", "query", "login", "logout", "export")
COUNT_CAP = 1_000_000  # a filter's count stops here (tests/perf/bench_audit_viewer)


@dataclass(frozen=True)
class AuditFilter:
    """Which rows: every field set narrows; times are UTC ISO 8601, `until` exclusive.
    `patients` None means any patient; an empty tuple (a name that finds no one) none."""
    user: str | None = None
    patients: tuple[str, ...] | None = None
    action: str | None = None
    since: str | None = None
    until: str | None = None

    def check(self) -> None:
        """Refuse what cannot match by mistake, with a sentence naming it."""
        if self.action and self.action not in ACTIONS:
            raise UsageError(f"There is no audit action '{self.action}'; choose one of "
                             f"{', '.join(ACTIONS)}.")
        if self.since and self.until and self.until <= self.since:
            raise UsageError("The time range ends before it starts; put the earlier time "
                             "in From.")

    @property
    def by_index(self) -> bool:
        """Read newest first by (at, seq) through the index of a filter (audit_by_user,
        _by_patient, _by_action, _by_time); unfiltered, by seq, the table's own order."""
        return bool(self.user or self.patients or self.action or self.since or self.until)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    user: str
    role: str | None
    action: str
    outcome: str
    patient: str | None
    entity: str | None
    detail: str | None


def _conditions(wanted: AuditFilter) -> list:
    c = schema.audit.c
    found = []
    if wanted.user:
        found.append(c.user == wanted.user)
    if wanted.patients is not None:
        found.append(c.patient.in_(wanted.patients))
    if wanted.action:
        found.append(c.action == wanted.action)
    if wanted.since:
        found.append(c.at >= wanted.since)
    if wanted.until:
        found.append(c.at < wanted.until)
    return found


def _newest_first(wanted: AuditFilter, after: AuditEntry | None = None):
    c = schema.audit.c
    query = select(*(c[name] for name in AuditEntry.__dataclass_fields__)).where(
        *_conditions(wanted))
    if wanted.by_index:
        if after is not None:
            query = query.where(or_(c.at < after.at, and_(c.at == after.at, c.seq < after.seq)))
        return query.order_by(c.at.desc(), c.seq.desc())
    if after is not None:
        query = query.where(c.seq < after.seq)
    return query.order_by(c.seq.desc())


def entries_after(conn: Connection, wanted: AuditFilter, after: AuditEntry | None,
                  size: int) -> list[AuditEntry]:
    """The next `size` matching rows, newest first, after `after` (None: the newest)."""
    rows = conn.execute(_newest_first(wanted, after).limit(size))
    return [AuditEntry(*row) for row in rows]


def matching_entries(conn: Connection, wanted: AuditFilter) -> Iterator[AuditEntry]:
    """Every matching row, newest first, streamed (an export never holds the trail)."""
    for row in conn.execute(_newest_first(wanted)):
        yield AuditEntry(*row)


def count_entries(conn: Connection, wanted: AuditFilter,
                  cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(how many rows match, True when there are more than that: counting stopped at cap)."""
    conditions = _conditions(wanted)
    if not conditions:  # the whole trail: SQLite counts a b-tree without reading its rows
        return conn.execute(select(func.count()).select_from(schema.audit)).scalar_one(), False
    inner = select(schema.audit.c.seq).where(*conditions).limit(cap + 1).subquery()
    counted = conn.execute(select(func.count()).select_from(inner)).scalar_one()
    return min(counted, cap), counted > cap


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
            raise UsageError(f"Cannot sort by '{sort}'; choose {', '.join(SORT_KEYS)}.")
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
