"""A server that records whatever reaches it: the rogue a test proves received nothing."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def recording_server() -> Iterator[tuple[str, list[str]]]:
    """(its origin, the requests it got as "METHOD path Authorization"); it answers 400."""
    asked: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def _record(self):
            asked.append(f"{self.command} {self.path} {self.headers.get('Authorization')}")
            self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = do_PUT = _record

        def log_message(self, *args):
            pass

    with ThreadingHTTPServer(("127.0.0.1", 0), Recorder) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_port}", asked
        finally:
            server.shutdown()
