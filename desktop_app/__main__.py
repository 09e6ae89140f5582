"""`python -m desktop_app` runs the command line (the GUI by default); the packaged program starts here too."""

import gc
import sys


def _main() -> int:
    # Importing the program makes some 75,000 objects that live until it exits, and almost no
    # garbage; the collector would walk them over and over while they are made and once more at
    # exit (together about a fifth of opening the desk). So it pauses while the program is imported,
    # and then those objects are frozen: later collections, and the one at exit, skip them.
    gc.disable()
    try:
        from desktop_app.cli import main
    finally:
        gc.enable()
    gc.freeze()
    return main()


sys.exit(_main())
