"""Killing a child process at a chosen moment, as a power cut would (SIGKILL: no cleanup).

Shared by the crash tests of the store's writer and of the note editor, so both kill the
same way: read what the child reports, wait a little past the chosen report, kill, and
make sure it was the kill that ended it.
"""

import signal
import subprocess
import threading
import time
from collections.abc import Callable


def kill_mid_run(args: list[str], env: dict[str, str], enough: Callable[[list[str]], bool],
                 delay: float, watchdog_seconds: float, who: str) -> tuple[list[str], str]:
    """Run `args` and read its output lines; once `enough(the lines so far)`, wait `delay` s
    and SIGKILL it. A watchdog kills a child that hangs, so a test cannot. Returns every
    line it printed, before and after the kill, and its stderr; asserts the kill ended it
    (`who` names the child in that message)."""
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env)
    watchdog = threading.Timer(watchdog_seconds, child.kill)
    watchdog.start()
    lines: list[str] = []
    try:
        for line in child.stdout:
            lines.append(line)
            if enough(lines):
                time.sleep(delay)
                break
    finally:
        child.send_signal(signal.SIGKILL)
        rest, err = child.communicate(timeout=10)
        watchdog.cancel()
    assert child.returncode == -signal.SIGKILL, f"{who} ended on its own:\n{err}"
    return lines + rest.splitlines(), err
