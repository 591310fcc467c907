"""The sockets of a transport's open connections, so another thread can cut them.

Closing an httpx client does not wake a thread blocked reading a socket: a server dripping
one byte every 25 s keeps that thread until the next byte. Shutting the socket down does,
at once, so stopping the sync worker (sign-out, closing Hearth) never waits on the server.
The sockets are learnt from httpcore's documented `trace` extension as connections open.
"""

import socket
import threading
import weakref

OPENED = ("connection.connect_tcp.complete", "connection.start_tls.complete")


class OpenConnections:
    def __init__(self):
        self._lock = threading.Lock()
        self._streams: weakref.WeakSet = weakref.WeakSet()
        self._cut = False

    def trace(self, event: str, info: dict) -> None:
        """httpcore's trace hook: remember each connection as it opens (a connection that
        opens after cut() is cut at once)."""
        if event not in OPENED or info.get("return_value") is None:
            return
        with self._lock:
            self._streams.add(info["return_value"])
            cut = self._cut
        if cut:
            _shut(info["return_value"])

    def cut(self) -> None:
        """Shut every connection down, waking any thread reading from one."""
        with self._lock:
            self._cut = True
            streams = list(self._streams)
        for stream in streams:
            _shut(stream)


def _shut(stream) -> None:
    sock = stream.get_extra_info("socket")
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed
        pass
