"""Whether the window can be shown here, asked before any QApplication exists.

Qt ends the whole process with abort() (exit 134, no message a person can act on) when its
platform plugin cannot start: no display at all, a display that does not answer, or the xcb
plugin missing a system library (libxcb-cursor0 since Qt 6.5). Nothing in-process can catch
that, so when a display is named, a forked copy of this process opens a QGuiApplication
first; if it dies, its first line of complaint goes into one sentence. A fork, not a new
interpreter: the copy already has Python and Qt loaded, so it costs the display connection
alone (some 10 ms, where starting `python -c` and importing PySide6 again took a tenth of a
second and more, a quarter of the start-up), and the frozen app needs nothing of its own.
Only for the window, never for the CLI. On macOS and Windows there is always a display, so
nothing is checked (nor forked).
"""

import os
import select
import signal
import sys
import time
import traceback

from app.errors import NoDisplay

PROBE_SECONDS = 30
NAMES = ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "DISPLAY")


def require_display(command: str) -> None:
    """Raise NoDisplay, saying how to run `command` (as typed) instead, unless Qt can show
    a window here."""
    if sys.platform in ("darwin", "win32"):
        return
    how = (f"Run it in a desktop session, over ssh -X, or under a virtual display: "
           f"xvfb-run -a {command}")
    named = [f"{name}={os.environ[name]}" for name in NAMES if os.environ.get(name)]
    if not named:
        raise NoDisplay("There is no display to show the Hearth window on (neither DISPLAY "
                        f"nor WAYLAND_DISPLAY is set). {how}")
    failure = _qt_failure()
    if failure:
        raise NoDisplay(f"Qt could not open the display ({', '.join(named)}): {failure}. {how}")


def _qt_failure() -> str | None:
    """None when a QGuiApplication starts here, else what went wrong, in Qt's words."""
    try:
        from PySide6.QtGui import QGuiApplication  # the window imports it next in any case
    except ImportError as err:  # a system library Qt loads is missing, e.g. libEGL
        return _reason(f"{type(err).__name__}: {err}")
    if isinstance(QGuiApplication.instance(), QGuiApplication):
        return None  # this process has opened the display already
    sys.stdout.flush()
    sys.stderr.flush()  # or the copy would write out this process's pending lines again
    complaints, complaining = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(complaints)
        _open_test_window(QGuiApplication, complaining)
    os.close(complaining)
    stderr, answered = _read_until_closed(complaints, time.monotonic() + PROBE_SECONDS)
    if not answered:
        os.kill(pid, signal.SIGKILL)
    status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if not answered:
        return f"it did not answer within {PROBE_SECONDS} seconds"
    if status == 0:
        return None
    return _reason(stderr) or f"a test window ended with status {status}"


def _open_test_window(application: type, complaints: int):
    """In the forked copy: open the display and end, with what Qt or Python said on stderr
    (into the pipe `complaints`); Qt aborts the copy if it cannot. Never returns: the copy
    leaves by os._exit, so none of this process's exit handlers run twice."""
    status = 1
    try:
        quiet = os.open(os.devnull, os.O_RDWR)
        os.dup2(quiet, 0)
        os.dup2(quiet, 1)
        os.dup2(complaints, 2)
        application(sys.argv[:1])
        status = 0
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
    finally:
        os._exit(status)


def _read_until_closed(pipe: int, deadline: float) -> tuple[str, bool]:
    """(what came through `pipe` until its writer ended, whether it ended by `deadline`)."""
    chunks = []
    try:
        while (left := deadline - time.monotonic()) > 0:
            if select.select([pipe], [], [], left)[0]:
                chunk = os.read(pipe, 65536)
                if not chunk:
                    return b"".join(chunks).decode(errors="replace"), True
                chunks.append(chunk)
        return b"".join(chunks).decode(errors="replace"), False
    finally:
        os.close(pipe)


def _reason(stderr: str) -> str:
    """Python's error (e.g. a missing libEGL), else Qt's first line, without its category."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.split(":")[0].endswith("Error")]
    line = errors[-1] if errors else lines[0] if lines else ""
    if line.startswith("qt.") and ": " in line:
        line = line.split(": ", 1)[1]
    return line.rstrip(".")
