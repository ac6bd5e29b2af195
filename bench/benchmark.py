"""kg benchmark (a script, not a test): throughput, workers, incremental rebuilds, memory, queries.

Usage:
    python bench/benchmark.py [--mb 20] [--query-triples 1000000] [--out bench/RESULTS.md]

Builds a corpus of about --mb megabytes: the real THUCNews articles of
../shared/benchmarks/thucnews.cnews_val_1000.jsonl where present, plus generated pages of
the genre (district news with varied company, zone, person and project names) so that the
graph grows like an archive. Prints, in one run: MB/s of each stage and end to end, the
ratio to jieba.posseg.lcut on the same text, the speed-up from 1 to 2 workers, a no-op and
a one-new-page rebuild as fractions of the full build, peak RSS, graph size, and the
median time of every queries/*.rq on a graph of about --query-triples triples in kg's
store (Oxigraph) against rdflib's memory store.
"""

from __future__ import annotations

import argparse
import json
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


RULE_FREE = ("segment (", "tokens (", "RDF (")


def rule_free_ceiling(speeds: dict, cores: int) -> float:
    """MB/s of a build whose rules took no time: the other stages in one process (s/MB), the
    load spread over the spare cores, at best all of it in parallel."""
    chain = sum(1 / v for k, v in speeds.items() if k.startswith(RULE_FREE))
    load_wall = 1 / speeds["store bulk load (Oxigraph, the sample's quads)"]
    return 1 / max(chain, load_wall, (chain + 1 / speeds[LOAD_CPU]) / cores)


def query_graph(src: Path, work: Path, total_triples: int, target: int) -> Path:
    """A build of about ``target`` triples: the corpus's first files, in proportion."""
    files = sorted(src.iterdir())
    if total_triples <= target * 1.5:
        return work / "two"
    sub = work / "qcorpus"
    sub.mkdir(exist_ok=True)
    k = max(1, int(len(files) * target / total_triples))
    for f in files[:k]:
        if f.suffix == ".jsonl":
            continue
        (sub / f.name).write_bytes(f.read_bytes())
    kg("build", sub, "-o", work / "qbuild", "--json", "-q")
    return work / "qbuild"


RDFLIB_CAP = 300.0  # seconds; a slower rdflib query is reported as "> 300"


def _secs(t: float) -> str:
    return f"> {RDFLIB_CAP:.0f}" if t == float("inf") else f"{t:.3f}"


def _ratio(a: float, b: float) -> str:
    return f"> {RDFLIB_CAP / max(a, 1e-6):.0f}×" if b == float("inf") else f"{b / max(a, 1e-6):.0f}×"


def _copy_iri(term: str, k: int) -> str:
    """The term as the k-th copy of the graph names it (entities, assertions, documents renamed)."""
    for base in ("entity/", "assertion/", "document/"):
        term = term.replace(f"kg.example.org/{base}", f"kg.example.org/{base}c{k}-")
    return term


def query_bench(build_dir: Path, target: int) -> list[tuple[str, float, float]]:
    """Median time of each ready query on ~target triples: kg's store vs rdflib's memory store."""
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.errors import KgError
    from kg.graph.query import run, run_store, with_timeout

    base = build_dir / "graph.ttl"
    triples = list(ox.parse(path=str(base), format=ox.RdfFormat.TURTLE))
    copies = max(1, target // max(1, len(triples)))
    work = Path(tempfile.mkdtemp())
    nt = work / "big.nt"
    with open(nt, "w", encoding="utf-8") as f:
        for k in range(copies):
            for t in triples:
                s, p, o = (str(x) for x in (t.subject, t.predicate, t.object))
                if k:
                    s, o = _copy_iri(s, k), _copy_iri(o, k)
                f.write(f"{s} {p} {o} .\n")
    store = ox.Store(str(work / "store"))
    t0 = time.perf_counter()
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    load_ox = time.perf_counter() - t0
    g = Graph()
    t0 = time.perf_counter()
    g.parse(str(nt), format="nt")
    load_rdflib = time.perf_counter() - t0
    print(f"query graph: {len(g):,} triples; load: oxigraph {load_ox:.1f} s, rdflib {load_rdflib:.1f} s")
    rows = []
    for q in sorted((ROOT / "queries").glob("*.rq")):
        text = q.read_text(encoding="utf-8")
        ox_t = statistics.median(timed(lambda text=text: run_store(store, text)) for _ in range(3))
        try:  # rdflib cannot be interrupted in-process: a forked child is stopped at the cap
            rd_t = timed(lambda text=text: with_timeout(lambda: len(run(g, text).rows), RDFLIB_CAP))
        except KgError:
            rd_t = float("inf")
        rows.append((q.name, ox_t, rd_t))
        print(f"  {q.name:34} kg store {ox_t:8.3f} s   rdflib {_secs(rd_t)} s   {_ratio(ox_t, rd_t)}")
    shutil.rmtree(work, ignore_errors=True)
    return rows + [("(triples)", float(len(g)), 0.0)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=20.0)
    ap.add_argument("--query-triples", type=int, default=1_000_000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    src = work / "corpus"
    size = make_corpus(src, args.mb)
    mb = size / 1e6
    print(f"corpus: {mb:.1f} MB in {len(list(src.iterdir()))} files ({work})")
    if not THUC.exists():
        print(f"note: {THUC} not found: the corpus is generated pages only", file=sys.stderr)

    sample = [p.read_text(encoding="utf-8") for p in sorted(src.glob("page*.txt"))[:100]]
    if THUC.exists():
        sample += [json.loads(l)["text"] for l in list(THUC.open(encoding="utf-8"))[:100]]
    speeds = stage_speeds(sample)
    for k, v in speeds.items():
        print(f"  {k:52} {v:6.2f} MB/s")
    ceiling = rule_free_ceiling(speeds, __import__("os").cpu_count() or 1)
    print(
        f"  {'ceiling: rules taking no time, load fully parallel':52} {ceiling:6.2f} MB/s = "
        f"{ceiling / speeds['jieba.posseg.lcut']:.1f}× jieba.posseg.lcut"
    )

    one = work / "one"
    t1 = timed(lambda: kg("build", src, "-o", one, "--workers", "1", "--json", "-q"))
    two = work / "two"
    t2 = timed(lambda: kg("build", src, "-o", two, "--workers", "2", "--json", "-q"))
    noop = timed(lambda: kg("build", src, "-o", two, "--workers", "2", "--json", "-q"))
    (src / "zz-new-page.txt").write_text(genre_page(random.Random(99), 99999), encoding="utf-8")
    one_new = timed(lambda: kg("build", src, "-o", two, "--workers", "2", "--json", "-q"))
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    triples = kg("build", src, "-o", two, "--json", "-q")["triples"]
    e2e = mb / t1
    print(
        f"end to end, 1 worker: {t1:.1f} s, {e2e:.2f} MB/s = {e2e / speeds['jieba.posseg.lcut']:.1f}× jieba.posseg.lcut"
    )
    print(f"2 workers: {t2:.1f} s, speed-up {t1 / t2:.2f}×")
    print(
        f"no-op rebuild {noop:.2f} s = {100 * noop / t2:.1f} % of the full build; "
        f"one new page {one_new:.2f} s = {100 * one_new / t2:.1f} %"
    )
    print(f"peak RSS of a build process: {rss:.0f} MB; graph: {triples:,} triples")
    rows = query_bench(query_graph(src, work, triples, args.query_triples), args.query_triples)

    lines = [
        "# Benchmark results\n",
        f"Command: `python bench/benchmark.py --mb {args.mb:g} "
        f"--query-triples {args.query_triples}` on {time.strftime('%Y-%m-%d')}, "
        f"a {__import__('os').cpu_count()}-core machine.\n",
        f"Corpus: {mb:.1f} MB ({'THUCNews validation articles plus ' if THUC.exists() else ''}"
        "generated genre pages).\n",
        "| stage (in one process, on a 200-document sample) | MB/s |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v:.2f} |" for k, v in speeds.items()]
    lines += [
        f"| ceiling: rules taking no time, the load fully in parallel on the spare cores | {ceiling:.2f} "
        f"({ceiling / speeds['jieba.posseg.lcut']:.1f}× jieba.posseg.lcut) |"
    ]
    lines += [
        "",
        "| build | figure |",
        "|---|---|",
        f"| end to end, 1 worker | {t1:.1f} s, {e2e:.2f} MB/s, {e2e / speeds['jieba.posseg.lcut']:.1f}× jieba.posseg.lcut |",  # noqa: E501
        f"| 2 workers | {t2:.1f} s, {t1 / t2:.2f}× one worker |",
        f"| no-op rebuild | {noop:.2f} s, {100 * noop / t2:.1f} % of the full build |",
        f"| one new page | {one_new:.2f} s, {100 * one_new / t2:.1f} % of the full build |",
        f"| peak RSS (largest build process) | {rss:.0f} MB |",
        f"| graph | {triples:,} triples |",
        "",
        f"Queries on {int(rows[-1][1]):,} triples (a build of part of the corpus), "
        "median of 3 runs in kg's store, 1 run in rdflib's memory store:",
        "",
        "| query | kg store (Oxigraph) s | rdflib memory s | ratio |",
        "|---|---|---|---|",
    ]
    lines += [f"| {n} | {a:.3f} | {_secs(b)} | {_ratio(a, b)} |" for n, a, b in rows[:-1]]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {args.out}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
