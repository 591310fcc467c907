"""The audit trail: one append-only, hash-chained row per access to patient data.

Each row's hash covers its content and the previous row's hash, so changing a row breaks
its own hash, and removing or reordering rows breaks the link to the row before. Rows
removed from the end are caught by comparing with SQLite's AUTOINCREMENT high-water mark.
Rows are written inside the caller's transaction, with the record they describe.

Since schema 7 the hash is an HMAC-SHA256 under the store's audit key (store_meta), from
the row `audit_keyed_from` on; older rows keep their plain SHA-256 and verify as before.
What the key adds: whoever has the database file (or a backup) but no password cannot
write a row that verifies, nor recompute the chain after an edit. What it cannot add: any
user who signs in can read the key from the store, so an insider with a shell can still
rewrite rows and recompute their HMACs; only a checkpoint already on the server
(app.security.audit_checkpoints) shows that, for the rows it covers.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import orjson
from sqlalchemy import Connection, select, text

from app.store import schema

GENESIS = "0" * 64
INSERT = ("INSERT INTO audit (at, user, role, action, outcome, patient, entity, detail, "
          "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


class Actor(Protocol):
    """Who acts: the signed-in session (app.security.session.Session, a layer above)."""

    @property
    def user(self) -> str: ...

    @property
    def role(self) -> object: ...


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


def event_for(session: Actor, action: str, **fields) -> Event:
    """An event by the signed-in user, stamped now; fields: outcome, patient, entity, detail."""
    fields.setdefault("outcome", "success")
    return Event(now_text(), session.user, str(session.role), action, **fields)


# What a sync does on its own when records arrive (stores them, files a result for review,
# notes a grant or a possible duplicate) is its row's actor, not the person who started the
# sync: they neither wrote nor read those records. The role "system" is no person's role
# (app.security.roles), and no account may take the name (app.security.users).
SYNC_ACTOR = "sync"
SYSTEM_ROLE = "system"


def by_sync(at: str, started_by: str, action: str, **fields) -> Event:
    """An event the sync did on arrival, saying who started that sync; fields: outcome,
    patient, entity, detail."""
    fields.setdefault("outcome", "success")
    said = fields.pop("detail", None)
    started = f"sync started by {started_by}"
    return Event(at, SYNC_ACTOR, SYSTEM_ROLE, action,
                 detail=f"{said}; {started}" if said else started, **fields)


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
    key = audit_key(conn)
    rows = []
    for event in events:
        digest = chain_hash(event, prev_hash, key)
        rows.append((event.at, event.user, event.role, event.action, event.outcome,
                     event.patient, event.entity, event.detail, prev_hash, digest))
        prev_hash = digest
    conn.exec_driver_sql(INSERT, rows)  # plain executemany: an import writes thousands


def chain_hash(event: Event, prev_hash: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 under the audit key; plain SHA-256 (key None) for rows written before
    the chain was keyed."""
    content = orjson.dumps([
        event.at, event.user, event.role, event.action, event.outcome,
        event.patient, event.entity, event.detail, prev_hash,
    ])
    if key is None:
        return hashlib.sha256(content).hexdigest()
    return hmac.new(key, content, hashlib.sha256).hexdigest()


def audit_key(conn: Connection) -> bytes:
    """The store's audit key. A store whose key row was removed gets a new one, keyed from
    the next row: the trail is never refused a row, and verify reports every older keyed
    row as changed, because none of them matches the new key."""
    value = _meta(conn, "audit_key")
    if value is None:
        next_seq = (conn.execute(text(
            "SELECT seq FROM sqlite_sequence WHERE name = 'audit'")).scalar_one_or_none() or 0) + 1
        value = secrets.token_hex(32)
        conn.execute(text("INSERT OR REPLACE INTO store_meta (key, value) VALUES "
                          "('audit_key', :key)"), {"key": value})
        if _meta(conn, "audit_keyed_from") is None:
            conn.execute(text("INSERT INTO store_meta (key, value) VALUES "
                              "('audit_keyed_from', :seq)"), {"seq": str(next_seq)})
    return bytes.fromhex(value)


def keyed_from(conn: Connection) -> int:
    """The first row chained with the audit key (rows before it use plain SHA-256)."""
    value = _meta(conn, "audit_keyed_from")
    return int(value) if value and value.isdigit() else 1


def _meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(schema.store_meta.c.value).where(
        schema.store_meta.c.key == key)).scalar_one_or_none()


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
    stored_key, first_keyed = _meta(conn, "audit_key"), keyed_from(conn)
    if stored_key is None:
        problems.append(f"the audit key was removed from the store, so rows from {first_keyed} "
                        "on cannot be verified")
    key = bytes.fromhex(stored_key) if stored_key else None
    for row in conn.execute(select(schema.audit).order_by(schema.audit.c.seq)):
        count += 1
        if row.seq > expected_seq:
            missing = f"{expected_seq}" if row.seq == expected_seq + 1 else (
                f"{expected_seq}-{row.seq - 1}")
            problems.append(f"audit row {missing} was removed")
        event = Event(*(getattr(row, f) for f in Event.__dataclass_fields__))
        keyed = row.seq >= first_keyed
        if (not keyed or key) and chain_hash(event, row.prev_hash,
                                             key if keyed else None) != row.hash:
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
