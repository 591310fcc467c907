"""Reading the server's answers: JSON bodies, version ids, statuses, outcomes.

Servers differ in what they put where (an ETag header or `response.etag`, the resource in
the answer or not), so the engine reads them here, in one place, and a body that is not the
FHIR it should be becomes a MalformedResponse with the URL, never a crash mid-cycle.
"""

import re

import httpx

from fhir_common import fhir_json
from sync.errors import MalformedResponse
from sync.local import RemoteVersion

FHIR_JSON = "application/fhir+json"
WEAK_ETAG = re.compile(r'^(?:W/)?"?([^"]*)"?$')


def body(response: httpx.Response, expected: str) -> dict:
    try:
        data = fhir_json.loads(response.content)
    except fhir_json.JSONDecodeError:
        raise MalformedResponse(
            f"{response.request.url} answered HTTP {response.status_code} with something "
            f"that is not JSON where a {expected} was expected.") from None
    if not isinstance(data, dict) or data.get("resourceType") != expected:
        found = data.get("resourceType") if isinstance(data, dict) else type(data).__name__
        raise MalformedResponse(
            f"{response.request.url} answered with {found!r} where a {expected} was expected.")
    return data


def version_of_etag(etag: str | None) -> str | None:
    match = WEAK_ETAG.match(etag.strip()) if etag else None
    return match.group(1) if match and match.group(1) else None


def status_code(status: str) -> int:
    """A Bundle entry's response.status ("201 Created") as a number."""
    head = str(status).strip().split(" ", 1)[0]
    return int(head) if head.isdigit() else 0


def outcome_text(outcome: dict | None, fallback: str) -> str:
    """The server's own words from an OperationOutcome, for a person to read."""
    issues = (outcome or {}).get("issue", [])
    words = [i.get("diagnostics") or (i.get("details") or {}).get("text") or i.get("code", "")
             for i in issues]
    return "; ".join(w for w in words if w) or fallback


def remote_of(resource_type: str, resource_id: str, resource: dict) -> RemoteVersion:
    meta = resource.get("meta", {})
    return RemoteVersion(resource_type, resource_id, meta.get("versionId"),
                         meta.get("lastUpdated"), resource)


def read_remote(transport, resource_type: str, resource_id: str) -> RemoteVersion:
    """The server's current version; a deleted or absent resource has `resource` None."""
    response = transport.request("GET", f"{resource_type}/{resource_id}")
    if response.status_code in (404, 410):
        return RemoteVersion(resource_type, resource_id,
                             version_of_etag(response.headers.get("ETag")), None, None)
    if response.status_code != 200:
        reason = outcome_text(maybe_json(response), response.reason_phrase)
        raise MalformedResponse(f"Reading {resource_type}/{resource_id} from the server "
                                f"failed with HTTP {response.status_code}: {reason}")
    return remote_of(resource_type, resource_id, body(response, resource_type))


def maybe_json(response: httpx.Response) -> dict | None:
    try:
        data = fhir_json.loads(response.content)
    except fhir_json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None
