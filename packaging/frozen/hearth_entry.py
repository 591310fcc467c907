"""The frozen app's program: `hearth` exactly as the console script `pip install` makes (on
Windows both hearth.exe, the windowed workstation, and hearth-cli.exe, the command line).

A frozen build has no interpreter to run `python -c` with, so the display probe of
app.ui.shell.display starts this program again with PROBE_VARIABLE set, and it opens the
test window instead of the command line.
"""

import os
import sys

# Windows gives a windowed program (hearth.exe, built with console=False) no standard output
# or error at all: Python's are None, and the first flush would end the program with an
# error. What the window shows is what a clinician sees; the command line, whose output
# matters, is the console program hearth-cli.exe.
sys.stdout = sys.stdout or open(os.devnull, "w")
sys.stderr = sys.stderr or open(os.devnull, "w")

from app.ui.shell.display import PROBE_VARIABLE, open_test_window  # noqa: E402

if os.environ.get(PROBE_VARIABLE):
    open_test_window()
    sys.exit(0)

from app.cli.commands import main  # noqa: E402 (the probe must not load the command line)

sys.exit(main())
