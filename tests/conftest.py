import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_ec529398d460bb70.txt"
SHARED = ROOT.parent / "shared"
GOLD = SHARED / "eval" / "seed.gold.json"
SCORER = SHARED / "eval" / "score.py"


@pytest.fixture(scope="session")
def seed_kg():
    from kg.graph.api import KnowledgeGraph

    return KnowledgeGraph.build([str(SEED)])


@pytest.fixture(scope="session")
def seed_out(tmp_path_factory, seed_kg):
    out = tmp_path_factory.mktemp("seed_build")
    seed_kg.save(out)
    return out


@pytest.fixture(scope="session")
def seed_result():
    from kg.extract.pipeline import extractor
    from kg.text.reader import read_text_file

    return extractor().process(read_text_file(SEED))


def run_kg(*args, cwd=None, check=False, timeout=300):
    """Run the CLI as a user does, in a fresh interpreter."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8", COLUMNS="200")
    proc = subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"kg {' '.join(map(str, args))} failed: {proc.stderr}")
    return proc
