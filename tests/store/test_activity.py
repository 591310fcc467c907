"""The marks another process reads to know a sync runs or a note is open on a store: seen
from another process, gone when released, and gone when their process dies (no stale mark
can block updates for ever)."""

import subprocess
import sys

from app.store.activity import NOTE_DRAFT, SYNC, Activity

HOLD = ("import sys, time; from pathlib import Path; from app.store.activity import Activity; "
        "mark = Activity(Path(sys.argv[1])).hold('sync'); print('held', flush=True); "
        "time.sleep(60)")


def test_a_mark_is_seen_until_released(tmp_path):
    activity = Activity(tmp_path)
    with activity.hold(NOTE_DRAFT):
        assert activity.held(NOTE_DRAFT)
        assert not activity.held(SYNC)
    assert not activity.held(NOTE_DRAFT)


def test_another_process_sees_a_mark_and_it_goes_with_the_process(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        assert Activity(tmp_path).held(SYNC)
    finally:
        holder.kill()
        holder.wait()
    assert not Activity(tmp_path).held(SYNC)  # killed: its lock went with it
    assert list((tmp_path / "activity").iterdir()) == []  # and the stale file was cleared
