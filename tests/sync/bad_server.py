"""A real HTTP server on this computer that answers /metadata like a FHIR R4 server (and
stores the audit trail's batches), and every other request the way a broken or hostile one
does: dripping a byte at a time, an endless chunked body, a 10 GiB Content-Length,
Retry-After: 300, a page linking to itself, a redirect elsewhere.

It is a real server (Python's http.server in a thread), so Hearth's real HTTP stack meets
the real socket behaviour: nothing is mocked. `requests` lists what it was asked, in order;
`asked` is set once the misbehaving route has been reached.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson

CAPABILITIES = {
    "resourceType": "CapabilityStatement", "status": "active", "kind": "instance",
    "fhirVersion": "4.0.1", "format": ["json"], "software": {"name": "misbehaving test server"},
    "rest": [{"mode": "server", "interaction": [{"code": "history-system"}, {"code": "batch"}],
              "resource": [{"type": "AuditEvent", "updateCreate": True,
                            "interaction": [{"code": "update"}]}]}],
}


class BadServer:
    def __init__(self, misbehave: Callable[["Handler"], None], host: str):
        self.misbehave, self.requests = misbehave, []
        self.asked, self.stopping = threading.Event(), threading.Event()
        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.bad = self
        self.base_url = f"http://{host}:{self.httpd.server_port}/fhir/"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked bodies and kept-alive connections

    @property
    def bad(self) -> BadServer:
        return self.server.bad

    def do_GET(self) -> None:
        self.bad.requests.append(f"GET {self.path}")
        if self.path.endswith("/metadata"):
            self.answer(200, CAPABILITIES)
            return
        self.bad.asked.set()
        self.bad.misbehave(self)

    def do_POST(self) -> None:
        """The audit trail's batch is stored; records pushed meet the fault."""
        self.bad.requests.append(f"POST {self.path}")
        sent = orjson.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        entries = sent.get("entry", [])
        if entries and all(e["resource"]["resourceType"] == "AuditEvent" for e in entries):
            self.answer(200, {"resourceType": "Bundle", "type": "batch-response", "entry": [
                {"response": {"status": "200 OK", "etag": 'W/"1"'}} for _ in entries]})
            return
        self.bad.asked.set()
        self.bad.misbehave(self)

    def answer(self, status: int, data: dict, headers: dict | None = None) -> None:
        content = orjson.dumps(data)
        self.send_response(status)
        for name, value in {"Content-Type": "application/fhir+json",
                            "Content-Length": str(len(content)), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def bad_server(misbehave: Callable[[Handler], None], host: str = "127.0.0.1"
               ) -> Iterator[BadServer]:
    server = BadServer(misbehave, host)
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(5)


# -- ways to misbehave -----------------------------------------------------------------------

def drip(every: float) -> Callable[[Handler], None]:
    """Headers at once, then one byte of the promised body every `every` seconds."""
    def act(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/fhir+json")
        handler.send_header("Content-Length", "1000000")
        handler.end_headers()
        _until_gone(handler, lambda: handler.wfile.write(b" "), every)
    return act


def endless_chunks(handler: Handler) -> None:
    """A chunked body that never ends, as fast as the client reads it."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/fhir+json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    _until_gone(handler, lambda: handler.wfile.write(chunk), 0)


def huge_length(handler: Handler) -> None:
    """A 10 GiB Content-Length, then a body that never comes."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/fhir+json")
    handler.send_header("Content-Length", str(10 * 2**30))
    handler.end_headers()
    _until_gone(handler, lambda: None, 0.1)


def retry_after(seconds: int) -> Callable[[Handler], None]:
    def act(handler: Handler) -> None:
        handler.answer(503, {"resourceType": "OperationOutcome", "issue": []},
                       {"Retry-After": str(seconds)})
    return act


def same_page_again(handler: Handler) -> None:
    """A history page whose `next` link is itself, with a new version of one record each
    time (so nothing on it looks already seen); it gives up after 50 pages."""
    calls = len([r for r in handler.bad.requests if "_history" in r])
    page = {"resourceType": "Bundle", "type": "history", "entry": [{
        "fullUrl": f"{handler.bad.base_url}Patient/p1",
        "resource": {"resourceType": "Patient", "id": "p1", "meta": {
            "versionId": str(calls), "lastUpdated": "2026-01-01T00:00:00.000Z"}},
        "request": {"method": "PUT", "url": "Patient/p1"}}]}
    if calls < 50:
        here = handler.bad.base_url.removesuffix("/fhir/") + handler.path
        page["link"] = [{"relation": "next", "url": here}]
    handler.answer(200, page)


def redirect_to(url: str) -> Callable[[Handler], None]:
    def act(handler: Handler) -> None:
        handler.send_response(302)
        handler.send_header("Location", url)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return act


def _until_gone(handler: Handler, write: Callable[[], object], every: float) -> None:
    """Keep writing until the client hangs up or the server stops."""
    while not handler.bad.stopping.wait(every):
        try:
            write()
            handler.wfile.flush()
        except OSError:
            return
