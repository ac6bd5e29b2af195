"""kg benchmark (a script, not a test): throughput, workers, incremental rebuilds, memory, queries.

Usage:
    python bench/benchmark.py [--mb 20] [--query-triples 1000000] [--only thucnews archive queries memory]
                              [--memory-mb 100] [--out bench/RESULTS.md]

Two corpora: the 1,000 real THUCNews articles of
../shared/benchmarks/thucnews.cnews_val_1000.jsonl, and an archive of about --mb megabytes
(those articles plus generated pages of the genre: district news with varied company, zone,
person and project names, so that the graph grows like an archive). For each it prints, in
one run: MB/s of each stage and end to end, the ratio to jieba.posseg.lcut over the same
texts (its dictionary loaded first; timed in turn with the build, in a process of its own),
1 against 2 workers, a no-op and a one-new-document rebuild as fractions of the full build,
and the peak RSS of every build (``/usr/bin/time -v`` reports the same figure). Then every
queries/*.rq through ``kg query`` (the command line, start-up included) on a build of about
--query-triples triples, against rdflib's memory store. ``--only memory`` builds an archive of
--memory-mb megabytes once and reports its peak RSS (/usr/bin/time -v).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THUC = ROOT.parent / "shared" / "benchmarks" / "thucnews.cnews_val_1000.jsonl"

SYL = "安宝博昌晨达鼎东方丰福富高广海瀚华辉佳嘉金锦景凯康科乐力联林隆美明南鹏启睿瑞三森盛世泰天通万维伟鑫信星兴旭亚扬一益永宇远越智中卓"  # noqa: E501
INDUSTRY = ["生物科技", "医疗器械", "智能装备", "新材料", "电子科技", "软件", "精密机械", "新能源", "医药", "信息技术"]
SURNAME = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国文斌辉宁海波"
TOWNS = ["千灯镇", "周庄镇", "锦溪镇", "陆家镇", "淀山湖镇", "张浦镇", "巴城镇", "玉山街道", "亭林街道", "中山街道"]
ZONES = ["嘉兴经开区", "漕河泾开发区嘉善园区", "平湖综合保税区", "临港湖州科技城", "杭州湾新区"]


def name(rng, n=2):
    return "".join(rng.choice(SYL) for _ in range(n))


def person(rng):
    return rng.choice(SURNAME) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def genre_page(rng: random.Random, i: int) -> str:
    """A district-news page with several short articles and OCR-like line breaks."""
    arts = []
    for _ in range(rng.randint(3, 5)):
        zone, town = rng.choice(ZONES), rng.choice(TOWNS)
        cos = [f"上海{name(rng)}{rng.choice(INDUSTRY)}有限公司" for _ in range(rng.randint(2, 4))]
        short = [name(rng) + rng.choice(["生物", "医疗", "科技", "软件"]) for _ in range(3)]
        proj = f"{name(rng)}{rng.choice(['产业园', '创新中心', '智造基地'])}"
        who, post = person(rng), rng.choice(["党委书记", "总经理", "董事长", "主任"])
        uni = f"{name(rng)}大学"
        body = (
            f"本报讯（记者 {person(rng)}）今年以来，{'、'.join(cos)}等企业落户{zone}。"
            f"{zone}已引进了{'、'.join(short)}等一批龙头企业。"
            f"{cos[0]}与{uni}签署战略合作协议，共建{proj}。"
            f"{cos[0]}{post}{who}介绍，项目位于{town}，预计明年投产。"
            f"{town}获评市级{rng.choice(['文明', '卫生', '特色'])}镇。"
        )
        arts.append(body)
    text = "\n\n".join(arts)
    width = rng.randint(14, 18)
    return "\n\n".join(text[k : k + width] for k in range(0, len(text), width)) + "\n"


def make_corpus(folder: Path, mb: float, seed: int = 1) -> int:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    size = 0
    if THUC.exists():
        with open(folder / "thucnews.jsonl", "w", encoding="utf-8") as f:
            for line in THUC.open(encoding="utf-8"):
                rec = json.loads(line)
                f.write(json.dumps({"id": rec["id"], "text": rec["text"]}, ensure_ascii=False) + "\n")
                size += len(rec["text"].encode("utf-8"))
    i = 0
    while size < mb * 1e6:
        page = genre_page(rng, i)
        (folder / f"page{i:05d}.txt").write_text(page, encoding="utf-8")
        size += len(page.encode("utf-8"))
        i += 1
    return size


def kg(*args) -> dict:
    out = subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout) if "--json" in args else {}


def child_rss_mb() -> float:
    """The largest peak RSS of any child process so far (what /usr/bin/time -v reports)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


POSSEG = """
import json, sys, time
from pathlib import Path
import jieba.posseg as pg
pg.lcut("预热")
texts = []
for f in sorted(Path(sys.argv[1]).iterdir()):
    if f.suffix == ".jsonl":
        texts += [json.loads(line)["text"] for line in f.open(encoding="utf-8")]
    elif f.suffix == ".txt":
        texts.append(f.read_text(encoding="utf-8"))
t = time.perf_counter()
for text in texts:
    pg.lcut(text)
print(time.perf_counter() - t)
"""


def timed_rss(args: list) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one kg command run under /usr/bin/time -v."""
    cmd = [sys.executable, "-m", "kg", *map(str, args)]
    t = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, check=True)
    secs = time.perf_counter() - t
    kb = next(int(line.split(":")[1]) for line in proc.stderr.splitlines() if "Maximum resident set size" in line)
    return secs, kb / 1024


def posseg_seconds(src: Path) -> float:
    """jieba.posseg.lcut over every text of the corpus, in a process of its own, after its
    dictionary has loaded."""
    out = subprocess.run([sys.executable, "-c", POSSEG, str(src)], capture_output=True, text=True, check=True)
    return float(out.stdout)


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def stage_speeds(texts: list[str]) -> dict:
    """MB/s of each stage, in this process, on a sample of the corpus."""
    import jieba.posseg as pg

    from kg.extract.pipeline import Corpus, extractor
    from kg.graph.rdf import ntriples
    from kg.model import Document
    from kg.text.segment import segment

    ex = extractor()
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    docs = [Document(f"d{i}", "bench", t) for i, t in enumerate(texts)]
    out = {}
    pg.lcut("预热")  # the dictionary loads once, outside the timing
    out["jieba.posseg.lcut"] = mb / timed(lambda: [pg.lcut(t) for t in texts])
    out["segment (clean, articles, sentences)"] = mb / timed(lambda: [segment(t) for t in texts])
    arts = [segment(t) for t in texts]
    sents = [s for a in arts for art in a for s in art.sentences]
    out[f"tokens ({ex.entities.lex.engine})"] = mb / timed(lambda: [ex.entities.lex._pairs(s.text) for s in sents])
    out["mentions (entity rules)"] = mb / timed(lambda: [ex.entities.find(s) for s in sents])
    corpus = Corpus()
    out["whole extraction (mentions, resolution, relations)"] = mb / timed(
        lambda: [corpus.add(ex.process(d)) for d in docs]
    )
    out["RDF (N-Triples of the sample)"] = mb / timed(lambda: ntriples(corpus))
    wall, cpu = load_time(docs)
    out["store bulk load (Oxigraph, the sample's quads)"] = mb / wall
    out[LOAD_CPU] = mb / cpu
    return out


LOAD_CPU = "store bulk load, per CPU-second (the loader uses every core)"


def load_time(docs) -> tuple[float, float]:
    """Wall and CPU seconds of the store's bulk loader for the documents' facts, loaded as a
    build loads them."""
    from kg.graph.build import document_ntriples
    from kg.graph.store import OxStore

    facts = [(f"urn:bench:{i}", document_ntriples(d)[1]) for i, d in enumerate(docs)]
    with tempfile.TemporaryDirectory() as tmp:
        store = OxStore.open_at(Path(tmp))
        cpu = time.process_time()
        wall = timed(lambda: store.add_new_documents(facts))
        return wall, time.process_time() - cpu


def query_graph(src: Path, work: Path, target: int) -> Path:
    """A build of about ``target`` triples from the archive's genre pages: a first build of
    a few, then (incrementally) as many more as that build's triples per page ask for."""
    pages = sorted(src.glob("page*.txt"))
    sub, out = work / "qcorpus", work / "qbuild"
    sub.mkdir(exist_ok=True)
    n, have = min(len(pages), 500), 0
    for _ in range(2):
        for f in pages[have:n]:
            (sub / f.name).write_bytes(f.read_bytes())
        have = n
        triples = kg("build", sub, "-o", out, "--json", "-q")["triples"]
        n = min(len(pages), int(n * target / max(triples, 1)))
    return out


RDFLIB_CAP = 60.0  # seconds; a slower rdflib query is reported as "> 60"


def _secs(t: float) -> str:
    return f"> {RDFLIB_CAP:.0f}" if t == float("inf") else f"{t:.3f}"


def _ratio(a: float, b: float) -> str:
    return f"> {RDFLIB_CAP / max(a, 1e-6):.0f}×" if b == float("inf") else f"{b / max(a, 1e-6):.0f}×"


def cli_query_seconds(build_dir: Path, query: Path) -> float:
    """Wall seconds of ``kg query QUERY -g OUTDIR`` (start-up included), its rows piped away."""
    return timed(
        lambda: subprocess.run(
            [sys.executable, "-m", "kg", "query", str(query), "-g", str(build_dir), "--format", "tsv"],
            stdout=subprocess.DEVNULL,
            check=True,
        )
    )


def query_bench(build_dir: Path) -> list[tuple[str, float, float]]:
    """Median of 3 runs of each ready query through kg query, against one run in rdflib's
    memory store on the same graph.ttl."""
    from rdflib import Graph

    from kg.errors import KgError
    from kg.graph.query import run, with_timeout

    g = Graph()
    t0 = time.perf_counter()
    g.parse(str(build_dir / "graph.ttl"), format="turtle")
    print(f"query graph: {len(g):,} triples; rdflib load {time.perf_counter() - t0:.1f} s")
    rows = []
    for q in sorted((ROOT / "queries").glob("*.rq")):
        text = q.read_text(encoding="utf-8")
        kg_t = statistics.median(cli_query_seconds(build_dir, q) for _ in range(3))
        try:  # rdflib cannot be interrupted in-process: a forked child is stopped at the cap
            rd_t = timed(lambda text=text: with_timeout(lambda: len(run(g, text).rows), RDFLIB_CAP))
        except KgError:
            rd_t = float("inf")
        rows.append((q.name, kg_t, rd_t))
        print(f"  {q.name:34} kg query {kg_t:8.3f} s   rdflib {_secs(rd_t)} s   {_ratio(kg_t, rd_t)}")
    return rows + [("(triples)", float(len(g)), 0.0)]


def thucnews_corpus(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    size = 0
    with open(folder / "thucnews.jsonl", "w", encoding="utf-8") as f:
        for line in THUC.open(encoding="utf-8"):
            rec = json.loads(line)
            f.write(json.dumps({"id": rec["id"], "text": rec["text"]}, ensure_ascii=False) + "\n")
            size += len(rec["text"].encode("utf-8"))
    return size


def new_document(src: Path) -> None:
    """One more document, of the corpus's own kind: a THUCNews-sized article or a genre page."""
    if list(src.glob("page*.txt")):
        (src / "zz-new-page.txt").write_text(genre_page(random.Random(99), 99999), encoding="utf-8")
    else:
        rec = json.loads(THUC.open(encoding="utf-8").readline())
        text = "\n".join(reversed(rec["text"].split("\n")))  # new to the build, of the same kind
        line = json.dumps({"id": "zz-new-article", "text": text}, ensure_ascii=False)
        (src / "zz-new.jsonl").write_text(line + "\n", encoding="utf-8")


def corpus_bench(name: str, src: Path, work: Path, size: int) -> dict:
    """Stage speeds, the build against jieba.posseg.lcut in turn, workers, rebuilds, memory."""
    mb = size / 1e6
    print(f"\n== {name}: {mb:.1f} MB in {len(list(src.iterdir()))} files")
    sample = [p.read_text(encoding="utf-8") for p in sorted(src.glob("page*.txt"))[:100]]
    sample += [json.loads(line)["text"] for line in list(THUC.open(encoding="utf-8"))[:100]]
    speeds = stage_speeds(sample)
    for k, v in speeds.items():
        print(f"  {k:52} {v:6.2f} MB/s")
    one, two = work / f"{name}-one", work / f"{name}-two"
    t1 = timed(lambda: kg("build", src, "-o", one, "--workers", "1", "--json", "-q"))
    rss1 = child_rss_mb()
    p1 = posseg_seconds(src)
    t2 = timed(lambda: kg("build", src, "-o", two, "--workers", "2", "--json", "-q"))
    p2 = posseg_seconds(src)
    shutil.rmtree(one)
    t1b = timed(lambda: kg("build", src, "-o", one, "--workers", "1", "--json", "-q"))
    full1, posseg = statistics.mean((t1, t1b)), statistics.mean((p1, p2))
    noop = timed(lambda: kg("build", src, "-o", one, "--workers", "1", "--json", "-q"))
    new_document(src)
    one_new = timed(lambda: kg("build", src, "-o", one, "--workers", "1", "--json", "-q"))
    triples = kg("build", src, "-o", one, "--json", "-q")["triples"]
    fig = {
        "mb": mb,
        "speeds": speeds,
        "one": full1,
        "ones": (t1, t1b),
        "two": t2,
        "posseg": posseg,
        "possegs": (p1, p2),
        "noop": noop,
        "one_new": one_new,
        "rss": child_rss_mb(),
        "rss1": rss1,
        "triples": triples,
    }
    print(
        f"  1 worker {t1:.1f} s and {t1b:.1f} s, jieba.posseg.lcut {p1:.1f} s and {p2:.1f} s (in turn): "
        f"{mb / full1:.2f} MB/s = {posseg / full1:.2f}× jieba.posseg.lcut"
    )
    print(f"  2 workers {t2:.1f} s = {full1 / t2:.2f}× one worker")
    print(
        f"  no-op rebuild {noop:.2f} s = {100 * noop / full1:.1f} %; one new document {one_new:.2f} s = "
        f"{100 * one_new / full1:.1f} % of the full build (1 worker)"
    )
    print(f"  peak RSS: {rss1:.0f} MB (1 worker), {fig['rss']:.0f} MB (largest so far); graph {triples:,} triples")
    return fig


def figure_lines(name: str, f: dict) -> list[str]:
    sp = f["speeds"]
    lines = [
        f"### {name}: {f['mb']:.1f} MB\n",
        "| stage (in one process, on a 200-document sample) | MB/s |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v:.2f} |" for k, v in sp.items()]
    lines += [
        "",
        "| build | figure |",
        "|---|---|",
        f"| end to end, 1 worker (two runs) | {f['ones'][0]:.1f} s, {f['ones'][1]:.1f} s: "
        f"{f['mb'] / f['one']:.2f} MB/s |",
        f"| jieba.posseg.lcut over the same texts (two runs, in turn with the builds) | {f['possegs'][0]:.1f} s, "
        f"{f['possegs'][1]:.1f} s: the build is {f['posseg'] / f['one']:.2f}× jieba.posseg.lcut |",
        f"| 2 workers | {f['two']:.1f} s, {f['one'] / f['two']:.2f}× one worker |",
        f"| no-op rebuild | {f['noop']:.2f} s, {100 * f['noop'] / f['one']:.1f} % of the full build |",
        f"| one new document | {f['one_new']:.2f} s, {100 * f['one_new'] / f['one']:.1f} % of the full build |",
        f"| peak RSS, 1-worker build | {f['rss1']:.0f} MB |",
        f"| peak RSS, largest build process | {f['rss']:.0f} MB |",
        f"| graph | {f['triples']:,} triples |",
        "",
    ]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=20.0)
    ap.add_argument("--query-triples", type=int, default=1_000_000)
    ap.add_argument("--only", nargs="*", default=["thucnews", "archive", "queries"])
    ap.add_argument("--memory-mb", type=float, default=100.0, help="the archive size of --only memory")
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = ap.parse_args()
    if not THUC.exists():
        sys.exit(f"benchmark: {THUC} not found (the THUCNews articles are both corpora's base)")
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    lines = [
        "# Benchmark results\n",
        f"Command: `python bench/benchmark.py --mb {args.mb:g} --query-triples {args.query_triples}"
        f"{' --only ' + ' '.join(args.only) if args.only != ap.get_default('only') else ''}` on "
        f"{time.strftime('%Y-%m-%d')}, a {os.cpu_count()}-core machine.\n",
    ]
    if "thucnews" in args.only:
        src = work / "thucnews"
        fig = corpus_bench("thucnews", src, work, thucnews_corpus(src))
        lines += figure_lines("The 1,000 THUCNews articles", fig)
    archive = work / "archive"
    if "archive" in args.only or "queries" in args.only:
        size = make_corpus(archive, args.mb)
    if "archive" in args.only:
        fig = corpus_bench("archive", archive, work, size)
        lines += figure_lines("An archive (THUCNews articles plus generated genre pages)", fig)
    if "memory" in args.only:
        big = work / "memory"
        mb = make_corpus(big, args.memory_mb, seed=2) / 1e6
        secs, rss = timed_rss(["build", big, "-o", work / "memory-out", "-q"])
        print(f"== memory: a {mb:.0f} MB archive built in {secs:.0f} s, peak RSS {rss:.0f} MB (/usr/bin/time -v)")
        lines += [f"### Memory of a {mb:.0f} MB archive\n", f"One build (default workers): {secs:.0f} s, peak RSS "
                  f"{rss:.0f} MB (the largest process, `/usr/bin/time -v`'s maximum resident set size).\n"]  # fmt: skip
    if "queries" in args.only:
        qdir = query_graph(archive, work, args.query_triples)
        rows = query_bench(qdir)
        lines += [
            f"### Queries on {int(rows[-1][1]):,} triples\n",
            "A build of the archive's first files. `kg query` is the command line, start-up included "
            "(median of 3 runs); rdflib's memory store runs the same query once.\n",
            "| query | kg query s | rdflib memory s | ratio |",
            "|---|---|---|---|",
        ]
        lines += [f"| {n} | {a:.3f} | {_secs(b)} | {_ratio(a, b)} |" for n, a, b in rows[:-1]]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {args.out}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
