"""Sending the outbox: one resource's edits squashed into one request, batches as Bundles.

Every write is idempotent: a PUT to the client-assigned id, with If-Match on the version the
edit was made on, so repeating a request whose answer was lost cannot duplicate anything.
A batch goes as a transaction Bundle (all or nothing keeps references whole). If the
server refuses the transaction, the same entries go again as a batch Bundle, whose answer
says entry by entry what happened, so one refused resource never blocks the rest (the
fhircore #2775 bug): it is set aside with the server's reason, visible to a person.

A create has no version to match (FHIR R4 has no create-only PUT), so a repeated create
would overwrite what a colleague changed after the first one arrived. So its body is
committed as sent before the request leaves (one commit per batch that holds creates; no
extra request in the usual case), and a create sent before is read first and handled like an
update with what was sent as the base: never sent blind twice.

DELETE carries If-Match too, but not every server honours it on DELETE, so the current
version is read first and a delete of something edited elsewhere becomes a conflict.

The outbox is sent round after round until it is empty; a round that moves nothing (the
server failed on every entry) ends the push, and the report says work is left queued. The
answers to one Bundle are stored in one write transaction: one per resource made the client,
not the server, the limit of a push.
"""

from dataclasses import dataclass, field, replace

from fhir_common import fhir_json
from sync.capabilities import ServerCapabilities
from sync.errors import MalformedResponse
from sync.local import LocalSide, PendingChange, RemoteVersion
from sync.reconcile import reconcile
from sync.transport import Transport
from sync.wire import (
    FHIR_JSON,
    body,
    maybe_json,
    outcome_text,
    read_remote,
    remote_of,
    status_code,
    version_of_etag,
)

# Rounds in a row that confirm nothing but merges: a resource edited elsewhere on every
# round would otherwise be merged and sent for ever.
MAX_MERGE_ONLY_ROUNDS = 20
LEFT_QUEUED = ("Changed records are still waiting to be sent: the server did not take them "
               "this cycle. They stay queued and go at the next sync.")


@dataclass
class PushReport:
    sent: int = 0
    merged: int = 0
    conflicts: int = 0
    set_aside: list[str] = field(default_factory=list)
    round_trips: int = 0
    left_queued: str | None = None  # why sendable changes are still queued, as a sentence


class Pusher:
    def __init__(self, local: LocalSide, transport: Transport, caps: ServerCapabilities,
                 batch_size: int = 100):
        self._local, self._transport, self._caps = local, transport, caps
        self._batch_size = batch_size

    def push(self) -> PushReport:
        """Send until the outbox is empty (conflicts and refused records wait for a person)
        or a round moves nothing; then the report says what is left queued."""
        report = PushReport()
        merge_only = 0
        while changes := self._local.pending_changes(self._batch_size):
            outcomes = self._send(changes, report)
            settled = any(o in ("confirmed", "conflict") for o in outcomes)
            merge_only = 0 if settled else merge_only + 1
            if all(o == "retry" for o in outcomes) or merge_only == MAX_MERGE_ONLY_ROUNDS:
                report.left_queued = LEFT_QUEUED
                break
        return report

    def _send(self, changes: list[PendingChange], report: PushReport) -> list[str]:
        """Send one batch; what became of each change."""
        outcomes = []
        to_send = []
        accepted: list[tuple[PendingChange, RemoteVersion]] = []
        for change in changes:
            if change.may_be_on_server:
                change = self._as_found(change, report)
                if isinstance(change, str):
                    outcomes.append(change)
                    continue
            if change.op == "delete" and change.base_version is None:
                accepted.append((change, _gone(change)))  # never reached the server
                outcomes.append("confirmed")
            elif change.op == "delete" and (remote := self._read(change, report)).version_id \
                    != change.base_version:
                outcomes.append(self._settle_reconcile(change, remote, report))
            else:
                to_send.append(change)
        if creates := [c for c in to_send if c.op == "put" and c.base_version is None]:
            self._local.note_creates_sent(creates)
        if to_send:
            entries = self._exchange(to_send, report)
            if len(entries) != len(to_send):
                raise MalformedResponse(
                    f"The server answered a Bundle of {len(to_send)} changes with "
                    f"{len(entries)} results, so it is unknown which were stored. They stay "
                    "queued and are sent again (with If-Match, so nothing is applied twice).")
            for change, entry in zip(to_send, entries, strict=True):
                outcomes.append(self._settle(change, entry, report, accepted))
        self._local.confirm_many(accepted)
        return outcomes

    def _as_found(self, change: PendingChange, report: PushReport) -> PendingChange | str:
        """A create that may have reached the server (its answer was lost), as the server
        has it. Not there: a plain create (or a delete with nothing to delete). There, or
        deleted since: what reconciling with it makes of the change, with what was sent as
        the base, so a colleague's edit is merged or becomes a conflict, never overwritten;
        a delete of it as sent goes as a delete of that version."""
        remote = self._read_sent(change, report)
        if remote is None:
            return replace(change, base=None)
        if change.op == "delete" and not remote.deleted and (
                _content(remote.resource) == _content(change.base)):
            return replace(change, base_version=remote.version_id, base=remote.resource)
        return self._settle_reconcile(change, remote, report)

    def _read_sent(self, change: PendingChange, report: PushReport) -> RemoteVersion | None:
        """The server's copy of a create sent before; None when it never arrived (404). A
        410 says it arrived and was deleted since; a server that answers 404 for a deleted
        record too (Medplum's in-memory router) cannot say so, and the create goes again."""
        report.round_trips += 1
        response = self._transport.request("GET", change.key)
        if response.status_code == 404:
            return None
        if response.status_code == 410:
            return _gone(change)
        if response.status_code != 200:
            reason = outcome_text(maybe_json(response), response.reason_phrase)
            raise MalformedResponse(f"Reading {change.key} from the server failed with HTTP "
                                    f"{response.status_code}: {reason}")
        return remote_of(change.type, change.id, body(response, change.type))

    def _exchange(self, changes: list[PendingChange], report: PushReport) -> list[dict]:
        """The server's answer entry for each change, in order."""
        if self._caps.offers("transaction"):
            response = self._post_bundle("transaction", changes, report)
            if response.status_code < 300:
                return body(response, "Bundle").get("entry", [])
            if response.status_code >= 500:
                return [_whole_failure(response)] * len(changes)
        if self._caps.offers("batch"):
            response = self._post_bundle("batch", changes, report)
            if response.status_code < 300:
                return body(response, "Bundle").get("entry", [])
            return [_whole_failure(response)] * len(changes)
        return [self._send_alone(change, report) for change in changes]

    def _post_bundle(self, kind: str, changes: list[PendingChange], report: PushReport):
        bundle = {"resourceType": "Bundle", "type": kind,
                  "entry": [_entry(change) for change in changes]}
        report.round_trips += 1
        return self._transport.request(
            "POST", "", content=fhir_json.dumps(bundle),
            headers={"Content-Type": FHIR_JSON, "Prefer": "return=representation"})

    def _send_alone(self, change: PendingChange, report: PushReport) -> dict:
        request = _entry(change)["request"]
        headers = {"Content-Type": FHIR_JSON, "Prefer": "return=representation"}
        if "ifMatch" in request:
            headers["If-Match"] = request["ifMatch"]
        report.round_trips += 1
        response = self._transport.request(request["method"], request["url"], headers=headers,
                                           content=fhir_json.dumps(change.resource))
        entry = {"response": {"status": str(response.status_code),
                              "etag": response.headers.get("ETag"),
                              "lastModified": response.headers.get("Last-Modified")}}
        if response.content:
            data = body(response, change.type if response.status_code < 300
                        else "OperationOutcome")
            entry["resource" if response.status_code < 300 else "outcome"] = data
        return entry

    def _settle(self, change: PendingChange, entry: dict, report: PushReport,
                accepted: list[tuple[PendingChange, RemoteVersion]]) -> str:
        """What became of one change; one the server took is added to `accepted`, for the
        caller to confirm with the rest of its Bundle."""
        answer = entry.get("response", {})
        status = status_code(answer.get("status", ""))
        if 200 <= status < 300:
            accepted.append((change, _accepted(change, entry)))
            report.sent += 1
            return "confirmed"
        if status in (409, 412):
            return self._settle_reconcile(change, self._read(change, report), report)
        if change.op == "delete" and status in (404, 410):
            accepted.append((change, _gone(change)))
            return "confirmed"
        if 400 <= status < 500:
            reason = outcome_text(answer.get("outcome"), f"HTTP {status}")
            if self._local.record_conflict(change, None, "rejected",
                                           f"the server refused it: {reason}"):
                report.set_aside.append(f"{change.key}: {reason}")
                return "conflict"
        return "retry"  # 5xx for this entry, or edited again meanwhile: next round or cycle

    def _settle_reconcile(self, change: PendingChange, remote: RemoteVersion,
                          report: PushReport) -> str:
        outcome = reconcile(self._local, change, remote)
        report.merged += outcome == "merged"
        report.conflicts += outcome == "conflict"
        report.sent += outcome == "confirmed"
        return outcome

    def _read(self, change: PendingChange, report: PushReport) -> RemoteVersion:
        report.round_trips += 1
        return read_remote(self._transport, change.type, change.id)


def _entry(change: PendingChange) -> dict:
    request = {"method": "DELETE" if change.op == "delete" else "PUT", "url": change.key}
    if change.base_version is not None:
        request["ifMatch"] = f'W/"{change.base_version}"'
    entry = {"fullUrl": change.key, "request": request}
    if change.resource is not None:
        entry["resource"] = change.resource
    return entry


def _accepted(change: PendingChange, entry: dict) -> RemoteVersion:
    """What the server now holds, from its answer (the resource itself when it sent it)."""
    if change.op == "delete":
        return _gone(change)
    answer = entry.get("response", {})
    resource = entry.get("resource")
    if isinstance(resource, dict) and resource.get("id") == change.id:
        # A server that reads numbers as doubles echoes "37.20" as 37.2: keep our digits.
        return remote_of(change.type, change.id, fhir_json.keep_digits(resource, change.resource))
    version = version_of_etag(answer.get("etag"))
    meta = {**change.resource.get("meta", {}), "versionId": version,
            "lastUpdated": answer.get("lastModified")}
    return RemoteVersion(change.type, change.id, version, answer.get("lastModified"),
                         {**change.resource, "meta": {k: v for k, v in meta.items() if v}})


def _gone(change: PendingChange) -> RemoteVersion:
    return RemoteVersion(change.type, change.id, None, None, None)


def _content(resource: dict) -> dict:
    return {k: v for k, v in resource.items() if k != "meta"}


def _whole_failure(response) -> dict:
    """A Bundle refused as a whole, as the answer for each of its entries."""
    try:
        outcome = body(response, "OperationOutcome")
    except MalformedResponse:  # a bare error page: the status line is all there is to say
        outcome = None
    return {"response": {"status": str(response.status_code), "outcome": outcome}}
