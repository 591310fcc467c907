"""A sync cycle marks the store busy while it runs, so `hearth update stage` refuses then:
the workstation's real sync worker against a server that answers nothing until stopped."""

import socket
import time
from dataclasses import replace

from app.security.policy import SyncPolicy
from app.store.activity import SYNC, Activity


def test_the_store_is_busy_only_while_a_sync_cycle_runs(admin, store_dir):
    silent = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    admin.policy = replace(admin.policy, sync=SyncPolicy(
        server=f"http://127.0.0.1:{silent.getsockname()[1]}/fhir"))
    worker = admin.sync_worker(lambda: None)
    activity = Activity(store_dir)
    assert not activity.held(SYNC)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while not activity.held(SYNC) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert activity.held(SYNC)
    finally:
        worker.stop()
        silent.close()
    assert not activity.held(SYNC)
