"""The `kg` command line; ``main`` is re-exported for ``python -m kg`` and tests, ``run`` is
the console script."""

import gc
import sys

from .main import main

__all__ = ["main", "run"]


def run() -> None:
    """main, then exit without the interpreter's final collection: every object still held is
    moved out of the collector's view first (gc.freeze), since the process ends anyway."""
    rc = main()
    gc.freeze()
    sys.exit(rc)
