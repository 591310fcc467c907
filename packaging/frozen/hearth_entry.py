"""The frozen app's program: `hearth` exactly as the console script `pip install` makes.

A frozen build has no interpreter to run `python -c` with, so the display probe of
app.ui.shell.display starts this program again with PROBE_VARIABLE set, and it opens the
test window instead of the command line.
"""

import os
import sys

from app.ui.shell.display import PROBE_VARIABLE, open_test_window

if os.environ.get(PROBE_VARIABLE):
    open_test_window()
    sys.exit(0)

from app.cli.commands import main  # noqa: E402 (the probe must not load the command line)

sys.exit(main())
