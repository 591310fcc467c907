"""A server cannot hold a workstation or fill its memory: each way of trying ends the cycle
within a bound, with a sentence naming the server and saying local work is kept.

The misbehaving servers are real (tests/sync/bad_server.py); only an out-of-memory error,
which no server can cause on cue, is injected at the httpx transport.
"""

import time
from dataclasses import replace

import httpx
import pytest
from PySide6.QtCore import Qt

from app.bootstrap import SyncSettings
from app.security.policy import SyncPolicy
from app.store.sync_side import StoreSyncSide
from app.ui.shell.window import WorkstationWindow
from sync.engine import SyncEngine
from sync.transport import Transport
from sync.worker import SyncWorker
from tests.sync.bad_server import (
    bad_server,
    drip,
    endless_chunks,
    huge_length,
    retry_after,
    same_page_again,
)
from tests.sync.faults import Fault, FaultyTransport, metadata, out_of_memory
from tests.sync.stations import PASSWORD, patient, workstation


def engine(ws, server, **limits):
    """The engine the app builds, under a policy with these sync limits."""
    ws.policy = replace(ws.policy, sync=replace(ws.policy.sync, **limits))
    return ws.sync_engine(SyncSettings(server.base_url))


def timed_cycle(ws, server, **limits):
    """One cycle through the worker, as the app runs it: (status, seconds it took)."""
    sync = engine(ws, server, **limits)
    started = time.monotonic()
    try:
        status = SyncWorker(sync, interval_seconds=60).run_once()
    finally:
        sync.transport.close()
    return status, time.monotonic() - started


def test_a_body_dripping_a_byte_at_a_time_ends_at_the_cycle_deadline(a):
    a.patients.register(a.session, patient("Okafor"))
    with bad_server(drip(every=0.2)) as server:
        status, took = timed_cycle(a, server, cycle_deadline_seconds=2)
    assert took < 4
    assert (status.online, status.pending) == (False, 1)
    assert status.last_error == (
        f"The FHIR server at {server.base_url} did not finish this sync within 2 seconds "
        "(sync.cycle_deadline_seconds), so Hearth stopped it. Local work is kept and will "
        "sync later.")


def test_an_endless_body_is_dropped_at_the_size_limit(a):
    with bad_server(endless_chunks) as server:
        status, took = timed_cycle(a, server, max_response_mb=2)
    assert took < 5
    assert status.last_error == (
        f"Answer too large: The FHIR server at {server.base_url} sent more than the 2 MB "
        "Hearth accepts (sync.max_response_mb) in one answer to GET /fhir/_history?_count=500, "
        "so Hearth stopped reading it. Local work is kept and will sync later.")


def test_a_10_gib_content_length_is_refused_before_reading(a):
    with bad_server(huge_length) as server:
        status, took = timed_cycle(a, server)
    assert took < 2
    assert status.last_error == (
        f"Answer too large: The FHIR server at {server.base_url} announced an answer of "
        "10,240 MB to GET /fhir/_history?_count=500, more than the 64 MB Hearth accepts "
        "(sync.max_response_mb), so Hearth did not read it. Local work is kept and will sync "
        "later.")


def test_retry_after_300_stops_the_cycle_as_offline_at_once(a):
    with bad_server(retry_after(300)) as server:
        status, took = timed_cycle(a, server)
    assert took < 2
    assert len([r for r in server.requests if "_history" in r]) == 1
    assert (status.online, status.last_error) == (False, (
        f"The FHIR server at {server.base_url} asked Hearth to wait 300 seconds before trying "
        "again (HTTP 503), longer than the 60 seconds Hearth waits, so this sync stopped as if "
        "offline. Local work is kept and will sync later."))


def test_a_next_link_back_to_the_same_page_stops_that_feed(a):
    with bad_server(same_page_again) as server:
        status, took = timed_cycle(a, server)
    assert len([r for r in server.requests if "_history" in r]) == 1
    assert status.last_error == (
        f"The FHIR server at {server.base_url} linked back to a page of changes in the "
        "server's history it had already sent, so Hearth stopped following its links; the "
        "rest are asked for again at the next sync.")


def test_running_out_of_memory_is_said_in_words(a):
    wire = FaultyTransport(httpx.HTTPTransport(), [Fault(metadata, out_of_memory)])
    with bad_server(retry_after(1)) as server:
        sync = SyncEngine(StoreSyncSide(a.store, a.session.user, str(a.session.role)),
                          Transport(server.base_url, transport=wire))
        status = SyncWorker(sync, interval_seconds=60).run_once()
    assert status.last_error == (
        f"Sync stopped: this computer ran out of memory while syncing with the FHIR server at "
        f"{server.base_url}. Local work is kept and will sync later.")


@pytest.mark.parametrize("misbehave", [drip(every=5), retry_after(30)],
                         ids=["dripping body", "waiting out Retry-After"])
def test_the_background_worker_stops_within_seconds(a, misbehave):
    a.patients.register(a.session, patient("Okafor"))
    with bad_server(misbehave) as server:
        sync = engine(a, server)
        worker = SyncWorker(sync, interval_seconds=3600)
        worker.start()
        assert server.asked.wait(10)
        time.sleep(0.5)  # well inside the request, or the wait after it
        started = time.monotonic()
        worker.stop()
        took = time.monotonic() - started
        sync.transport.close()
    assert took < 5
    assert worker.status.pending == 1  # the patient is still queued for the next sync


def test_closing_the_window_does_not_wait_for_a_dripping_server(qtbot, env, tmp_path):
    root = tmp_path / "ward"
    workstation(env, root).close()
    with bad_server(drip(every=5)) as server:
        preset = replace(env.effective_policy(), sync=SyncPolicy(server=server.base_url))
        win = WorkstationWindow(replace(env, policy=preset), root)
        qtbot.addWidget(win)
        win.login.user.setText("pat")
        win.login.password.setText(PASSWORD)
        qtbot.mouseClick(win.login.sign_in, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(server.asked.is_set, timeout=20000)  # the first sync is dripping
        started = time.monotonic()
        win.close()  # stops sync and closes the store before the window goes
        assert time.monotonic() - started < 5
