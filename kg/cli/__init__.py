"""The `kg` command line; ``main`` is re-exported for the console script and ``python -m kg``."""

from .main import main

__all__ = ["main"]
