"""`python -m app` is the same as `hearth`."""

import sys

from app.cli import main

sys.exit(main())
