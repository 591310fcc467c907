"""A Hearth sync cycle for the crash tests, killed with SIGKILL at a chosen point.

    python -m tests.sync.sync_process STORE USER SERVER_URL KILL_POINT   (from the repo root)

Signs in as USER (password tests.sync.stations.PASSWORD) through open_workstation, builds
the engine as Workstation.sync_engine does and runs one cycle. KILL_POINT is "none" or
WHEN:N, where WHEN is one of
    http-before, http-after      the N-th HTTP request: before it leaves, or once its whole
                                 answer has arrived (the server has done the work)
    commit-before, commit-after  the N-th call of a LocalSide method that commits
                                 (note_creates_sent, confirm, confirm_many,
                                 replace_with_merge, record_conflict, apply_remote,
                                 mark_audit_uploaded, save_audit_checkpoint): before it
                                 starts, or after it returned
There the process sends itself SIGKILL: no except, finally or atexit runs, as when the power
goes. The kill points live only in the wrappers below, never in Hearth's code. A process
that outlives its kill point prints a JSON summary: the requests and commits it counted and
the cycle's report.
Needs the private keyring's D-Bus variables in its environment.
"""

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
from keyring.backends import SecretService

from app.bootstrap import Environment, open_workstation
from app.store.sync_side import StoreSyncSide
from sync.engine import SyncEngine
from sync.pull import PullScope
from sync.transport import Transport
from tests.store.writer_process import CHEAP_POLICY
from tests.sync.stations import PASSWORD

COMMITTING = frozenset({"note_creates_sent", "confirm", "confirm_many", "replace_with_merge",
                        "record_conflict", "apply_remote", "mark_audit_uploaded",
                        "save_audit_checkpoint"})


class KillPoint:
    """Counts HTTP requests and commits; dies at the one named on the command line."""

    def __init__(self, spec: str):
        self.counts = {"http": 0, "commit": 0}
        self.kind, self.when, self.n = None, None, 0
        if spec != "none":
            where, n = spec.split(":")
            self.kind, self.when = where.split("-")
            self.n = int(n)
            assert self.kind in self.counts and self.when in ("before", "after"), spec

    def step(self, kind: str, call: Callable):
        self.counts[kind] += 1
        here = kind == self.kind and self.counts[kind] == self.n
        if here and self.when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = call()
        if here:
            os.kill(os.getpid(), signal.SIGKILL)
        return result


class KillingTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, kill: KillPoint):
        self._inner, self._kill = inner, kill

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._kill.step("http", lambda: _read(self._inner.handle_request(request)))

    def close(self) -> None:
        self._inner.close()


def _read(response: httpx.Response) -> httpx.Response:
    response.read()
    return response


class KillingLocalSide:
    """The real StoreSyncSide, with its committing methods counted by the kill point."""

    def __init__(self, local: StoreSyncSide, kill: KillPoint):
        self._local, self._kill = local, kill

    def __getattr__(self, name: str):
        attr = getattr(self._local, name)
        if name not in COMMITTING:
            return attr
        return lambda *args, **kwargs: self._kill.step("commit", lambda: attr(*args, **kwargs))


def main() -> None:
    store, user, server, spec = sys.argv[1:]
    backend = SecretService.Keyring()
    ws = open_workstation(Environment(keyring_backend=lambda: backend, policy=CHEAP_POLICY),
                          Path(store), user, PASSWORD)
    kill = KillPoint(spec)
    transport = Transport(server, transport=KillingTransport(httpx.HTTPTransport(), kill))
    local = KillingLocalSide(StoreSyncSide(ws.store, ws.session.user, str(ws.session.role)),
                             kill)
    report = SyncEngine(local, transport, PullScope()).run_once()
    transport.close()
    ws.store.close()
    print(orjson.dumps({
        **kill.counts, "sent": report.pushed.sent, "merged": report.pushed.merged,
        "conflicts": report.pushed.conflicts + report.pulled.conflicts,
        "received": report.pulled.received, "audit_uploaded": report.audit.uploaded,
    }).decode())


if __name__ == "__main__":
    main()
