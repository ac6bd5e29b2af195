"""Soak: build into a folder that `kg serve` serves, again and again, while clients query it.

Usage: python bench/soak_serve.py [--builds 10] [--clients 4] [--docs 40]

Starts `kg serve OUT`, then runs --builds builds into OUT (each adds --docs / --builds
THUCNews articles, or generated pages when ../shared/benchmarks is missing) while
--clients threads query the endpoint without pause (counts, a join, a ready query).
Prints the server's peak RSS (the server, its query workers and the forkserver,
summed), the queries answered, the errors (any answer other than 200, or a count that
went down), the generations left in OUT/stores and any handle on a removed file.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THUC = ROOT.parent / "shared" / "benchmarks" / "thucnews.cnews_val_1000.jsonl"
QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?c ?z WHERE { ?c kg:locatedIn ?z } LIMIT 200",
    (ROOT / "queries" / "entity_aliases.rq").read_text(encoding="utf-8"),
]


def sources(folder: Path, n: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    if THUC.exists():
        lines = THUC.read_text(encoding="utf-8").splitlines()[:n]
        texts = [json.loads(line)["text"] for line in lines]
    else:
        texts = [
            f"本报讯 星禾{i}科技有限公司落户南屿经济技术开发区，公司总经理周岚{i}介绍，新工厂年底投产。" * 20
            for i in range(n)
        ]
    return texts


def tree_rss_mb(pid: int) -> float:
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
            todo += [int(k) for k in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            pass
    return total


def deleted_handles(pid: int, under: Path) -> int:
    n, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for fd in os.listdir(f"/proc/{p}/fd"):
                try:
                    t = os.readlink(f"/proc/{p}/fd/{fd}")
                except OSError:
                    continue
                n += t.startswith(str(under)) and t.endswith("(deleted)")
            todo += [int(k) for k in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            pass
    return n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--builds", type=int, default=10)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--docs", type=int, default=40)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-soak-"))
    out, src = work / "out", work / "src"
    texts = sources(src, args.docs)
    per = max(1, len(texts) // args.builds)
    kg = [sys.executable, "-m", "kg"]
    (src / "0000.txt").write_text(texts[0], encoding="utf-8")
    subprocess.run(kg + ["build", str(src), "-o", str(out), "-q"], check=True, cwd=ROOT)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        kg + ["serve", str(out), "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    time.sleep(3)
    stop = threading.Event()
    stats = {"answered": 0, "errors": 0, "peak_rss_mb": 0.0, "last_count": 0}
    lock = threading.Lock()

    def client(i: int) -> None:
        k = i
        while not stop.is_set():
            text = QUERIES[k % len(QUERIES)]
            k += 1
            url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": text})
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"}), timeout=60
                ) as r:
                    body = json.loads(r.read())
                with lock:
                    stats["answered"] += 1
                    if "COUNT" in text:
                        n = int(body["results"]["bindings"][0]["n"]["value"])
                        stats["errors"] += n < stats["last_count"]
                        stats["last_count"] = max(n, stats["last_count"])
            except Exception as exc:  # noqa: BLE001 - every failure counts
                with lock:
                    stats["errors"] += 1
                print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)

    def watch() -> None:
        while not stop.is_set():
            stats["peak_rss_mb"] = max(stats["peak_rss_mb"], tree_rss_mb(server.pid))
            time.sleep(0.2)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    threads.append(threading.Thread(target=watch))
    for t in threads:
        t.start()
    t0 = time.time()
    for b in range(args.builds):
        for j, text in enumerate(texts[1 + b * per : 1 + (b + 1) * per]):
            (src / f"{1 + b * per + j:04d}.txt").write_text(text, encoding="utf-8")
        subprocess.run(kg + ["build", str(src), "-o", str(out), "-q"], check=True, cwd=ROOT)
        print(
            f"build {b + 1}/{args.builds}: {time.time() - t0:.1f} s, answered {stats['answered']}, "
            f"errors {stats['errors']}, server RSS {tree_rss_mb(server.pid):.0f} MB",
            flush=True,
        )
    time.sleep(2)
    stop.set()
    for t in threads:
        t.join()
    generations = len(list((out / "stores").iterdir()))
    handles = deleted_handles(server.pid, out)
    server.terminate()
    err = server.communicate(timeout=30)[1].decode("utf-8", "replace")
    print(f"builds {args.builds}, clients {args.clients}, {time.time() - t0:.0f} s")
    print(f"queries answered {stats['answered']}, errors {stats['errors']}")
    print(f"server peak RSS {stats['peak_rss_mb']:.0f} MB (server, query workers and forkserver together)")
    print(f"generations left {generations}, handles on removed files {handles}, tracebacks {err.count('Traceback')}")


if __name__ == "__main__":
    main()
