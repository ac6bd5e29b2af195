"""Memory per document is bounded (README, "What is skipped, and why; memory"): a page that
repeats one news sentence, or runs on for pages without a sentence end, builds in memory
proportional to its size with a small constant, in linear time, and keeps its relations."""

import json
import subprocess
import sys

import pyoxigraph as ox
import pytest
from conftest import ROOT

from kg.extract.pipeline import MAX_EVIDENCE

pytestmark = pytest.mark.slow  # about 12 s: four runs of kg, two of them on 0.5–1 MB

BYTES_PER_BYTE = 80  # the README's bound: peak RSS above the same command on one sentence, per byte of text
SENTENCE = "本报讯 青岚智造科技有限公司、澄川材料有限公司等6家企业落户东沅经济技术开发区，东沅经开区管委会主任苏明哲出席签约仪式。"  # noqa: E501
RUN_ON = "青岚智造科技有限公司与澄川材料有限公司签署战略合作协议东沅经开区管委会主任苏明哲出席\n"
KG = "https://kg.example.org/ontology#"
ENT = "https://kg.example.org/entity/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# Runs `python -m kg ARGS` and prints its exit status and peak RSS (KB on Linux). The probe is a
# fresh process, so RUSAGE_CHILDREN counts that one child and no earlier child of the test session.
PROBE = """import resource, subprocess, sys
try:
    p = subprocess.run([sys.executable, "-m", "kg", *sys.argv[1:]], capture_output=True, text=True, timeout=120)
    code, err = p.returncode, p.stderr
except subprocess.TimeoutExpired:
    code, err = "timeout", "more than 120 s"
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stderr.write(err)
"""


def peak_rss(*args) -> int:
    """Peak resident memory, in bytes, of one `kg` command run as a user runs it."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    code, kb = proc.stdout.split()
    assert code == "0", f"kg {' '.join(map(str, args))}: {code} {proc.stderr}"
    return int(kb) * 1024


def write(path, unit: str, size: int) -> int:
    path.write_text(unit * (size // len(unit.encode("utf-8"))), encoding="utf-8")
    return path.stat().st_size


@pytest.fixture(scope="module")
def one(tmp_path_factory):
    d = tmp_path_factory.mktemp("idle")
    (d / "one.txt").write_text(SENTENCE, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def idle_build(one) -> int:
    """Peak RSS of a build of one sentence: jieba's dictionaries, the rules, the store, the page."""
    return peak_rss("build", one / "one.txt", "-o", one / "out", "--workers", "1", "--quiet")


@pytest.fixture(scope="module")
def idle_extract(one) -> int:
    return peak_rss("extract", one / "one.txt", "-o", one / "one.jsonl")


def assertions(graph) -> dict[tuple[str, str, str], list[int]]:
    """(subject, relation, object) → the start offsets of its assertions."""
    store = ox.Store()
    store.load(path=str(graph), format=ox.RdfFormat.TURTLE)
    rows = store.query(f"""SELECT ?s ?p ?o ?start WHERE {{ ?a a <{KG}Assertion> ; <{RDF}subject> ?s ;
                           <{RDF}predicate> ?p ; <{RDF}object> ?o ; <{KG}start> ?start }}""")
    out: dict[tuple[str, str, str], list[int]] = {}
    for s, p, o, start in rows:
        key = (s.value.removeprefix(ENT), p.value.removeprefix(KG), o.value.removeprefix(ENT))
        out.setdefault(key, []).append(int(start.value))
    return {k: sorted(v) for k, v in out.items()}


def within_bound(peak: int, idle: int, size: int) -> None:
    assert peak - idle <= BYTES_PER_BYTE * size, (
        f"{(peak - idle) / size:.0f} bytes of memory per byte of text (idle {idle >> 20} MB, peak {peak >> 20} MB)"
    )


def test_a_page_repeating_one_sentence_builds_in_bounded_memory(tmp_path, idle_build):
    page = tmp_path / "dense.txt"
    size = write(page, SENTENCE, 1_000_000)  # 1 MB: 5,700 copies of the sentence
    within_bound(peak_rss("build", page, "-o", tmp_path / "out", "--workers", "1", "--quiet"), idle_build, size)
    found = assertions(tmp_path / "out" / "graph.ttl")
    settled = ("青岚智造科技有限公司", "locatedIn", "东沅经济技术开发区")
    assert settled in found and ("澄川材料有限公司", "locatedIn", "东沅经济技术开发区") in found
    assert ("苏明哲", "worksFor", "东沅经开区管委会") in found
    # The evidence kept is the first MAX_EVIDENCE sentences' (one sentence is len(SENTENCE) characters).
    starts = found[settled]
    assert len(starts) == MAX_EVIDENCE and starts[-1] < MAX_EVIDENCE * len(SENTENCE)
    assert all(len(v) <= MAX_EVIDENCE for v in found.values())


def test_lines_without_a_sentence_end_are_read_in_bounded_memory_and_time(tmp_path, idle_extract):
    page = tmp_path / "run_on.txt"
    size = write(page, RUN_ON, 500_000)  # 0.5 MB of lines joined into one run with no 。
    out = tmp_path / "run_on.jsonl"
    within_bound(peak_rss("extract", page, "-o", out), idle_extract, size)  # and in less than 120 s
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    found = {(r["s"], r["p"], r["o"]) for r in record["relations"]}
    assert ("青岚智造科技有限公司", "cooperatesWith", "澄川材料有限公司") in found
    assert any(s == "苏明哲" and p == "worksFor" for s, p, _ in found)
    lines = size // len(RUN_ON.encode("utf-8"))
    cooperations = [r for r in record["relations"] if r["p"] == "cooperatesWith"]
    assert len(cooperations) == MAX_EVIDENCE < lines  # the first 20 lines' evidence
    assert max(r["start"] for r in cooperations) < MAX_EVIDENCE * len(RUN_ON)
