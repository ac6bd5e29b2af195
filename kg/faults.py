"""Named moments where a test kills kg with a real signal: KG_FAULT=NAME makes the process
send itself SIGKILL when it reaches point NAME (tests/test_hardening_store.py)."""

from __future__ import annotations

import os
import signal


def point(name: str) -> None:
    if os.environ.get("KG_FAULT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
