"""`python -m app` is the same as `hearth`."""

import sys

from app.cli.commands import main

sys.exit(main())
