"""The campaigns' kill_after returns every line the child printed before it died.

A child's lines arrive in chunks: the line that satisfies the condition can come with more
behind it in the same read. Those were lost once (communicate() reads the pipe itself, past
the buffer the line iterator had filled), and the writer campaign then believed a value the
writer had since changed and reported a saved write as lost.
"""

import sys
from pathlib import Path

from tests.faults.runner import kill_after

PRINTS_THEN_WAITS = ("import sys, time\n"
                     "sys.stdout.write(''.join(f'line {i}\\n' for i in range(200)))\n"
                     "sys.stdout.flush()\n"
                     "time.sleep(60)\n")


def test_every_line_printed_before_the_kill_is_returned(tmp_path: Path):
    lines, _, status = kill_after([sys.executable, "-c", PRINTS_THEN_WAITS], {}, tmp_path,
                                  lambda seen: len(seen) >= 1, 0.2, watchdog_seconds=30)
    assert status == -9
    assert lines == [f"line {i}" for i in range(200)]
