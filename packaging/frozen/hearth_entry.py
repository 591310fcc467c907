"""The frozen app's program: `hearth` exactly as the console script `pip install` makes (on
Windows both hearth.exe, the windowed workstation, and hearth-cli.exe, the command line)."""

import os
import sys

# Windows gives a windowed program (hearth.exe, built with console=False) no standard output
# or error at all: Python's are None, and the first flush would end the program with an
# error. What the window shows is what a clinician sees; the command line, whose output
# matters, is the console program hearth-cli.exe.
sys.stdout = sys.stdout or open(os.devnull, "w")  # noqa: SIM115 - for the program's life
sys.stderr = sys.stderr or open(os.devnull, "w")  # noqa: SIM115

from app.cli.commands import main  # noqa: E402 (after the streams it may write to)

sys.exit(main())
