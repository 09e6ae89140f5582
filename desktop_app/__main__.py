"""`python -m desktop_app` runs the command line (the GUI by default)."""

import sys

from desktop_app.cli import main

sys.exit(main())
