"""kg never writes where it should not, never deletes what it did not write, and the store and
the exports of OUTDIR agree whenever kg is killed, even at the most dangerous moment."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEED, run_kg
from rdflib import Graph

pytestmark = pytest.mark.slow  # runs kg in subprocesses: CI runs it, `-m 'not slow'` skips it

PAGES = {
    "a.txt": "本报讯（记者 张明）星禾科技有限公司落户南屿经济技术开发区。公司总经理周岚介绍，新工厂年底投产。",
    "b.txt": "本报讯（记者 刘洋）云栖大学与星禾材料股份有限公司签署战略合作协议。",
}


def _src(folder: Path, pages: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _store_triples(out: Path) -> set:
    from kg.graph.store import OxStore

    store = OxStore.open(out, read_only=True)
    try:
        return set(store.to_rdflib())
    finally:
        store.close()


def _agree(out: Path) -> set:
    """The triples of OUTDIR, after checking graph.ttl states exactly what the store holds."""
    exported = set(Graph().parse(out / "graph.ttl", format="turtle"))
    assert exported == _store_triples(out)
    return exported


def _tree(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): (
            p.read_bytes() if p.is_file() and not p.is_symlink() else os.readlink(p) if p.is_symlink() else None
        )
        for p in sorted(folder.rglob("*"))
    }


# ---- where kg writes ------------------------------------------------------------------
def test_a_folder_kg_did_not_make_is_refused_and_left_as_it_was(tmp_path):
    user = tmp_path / "U"
    (user / "stores" / "photos").mkdir(parents=True)
    (user / "stores" / "photos" / "img1.txt").write_text("x")
    (user / "store").write_text("notes")
    (user / "graph.ttl").write_text("my own graph")
    before = _tree(user)
    proc = run_kg("build", SEED, "-o", user)
    assert proc.returncode == 2 and "not a folder kg made" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert _tree(user) == before
    for args in (
        ["query", "--update", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "-g", user],
        ["stats", user, "--write"],
    ):
        p = run_kg(*args)
        assert p.returncode != 0 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert _tree(user) == before


def test_a_file_as_outdir_and_a_user_folder_named_store(tmp_path):
    f = tmp_path / "f.txt"
    f.write_text("keep me")
    proc = run_kg("build", SEED, "-o", f)
    assert proc.returncode == 2 and "is a file" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert f.read_text() == "keep me"
    d = tmp_path / "d"
    (d / "store").mkdir(parents=True)
    proc = run_kg("build", SEED, "-o", d)
    assert proc.returncode == 2 and "internal error" not in proc.stderr


def test_empty_new_and_older_kg_folders_are_accepted(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    run_kg("build", SEED, "-o", empty, "-q", check=True)
    run_kg("build", SEED, "-o", tmp_path / "new" / "deeper", "-q", check=True)
    older = tmp_path / "older"  # a build of an earlier kg: the store layout, no marker
    run_kg("build", SEED, "-o", older, "-q", check=True)
    (older / ".kg-outdir").unlink()
    for name in ("graph.ttl", "graph.html"):  # an earlier kg kept its exports as plain files
        data = (older / name).read_bytes()
        (older / name).unlink()
        (older / name).write_bytes(data)
    (older / "notes.md").write_text("the user's notes")
    run_kg("build", _src(tmp_path / "src", PAGES), SEED, "-o", older, "-q", check=True)
    assert (older / ".kg-outdir").is_file() and (older / "graph.ttl").is_symlink()
    assert (older / "notes.md").read_text() == "the user's notes"
    assert "星禾科技有限公司" in {str(o) for _, _, o in _agree(older)}


def test_a_bad_layout_file_never_stops_a_build(tmp_path):
    out = tmp_path / "out"
    run_kg("build", SEED, "-o", out, "-q", check=True)
    for bad in ("[1, 2]", '{"x": 5}', '{"x": ["a", null]}', "not json", '{"x": [1]}'):
        target = out / "store" / "layout.json"
        target.unlink()
        target.write_text(bad)
        (_src(tmp_path / f"s{len(bad)}", {"a.txt": PAGES["a.txt"].replace("星禾", f"星{len(bad)}")}))
        proc = run_kg("build", SEED, tmp_path / f"s{len(bad)}", "-o", out, "-q")
        assert proc.returncode == 0, proc.stderr


def test_prune_with_no_sources_needs_confirmation(tmp_path):
    src, out = _src(tmp_path / "src", PAGES), tmp_path / "out"
    run_kg("build", src, "-o", out, "-q", check=True)
    before = (out / "graph.ttl").read_bytes()
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_kg("build", empty, "-o", out, "--prune")
    assert proc.returncode == 1 and "--prune-all" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert (out / "graph.ttl").read_bytes() == before
    elsewhere = _src(tmp_path / "other", {"c.txt": PAGES["a.txt"].replace("星禾", "云栖")})
    assert run_kg("build", elsewhere, "-o", out, "--prune").returncode == 1  # every known page would go
    assert (out / "graph.ttl").read_bytes() == before
    rep = json.loads(run_kg("build", empty, "-o", out, "--prune-all", "--json", check=True).stdout)
    assert rep["pruned"] == 2 and sum(rep["entities"].values()) == 0
    rep = json.loads(
        run_kg("build", _src(tmp_path / "one", {"a.txt": PAGES["a.txt"]}), "-o", out, "--json", check=True).stdout
    )
    half = json.loads(run_kg("build", _src(tmp_path / "two", PAGES), "-o", out, "--json", check=True).stdout)
    assert (
        json.loads(run_kg("build", tmp_path / "one", "-o", out, "--prune", "--json", check=True).stdout)["pruned"] == 1
        and half["extracted"] == 1
    )


# ---- killed at the dangerous moments ---------------------------------------------------
def _killed_at(point: str, *args) -> subprocess.CompletedProcess:
    env = dict(os.environ, KG_FAULT=point)
    proc = subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == -signal.SIGKILL, (point, proc.returncode, proc.stderr)
    return proc


@pytest.mark.parametrize("point", ["before-switch", "after-switch"])
def test_a_build_killed_around_the_switch_leaves_store_and_exports_agreeing(tmp_path, point):
    src, out = _src(tmp_path / "src", {"a.txt": PAGES["a.txt"]}), tmp_path / "out"
    run_kg("build", src, "-o", out, "-q", check=True)
    before = _agree(out)
    _src(src, {"b.txt": PAGES["b.txt"]})
    _killed_at(point, "build", src, "-o", out, "-q")
    after = _agree(out)
    assert (after == before) if point == "before-switch" else (after > before)
    page = (out / "graph.html").read_text(encoding="utf-8")
    assert ("云栖大学" in page) == (point == "after-switch")  # the page is the store's too
    rep = json.loads(run_kg("build", src, "-o", out, "--json", check=True).stdout)
    assert rep["extracted"] == (1 if point == "before-switch" else 0)
    assert "云栖大学" in {str(o) for _, _, o in _agree(out)}
    assert sorted(p.name for p in (out / "stores").iterdir()) == [os.readlink(out / "store").split("/")[-1]]


def test_a_no_op_build_repairs_an_export_that_disagrees_with_the_store(tmp_path):
    src, out = _src(tmp_path / "src", {"a.txt": PAGES["a.txt"]}), tmp_path / "out"
    run_kg("build", src, "-o", out, "-q", check=True)
    stale = (out / "graph.ttl").read_bytes()
    _src(src, {"b.txt": PAGES["b.txt"]})
    run_kg("build", src, "-o", out, "-q", check=True)
    (out / "graph.ttl").unlink()  # what an earlier kg left after a late failure
    (out / "graph.ttl").write_bytes(stale)
    assert set(Graph().parse(out / "graph.ttl")) != _store_triples(out)
    rep = json.loads(run_kg("build", src, "-o", out, "--json", check=True).stdout)
    assert rep["extracted"] == 0
    _agree(out)


def test_an_update_killed_after_its_export_changes_nothing(tmp_path):
    out = tmp_path / "out"
    run_kg("build", SEED, "-o", out, "-q", check=True)
    before = _agree(out)
    _killed_at("update-exported", "query", "--update", "INSERT DATA { <urn:x:a> <urn:x:b> 'c' }", "-g", out)
    assert _agree(out) == before
    run_kg("query", "--update", "INSERT DATA { <urn:x:a> <urn:x:b> 'c' }", "-g", out, check=True)
    assert len(_agree(out)) == len(before) + 1


def test_disk_full_is_one_line_and_leaves_no_partial_generation(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    if (
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], capture_output=True).returncode
        != 0
    ):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        out = mnt / "out"
        run_kg("build", SEED, "-o", out, "-q", check=True)
        before = _agree(out)
        free = os.statvfs(mnt).f_bavail * os.statvfs(mnt).f_frsize
        with open(mnt / "filler", "wb") as f:  # leave less than one page's worth free
            f.write(b"\0" * max(0, free - 200_000))
        src = _src(tmp_path / "src", PAGES)
        proc = run_kg("build", src, SEED, "-o", out)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "previous graph is intact" in proc.stderr
        assert [p.name for p in (out / "stores").iterdir()] == ["1"]
        assert _agree(out) == before
        (mnt / "filler").unlink()
        run_kg("build", src, SEED, "-o", out, "-q", check=True)
        assert len(_agree(out)) > len(before)
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def test_workers_die_with_a_killed_build_and_release_the_lock(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    text = SEED.read_text(encoding="utf-8")
    _src(src, {f"p{i:03d}.txt": text.replace("松江", f"第{i}区") for i in range(40)})
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "build", str(src), "-o", str(out), "-q", "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    kids: list[str] = []
    deadline = time.time() + 120
    while time.time() < deadline and len(kids) < 2:
        time.sleep(0.2)
        try:
            kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        except OSError:
            break
    assert len(kids) >= 2 and proc.poll() is None, "the build had no workers to kill"
    proc.kill()
    proc.wait()
    time.sleep(1.0)
    alive = [
        k for k in kids if Path(f"/proc/{k}").exists() and "zombie" not in Path(f"/proc/{k}/status").read_text().lower()
    ]
    assert alive == []
    again = run_kg("build", SEED, "-o", out, "-q")
    assert again.returncode == 0, again.stderr


# ---- scores ---------------------------------------------------------------------------
def _pagerank_rows(out) -> int:
    res = run_kg(
        "query", "SELECT (COUNT(*) AS ?n) WHERE { ?e kg:pagerank ?pr }", "-g", out, "--format", "csv", check=True
    )
    return int(res.stdout.split()[-1])


def test_scores_live_in_the_store_and_survive_later_builds(tmp_path):
    from kg.graph.store import BuildLock

    src, out = _src(tmp_path / "src", PAGES), tmp_path / "out"
    run_kg("build", src, "-o", out, "-q", check=True)
    with BuildLock(out):
        proc = run_kg("stats", out, "--write")
        assert proc.returncode == 1 and "another kg build" in proc.stderr
    assert _pagerank_rows(out) == 0
    run_kg("stats", out, "--write", check=True)
    scored = _pagerank_rows(out)
    assert scored > 3
    assert "kg:pagerank" in (out / "graph.ttl").read_text(encoding="utf-8")
    _agree(out)
    _src(src, {"c.txt": "本报讯 云栖材料有限公司落户南屿高新区。"})
    run_kg("build", src, "-o", out, "-q", check=True)
    assert _pagerank_rows(out) == scored  # kept until recomputed
    _agree(out)
    (src / "b.txt").unlink()
    run_kg("build", src, "-o", out, "-q", "--prune", check=True)
    kept = _pagerank_rows(out)
    assert 0 < kept < scored  # not on the entities of a dropped page
    names = {str(o) for _, _, o in _agree(out)}
    assert "云栖大学" not in names
