"""The modules import one way, down the pipeline; reading a graph never loads the extraction."""

import ast
import subprocess
import sys

import networkx as nx
import pytest
from conftest import ROOT

# lower layers first; a module imports only from its own layer or the ones before it
LAYERS = [
    {"errors", "model", "namespaces", "faults", "terminal", "backtrack"},
    {
        "text.reader",
        "text.clean",
        "text.segment",
        "text.gazetteer",
        "text.lexicon",
        "rules.load",
        "rules.engine",
        "rules.qualifiers",
        "text",
    },
    {
        "extract.mentions",
        "extract.resolve",
        "extract.relations",
        "extract.qualify",
        "extract.pipeline",
        "extract.output",
        "extract.examples",
        "rules.docs",
        "rules",
        "extract",
    },
    {
        "graph.rdf",
        "graph.turtle",
        "graph.store",
        "graph.history",
        "graph.analytics",
        "graph.evaluate",
        "graph.query",
        "graph.export",
        "graph.remote",
        "graph.card",
        "graph.validate",
        "graph.page",
        "graph.backends",
    },
    {"graph.api", "graph.build", "web.serve", "graph", "web"},
    {"cli.output", "cli.main", "__main__", "__init__", "cli"},
]

# the folders, lowest first ("" is kg/ itself: the shared utilities); a module imports only from
# its own folder or the ones before it; kg/__init__.py and kg/__main__.py start kg, above them all
FOLDERS = ["", "text", "rules", "extract", "graph", "web", "cli"]
ENTRY = {"__init__", "__main__"}
PACKAGE = ROOT / "kg"
TYPE_ONLY = {("graph.rdf", "extract.pipeline"), ("graph.rdf", "rules.load")}  # annotations under TYPE_CHECKING
READERS = [
    "kg.graph.backends",
    "kg.graph.query",
    "kg.web.serve",
    "kg.graph.card",
    "kg.graph.page",
    "kg.graph.export",
    "kg.graph.analytics",
    "kg.graph.store",
    "kg.graph.remote",
]


def _name(f) -> str:
    """kg/text/lexicon.py -> "text.lexicon", kg/text/__init__.py -> "text", kg/errors.py -> "errors"."""
    parts = f.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if len(parts) > 1 and parts[-1] == "__init__" else parts)


def _module(parts: list[str]) -> str | None:
    """The module of kg that kg.PARTS names ("text.lexicon", "graph"), or None (an attribute, or kg)."""
    path = PACKAGE.joinpath(*parts)
    if parts and ((path / "__init__.py").exists() or path.with_suffix(".py").exists()):
        return ".".join(parts)
    return None


def _targets(node: ast.Import | ast.ImportFrom, package: list[str]) -> list[str]:
    """The modules of kg that an import in a module of PACKAGE loads (relative, any level, or kg.x)."""
    if isinstance(node, ast.Import):
        return [m for a in node.names if a.name.startswith("kg.") and (m := _module(a.name.split(".")[1:]))]
    if node.level:
        if node.level - 1 > len(package):
            return []
        base = package[: len(package) - (node.level - 1)] + (node.module.split(".") if node.module else [])
    elif node.module and (node.module == "kg" or node.module.startswith("kg.")):
        base = node.module.split(".")[1:]
    else:
        return []
    return [m for a in node.names if (m := _module([*base, a.name]) or _module(base))]


def _imports() -> nx.DiGraph:
    g = nx.DiGraph()
    for f in sorted(PACKAGE.rglob("*.py")):
        me = _name(f)
        package = me.split(".") if f.name == "__init__.py" and me != "__init__" else me.split(".")[:-1]
        g.add_node(me)
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                g.add_edges_from((me, t) for t in _targets(node, package) if t != me)
    return g


def test_every_module_has_a_layer():
    layered = set().union(*LAYERS)
    assert set(_imports().nodes) <= layered, set(_imports().nodes) - layered


def test_imports_go_down_the_layers_and_form_no_cycle():
    g = _imports()
    rank = {m: i for i, layer in enumerate(LAYERS) for m in layer}
    upward = [(a, b) for a, b in g.edges if rank[b] > rank[a] and (a, b) not in TYPE_ONLY]
    assert upward == []
    assert list(nx.simple_cycles(g)) == []


def _folder(m: str) -> int:
    if m in ENTRY:
        return len(FOLDERS)
    top = m.split(".")[0]
    return FOLDERS.index(top) if top in FOLDERS else 0


def test_the_walk_resolves_relative_and_absolute_imports():
    def targets(code: str, package: list[str]) -> list[str]:
        return _targets(ast.parse(code).body[0], package)

    assert targets("from ..text.lexicon import Lexicon", ["extract"]) == ["text.lexicon"]
    assert targets("from . import query as q", ["graph"]) == ["graph.query"]
    assert targets("from .graph import api as graph", []) == ["graph.api"]
    assert targets("from .main import main", ["cli"]) == ["cli.main"]
    assert targets("from .. import __version__", ["graph"]) == []
    assert targets("import kg.graph.rdf", []) == ["graph.rdf"]
    assert targets("from kg.text import lexicon", []) == ["text.lexicon"]


def test_every_folder_has_a_place():
    assert {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} == set(FOLDERS) - {""}


def test_no_module_imports_from_a_later_folder():
    """kg/ < text < rules < extract < graph < web < cli, imports under TYPE_CHECKING too."""
    upward = [(a, b) for a, b in _imports().edges if _folder(b) > _folder(a)]
    assert upward == []


@pytest.mark.parametrize("argv", [["query", "--help"], ["serve", "--help"], ["show", "--help"]])
def test_reading_commands_do_not_import_the_extraction(argv):
    code = (
        "import sys, kg.cli\n"
        f"try:\n    kg.cli.main({argv!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jieba', 'rjieba') "
        "or m in ('kg.extract.pipeline', 'kg.extract.mentions')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_reading_modules_import_no_extraction():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in READERS)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jieba', 'rjieba')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_lexicon_look_ups_come_from_one_dictionary_table():
    """A word's tag and frequency are jieba's dictionary's; a rule word the dictionary lacks has
    the vocabulary's tag and frequency 1; the jieba fallback tokenizes like rjieba."""
    from kg.text.lexicon import Lexicon, word_freq, word_tag

    lex = Lexicon({"甲乙区": "ns", "公司": "nt"})
    assert lex.tag("公司") == "nt" and lex.freq("公司") == word_freq("公司") > 1000
    assert word_tag("公司") == "n"
    assert lex.tag("甲乙区") == "ns" and lex.freq("甲乙区") == 1 and lex.in_dictionary("甲乙区")
    assert lex.tag("甲乙丙丁戊") == "" and lex.freq("甲乙丙丁戊") == 0 and not lex.in_dictionary("甲乙丙丁戊")
    text = "甲乙区与某某公司签约。"
    slow = Lexicon({"甲乙区": "ns"}, use_rjieba=False)
    assert [t.text for t in slow.tokens(text)] == [t.text for t in lex.tokens(text)]


def test_the_rules_can_correct_a_words_tag():
    """零部件 is tagged as a numeral-classifier by the dictionary; the vocabulary's nouns retag it."""
    from kg.text.lexicon import Lexicon

    plain, fixed = Lexicon({}), Lexicon({}, retag={"零部件": "n"})
    assert [t.pos for t in plain.tokens("零部件") if t.text == "零部件"] == ["mq"]
    assert [t.pos for t in fixed.tokens("零部件") if t.text == "零部件"] == ["n"]
