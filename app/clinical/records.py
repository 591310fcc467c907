"""The one write path: every change to patient data, and every audited read of it.

A service opens a unit of work for the permission its call needs (`Records.write`, or
`Records.read` for an audited read) and does its work through the `Work` it is given. The
permission is checked before the transaction opens (a refusal is audited in a transaction
of its own, app.security.refusals). Each record saved is validated against FHIR R4 first,
then written with its outbox entry and its chart and search index rows (app.store.resources)
and its audit row, all in ONE transaction: everything commits or nothing does. A signed
note is never changed (app.store.signed_notes: the store refuses it on every put; the batch
form reports the refusal and goes on with the other records). An edit made from a form is
checked against the version the form showed (app.clinical.edit_versions), in the same
transaction that saves it.

A read of a patient's data writes its audit row through the same kind of unit of work, so
the row commits with the read, failed reads included (the service raises NotFound after the
commit). That commit does not wait for the disk (a search audits every keystroke): the row
survives the process being killed at once and a power cut within half a second
(app.store.late_sync). A read unit that saved a record after all waits for the disk before
it returns, as a write does. All audit rows of one transaction carry the transaction's time,
which is also the lastUpdated of the records it wrote: an import's outbox rows are told
apart by that.

When a transaction commits, what it changed (`Changes`: patients, record kinds and chart
sections touched, outbox rows added) is published on a `ChangeFeed` (both defined in
app.store.changes, where the sync adapter publishes them too; screens import them from
here), so screens showing those records can refresh; reads and audit-only rows change
nothing and publish nothing.
"""

from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager, contextmanager
from copy import deepcopy

from sqlalchemy import Connection

from app.clinical.access import gate
from app.clinical.edit_versions import rebase, version_of
from app.clinical.fhir.validation import validation_errors
from app.errors import InvalidRecord, NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store import audit_log as audit
from app.store.changes import ChangeFeed, Changes
from app.store.resources import (
    RECORD,
    Serialised,
    delete_resource,
    get_resource,
    put_resources,
    put_serialised,
    remove_local,
    requeue,
    set_bases,
    store_server_versions,
)
from app.store.signed_notes import signed_note_refusal
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of


class Records:
    """Units of work over one store, publishing what they changed on `feed`."""

    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._store = store
        self._feed = feed or ChangeFeed()

    @contextmanager
    def write(self, session: Session, permission: Permission) -> Iterator["Work"]:
        """One transaction of the signed-in user, who must have `permission`."""
        session.require(permission)
        with self._unit(session, permission) as work:
            yield work

    @contextmanager
    def read(self, session: Session, permission: Permission) -> Iterator["Work"]:
        """An audited read: a unit of work that writes its audit rows and, as a rule, saves
        nothing, so its commit does not wait for the disk."""
        session.require(permission)
        with self._unit(session, permission, reading=True) as work:
            yield work

    def listing(self, session: Session) -> AbstractContextManager["Work"]:
        """An audited read open to every signed-in user, for a list each role sees filtered
        to what it may act on (the sync conflicts): no permission to check, but the audit
        row is written like any other read's."""
        return self._unit(session, reading=True)

    @contextmanager
    def _unit(self, session: Session, permission: Permission | None = None,
              reading: bool = False) -> Iterator["Work"]:
        try:
            with self._store.write(wait_for_disk=not reading) as conn:
                work = Work(conn, session, permission)
                yield work
                work.finish()
            if reading and work.saved:  # durable before the caller hears it was saved
                self._store.db.sync_to_disk()
        except gate.ChartRestricted as refused:  # the read rolled back: its refusal is kept
            with self._store.write() as conn:
                audit.append(conn, audit.event_for(
                    session, "read", outcome="refused", patient=refused.patient_id,
                    entity=f"Patient/{refused.patient_id}", detail=str(refused)))
            raise
        self._feed.publish(work.changes)


class Work:
    """One open transaction of the write path: what it saves, audits and changes."""

    def __init__(self, conn: Connection, session: Session,
                 permission: Permission | None = None):
        self.conn = conn  # for the service's own queries in this transaction
        self.session = session
        self._clinical = permission in gate.CLINICAL  # its reads pass the restricted gate
        self._opened: set[str] = set()  # charts the gate let this transaction read
        self.at = audit.now_text()  # the time of every audit row and record written
        self.changes = Changes()
        self._events: list[audit.Event] = []
        self._checked: set[tuple[str, str]] = set()
        self._changes_before = self._rows_changed()
        self.saved = False  # set by finish(): rows besides its audit rows were written

    def _rows_changed(self) -> int:
        """SQLite's count of rows this connection has written: every write counts, whether
        it went through this class or through `conn`."""
        return self.conn.connection.dbapi_connection.total_changes

    def get(self, kind: str, record_id: str) -> dict | None:
        return get_resource(self.conn, kind, record_id)

    def require_patient(self, patient_id: str, why: str = "") -> dict:
        """The patient, or NotFound: "There is no patient X" and then `why`."""
        patient = self.get("Patient", patient_id)
        if patient is None:
            raise NotFound(f"There is no patient {patient_id}{why}.")
        return patient

    # -- saving --------------------------------------------------------------------------

    def save(self, resource: dict, action: str, detail: str | None = None) -> str:
        """Validate one record, then store it with its outbox entry, index rows and audit
        row; returns "create", "update" or "unchanged"."""
        return self.save_entry([resource], action, detail)[0]

    def save_entry(self, resources: list[dict], action: str, detail: str | None) -> list[str]:
        """Records made together as one entry (a set of vital signs): every one validated
        before any is written, one audit row naming the first."""
        for resource in resources:
            _refuse_invalid(resource)
        first = resources[0]
        self._guard(patient_of(first))
        ops = self._put(resources)
        self.audit(action, patient=patient_of(first),
                   entity=f"{first['resourceType']}/{first['id']}", detail=detail)
        return ops

    def revise(self, kind: str, record_id: str, what: str, edit: Callable[[dict], str],
               based_on: dict | None, name: Callable[[dict], str]) -> dict:
        """Save a new version of a stored record: `edit` changes it in place and returns the
        audit detail, or raises InvalidRecord to refuse (nothing is then written).

        Without `based_on` the edit is made to the stored record read in this transaction,
        so nothing can land between its read and its write. A form that showed the record
        earlier passes that record as `based_on`: if the stored copy moved on since, the
        edit is made to what the form showed and merged onto the stored copy, or refused
        when both changed the same fields. The edit's own refusals (entered in error,
        already resolved) still judge the record as it now stands. `name` says which
        record a refusal is about."""
        record = self.get(kind, record_id)
        if record is None:
            raise NotFound(f"There is no {what} {record_id}.")
        if based_on is None or version_of(based_on) == version_of(record):
            detail = edit(record)
        else:
            edit(deepcopy(record))  # refused as the record now stands?
            mine = deepcopy(based_on)
            detail = edit(mine) + "; merged with a change saved meanwhile"
            record, _ = rebase(record, mine, based_on, name(record))
        self.save(record, "update", detail)
        return record

    def delete(self, kind: str, record_id: str, detail: str) -> None:
        """Take a record out of the chart (a tombstone stays) and queue the delete."""
        stored = self.get(kind, record_id)
        self._guard(stored and patient_of(stored))
        delete_resource(self.conn, kind, record_id, self.session.user, self.at)
        self.changes |= Changes.of([stored or {"resourceType": kind, "id": record_id}], 1)
        self.audit("delete", patient=patient_of(stored) if stored else None,
                   entity=f"{kind}/{record_id}", detail=detail)

    # -- many records at once (an import) ------------------------------------------------

    def refusal(self, resource: dict, body: bytes | None = None,
                unknown_elements: bool = False) -> str | None:
        """Why this record may not be saved (not valid FHIR R4; a change to a signed
        note), or None. `body` is its JSON when the caller has it already. With
        `unknown_elements`, elements R4 does not define are kept, not refused: an EHI
        re-import brings back what a store held, and sync stores a server's records as sent."""
        kind = resource["resourceType"]
        problems = validation_errors(kind, body or fhir_json.dumps(resource))
        if problems := [p for p in problems
                        if not (unknown_elements and p.endswith(": unknown element"))]:
            return "; ".join(problems)
        stored = self.get(kind, resource["id"]) if kind == "DocumentReference" else None
        if stored is not None and (refused := signed_note_refusal(stored, resource)):
            return refused
        self._checked.add((kind, resource["id"]))
        return None

    def save_batch(self, resources: list[dict],
                   create_only: Collection[tuple[str, str]] = ()) -> list[str]:
        """Store many records without an audit row each (the caller audits them, grouped);
        those not passed through `refusal` in this transaction are validated here. A
        record whose (type, id) is in `create_only` never overwrites one already stored.
        Returns, per record, "create", "update" or "unchanged"."""
        for resource in resources:
            if (resource["resourceType"], resource["id"]) not in self._checked:
                _refuse_invalid(resource)
        return self._put(resources, create_only)

    def save_serialised(self, rows: list[Serialised],
                        create_only: Collection[tuple[str, str]] = (),
                        stored: dict | None = None) -> list[str]:
        """save_batch for records an import's worker has validated against FHIR R4 and
        serialised (app.clinical.imports.prepare), so the writer neither parses nor
        validates them again. Returns, per record, "create", "update" or "unchanged".
        `stored`: what app.store.resources.stored_records says of them, if just read."""
        ops = put_serialised(self.conn, rows, self.session.user, self.at, create_only, stored)
        written = [r for r, op in zip(rows, ops, strict=True) if op != "unchanged"]
        self.changes |= Changes(frozenset(r.chart[0] for r in written if r.chart),
                                frozenset(r.kind for r in written),
                                frozenset(r.chart[1] for r in written if r.chart), len(written))
        return ops

    # -- a sync conflict decided by a person (app.clinical.sync.conflicts) ---------------------

    def keep_server_version(self, resource: dict, version_id: str | None) -> None:
        """Make the server's version of a record the local copy and the merge base, in place
        of what was queued for it: a person kept what the server holds, so nothing is sent.
        It is stored as the server sent it, not validated, as sync stores what it receives."""
        kind, record_id = resource["resourceType"], resource["id"]
        stored = self.get(kind, record_id)
        dropped = _drop_queued(self.conn, kind, record_id)
        store_server_versions(self.conn, [(resource, version_id, self.at)])
        self.changes |= Changes.of([r for r in (stored, resource) if r], -dropped)

    def send_chosen(self, kind: str, record_id: str, chosen: dict | None,
                    server: dict | None = None, server_version: str | None = None,
                    server_deleted: bool = False) -> None:
        """Queue the version a person chose (None: the record deleted) in place of what was
        queued for the record, even if it is what is stored: it was chosen over another
        version, so it must reach the server. The server's version, when given, becomes
        the merge base the upload is checked against; when the server deleted the record
        its base is forgotten, so a kept version is created anew there. A deletion is sent
        only over a server version (otherwise the server has nothing to delete). A signed
        note is still only changed as the store allows."""
        stored = self.get(kind, record_id)
        dropped = _drop_queued(self.conn, kind, record_id)
        if server is not None:
            set_bases(self.conn, [(server, server_version, self.at)])
        elif server_deleted:
            self.conn.exec_driver_sql("DELETE FROM base WHERE type = ? AND id = ?",
                                      (kind, record_id))
        if chosen is not None:
            requeue(self.conn, chosen, self.session.user, self.at)
        elif server is not None:
            delete_resource(self.conn, kind, record_id, self.session.user, self.at)
        else:
            remove_local(self.conn, kind, record_id, self.at)
        queued = int(chosen is not None or server is not None)
        touched = [r for r in (stored, chosen) if r] or [server or {"resourceType": kind,
                                                                   "id": record_id}]
        self.changes |= Changes.of(touched, queued - dropped)

    # -- the audit trail -----------------------------------------------------------------

    def audit(self, action: str, outcome: str = "success", **fields: str | None) -> None:
        """An audit row of this transaction, by its user: fields patient, entity, detail."""
        self._events.append(audit.Event(self.at, self.session.user, str(self.session.role),
                                        action, outcome, **fields))

    def read(self, entity: str, detail: str | None = None, patient: str | None = None,
             found: bool = True, action: str = "read") -> None:
        """Audit a read of patient data, failed (`found` False) or not. A clinical read of
        a restricted chart is refused here unless the user may open it (access.gate)."""
        if found:
            self._guard(patient)
        self.audit(action, outcome="success" if found else "failure", patient=patient,
                   entity=entity, detail=detail)

    def patient(self, patient_id: str, detail: str | None = None,
                action: str = "read") -> dict | None:
        """The patient, with the read (or export) audited whether or not there is one."""
        patient = self.get("Patient", patient_id)
        self.read(f"Patient/{patient_id}", detail, patient_id, patient is not None, action)
        return patient

    def _guard(self, patient: str | None) -> None:
        """A clinical unit of work reads or charts into a restricted chart only if its user
        may open it (app.clinical.access.gate); refused otherwise, before anything is read."""
        if self._clinical and patient and patient not in self._opened:
            gate.check(self.conn, self.session, patient)
            self._opened.add(patient)

    def finish(self) -> None:
        """Append the transaction's audit rows, chained, before it commits."""
        self.saved = self._rows_changed() != self._changes_before
        audit.append_many(self.conn, self._events)

    def _put(self, resources: list[dict], create_only: Collection[tuple[str, str]] = ()
             ) -> list[str]:
        ops = put_resources(self.conn, resources, self.session.user, self.at, create_only)
        written = [r for r, op in zip(resources, ops, strict=True) if op != "unchanged"]
        self.changes |= Changes.of(written, len(written))
        return ops


def _drop_queued(conn: Connection, kind: str, record_id: str) -> int:
    """Take a record's outbox rows out (a decision replaces them); how many there were."""
    return conn.exec_driver_sql(f"DELETE FROM local_change WHERE record = {RECORD}",
                                (kind, record_id)).rowcount


def _refuse_invalid(resource: dict) -> None:
    kind = resource["resourceType"]
    if errors := validation_errors(kind, fhir_json.dumps(resource)):
        raise InvalidRecord(f"Not a valid FHIR R4 {kind}: {'; '.join(errors)}.")
