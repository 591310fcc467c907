"""The audit trail: one append-only, hash-chained row per access to patient data.

Each row's hash covers its content and the previous row's hash, so changing a row breaks
its own hash, and removing or reordering rows breaks the link to the row before. Rows
removed from the end are caught by comparing with SQLite's AUTOINCREMENT high-water mark.
Rows are written inside the caller's transaction, with the record they describe.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy import Connection, insert, select, text

from app.security.session import Session
from app.store import schema

GENESIS = "0" * 64


@dataclass(frozen=True)
class Event:
    at: str
    user: str
    role: str | None
    action: str
    outcome: str
    patient: str | None = None
    entity: str | None = None
    detail: str | None = None


def event_for(session: Session, action: str, **fields) -> Event:
    """An event by the signed-in user, stamped now; fields: outcome, patient, entity, detail."""
    fields.setdefault("outcome", "success")
    return Event(now_text(), session.user, str(session.role), action, **fields)


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def append(conn: Connection, event: Event) -> None:
    """Append one event after the current head of the chain."""
    append_many(conn, [event])


def append_many(conn: Connection, events: list[Event]) -> None:
    """Append events in order, chained one to the next (an import writes thousands)."""
    if not events:
        return
    prev_hash = conn.execute(
        select(schema.audit.c.hash).order_by(schema.audit.c.seq.desc()).limit(1)
    ).scalar_one_or_none() or GENESIS
    rows = []
    for event in events:
        digest = chain_hash(event, prev_hash)
        rows.append({**event.__dict__, "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    conn.execute(insert(schema.audit), rows)


def chain_hash(event: Event, prev_hash: str) -> str:
    content = [
        event.at, event.user, event.role, event.action, event.outcome,
        event.patient, event.entity, event.detail, prev_hash,
    ]
    return hashlib.sha256(orjson.dumps(content)).hexdigest()


@dataclass(frozen=True)
class Verification:
    rows: int
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(conn: Connection) -> Verification:
    problems: list[str] = []
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for row in conn.execute(select(schema.audit).order_by(schema.audit.c.seq)):
        count += 1
        if row.seq > expected_seq:
            missing = f"{expected_seq}" if row.seq == expected_seq + 1 else (
                f"{expected_seq}-{row.seq - 1}")
            problems.append(f"audit row {missing} was removed")
        event = Event(*(getattr(row, f) for f in Event.__dataclass_fields__))
        if chain_hash(event, row.prev_hash) != row.hash:
            problems.append(f"audit row {row.seq} was changed after it was written")
        elif row.prev_hash != prev_hash and row.seq == expected_seq:
            problems.append(f"audit rows are out of order at row {row.seq}")
        expected_seq, prev_hash = row.seq + 1, row.hash
    high_water = conn.execute(
        text("SELECT seq FROM sqlite_sequence WHERE name = 'audit'")
    ).scalar_one_or_none() or 0
    if high_water >= expected_seq:
        problems.append(f"audit rows {expected_seq}-{high_water} were removed from the end")
    return Verification(count, problems)
