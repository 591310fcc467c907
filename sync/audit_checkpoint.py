"""Checkpoints of the audit chain on the server: what an insider cannot rewrite locally.

Every user who signs in can read the audit key (app.store.audit_log), so an insider with a
shell can rewrite local rows and recompute the chain. Rows already uploaded, and the chain
head the server acknowledged, are out of her reach: after each upload Hearth sends the
head (seq and hash) as an AuditEvent of its own checkpoint type, and before each upload it
compares the server's newest checkpoint with the local chain. A mismatch stops the upload
(nothing here overwrites the server's copies) and names the first rewritten row, found by
bisecting the row hashes the uploaded AuditEvents carry. What an offline insider changes
in rows not yet uploaded, no checkpoint can show.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sync.audit_events import (
    AGENT,
    ENTITY_TYPE,
    HASH_URL,
    NAMESPACE,
    STORE_SYSTEM,
    TAG_SYSTEM,
    audit_event_id,
    observer,
)
from sync.errors import SyncError
from sync.transport import Transport
from sync.wire import maybe_json

CHECKPOINT_SYSTEM = "urn:hearth:audit-checkpoint"
CHECKPOINT_TYPE = (CHECKPOINT_SYSTEM, "checkpoint", "Hearth audit chain checkpoint")


class CheckpointUnavailable(SyncError):
    """The server would not show its checkpoints, so the chain was not compared with them:
    uploading anyway could overwrite the server's copies of rewritten rows."""

    title = "Audit trail not uploaded"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head: str
    recorded: str = ""


class AuditChain(Protocol):
    """The local side's audit chain, as the checkpoint needs it."""

    store_id: str

    def audit_hashes(self, seqs: list[int]) -> dict[int, str]:
        """The stored hash of each of these rows that exists."""

    def audit_checkpoint_due(self) -> Checkpoint | None:
        """The newest row with every row up to it uploaded, if no checkpoint covers it."""

    def save_audit_checkpoint(self, checkpoint: Checkpoint, server: str) -> None: ...


def checkpoint_id(store_id: str, seq: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{store_id}/checkpoint/{seq}"))


def checkpoint_event(store_id: str, checkpoint: Checkpoint) -> dict:
    """The chain head as an AuditEvent: the store (its observer) records it; the entity is
    the store's audit trail, with the seq and the head in entity.detail."""
    event_id = checkpoint_id(store_id, checkpoint.seq)
    return {
        "resourceType": "AuditEvent",
        "id": event_id,
        "meta": {"tag": [{"system": TAG_SYSTEM, "code": event_id},
                         {"system": CHECKPOINT_SYSTEM, "code": store_id}]},
        "type": dict(zip(("system", "code", "display"), CHECKPOINT_TYPE, strict=True)),
        "action": "E",
        "recorded": datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "outcome": "0",
        "agent": [{"type": {"coding": [dict(zip(("system", "code", "display"), AGENT,
                                                 strict=True))]},
                   "who": {"identifier": {"system": STORE_SYSTEM, "value": store_id}},
                   "requestor": False}],
        "source": observer(store_id),
        "entity": [{
            "what": {"identifier": {"system": STORE_SYSTEM, "value": store_id}},
            "type": {"system": ENTITY_TYPE, "code": "2", "display": "System Object"},
            "description": f"audit trail of Hearth store {store_id}, rows 1-{checkpoint.seq}",
            "detail": [{"type": "seq", "valueString": str(checkpoint.seq)},
                       {"type": "head", "valueString": checkpoint.head}],
        }],
    }


def read_checkpoint(event: dict) -> Checkpoint | None:
    details = {d.get("type"): d.get("valueString")
               for entity in event.get("entity") or [] for d in entity.get("detail") or []}
    seq, head = details.get("seq"), details.get("head")
    if not (seq and seq.isdigit() and head):
        return None
    return Checkpoint(int(seq), head, event.get("recorded", ""))


def latest_checkpoint(transport: Transport, store_id: str) -> Checkpoint | None:
    """The server's newest checkpoint of this store (highest seq among those returned)."""
    found = _search(transport, {"_tag": f"{CHECKPOINT_SYSTEM}|{store_id}", "_sort": "-date",
                                "_count": "50"})
    checkpoints = [c for c in map(read_checkpoint, found) if c]
    return max(checkpoints, key=lambda c: c.seq, default=None)


def server_row_hash(transport: Transport, store_id: str, seq: int) -> str | None:
    """The row hash the server's copy of audit row `seq` carries (None: no copy, or one
    uploaded before rows carried their hash)."""
    for event in _search(transport, {"_tag": f"{TAG_SYSTEM}|{audit_event_id(store_id, seq)}"}):
        for extension in event.get("extension") or []:
            if extension.get("url") == HASH_URL:
                return extension.get("valueString")
    return None


def compare_with_server(chain: AuditChain, transport: Transport) -> list[str]:
    """Sentences for each way the local chain contradicts the server's newest checkpoint."""
    checkpoint = latest_checkpoint(transport, chain.store_id)
    if checkpoint is None:
        return []
    local = chain.audit_hashes([checkpoint.seq]).get(checkpoint.seq)
    if local == checkpoint.head:
        return []
    first = _first_rewritten(chain, transport, checkpoint.seq)
    when = f" of {checkpoint.recorded}" if checkpoint.recorded else ""
    if local is None and first == checkpoint.seq:
        return [f"audit row {checkpoint.seq} is missing here, but the server's checkpoint"
                f"{when} covers it: rows were removed after they were uploaded"]
    return [f"audit row {first} differs from the copy uploaded to the server: it was "
            f"rewritten or removed here after upload (the server's checkpoint{when} at row "
            f"{checkpoint.seq} no longer matches this chain)"]


def _first_rewritten(chain: AuditChain, transport: Transport, last: int) -> int:
    """The first row whose local hash differs from the server's copy, by bisection: a
    rewrite changes that row's hash and (the chain being recomputed) every later one."""
    low, high = 1, last  # the answer is in [low, high]; row `last` is known to differ
    while low < high:
        middle = (low + high) // 2
        server = server_row_hash(transport, chain.store_id, middle)
        if server is None or chain.audit_hashes([middle]).get(middle) == server:
            low = middle + 1
        else:
            high = middle
    return low


def _search(transport: Transport, params: dict) -> list[dict]:
    response = transport.request("GET", "AuditEvent", params=params)
    bundle = maybe_json(response) if response.is_success else None
    if bundle is None or bundle.get("resourceType") != "Bundle":
        raise CheckpointUnavailable(
            f"The FHIR server did not answer the search for Hearth's audit checkpoints "
            f"(HTTP {response.status_code}), so the audit trail here could not be compared "
            "with what it holds. The audit rows are kept on this computer.")
    return [entry["resource"] for entry in (bundle or {}).get("entry") or []
            if isinstance(entry.get("resource"), dict)]
