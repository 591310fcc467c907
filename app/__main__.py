"""`python -m app` is the same as `hearth`."""

import multiprocessing
import sys

from app.cli.commands import main

multiprocessing.freeze_support()  # a frozen build's import worker (app.clinical.imports.worker)
sys.exit(main())
