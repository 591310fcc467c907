"""Audited reads commit without an fsync; app.store.late_sync puts them on the disk.

What a power cut would take cannot be caused here, so these tests watch the fsyncs
themselves (os.fsync, passed through to the real disk) and SQLite's own setting.
"""

import os
import threading
import time

import pytest

from app.clinical.records import Records
from app.security.roles import Permission
from app.store.late_sync import LateSync
from tests.conftest import sign_in


@pytest.fixture
def nurse(admin, env, store_dir):
    ws = sign_in(admin, env, store_dir, "nina", "nurse")
    yield ws
    ws.store.close()


@pytest.fixture
def fsyncs(monkeypatch) -> list[tuple[str, str]]:
    """(file, thread) of every fsync Python makes, each still made."""
    seen, real_fsync = [], os.fsync

    def fsync(fd):
        seen.append((os.path.basename(os.readlink(f"/proc/self/fd/{fd}")),
                     threading.current_thread().name))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return seen


def synchronous_setting(store) -> int:
    """SQLite's synchronous setting on the connection the next write is lent (2: FULL)."""
    with store.write() as conn:
        return conn.connection.dbapi_connection.execute("PRAGMA synchronous").fetchone()[0]


def test_a_search_reaches_the_disk_within_moments_without_waiting_for_it(nurse, fsyncs):
    nurse.search.search(nurse.session, "anyone")
    deadline = time.monotonic() + 10  # a generous bound on a busy machine; promised: 0.5 s
    while ("hearth.db-wal", "hearth-late-sync") not in fsyncs and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ("hearth.db-wal", "hearth-late-sync") in fsyncs
    assert not nurse.store.db.late_sync.pending


def test_after_an_audited_read_the_next_save_waits_for_the_disk_again(nurse):
    nurse.search.search(nurse.session, "anyone")
    assert synchronous_setting(nurse.store) == 2


def test_a_save_leaves_nothing_for_the_late_sync(nurse):
    nurse.patients.register(nurse.session, {"resourceType": "Patient", "id": "p1",
                                            "name": [{"family": "Diaz"}]})
    assert not nurse.store.db.late_sync.pending


def test_a_read_that_saves_a_record_is_on_the_disk_before_it_returns(nurse, fsyncs):
    with Records(nurse.store).read(nurse.session, Permission.EDIT_DEMOGRAPHICS) as work:
        work.save({"resourceType": "Patient", "id": "p2", "name": [{"family": "Okafor"}]},
                  "create")
    assert ("hearth.db-wal", threading.current_thread().name) in fsyncs
    assert not nurse.store.db.late_sync.pending


def late_sync_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "hearth-late-sync"}


def test_closing_the_store_puts_the_last_reads_on_the_disk(nurse, fsyncs):
    before = late_sync_threads()
    nurse.search.search(nurse.session, "anyone")
    started = late_sync_threads() - before
    nurse.store.close()
    assert ("hearth.db-wal", threading.current_thread().name) in fsyncs
    assert started and not started & late_sync_threads()


def test_closing_just_as_the_late_sync_wakes_does_not_hang(tmp_path):
    """stop() landing between the thread's delay running out and its sync (which clears the
    wake-up stop() gave): the store still closes."""
    (tmp_path / "store-wal").write_bytes(b"frames")
    late = LateSync(tmp_path / "store-wal", delay=0.01)
    woke, go_on = threading.Event(), threading.Event()

    class DelayRunsOutAsStopComes(threading.Event):
        def wait(self, timeout=None):
            if timeout is not None and not woke.is_set():  # the thread's delay
                woke.set()
                go_on.wait(5)
                return False  # it ran out just before stop() set the flag
            return super().wait(timeout)

    late._closing = DelayRunsOutAsStopComes()
    late.committed()
    assert woke.wait(5)
    stopper = threading.Thread(target=late.stop, daemon=True)
    stopper.start()
    time.sleep(0.05)  # stop() has set its flags and waits for the thread
    go_on.set()
    stopper.join(5)
    assert not stopper.is_alive()
