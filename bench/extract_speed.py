"""Benchmark: `kg extract` (one process) of this checkout against an earlier commit, alternated.

Usage: python bench/extract_speed.py [--base COMMIT] [--rounds 3]

Checks the base commit out into a temporary git worktree, then runs `kg extract` of each
corpus (the 1,000 THUCNews articles, and the seed page with the twelve written dev pages)
with the base and with this checkout in turn, `--rounds` times, each in a fresh process
timed with resource.getrusage (CPU seconds of the child, so a busy machine disturbs it
less than wall time). Prints the median CPU seconds of each side and their ratio.
Reproducible with public tools: git and `/usr/bin/time -v kg extract …` give the same figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPORA = {
    "THUCNews 1,000 articles": [SHARED / "benchmarks" / "thucnews.cnews_val_1000.jsonl"],
    "seed + 12 dev pages": [ROOT / "seeds", SHARED / "eval" / "dev" / "pages"],
}


def cpu_seconds(tree: Path, inputs: list[Path], out: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "kg", "extract", *map(str, inputs), "-o", str(out), "-q"],
        cwd=tree,
        env=dict(os.environ, PYTHONPATH=str(tree)),
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="eb59fb9", help="the commit to compare with (default: before issue 16)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-speed-") as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(base), args.base], cwd=ROOT, check=True)
        try:
            for name, inputs in CORPORA.items():
                if not all(p.exists() for p in inputs):
                    print(f"{name}: missing, skipped")
                    continue
                times: dict[str, list[float]] = {"base": [], "head": []}
                for _ in range(args.rounds):
                    for side, tree in (("base", base), ("head", ROOT)):
                        times[side].append(cpu_seconds(tree, inputs, Path(tmp) / f"{side}.jsonl"))
                b, h = statistics.median(times["base"]), statistics.median(times["head"])
                print(
                    f"{name}: base {args.base} {b:.2f} CPU-s, this checkout {h:.2f} CPU-s, "
                    f"{b / h:.2f}x (medians of {args.rounds} alternated runs)"
                )
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()
