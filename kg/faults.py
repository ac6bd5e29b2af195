"""Named moments where a test interrupts kg with a real signal: KG_FAULT=NAME makes the
process send itself SIGKILL when it reaches point NAME (tests/test_hardening_store.py);
KG_STALL=NAME makes it create the file KG_STALL_FLAG there and wait, so that a test can
signal it at exactly that moment (tests/test_robustness_kill.py)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def point(name: str) -> None:
    if os.environ.get("KG_FAULT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("KG_STALL") == name:
        Path(os.environ["KG_STALL_FLAG"]).touch()
        while True:
            time.sleep(0.1)
