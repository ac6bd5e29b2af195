"""kg eval with several gold files or a folder: the total as the referee scores a set, and
each gold file against the part of the graph its documents state."""

import json

from conftest import run_kg

DOCS = {
    "a.txt": "云栖材料有限公司正式落户合肥市。\n",
    "b.txt": "星禾光电有限公司总经理王立新表示，新工厂年底投产。\n",
}
GOLD = {
    "a.gold.json": {
        "documents": ["a.txt"],
        "entities": [
            {"name": "云栖材料有限公司", "types": ["Company"]},
            {"name": "合肥市", "types": ["Place"]},
        ],
        "relations": [{"s": "云栖材料有限公司", "p": "locatedIn", "o": "合肥市"}],
    },
    "b.gold.json": {
        "documents": ["b.txt"],
        "entities": [
            {"name": "星禾光电有限公司", "types": ["Company"]},
            {"name": "王立新", "types": ["Person"]},
        ],
        "relations": [
            {"s": "王立新", "p": "worksFor", "o": "星禾光电有限公司"},
            {"s": "星禾光电有限公司", "p": "locatedIn", "o": "王立新"},
        ],
    },
    "c.gold.json": {
        "documents": ["c.txt"],
        "entities": [{"name": "白沙镇", "types": ["Place"]}],
        "relations": [],
    },
}


def _setup(tmp_path):
    docs, gold = tmp_path / "docs", tmp_path / "gold"
    docs.mkdir()
    gold.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    for name, g in GOLD.items():
        (gold / name).write_text(json.dumps(g, ensure_ascii=False), encoding="utf-8")
    run_kg("build", docs, "-o", tmp_path / "out", "-q", check=True)
    return tmp_path / "out", gold


def test_eval_scores_a_folder_in_total_and_per_file(tmp_path):
    out, gold = _setup(tmp_path)
    proc = run_kg("eval", out, gold, "--json", check=True)
    rep = json.loads(proc.stdout)
    files = {f["gold"].rsplit("/", 1)[-1]: f for f in rep["files"]}
    assert sorted(files) == ["a.gold.json", "b.gold.json", "c.gold.json"]
    a, b, c = files["a.gold.json"], files["b.gold.json"], files["c.gold.json"]
    # a's part of the graph is a's two entities and its relation: the other document costs it nothing
    assert a["found"] == ["a.txt"] and a["entities"] == {**a["entities"], "tp": 2, "fp": 0, "fn": 0}
    assert (a["relations"]["tp"], a["relations"]["fp"], a["relations"]["fn"]) == (1, 0, 0)
    # b: its worksFor found, the second gold relation missed
    assert (b["relations"]["tp"], b["relations"]["fn"]) == (1, 1) and b["relations"]["recall"] == 0.5
    # c's document is not in the graph: everything of it missed
    assert c["found"] == [] and c["entities"]["fn"] == 1 and c["entities"]["tp"] == 0
    # the total is all gold against the whole graph
    assert (rep["entities"]["tp"], rep["entities"]["fn"]) == (4, 1)
    assert (rep["relations"]["tp"], rep["relations"]["fn"]) == (2, 1)


def test_eval_prints_a_row_per_gold_file_and_the_totals_line(tmp_path):
    out, gold = _setup(tmp_path)
    proc = run_kg("eval", out / "graph.ttl", gold / "a.gold.json", gold / "c.gold.json", check=True)
    assert "per gold file" in proc.stdout and "a.gold.json" in proc.stdout
    assert "no document of it in the graph" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1].startswith("entity_f1=")


def test_eval_names_a_missing_gold_path_in_one_line(tmp_path):
    out, gold = _setup(tmp_path)
    proc = run_kg("eval", out, gold / "nothing.json")
    assert proc.returncode != 0 and "nothing.json: no such gold file or folder" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
