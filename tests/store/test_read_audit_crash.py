"""Audited reads commit without waiting for the disk, yet a killed process loses none.

A real reader process (reader_process.py) searches and opens a chart as fast as it can and
is killed with SIGKILL in the middle of the burst, within half a second of its last reads,
before app.store.late_sync has put them on the disk. Every read it reported has its audit
row afterwards, and the chain verifies.
"""

import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from app.bootstrap import open_workstation
from tests.conftest import ADMIN_PASSWORD
from tests.kill_child import kill_mid_run
from tests.store.test_crash_safety import NURSE, add_nurse

REPO = Path(__file__).resolve().parents[2]
# Killed after this many reads, this many seconds later (mid-way through the next ones).
KILLS = [(5, 0.0), (40, 0.003), (120, 0.011)]


def reads_audited(ws) -> int:
    with ws.store.read() as conn:
        return conn.execute(text("SELECT count(*) FROM audit WHERE user = :user AND action "
                                 "IN ('query', 'read')"), {"user": NURSE[0]}).scalar_one()


@pytest.mark.slow
def test_a_reader_killed_mid_burst_keeps_the_audit_row_of_every_read_it_returned(
    admin, env, store_dir, keyring_session,
):
    add_nurse(env, store_dir)
    nurse = open_workstation(env, store_dir, *NURSE)
    nurse.patients.register(nurse.session, {"resourceType": "Patient", "id": "crash-1",
                                            "name": [{"family": "Crashtest"}]})
    nurse.close()
    admin.close()  # the reader is the only process with the store open when it is killed
    reported = 0
    for after, delay in KILLS:
        printed, err = kill_mid_run(
            [sys.executable, "-m", "tests.store.reader_process", str(store_dir), *NURSE,
             "crash-1"], {**keyring_session, "PYTHONPATH": str(REPO)},
            lambda lines, n=after: lines[-1].startswith(f"read {n}\n"), delay, 60, "reader")
        returned = max(int(line.split()[1]) for line in printed if line.startswith("read "))
        reported += returned

        auditor = open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)
        verification = auditor.audit.verify(auditor.session)
        audited = reads_audited(auditor)
        auditor.close()
        assert verification.intact, verification.problems
        # Every read that returned is audited; at most the one in flight besides.
        assert reported <= audited <= reported + 1, (after, delay)
        reported = audited
