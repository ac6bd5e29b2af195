"""The one exception type the CLI turns into a one-line message."""


class KgError(Exception):
    """A user-facing problem: bad input, missing graph, bad rule file (exit status 1)."""


class UsageError(KgError):
    """A wrong argument or a missing path (exit status 2)."""
