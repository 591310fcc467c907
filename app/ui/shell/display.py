"""Whether the window can be shown here, asked before any QApplication exists.

Qt ends the whole process with abort() (exit 134, no message a person can act on) when its
platform plugin cannot start: no display at all, a display that does not answer, or the xcb
plugin missing a system library (libxcb-cursor0 since Qt 6.5). Nothing in-process can catch
that, so when a display is named, a throwaway interpreter opens a QGuiApplication first,
under the same environment; if it fails, its first line of complaint goes into one
sentence. This costs one short process start, and only for the window, never for the CLI.
On macOS and Windows there is always a display, so nothing is checked. The frozen app
(packaging/frozen) has no `python -c`: it starts itself again with PROBE_VARIABLE set.
"""

import os
import subprocess
import sys

from app.errors import NoDisplay

# PySide6 alone: `python -c` puts the current folder first on its path, so importing `app`
# here could load another project's (any folder named app) and report a display at fault.
PROBE = "import sys; from PySide6.QtGui import QGuiApplication; QGuiApplication(sys.argv[:1])"
PROBE_VARIABLE = "HEARTH_DISPLAY_PROBE"
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
        command, environment = _probe()
        done = subprocess.run(command, env=environment, capture_output=True, text=True,
                              timeout=PROBE_SECONDS, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f"it did not answer within {PROBE_SECONDS} seconds"
    if done.returncode == 0:
        return None
    return _reason(done.stderr) or f"a test window ended with status {done.returncode}"


def _probe() -> tuple[list[str], dict[str, str] | None]:
    """The throwaway process's command line and environment (None: this one's)."""
    if getattr(sys, "frozen", False):  # PyInstaller's build: the program is `hearth` itself
        return [sys.executable], {**os.environ, PROBE_VARIABLE: "1"}
    return [sys.executable, "-c", PROBE], None


def open_test_window() -> None:
    """PROBE, as the frozen app runs it: Qt aborts this process if it cannot open the
    display."""
    from PySide6.QtGui import QGuiApplication

    QGuiApplication(sys.argv[:1])


def _reason(stderr: str) -> str:
    """Python's error (e.g. a missing libEGL), else Qt's first line, without its category."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.split(":")[0].endswith("Error")]
    line = errors[-1] if errors else lines[0] if lines else ""
    if line.startswith("qt.") and ": " in line:
        line = line.split(": ", 1)[1]
    return line.rstrip(".")
