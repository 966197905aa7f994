"""The one error type the hooks raise, and the exit codes they map to."""

from __future__ import annotations

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_ERROR = 2
EXIT_CRASH = 3


class FatalError(Exception):
    """A problem the user must fix: bad config, bad input, a missing or failing tool (exit 2)."""
