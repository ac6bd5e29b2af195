"""Quality: build and score every evaluation set in one run and print one table.

Usage: python bench/quality.py [--only NAME ...] [--details]

Sets (all in ../shared): the seed page, the 12 written dev pages, the 20 THUCNews dev
articles (graph-level P/R/F1 by eval/score.py), DuIE 2.0 and FinRE (relations by
eval/rel_score.py), DuIE's 简称 aliases (rel_score.py --aliases on a graph of its records),
CLUENER2020 and People's Daily 1998 (mentions by eval/ner_score.py).
Each is built or extracted by `kg` in a fresh process, as a user would; `--details` also
prints the scorers' per-type and per-relation lines. The referee's scripts are run, not
re-implemented, so the figures are theirs.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EVAL = SHARED / "eval"
BENCH = SHARED / "benchmarks"


def kg(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "kg", *args, "-q"], cwd=ROOT, check=True)


def run(*args: str) -> str:
    return subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def graph_set(work: Path, name: str, sources: list[Path], gold: list[Path]) -> tuple[list[str], str]:
    out = work / name
    kg("build", *map(str, sources), "-o", str(out))
    text = run(str(EVAL / "score.py"), str(out / "graph.ttl"), *map(str, gold))
    rows = []
    for kind in ("entities", "relations"):
        m = re.search(rf"^{kind}\s+P ([\d.]+)\s+R ([\d.]+)\s+F1 ([\d.]+)", text, re.M)
        rows.append(
            f"| {name} | {kind} | {m.group(1)} | {m.group(2)} | {m.group(3)} |" if m else f"| {name} | {kind} | ? |"
        )
    return rows, text


def relation_set(work: Path, name: str, data: Path) -> tuple[list[str], str]:
    pred = work / f"{name}.jsonl"
    kg("extract", str(data), "-o", str(pred))
    text = run(str(EVAL / "rel_score.py"), str(pred), str(data))
    m = re.search(r"^all \(exact\)\s+\d+ \| R ([\d.]+) \(\d+/\d+\)\s+P ([\d.]+) \(\d+/\d+\)\s+F1 ([\d.]+)", text, re.M)
    return [
        f"| {name} | relations (exact names) | {m.group(2)} | {m.group(1)} | {m.group(3)} |" if m else f"| {name} | ? |"
    ], text


def mention_set(work: Path, name: str, data: Path) -> tuple[list[str], str]:
    pred = work / f"{name}.jsonl"
    kg("extract", str(data), "-o", str(pred))
    text = run(str(EVAL / "ner_score.py"), str(pred), str(data))
    m = re.search(r"typed_f1=([\d.]+)", text)
    return [f"| {name} | mentions (typed) | | | {m.group(1)} |" if m else f"| {name} | ? |"], text


def alias_set(work: Path, name: str, data: Path) -> tuple[list[str], str]:
    """DuIE's 简称 pairs, as rel_score.py scores them: a folder of one RECORD_ID.txt per record
    that has a 简称 pair, built into a graph whose nodes carry their aliases."""
    docs = work / f"{name}-docs"
    docs.mkdir()
    pred = work / f"{name}.jsonl"
    kg("extract", str(data), "-o", str(pred))
    for line in data.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if any(r.get("predicate") == "简称" for r in rec.get("relations", [])):
            (docs / f"{rec['id']}.txt").write_text(rec["text"], encoding="utf-8")
    out = work / f"{name}-graph"
    kg("build", str(docs), "-o", str(out))
    text = run(str(EVAL / "rel_score.py"), str(pred), str(data), "--aliases", str(out / "graph.ttl"))
    m = re.search(r"^alias \(简称, exact\): gold \d+\s+R ([\d.]+) \(\d+/\d+\)\s+P ([\d.]+)", text, re.M)
    if not m:
        return [f"| {name} | ? |"], text
    r, p = float(m.group(1)), float(m.group(2))
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return [f"| {name} | 简称 aliases (exact names) | {p:.3f} | {r:.3f} | {f1:.3f} |"], text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="+", metavar="NAME")
    ap.add_argument("--details", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-quality-") as tmp:
        work = Path(tmp)
        thuc = work / "thucnews-dev.jsonl"
        sets = {
            "seed": lambda: graph_set(work, "seed", [ROOT / "seeds"], [EVAL / "seed.gold.json"]),
            "dev-pages": lambda: graph_set(
                work, "dev-pages", [EVAL / "dev" / "pages"], sorted((EVAL / "dev" / "gold").glob("d*.gold.json"))
            ),
            "dev-thucnews": lambda: (
                run(str(EVAL / "dev" / "thucnews_texts.py"), str(thuc)),
                graph_set(
                    work, "dev-thucnews", [thuc], sorted((EVAL / "dev" / "gold" / "thucnews").glob("*.gold.json"))
                ),
            )[1],
            "duie": lambda: relation_set(work, "duie", BENCH / "duie2.org_relations.jsonl"),
            "duie-aliases": lambda: alias_set(work, "duie-aliases", BENCH / "duie2.org_relations.jsonl"),
            "finre": lambda: relation_set(work, "finre", BENCH / "finre.test.jsonl"),
            "cluener": lambda: mention_set(work, "cluener", BENCH / "cluener2020.dev.jsonl"),
            "peoples-daily": lambda: mention_set(work, "peoples-daily", BENCH / "peoples_daily_1998.dev.jsonl"),
        }
        unknown = sorted(set(args.only or ()) - set(sets))
        if unknown:
            ap.error(f"unknown set {unknown[0]!r} (one of {', '.join(sets)})")
        print("| set | what | P | R | F1 |")
        print("|---|---|---|---|---|")
        for name, make in sets.items():
            if args.only and name not in args.only:
                continue
            try:
                rows, text = make()
            except (subprocess.CalledProcessError, FileNotFoundError) as exc:
                print(f"| {name} | not run: {exc} | | | |")
                continue
            print("\n".join(rows), flush=True)
            if args.details:
                print(text, file=sys.stderr)


if __name__ == "__main__":
    main()
