"""Network faults between Hearth and a real FHIR server, injected at the httpx transport.

Faults a real server cannot be made to produce on cue (a refused connection, a timeout, a
busy 5xx or 429, an answer lost after the server committed) are scripted here, per request,
in front of a real `httpx.HTTPTransport`; every other request reaches the real server. What
the engine then sees is exactly what it would see on a clinic's flaky line.
"""

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import orjson

Forward = Callable[[httpx.Request], httpx.Response]


@dataclass
class Fault:
    """Do `act` instead of a plain forward, on the next `times` requests `when` matches
    (None: on every one); `hits` counts the times it did, so a test can prove it fired."""

    when: Callable[[httpx.Request], bool]
    act: Callable[[httpx.Request, Forward], httpx.Response]
    times: int | None = 1
    hits: int = 0


class FaultyTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, faults: list[Fault]):
        self.inner, self.faults = inner, faults

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for fault in self.faults:
            if (fault.times is None or fault.hits < fault.times) and fault.when(request):
                fault.hits += 1
                return fault.act(request, self.inner.handle_request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


# -- what to do ------------------------------------------------------------------------------

def refused(request: httpx.Request, forward: Forward) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


def timed_out(request: httpx.Request, forward: Forward) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def server_error(request: httpx.Request, forward: Forward) -> httpx.Response:
    return httpx.Response(500, json={"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "exception", "diagnostics": "injected failure"}]})


def too_many_requests(retry_after: str) -> Callable[[httpx.Request, Forward], httpx.Response]:
    def act(request: httpx.Request, forward: Forward) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": retry_after})
    return act


def out_of_memory(request: httpx.Request, forward: Forward) -> httpx.Response:
    """What Python raises when an allocation fails: no server causes it on cue."""
    raise MemoryError


def answer_lost(request: httpx.Request, forward: Forward) -> httpx.Response:
    """The server receives and commits the request; its answer never arrives."""
    response = forward(request)
    response.read()
    response.close()
    raise httpx.ReadError("connection reset by peer", request=request)


def answer_with(content: bytes) -> Callable[[httpx.Request, Forward], httpx.Response]:
    """A 200 carrying `content` instead of what the server would have said."""
    def act(request: httpx.Request, forward: Forward) -> httpx.Response:
        return httpx.Response(200, content=content,
                              headers={"Content-Type": "application/fhir+json"})
    return act


# -- which requests ----------------------------------------------------------------------------

def every_request(request: httpx.Request) -> bool:
    return True


def metadata(request: httpx.Request) -> bool:
    """The CapabilityStatement read that starts each engine's first cycle."""
    return request.url.path.endswith("/metadata")


def push_bundle(request: httpx.Request) -> bool:
    """The transaction Bundle that sends the outbox."""
    return _bundle(request).get("type") == "transaction"


def audit_batch(request: httpx.Request) -> bool:
    """The batch Bundle that uploads the audit trail."""
    bundle = _bundle(request)
    return bundle.get("type") == "batch" and any(
        entry.get("resource", {}).get("resourceType") == "AuditEvent"
        for entry in bundle.get("entry", []))


def history_page(request: httpx.Request) -> bool:
    """A page of the pull feed."""
    return request.method == "GET" and "_history" in request.url.path


def _bundle(request: httpx.Request) -> dict:
    if request.method != "POST" or not request.url.path.endswith("/fhir/"):
        return {}
    data = orjson.loads(request.content)
    return data if isinstance(data, dict) and data.get("resourceType") == "Bundle" else {}
