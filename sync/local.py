"""What the sync engine needs from the local store, and the records passed across.

`sync` never imports `app`; `app.store.sync_side` implements `LocalSide`. Every method that
changes the store is one transaction, so a crash between two calls leaves each change either
wholly done or not done, and the outbox still holds every local edit the server has not
confirmed (ARCHITECTURE.md, "Invariant").

Methods that act on a pending change take its `upto_seq`: the highest outbox row it covers.
Rows after it are edits made while the engine was talking to the server; they are kept and
sent in the next round, never overwritten (the Android FHIR SDK bug #2432).
"""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PendingChange:
    """One resource's outbox rows squashed to the latest state: what to send."""

    type: str
    id: str
    op: str  # "put" or "delete"
    resource: dict | None  # None for a delete
    base_version: str | None  # the server version the edit was made on; None: not known there
    # That version's JSON, the common ancestor for a three-way merge; or, with no base version,
    # the body of a create sent before whose answer never came (it may be on the server).
    base: dict | None
    upto_seq: int

    @property
    def key(self) -> str:
        return f"{self.type}/{self.id}"

    @property
    def may_be_on_server(self) -> bool:
        """A create sent before without an answer: the server may hold it, perhaps already
        changed by a colleague, so it is read before anything is sent, never sent blind."""
        return self.base_version is None and self.base is not None


@dataclass(frozen=True)
class RemoteVersion:
    """A resource as the server holds it; `resource` is None when the server deleted it."""

    type: str
    id: str
    version_id: str | None
    last_updated: str | None
    resource: dict | None

    @property
    def deleted(self) -> bool:
        return self.resource is None


@dataclass(frozen=True)
class AuditRecord:
    """One local audit row, to become a FHIR AuditEvent."""

    seq: int
    at: str
    user: str
    role: str | None
    action: str
    outcome: str
    patient: str | None
    entity: str | None
    detail: str | None
    prev_hash: str | None = None  # the chain link, sent so the server can check it too
    hash: str | None = None


@dataclass(frozen=True)
class AppliedPage:
    stored: int  # versions newer than the store held (repeats from overlapping pages: 0)
    to_merge: list[tuple[PendingChange, RemoteVersion]]
    held: int = 0  # changes to signed notes kept back as conflicts for review


class LocalSide(Protocol):
    store_id: str

    def pending_changes(self, limit: int) -> list[PendingChange]:
        """The oldest `limit` resources with outbox rows not held by a conflict."""

    def pending_count(self) -> int:
        """Resources waiting to be sent, held ones included."""

    def open_conflict_count(self) -> int: ...

    def note_creates_sent(self, changes: list[PendingChange]) -> None:
        """Remember, before they are sent, the bodies of these creates: if the answer is
        lost (a crash, a cut line), the next `pending_changes` returns each as `base`."""

    def confirm(self, change: PendingChange, remote: RemoteVersion) -> None:
        """The server accepted `change`: drop its outbox rows, remember `remote` as base."""

    def confirm_many(self, accepted: list[tuple[PendingChange, RemoteVersion]]) -> None:
        """`confirm` for each (change, what the server now holds) of one Bundle's answers,
        all in one transaction; rows after each change's `upto_seq` stay queued."""

    def replace_with_merge(self, change: PendingChange, remote: RemoteVersion,
                           merged: dict) -> bool:
        """The server moved on; store `merged` as the local copy to send with `remote` as
        its base. False (nothing done) when the resource was edited again meanwhile."""

    def record_conflict(self, change: PendingChange, remote: RemoteVersion | None,
                        kind: str, reason: str) -> bool:
        """Keep local, remote and base side by side and hold the outbox rows until a person
        decides. kind: "edit" (both changed the same field), "deleted" (one side deleted
        what the other edited) or "rejected" (the server refused the change; `reason` says
        why). Changes that reference a rejected resource are held with it. False (nothing
        done) when the resource was edited again meanwhile."""

    def apply_remote(self, versions: list[RemoteVersion], cursor_scope: str,
                     cursor: str | None) -> "AppliedPage":
        """Store server versions newer than the local ones of resources without local edits
        (deletes remove the local copy) and save the pull cursor, in one transaction.
        Returns how many were stored and, unapplied, each resource that has local edits and
        a newer remote version, with that version: the engine merges those. A version that
        would change a note signed here is not stored but held as a conflict (`held`)."""

    def cursor(self, scope: str) -> str | None: ...

    def has_patient(self, patient_id: str) -> bool: ...

    def audit_pending(self, limit: int, after_seq: int = 0) -> list[AuditRecord]:
        """The oldest `limit` audit rows not yet uploaded whose seq is after `after_seq`."""

    def mark_audit_uploaded(self, seqs: list[int]) -> None: ...
