"""The frozen app's program: `hearth` exactly as the console script `pip install` makes."""

import sys

from app.cli.commands import main

sys.exit(main())
