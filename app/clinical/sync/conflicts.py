"""Sync conflicts: listing them and letting a person decide, never deciding for them.

A conflict holds the server's version, the version both sides started from (base) and this
workstation's. While it is open, "mine" is the record as it stands here now, not as it was
when the conflict was found: an edit made meanwhile (the problem resolved while its onset is
in dispute) is part of what the person decides on, so it is shown and it survives whichever
way they decide. Re-merging such edits onto the chosen side after the fact was the other
way, but an edit of a field in dispute would then clash again with no one to ask.

Its outbox rows wait, held, until someone with the right to edit that record chooses. An
edit conflict is settled field by field: keep mine ("local") takes this workstation's
values of the fields in conflict, keep the server's ("remote") the server's, and either way
every other change, made here or on the server, is kept, as sync would have merged it. A
record deleted on one side, or refused by the server, is decided whole. A merged version is
the person's own and replaces both. The conflict row stays, marked resolved, with the local
version decided on, who chose what and when. A decision is saved through the unit of work
(app.clinical.records), so open screens hear what it changed once it is committed.

A note signed here is decided whole, never field by field, and no choice may change it:
keeping the server's version or a merged one that alters the signed content is refused
(what should change goes into an addendum).
"""

import re
from copy import deepcopy
from dataclasses import dataclass

from sqlalchemy import Connection

from app.clinical.records import ChangeFeed, Records, Work
from app.errors import InvalidRecord, NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.signed_notes import is_signed, signed_note_refusal
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of
from sync.merge import MISSING, three_way_merge

CHOICES = ("local", "remote", "merged")
DOUBLE_BOOKING = "double-booking"  # two appointments, one booked here (decided elsewhere)
# An open conflict's local side is the record as it stands here now (None: deleted here).
SELECT = ("SELECT c.id, c.type, c.resource_id, c.kind, c.reason, "
          "CASE WHEN c.resolved_at IS NULL THEN r.json ELSE c.local_json END, c.remote_json, "
          "c.base_json, c.remote_version, c.detected_at, c.resolved_at, c.resolution, "
          "c.resolved_by, c.origin FROM conflict c LEFT JOIN resource r ON r.type = c.type "
          "AND r.id = c.resource_id AND r.deleted = 0")
PATH_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class Conflict:
    id: int
    type: str
    resource_id: str
    kind: str  # "edit", "deleted", "rejected" or "double-booking" (remote: the other one)
    reason: str | None
    local: dict | None  # None: deleted here
    remote: dict | None  # None: deleted on (or never reached) the server
    base: dict | None
    remote_version: str | None
    detected_at: str
    resolved_at: str | None
    resolution: str | None
    resolved_by: str | None
    origin: str = "sync"  # "import": the other side is a file's version, not the server's

    @property
    def reference(self) -> str:
        return f"{self.type}/{self.resource_id}"

    @property
    def patient_id(self) -> str | None:
        record = self.local or self.remote or self.base
        return patient_of(record) if record else None


def permission_for(resource_type: str, kind: str = "edit") -> Permission:
    """Who may see and decide it: a double booking is the front desk's (booking)."""
    if kind == DOUBLE_BOOKING:
        return Permission.MANAGE_SCHEDULE
    return Permission.EDIT_DEMOGRAPHICS if resource_type == "Patient" else Permission.EDIT_CHART


class Conflicts:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._store = store
        self._records = Records(store, feed)
        self._last_listed: dict[str, str] = {}  # session id -> the list it was last shown

    def list(self, session: Session, include_resolved: bool = False) -> list[Conflict]:
        """The conflicts this user may resolve, oldest first. Audited as one row naming the
        patients, once per session for each different list (the sync view reloads the same
        list every cycle; the trail records what was shown, not each repaint)."""
        where = "" if include_resolved else " WHERE c.resolved_at IS NULL"
        with self._store.read() as conn:
            rows = conn.exec_driver_sql(f"{SELECT}{where} ORDER BY c.id")
            found = [_conflict(row) for row in rows]
        shown = [c for c in found if session.may(permission_for(c.type, c.kind))]
        patients = sorted({c.patient_id for c in shown if c.patient_id})
        detail = (f"listed {len(shown)} sync conflicts"
                  + (f" of patients {', '.join(patients)}" if patients else ""))
        if self._last_listed.get(session.id) != detail:
            with self._records.listing(session) as work:
                work.audit("query", entity="Conflict", detail=detail)
            self._last_listed[session.id] = detail
        return shown

    def _permission(self, conflict_id: int) -> Permission:
        """What deciding (or reading) this conflict needs: checked before its transaction
        opens, so a refusal is audited in a transaction of its own (app.security.refusals).
        A conflict's record type never changes."""
        with self._store.read() as conn:
            conflict = _load(conn, conflict_id)
        return permission_for(conflict.type, conflict.kind)

    def get(self, session: Session, conflict_id: int) -> Conflict:
        with self._records.read(session, self._permission(conflict_id)) as work:
            conflict = _load(work.conn, conflict_id)
            work.read(conflict.reference, f"sync conflict {conflict_id}", conflict.patient_id)
        return conflict

    def resolve(self, session: Session, conflict_id: int, keep: str,
                merged: dict | None = None) -> Conflict:
        if keep not in CHOICES:
            raise InvalidRecord(f"Keep one of {', '.join(CHOICES)}, not {keep!r}.")
        if (keep == "merged") != (merged is not None):
            raise InvalidRecord("A merged version is given with --keep merged, and only then.")
        with self._records.write(session, self._permission(conflict_id)) as work:
            conflict = _load(work.conn, conflict_id)
            if conflict.kind == DOUBLE_BOOKING and not conflict.resolved_at:
                raise InvalidRecord(
                    f"Conflict {conflict_id} is a double booking: keep both (overbook, with a "
                    "reason), move the one booked here, or cancel one with a reason; there is "
                    "no local, remote or merged version to keep.")
            if conflict.resolved_at:
                raise InvalidRecord(
                    f"Conflict {conflict_id} was already resolved by {conflict.resolved_by} "
                    f"at {conflict.resolved_at} (kept {conflict.resolution}).")
            if merged is not None and (merged.get("resourceType"), merged.get("id")) != (
                    conflict.type, conflict.resource_id):
                raise InvalidRecord(f"The merged version must be {conflict.reference}.")
            _refuse_change_to_signed_note(conflict, keep, merged)
            _apply(work, conflict, keep, merged)
            work.conn.exec_driver_sql(
                "UPDATE conflict SET local_json = ?, resolved_at = ?, resolution = ?, "
                "resolved_by = ? WHERE id = ?",
                (_json(conflict.local), work.at, keep, session.user, conflict_id))
            work.audit("update", patient=conflict.patient_id, entity=conflict.reference,
                       detail=f"sync conflict {conflict_id} resolved: kept {keep}")
            return _load(work.conn, conflict_id)


def server_version(conflict: Conflict) -> dict | None:
    """What the server holds: for a refused change, the version the edit started from."""
    return conflict.base if conflict.kind == "rejected" else conflict.remote


def conflicting_paths(conflict: Conflict) -> list[str]:
    """The fields no rule could merge, as sync.merge names them ("name[0].family"): the
    ones a person decides. A deletion conflicts as a whole record ("")."""
    server = server_version(conflict)
    if conflict.local is None or server is None:
        return [""]
    return three_way_merge(conflict.base, conflict.local, server).conflicts


def merge_draft(conflict: Conflict) -> dict | None:
    """Where a person writing a merged version starts: the server's values of the fields
    in conflict and every other change from both sides (for a deletion, what survives)."""
    local, server = conflict.local, server_version(conflict)
    if local is None or server is None:
        return deepcopy(local or server)
    return _settled(conflict.base, local, server, mine_wins=False)


def _refuse_change_to_signed_note(conflict: Conflict, keep: str, merged: dict | None) -> None:
    if conflict.local is None or not is_signed(conflict.local):
        return
    chosen = merged if keep == "merged" else _kept_version(conflict, keep)
    refusal = signed_note_refusal(conflict.local, chosen or {})
    if chosen is None:
        refusal = "A signed note is never deleted."
    if refusal:
        raise InvalidRecord(
            f"Conflict {conflict.id} was not resolved: keeping {keep} would change a signed "
            f"note. {refusal} Keep local (the signed version).")


def _kept_version(conflict: Conflict, keep: str) -> dict | None:
    """The version that keeping "local" or "remote" makes current (None: deleted). A
    signed note is decided whole."""
    local, server = conflict.local, server_version(conflict)
    if conflict.kind != "edit" or local is None or server is None or is_signed(local):
        return local if keep == "local" else server
    return _settled(conflict.base, local, server, mine_wins=keep == "local")


def _settled(base: dict | None, local: dict, server: dict, mine_wins: bool) -> dict:
    """Both sides merged, each field in conflict taken from the winning side."""
    for path in three_way_merge(base, local, server).conflicts:
        if mine_wins:
            server = _with_value_of(local, path, server)
        else:
            local = _with_value_of(server, path, local)
    return three_way_merge(base, local, server).merged


def _with_value_of(source: dict, path: str, resource: dict) -> dict:
    """A copy of `resource` whose field at `path` is the one in `source` (or absent, as
    there). sync.merge only reports a path whose parents exist on every side."""
    steps = [int(index) if index else key for key, index in PATH_STEP.findall(path)]
    copy = deepcopy(resource)
    holder, other = copy, source
    for step in steps[:-1]:
        holder, other = holder[step], other[step]
    last = steps[-1]
    value = other.get(last, MISSING) if isinstance(other, dict) else other[last]
    if value is MISSING:
        holder.pop(last, None)
    else:
        holder[last] = deepcopy(value)
    return copy


def _apply(work: Work, conflict: Conflict, keep: str, merged: dict | None) -> None:
    """Release the rows the conflict held (of records that refer to a refused one) and
    make the kept version the local one in place of the record's outbox rows (edits made
    meanwhile are part of the kept version); send it unless it is the server's own."""
    work.conn.exec_driver_sql("UPDATE local_change SET held_by = NULL WHERE held_by = ?",
                              (conflict.id,))
    server = server_version(conflict) if conflict.origin == "sync" else None
    server_id = conflict.remote_version or (server and _version(server))
    chosen = merged if keep == "merged" else _kept_version(conflict, keep)
    if chosen is None and conflict.origin == "import":  # nothing was deleted: keep the record
        chosen = conflict.local
    if chosen is not None and server is not None and _content(chosen) == _content(server):
        work.keep_server_version(server, server_id)
    else:  # a deletion chosen is sent only when the server still has the record
        work.send_chosen(conflict.type, conflict.resource_id, chosen and dict(chosen), server,
                         server_id, server_deleted=conflict.kind == "deleted")


def _content(resource: dict) -> dict:
    return {k: v for k, v in resource.items() if k != "meta"}


def _json(resource: dict | None) -> str | None:
    return None if resource is None else fhir_json.dumps(resource).decode("utf-8")


def _version(resource: dict) -> str | None:
    return resource.get("meta", {}).get("versionId")


def _load(conn: Connection, conflict_id: int) -> Conflict:
    row = conn.exec_driver_sql(f"{SELECT} WHERE c.id = ?", (conflict_id,)).first()
    if row is None:
        raise NotFound(f"There is no sync conflict {conflict_id}.")
    return _conflict(row)


def _conflict(row) -> Conflict:
    values = list(row)
    for i in (5, 6, 7):
        values[i] = fhir_json.loads(values[i]) if values[i] else None
    return Conflict(*values)
