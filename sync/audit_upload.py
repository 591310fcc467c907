"""Sending the local audit trail to the server as AuditEvents, in batch Bundles.

A batch (not a transaction) so one event the server refuses does not hold back the others:
each entry succeeds or fails on its own, and only the rows whose entries the server
answered with 2xx are marked uploaded. Every entry is safe to repeat (PUT with the event's
own id, or a create conditional on its tag), so when an answer is lost the rows simply go
again. Rows the server refuses stay queued and are reported; rows it failed on (5xx) stay
queued and go again next cycle.

Before the rows go, the local chain is compared with the server's newest checkpoint, and
after them the new head is checkpointed (sync.audit_checkpoint): a chain rewritten here
after upload is reported and uploads nothing.
"""

from dataclasses import dataclass

from fhir_common import fhir_json
from sync.audit_checkpoint import AuditChain, checkpoint_event, compare_with_server
from sync.audit_events import TAG_SYSTEM, audit_event
from sync.capabilities import FHIR_JSON, ServerCapabilities
from sync.errors import SyncError
from sync.local import LocalSide
from sync.transport import Transport
from sync.wire import maybe_json, outcome_text, status_code


class AuditUploadFailed(SyncError):
    """The server cannot take the audit trail the way Hearth sends it, or answered a batch
    with something that is not its batch-response: a setup problem for an admin, not a fault
    of the rows, which all stay queued."""

    title = "Audit trail not uploaded"


@dataclass(frozen=True)
class AuditUpload:
    uploaded: int
    rejected: dict[int, str]  # audit row seq -> why the server refused its event
    checkpoint: int | None = None  # the row up to which the server acknowledged the chain


def upload_audit(local: LocalSide, transport: Transport, caps: ServerCapabilities,
                 batch_size: int = 200) -> AuditUpload:
    """Upload pending audit rows, oldest first, each at most once per cycle.

    A row the server refuses stays queued (and is reported) but does not hold back the rows
    after it: the next batch starts after the last row sent, not at the head of the queue.
    """
    put = _put_or_conditional_create(caps)
    if problems := compare_with_server(local, transport):
        raise AuditUploadFailed(
            f"The audit trail here no longer matches what the server holds: {problems[0]}. "
            "Nothing was uploaded, so the server's copies stay as they were; an auditor "
            "should review it (hearth audit verify).")
    uploaded, rejected, after = 0, {}, 0
    while rows := local.audit_pending(batch_size, after):
        events = [audit_event(row, local.store_id) for row in rows]
        answers = _send_batch(transport, [_entry(event, put) for event in events])
        accepted = []
        for row, answer in zip(rows, answers, strict=True):
            status = status_code((answer.get("response") or {}).get("status", ""))
            if 200 <= status < 300:
                accepted.append(row.seq)
            elif 400 <= status < 500:
                rejected[row.seq] = outcome_text((answer.get("response") or {}).get(
                    "outcome"), f"HTTP {status}")
        if accepted:
            local.mark_audit_uploaded(accepted)
            uploaded += len(accepted)
        after = rows[-1].seq
    return AuditUpload(uploaded, rejected, _checkpoint(local, transport, put))


def _checkpoint(local: AuditChain, transport: Transport, put: bool) -> int | None:
    """Send the head of the uploaded chain; kept locally once the server acknowledged it."""
    due = local.audit_checkpoint_due()
    if due is None:
        return None
    [answer] = _send_batch(transport, [_entry(checkpoint_event(local.store_id, due), put)])
    if not 200 <= status_code((answer.get("response") or {}).get("status", "")) < 300:
        return None  # sent again next cycle; the rows themselves are on the server
    local.save_audit_checkpoint(due, str(transport.client.base_url))
    return due.seq


def _put_or_conditional_create(caps: ServerCapabilities) -> bool:
    """True to PUT events with their ids, False to create them conditionally on their tag.

    A plain POST is never used: when its answer is lost, sending it again stores the event
    twice, and the audit trail would show an access that happened once as two.
    """
    if not caps.offers("batch"):
        raise AuditUploadFailed(
            f"The FHIR server ({caps.software}) does not offer batch Bundles, which Hearth uses "
            "to upload the audit trail. The audit rows are kept on this computer.")
    if caps.put_creates("AuditEvent"):
        return True
    kind = caps.types.get("AuditEvent")
    if kind and kind.conditional_create and "create" in kind.interactions:
        return False
    raise AuditUploadFailed(
        f"The FHIR server ({caps.software}) neither lets Hearth create AuditEvents with their "
        "own ids nor offers conditional create, so an upload repeated after a lost answer "
        "would store events twice. The audit rows are kept on this computer.")


def _entry(event: dict, put: bool) -> dict:
    if put:
        return {"resource": event,
                "request": {"method": "PUT", "url": f"AuditEvent/{event['id']}"}}
    # some servers refuse a create whose body carries an id; the tag identifies the event
    body = {key: value for key, value in event.items() if key != "id"}
    return {"resource": body,
            "request": {"method": "POST", "url": "AuditEvent",
                        "ifNoneExist": f"_tag={TAG_SYSTEM}|{event['id']}"}}


def _send_batch(transport: Transport, entries: list[dict]) -> list[dict]:
    """The batch-response's entries, one per entry sent, in the same order."""
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": entries}
    response = transport.request("POST", "", content=fhir_json.dumps(bundle),
                                 headers={"Content-Type": FHIR_JSON})
    if not response.is_success:
        why = outcome_text(maybe_json(response), "")
        raise AuditUploadFailed(
            f"The FHIR server refused the audit trail batch (HTTP {response.status_code}"
            f"{': ' + why if why else ''}). The audit rows are kept on this computer.")
    answer = maybe_json(response) or {}
    answers = answer.get("entry") or []
    if answer.get("type") != "batch-response" or len(answers) != len(entries):
        raise AuditUploadFailed(
            "The FHIR server answered the audit trail batch with something other than a "
            f"batch-response for its {len(entries)} entries, so it is unknown which were "
            "stored. The audit rows are kept on this computer and will be sent again.")
    return answers
