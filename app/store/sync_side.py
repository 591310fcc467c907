"""The local store as the sync engine sees it: `sync.local.LocalSide` over the encrypted store.

It lives in the store, beside the audit chain (app.store.audit_log), because it stores the
server's versions as they came (nothing to validate or queue); what sync changes in a chart
is still audited like any other change.

Each method is one write transaction, so the outbox, the merge base, the local copy, the
pull cursor and the audit rows move together or not at all. What a pull does with what
arrived (records received, a result filed for review, a grant or possible duplicate noted,
a double booking held) is audited as done by the sync itself (audit_log.by_sync: user
"sync", role "system"), its detail naming the server as the source and who started the
sync, since that person neither wrote nor read those records. A merge with the user's own
pending edit is audited as theirs.

A note signed here is never changed by a pull or a merge: a server version that would alter
it (or delete it) is held as a conflict beside the signed one, for a person to review, and
the holding is audited. Only the marks a signed note admits (a cosignature, a retraction)
arrive as they are (app.store.signed_notes).

After each transaction that changed local records or the outbox (records confirmed and
their outbox rows removed, a merge, records received, a version held as a conflict), what
changed is published as `Changes` on the workstation's feed, so an open chart clears its
"pending sync" or shows what arrived without being reopened.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from app.store import audit_log as audit
from app.store.audit_sync_side import AuditSyncSide
from app.store.changes import ChangeFeed, Changes
from app.store.resources import (
    INSERT_CHANGE,
    RECORD,
    get_resource,
    put_resources,
    remove_local,
    set_bases,
    store_server_versions,
)
from app.store.signed_notes import signed_note_refusal
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of
from sync.local import AppliedPage, PendingChange, RemoteVersion

OLDEST_UNHELD = ("SELECT l.seq, r.type, r.id FROM local_change l JOIN resource r "
                 "ON r.record = l.record WHERE l.held_by IS NULL AND l.seq > ? "
                 "ORDER BY l.seq LIMIT ?")
OUTBOX_HEADS = ("SELECT r.type, r.id, MAX(l.seq) FROM resource r JOIN local_change l "
                "ON l.record = r.record WHERE r.type = ? AND r.id IN ({}) GROUP BY r.type, r.id")
KNOWN_VERSIONS = ("SELECT type, id, version_id, json_extract(json, '$.meta.lastUpdated') "
                  "FROM base WHERE type = ? AND id IN ({})")
HEAD = f"SELECT MAX(seq), MAX(held_by IS NOT NULL) FROM local_change WHERE record = {RECORD}"
# A check of the records a pull stored, run in the pull's transaction by whoever builds the
# sync (app.bootstrap), e.g. app.clinical.patients.arrived_duplicates: given the records,
# the user and the time, it returns the audit rows to add, (patient, entity, detail) each.
ReceivedCheck = Callable[[Connection, list[dict], str, str], list[tuple[str, str, str]]]


@dataclass(frozen=True)
class Derived:
    """What a pull filer makes of a page: a record every workstation derives alike from the
    same arrivals (a result's review Task), kept here and never queued, since another's copy
    replaces it on arrival; or, with `record` None, only a note of what could not be made."""

    record: dict | None
    patient: str | None
    entity: str
    detail: str


ReceivedFiler = Callable[[Connection, list[dict]], list[Derived]]


class StoreSyncSide(AuditSyncSide):
    def __init__(self, store: Store, user: str, role: str | None,
                 feed: ChangeFeed | None = None, checks: Sequence[ReceivedCheck] = (),
                 filers: Sequence[ReceivedFiler] = ()):
        self.store_id = store.store_id
        self._store, self._user, self._role = store, user, role
        self._feed = feed or ChangeFeed()
        self._checks, self._filers = checks, filers

    # -- push ---------------------------------------------------------------------------

    def pending_changes(self, limit: int) -> list[PendingChange]:
        """Walks the outbox in seq order by index (an import can queue 400,000 rows, which a
        GROUP BY over the whole table would read on every batch), skipping held resources."""
        changes: list[PendingChange] = []
        seen: set[tuple[str, str]] = set()
        after = 0
        with self._store.read() as conn:
            refused = [f'"{kind}/{rid}"' for kind, rid in conn.exec_driver_sql(
                "SELECT type, resource_id FROM conflict WHERE kind = 'rejected' "
                "AND resolved_at IS NULL")]
            while len(changes) < limit:
                rows = conn.exec_driver_sql(OLDEST_UNHELD, (after, limit * 4)).all()
                for _, kind, rid in rows:
                    if (kind, rid) in seen or len(changes) == limit:
                        continue
                    seen.add((kind, rid))
                    head, held = conn.exec_driver_sql(HEAD, (kind, rid)).one()
                    change = None if held else self._change(conn, kind, rid, head)
                    if change and not _refers_to(change, refused):
                        changes.append(change)
                if len(rows) < limit * 4:
                    break
                after = rows[-1][0]
        return changes

    def pending_count(self) -> int:
        with self._store.read() as conn:
            return conn.exec_driver_sql(
                "SELECT count(DISTINCT record) FROM local_change").scalar_one()

    def open_conflict_count(self) -> int:
        with self._store.read() as conn:
            return conn.exec_driver_sql(
                "SELECT count(*) FROM conflict WHERE resolved_at IS NULL").scalar_one()

    def note_creates_sent(self, changes: list[PendingChange]) -> None:
        """Kept in sync_state (one row per create, until the server's answer is stored), so
        a crash or a lost answer leaves the body that may be on the server."""
        at = audit.now_text()
        with self._store.write() as conn:
            conn.exec_driver_sql(
                "INSERT OR REPLACE INTO sync_state (scope, cursor, updated_at) VALUES (?, ?, ?)",
                [(_sent_key(c.type, c.id), _json(c.resource), at) for c in changes])

    def confirm(self, change: PendingChange, remote: RemoteVersion) -> None:
        self.confirm_many([(change, remote)])

    def confirm_many(self, accepted: list[tuple[PendingChange, RemoteVersion]]) -> None:
        """A whole Bundle's answers in one write transaction (one per resource made the
        client, not the server, the limit of a push)."""
        if not accepted:
            return
        confirmed, dropped = [], 0
        with self._store.write() as conn:
            unedited = []
            for change, remote in accepted:
                confirmed.append(_record_of(change, remote))
                dropped += _drop_outbox(conn, change)
                if remote.deleted:
                    conn.exec_driver_sql("DELETE FROM base WHERE type = ? AND id = ?",
                                         (change.type, change.id))
                elif _has_newer(conn, change):  # edited during the upload: keep the edit
                    set_bases(conn, [_version_row(remote)])
                    conn.exec_driver_sql("UPDATE resource SET version_id = ? WHERE type = ? "
                                         "AND id = ?", (remote.version_id, change.type,
                                                        change.id))
                else:
                    unedited.append(_version_row(remote))
            store_server_versions(conn, unedited)
        self._feed.publish(Changes.of(confirmed, -dropped))

    def replace_with_merge(self, change: PendingChange, remote: RemoteVersion,
                           merged: dict) -> bool:
        with self._store.write() as conn:
            if _has_newer(conn, change):
                return False
            if refusal := _signed_refusal(conn, change.type, change.id, merged):
                self._hold_for_signed_note(conn, change, remote, refusal)
                changes = Changes.of([_record_of(change, remote)], 0)
            else:
                changes = self._merge(conn, change, remote, merged)
        self._feed.publish(changes)
        return True

    def _merge(self, conn: Connection, change: PendingChange, remote: RemoteVersion,
               merged: dict) -> Changes:
        """The merged record replaces the local one and is queued in place of the change."""
        dropped = _drop_outbox(conn, change)
        at = audit.now_text()
        store_server_versions(conn, [(merged, remote.version_id, at)])
        set_bases(conn, [_version_row(remote)])
        conn.exec_driver_sql(INSERT_CHANGE, (change.type, change.id, "update",
                                             remote.version_id, self._user, at))
        self._audit(conn, [merged], f"merged with server version {remote.version_id}")
        return Changes.of([merged], 1 - dropped)

    def record_conflict(self, change: PendingChange, remote: RemoteVersion | None,
                        kind: str, reason: str) -> bool:
        with self._store.write() as conn:
            if kind != "rejected" and _has_newer(conn, change):
                return False
            self._hold(conn, change, remote, kind, reason)
        self._feed.publish(Changes.of([_record_of(change, remote)], 0))
        return True

    def _hold(self, conn: Connection, change: PendingChange, remote: RemoteVersion | None,
              kind: str, reason: str) -> int:
        """Record the conflict and hold the resource's outbox rows with it; its id."""
        local = conn.exec_driver_sql(
            "SELECT json FROM resource WHERE type = ? AND id = ? AND deleted = 0",
            (change.type, change.id)).scalar_one_or_none()
        conflict_id = conn.exec_driver_sql(
            "INSERT INTO conflict (type, resource_id, local_json, remote_json, base_json, "
            "remote_version, detected_at, kind, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (change.type, change.id, local, _json(remote and remote.resource),
             _json(change.base), remote and remote.version_id, audit.now_text(), kind,
             reason)).lastrowid
        conn.exec_driver_sql(f"UPDATE local_change SET held_by = ? WHERE record = {RECORD}",
                             (conflict_id, change.type, change.id))
        # The server's side is now in the conflict: a person's decision is what goes next.
        conn.exec_driver_sql("DELETE FROM sync_state WHERE scope = ?",
                             (_sent_key(change.type, change.id),))
        if kind == "rejected":  # what refers to a refused resource would fail too
            conn.exec_driver_sql(
                "UPDATE local_change SET held_by = ? WHERE seq IN (SELECT seq FROM outbox "
                "WHERE held_by IS NULL AND instr(json, ?) > 0)", (conflict_id, f'"{change.key}"'))
        return conflict_id

    def _hold_for_signed_note(self, conn: Connection, change: PendingChange,
                              remote: RemoteVersion, refusal: str) -> None:
        """Hold a server version that would change a signed note, audited as refused."""
        reason = (f"the server's version would change a signed note, so it was not applied "
                  f"({refusal.rstrip('.')}); the signed version is kept here")
        kind = "deleted" if remote.deleted else "edit"
        conflict_id = self._hold(conn, change, remote, kind, reason)
        note = conn.exec_driver_sql("SELECT json FROM resource WHERE type = ? AND id = ?",
                                    (change.type, change.id)).scalar_one()
        audit.append(conn, audit.Event(
            audit.now_text(), self._user, self._role, "update", "refused",
            patient=patient_of(fhir_json.loads(note)), entity=change.key,
            detail=f"sync conflict {conflict_id}: {reason}"))

    # -- pull ---------------------------------------------------------------------------

    def apply_remote(self, versions: list[RemoteVersion], cursor_scope: str,
                     cursor: str | None) -> AppliedPage:
        to_merge, received, held_records = [], [], []
        with self._store.write() as conn:
            heads = _by_key(conn, OUTBOX_HEADS, versions)
            known = _by_key(conn, KNOWN_VERSIONS, versions)
            held = 0
            for remote in versions:
                key = (remote.type, remote.id)
                if not _is_new(conn, remote, known.get(key)):
                    continue
                if key not in heads and (refusal := _signed_refusal(
                        conn, remote.type, remote.id, remote.resource)):
                    held += self._hold_signed(conn, remote, refusal)
                    held_records.append(get_resource(conn, remote.type, remote.id))
                elif key not in heads:
                    received.append(remote)
                elif not _update_open_conflict(conn, remote):
                    to_merge.append((self._change(conn, *key, heads[key][0]), remote))
            at = audit.now_text()
            removed = []
            for remote in received:
                if remote.deleted:
                    removed.append(get_resource(conn, remote.type, remote.id))
                    remove_local(conn, remote.type, remote.id, at)
                    conn.exec_driver_sql("DELETE FROM base WHERE type = ? AND id = ?",
                                         (remote.type, remote.id))
            store_server_versions(conn, [_version_row(r) for r in received if not r.deleted])
            stored = [r.resource for r in received if not r.deleted]
            audit.append_many(conn, [
                audit.by_sync(at, self._user, "update", patient=p, entity=f"Patient/{p}",
                              detail="received from the server") for p in _patients(stored)])
            for check in self._checks:
                audit.append_many(conn, [
                    audit.by_sync(at, self._user, "create", patient=p, entity=entity,
                                  detail=detail)
                    for p, entity, detail in check(conn, stored, self._user, at)])
            derived = self._file(conn, stored, at)
            conn.exec_driver_sql(
                "INSERT OR REPLACE INTO sync_state (scope, cursor, updated_at) VALUES (?, ?, ?)",
                (cursor_scope, cursor, at))
        self._feed.publish(Changes.of(
            [r.resource for r in received if not r.deleted] + [
                r for r in removed + held_records + derived if r is not None], 0))
        return AppliedPage(len(received), to_merge, held)

    def _file(self, conn: Connection, stored: list[dict], at: str) -> list[dict]:
        """Run the filers over the page: store what they derive without queueing it, audit
        each (and each note of what could not be made); the records stored."""
        made: list[dict] = []
        for filer in self._filers:
            derived = filer(conn, stored)
            records = [d.record for d in derived if d.record is not None]
            put_resources(conn, records, self._user, at,  # never over one already here
                          {(r["resourceType"], r["id"]) for r in records})
            for record in records:
                conn.exec_driver_sql(f"DELETE FROM local_change WHERE record = {RECORD}",
                                     (record["resourceType"], record["id"]))
            audit.append_many(conn, [
                audit.by_sync(at, self._user, "create", patient=d.patient, entity=d.entity,
                              detail=d.detail) for d in derived])
            made += records
        return made

    def _hold_signed(self, conn: Connection, remote: RemoteVersion, refusal: str) -> int:
        """Keep the signed note; hold the server's version as a conflict (once: a newer
        one replaces the server side of the open conflict). 1 when newly held."""
        if _update_open_conflict(conn, remote):
            return 0
        base = conn.exec_driver_sql("SELECT json FROM base WHERE type = ? AND id = ?",
                                    (remote.type, remote.id)).scalar_one_or_none()
        change = PendingChange(remote.type, remote.id, "put", None, None,
                               base and fhir_json.loads(base), 0)
        self._hold_for_signed_note(conn, change, remote, refusal)
        return 1

    def cursor(self, scope: str) -> str | None:
        with self._store.read() as conn:
            return conn.exec_driver_sql("SELECT cursor FROM sync_state WHERE scope = ?",
                                        (scope,)).scalar_one_or_none()

    def forget_cursors(self, prefix: str, server: str, reason: str) -> int:
        """Delete one server's pull cursors (their keys start with `prefix`), so the next
        pull reads it in full; audited with the admin's reason. How many were deleted."""
        with self._store.write() as conn:
            count = conn.exec_driver_sql(
                "DELETE FROM sync_state WHERE substr(scope, 1, ?) = ?",
                (len(prefix), prefix)).rowcount
            audit.append(conn, audit.Event(
                audit.now_text(), self._user, self._role, "delete", "success",
                entity="SyncCursor", detail=f"reset {count} pull cursors of {server}: {reason}"))
        return count

    def has_patient(self, patient_id: str) -> bool:
        with self._store.read() as conn:
            return conn.exec_driver_sql(
                "SELECT 1 FROM resource WHERE type = 'Patient' AND id = ? AND deleted = 0",
                (patient_id,)).first() is not None

    # -- helpers ------------------------------------------------------------------------

    @staticmethod
    def _change(conn: Connection, kind: str, rid: str, seq: int) -> PendingChange:
        op, body = conn.exec_driver_sql("SELECT op, json FROM outbox WHERE seq = ?",
                                        (seq,)).one()
        version, base = conn.exec_driver_sql(
            "SELECT version_id, json FROM base WHERE type = ? AND id = ?", (kind, rid)
        ).first() or (None, conn.exec_driver_sql(  # never confirmed: perhaps sent before
            "SELECT cursor FROM sync_state WHERE scope = ?", (_sent_key(kind, rid),)
        ).scalar_one_or_none())
        return PendingChange(
            kind, rid, "delete" if op == "delete" else "put",
            None if op == "delete" else fhir_json.loads(body),
            version, base and fhir_json.loads(base), seq)

    def _audit(self, conn: Connection, resources: list[dict], detail: str) -> None:
        """A row per patient, by the user whose pending edit `resources` merged."""
        at = audit.now_text()
        audit.append_many(conn, [
            audit.Event(at, self._user, self._role, "update", "success", patient=p,
                        entity=f"Patient/{p}", detail=detail) for p in _patients(resources)])


def _patients(resources: list[dict]) -> list[str]:
    return sorted({p for r in resources if (p := patient_of(r))})


def _signed_refusal(conn: Connection, kind: str, rid: str, new: dict | None) -> str | None:
    """Why `new` (None: a delete) may not replace the note signed here, else None."""
    if kind != "DocumentReference":
        return None
    stored = conn.exec_driver_sql(
        "SELECT json FROM resource WHERE type = ? AND id = ? AND deleted = 0",
        (kind, rid)).scalar_one_or_none()
    if stored is None:
        return None
    old = fhir_json.loads(stored)
    if new is None:
        return signed_note_refusal(old, {}) and "This signed note was deleted on the server"
    return signed_note_refusal(old, new)


def _refers_to(change: PendingChange, references: list[str]) -> bool:
    """Whether a change points at a record the server refused: it waits with that record
    (queued after the refusal, so record_conflict could not hold it then)."""
    if not references or change.resource is None:
        return False
    body = fhir_json.dumps(change.resource).decode("utf-8")
    return any(reference in body for reference in references)


def _drop_outbox(conn: Connection, change: PendingChange) -> int:
    """Remove the change's outbox rows, now on the server; how many there were."""
    dropped = conn.exec_driver_sql(
        f"DELETE FROM local_change WHERE record = {RECORD} AND seq <= ?",
        (change.type, change.id, change.upto_seq)).rowcount
    conn.exec_driver_sql("DELETE FROM sync_state WHERE scope = ?",
                         (_sent_key(change.type, change.id),))
    return dropped


def _record_of(change: PendingChange, remote: RemoteVersion | None) -> dict:
    """The record a change is about, for saying whose chart it touched: as sent, else as
    the server or the merge base had it (a delete carries no body)."""
    return (change.resource or (remote and remote.resource) or change.base
            or {"resourceType": change.type, "id": change.id})


def _sent_key(kind: str, rid: str) -> str:
    """The sync_state key of a create sent whose answer is not stored yet (pull cursors'
    keys start with "server=", so a cursor reset never forgets one)."""
    return f"create-sent:{kind}/{rid}"


def _has_newer(conn: Connection, change: PendingChange) -> bool:
    return conn.exec_driver_sql(
        f"SELECT 1 FROM local_change WHERE record = {RECORD} AND seq > ?",
        (change.type, change.id, change.upto_seq)).first() is not None


def _by_key(conn: Connection, query: str, versions: list[RemoteVersion]) -> dict:
    """One lookup by primary key per type and 500 ids of a page, not one per resource."""
    found = {}
    for kind in {v.type for v in versions}:
        ids = sorted({v.id for v in versions if v.type == kind})
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = conn.exec_driver_sql(query.format(", ".join("?" * len(chunk))),
                                        (kind, *chunk))
            found.update({(kind, rid): values for kind, rid, *values in rows})
    return found


def _is_new(conn: Connection, remote: RemoteVersion, known: list | None) -> bool:
    """Whether this server version is newer than the one the store last had (pages overlap
    and history lists old versions too, so the same or an older version comes by again).
    `known` is the base's [version id, lastUpdated]."""
    if known is None:
        return not remote.deleted or conn.exec_driver_sql(
            "SELECT 1 FROM resource WHERE type = ? AND id = ? AND deleted = 0",
            (remote.type, remote.id)).first() is not None
    version, stamp = known
    return version != remote.version_id and _instant(remote.last_updated) >= _instant(stamp)


def _update_open_conflict(conn: Connection, remote: RemoteVersion) -> bool:
    """A resource already waiting for a person: keep its remote side current. True if held.
    A double booking's other side is another appointment, not a version of this one, so a
    new version of the appointment booked here goes its usual way."""
    row = conn.exec_driver_sql(
        "SELECT id, remote_json, origin FROM conflict WHERE type = ? AND resource_id = ? "
        "AND resolved_at IS NULL AND kind != 'double-booking' ORDER BY id DESC LIMIT 1",
        (remote.type, remote.id)).first()
    if row is None:
        return False
    if row[2] == "import":  # the file's version waits for a person; the push meets the server's
        return True
    known = fhir_json.loads(row[1]).get("meta", {}).get("lastUpdated", "") if row[1] else ""
    if _instant(remote.last_updated) > _instant(known):
        conn.exec_driver_sql("UPDATE conflict SET remote_json = ?, remote_version = ? "
                             "WHERE id = ?", (_json(remote.resource), remote.version_id, row[0]))
    return True


def _version_row(remote: RemoteVersion) -> tuple[dict, str, str]:
    return remote.resource, remote.version_id, remote.last_updated or audit.now_text()


def _json(resource: dict | None) -> str | None:
    return None if resource is None else fhir_json.dumps(resource).decode("utf-8")


def _instant(text: str | None) -> datetime:
    """Server timestamps compared as instants, not text (offsets and precision vary)."""
    if not text:
        return datetime.min.replace(tzinfo=UTC)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
