"""Sync conflicts: listing them and letting a person decide, never deciding for them.

A conflict holds the local, remote and base versions of one resource, and its outbox rows
wait, held, until someone with the right to edit that record chooses: keep the local
version (it is sent over the server's), keep the server's (the local edit is replaced, and
the audit row records that), or a merged version they wrote. The conflict row stays, marked
resolved, with who chose what and when.
"""

from dataclasses import dataclass

import orjson
from sqlalchemy import Connection

from app.errors import InvalidRecord, NotFound
from app.security import audit
from app.security.roles import Permission
from app.security.session import Session
from app.store.resources import remove_local, requeue, set_bases, store_server_versions
from app.store.store import Store
from sync.compartment import patient_of

CHOICES = ("local", "remote", "merged")
FIELDS = ("id, type, resource_id, kind, reason, local_json, remote_json, base_json, "
          "remote_version, detected_at, resolved_at, resolution, resolved_by")


@dataclass(frozen=True)
class Conflict:
    id: int
    type: str
    resource_id: str
    kind: str  # "edit", "deleted" or "rejected"
    reason: str | None
    local: dict | None  # None: deleted here
    remote: dict | None  # None: deleted on (or never reached) the server
    base: dict | None
    remote_version: str | None
    detected_at: str
    resolved_at: str | None
    resolution: str | None
    resolved_by: str | None

    @property
    def reference(self) -> str:
        return f"{self.type}/{self.resource_id}"

    @property
    def patient_id(self) -> str | None:
        record = self.local or self.remote or self.base
        return patient_of(record) if record else None


def permission_for(resource_type: str) -> Permission:
    return Permission.EDIT_DEMOGRAPHICS if resource_type == "Patient" else Permission.EDIT_CHART


class Conflicts:
    def __init__(self, store: Store):
        self._store = store

    def list(self, session: Session, include_resolved: bool = False) -> list[Conflict]:
        """The conflicts this user may resolve, oldest first."""
        where = "" if include_resolved else " WHERE resolved_at IS NULL"
        with self._store.read() as conn:
            rows = conn.exec_driver_sql(f"SELECT {FIELDS} FROM conflict{where} ORDER BY id")
            found = [_conflict(row) for row in rows]
        return [c for c in found if session.may(permission_for(c.type))]

    def get(self, session: Session, conflict_id: int) -> Conflict:
        with self._store.write() as conn:
            conflict = _load(conn, conflict_id)
            session.require(permission_for(conflict.type))
            audit.append(conn, audit.event_for(
                session, "read", patient=conflict.patient_id, entity=conflict.reference,
                detail=f"sync conflict {conflict_id}"))
        return conflict

    def resolve(self, session: Session, conflict_id: int, keep: str,
                merged: dict | None = None) -> Conflict:
        if keep not in CHOICES:
            raise InvalidRecord(f"Keep one of {', '.join(CHOICES)}, not {keep!r}.")
        if (keep == "merged") != (merged is not None):
            raise InvalidRecord("A merged version is given with --keep merged, and only then.")
        with self._store.write() as conn:
            conflict = _load(conn, conflict_id)
            session.require(permission_for(conflict.type))
            if conflict.resolved_at:
                raise InvalidRecord(
                    f"Conflict {conflict_id} was already resolved by {conflict.resolved_by} "
                    f"at {conflict.resolved_at} (kept {conflict.resolution}).")
            if merged is not None and (merged.get("resourceType"), merged.get("id")) != (
                    conflict.type, conflict.resource_id):
                raise InvalidRecord(f"The merged version must be {conflict.reference}.")
            event = audit.event_for(
                session, "update", patient=conflict.patient_id, entity=conflict.reference,
                detail=f"sync conflict {conflict_id} resolved: kept {keep}")
            _apply(conn, conflict, keep, merged, session.user, event.at)
            conn.exec_driver_sql(
                "UPDATE conflict SET resolved_at = ?, resolution = ?, resolved_by = ? "
                "WHERE id = ?", (event.at, keep, session.user, conflict_id))
            audit.append(conn, event)
            return _load(conn, conflict_id)


def _apply(conn: Connection, conflict: Conflict, keep: str, merged: dict | None, user: str,
           at: str) -> None:
    """Release the held outbox rows and make the chosen version the local one."""
    key = (conflict.type, conflict.resource_id)
    conn.exec_driver_sql("DELETE FROM local_change WHERE type = ? AND id = ?", key)
    conn.exec_driver_sql("UPDATE local_change SET held_by = NULL WHERE held_by = ?",
                         (conflict.id,))
    server = conflict.remote if conflict.kind != "rejected" else conflict.base
    if server is not None:
        set_bases(conn, [(server, conflict.remote_version or _version(server), at)])
    elif conflict.kind == "deleted":  # the server deleted it: a kept version is created anew
        conn.exec_driver_sql("DELETE FROM base WHERE type = ? AND id = ?", key)
    chosen = {"local": conflict.local, "remote": server, "merged": merged}[keep]
    if chosen is None:
        remove_local(conn, *key, at)
        if keep == "local" and server is not None:  # deleted here: send the delete
            conn.exec_driver_sql(
                "INSERT INTO local_change (type, id, op, base_version, json, user, at) "
                "VALUES (?, ?, 'delete', ?, NULL, ?, ?)",
                (*key, conflict.remote_version or _version(server), user, at))
    elif keep == "remote":
        store_server_versions(conn, [(chosen, _version(chosen), at)])
    else:
        requeue(conn, dict(chosen), user, at)


def _version(resource: dict) -> str | None:
    return resource.get("meta", {}).get("versionId")


def _load(conn: Connection, conflict_id: int) -> Conflict:
    row = conn.exec_driver_sql(f"SELECT {FIELDS} FROM conflict WHERE id = ?",
                               (conflict_id,)).first()
    if row is None:
        raise NotFound(f"There is no sync conflict {conflict_id}.")
    return _conflict(row)


def _conflict(row) -> Conflict:
    values = list(row)
    for i in (5, 6, 7):
        values[i] = orjson.loads(values[i]) if values[i] else None
    return Conflict(*values)
