"""`python -m desktop_app` runs the command line (the GUI by default); the packaged program starts here too."""

import sys

from desktop_app.launcher import main

sys.exit(main())
