"""A build killed half-way (SIGINT, SIGKILL) leaves the previous OUTDIR complete and loadable."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, SEED, run_kg

pytestmark = pytest.mark.slow  # runs kg in subprocesses: CI runs it, `-m 'not slow'` skips it


def _pages(folder, n):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"p{i:04d}.txt").write_text(
            SEED.read_text(encoding="utf-8").replace("松江", f"第{i}区"), encoding="utf-8"
        )


def _count(out):
    res = run_kg("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-g", out, "--format", "csv", check=True)
    return int(res.stdout.split()[-1])


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_killed_build_leaves_the_previous_graph(tmp_path, sig):
    src, out = tmp_path / "src", tmp_path / "out"
    _pages(src, 2)
    run_kg("build", src, "-o", out, "-q", check=True)
    before_ttl = (out / "graph.ttl").read_bytes()
    before = _count(out)
    _pages(src, 80)
    flag = tmp_path / "stalled"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "build", str(src), "-o", str(out), "-q", "--workers", "1"],
        cwd=ROOT,
        env=dict(os.environ, KG_STALL="extracted", KG_STALL_FLAG=str(flag)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not flag.exists() and proc.poll() is None:
        time.sleep(0.05)
    assert flag.exists() and proc.poll() is None, "the build did not reach its first extracted page"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and b"interrupted" in err and b"Traceback" not in err
    assert (out / "graph.ttl").read_bytes() == before_ttl
    assert _count(out) == before
    again = json.loads(run_kg("build", src, "-o", out, "--json", check=True).stdout)
    assert again["extracted"] == 78 and _count(out) > before
