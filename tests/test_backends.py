"""One interface over the graph back-ends, chosen in one place (kg/graph/backends.py)."""

import pytest
from conftest import run_kg

from kg.graph.backends import MemoryBackend, RemoteBackend, StoreBackend, open_backend

COUNT = "SELECT ?s ?o WHERE { ?s kg:locatedIn ?o } ORDER BY ?s ?o"


def _build(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("云栖材料有限公司正式落户合肥市。星禾光电有限公司落户芜湖市。\n", encoding="utf-8")
    run_kg("build", docs, "-o", tmp_path / "out", "-q", check=True)
    return tmp_path / "out"


def test_the_store_and_its_turtle_answer_alike(tmp_path):
    out = _build(tmp_path)
    store, memory = open_backend(out), open_backend(out / "graph.ttl")
    try:
        assert isinstance(store, StoreBackend) and isinstance(memory, MemoryBackend)
        a, b = store.query(COUNT), memory.query(COUNT)
        assert len(a.rows) == 2 and [list(map(str, r)) for r in a.rows] == [list(map(str, r)) for r in b.rows]
        cut = store.query(COUNT, max_rows=1)
        assert len(cut.rows) == 1 and cut.truncated and not a.truncated
        assert memory.query(COUNT, max_rows=1).truncated
    finally:
        store.close()


@pytest.mark.slow  # starts kg serve
def test_an_endpoint_answers_as_the_store_it_serves(tmp_path):
    from test_hardening_serve import Served

    out = _build(tmp_path)
    srv = Served(out, "--workers", "1")
    try:
        remote = open_backend(None, endpoint=f"{srv.url}/sparql")
        assert isinstance(remote, RemoteBackend)
        rows = [list(map(str, r)) for r in remote.query(COUNT).rows]
        store = open_backend(out)
        try:
            assert rows == [list(map(str, r)) for r in store.query(COUNT).rows] and len(rows) == 2
        finally:
            store.close()
        assert remote.query(COUNT, max_rows=1).truncated
    finally:
        srv.stop()


def test_the_library_and_the_cli_build_the_same_graph(tmp_path):
    """kg.build in memory, kg.build(outdir=…) and `kg build` give one graph, triple for triple."""
    from conftest import SEED

    import kg

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "b.txt").write_text("星禾光电有限公司总经理王立新表示，公司落户芜湖市。\n", encoding="utf-8")
    memory = kg.build(str(docs))
    built = kg.build(str(docs), outdir=tmp_path / "lib", workers=1)
    run_kg("build", docs, "-o", tmp_path / "cli", "-q", check=True)
    cli = kg.load(tmp_path / "cli")
    assert len(memory.graph) > 1000
    assert set(memory.graph) == set(built.graph) == set(cli.graph)
