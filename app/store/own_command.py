"""This process's command line, to say in a sentence how to run it again (in a keyring
session, under a display); apart from device_secret, which uses it, so that `hearth` can
say it before the keyring is imported."""

import sys
from pathlib import Path


def this_command() -> list[str]:
    """This process's command line, its program named by full path: the `hearth` script
    beside this interpreter (a venv's bin), else `python -m app`."""
    script = Path(sys.executable).parent / "hearth"
    program = [str(script)] if script.exists() else [sys.executable, "-m", "app"]
    return [*program, *sys.argv[1:]]
