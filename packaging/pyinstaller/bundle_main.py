"""Entry point of the PyInstaller bundle: the `photoarchive` command line; with no arguments
(started from the menu) the desktop application."""

import multiprocessing
import sys

if __name__ == "__main__":
    # Metadata work runs in worker processes: in a frozen binary they start by running this
    # same executable, which must then act as the worker, not as the command line.
    multiprocessing.freeze_support()
    from photoarchive.cli.main import main

    sys.exit(main(sys.argv[1:] or ["gui"]))
