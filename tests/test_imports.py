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
    {"reader", "clean", "segment", "gazetteer", "lexicon", "rules", "patterns"},
    {"entities", "resolve", "relations", "pipeline", "extract", "ruletest", "ruledocs"},
    {"rdf", "turtle", "store", "analytics", "evaluate", "query", "export", "remote", "card", "viz", "backends"},
    {"graph", "builder", "serve"},
    {"cli", "__main__", "__init__"},
]
TYPE_ONLY = {("rdf", "pipeline"), ("rdf", "rules")}  # annotations under TYPE_CHECKING
READERS = [
    "kg.backends",
    "kg.query",
    "kg.serve",
    "kg.card",
    "kg.viz",
    "kg.export",
    "kg.analytics",
    "kg.store",
    "kg.remote",
]


def _imports() -> nx.DiGraph:
    g = nx.DiGraph()
    for f in sorted((ROOT / "kg").glob("*.py")):
        g.add_node(f.stem)
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
                for n in names:
                    if (ROOT / "kg" / f"{n}.py").exists():
                        g.add_edge(f.stem, n)
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


@pytest.mark.parametrize("argv", [["query", "--help"], ["serve", "--help"], ["show", "--help"]])
def test_reading_commands_do_not_import_the_extraction(argv):
    code = (
        "import sys, kg.cli\n"
        f"try:\n    kg.cli.main({argv!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jieba', 'rjieba') "
        "or m in ('kg.pipeline', 'kg.entities')))"
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
    from kg.lexicon import Lexicon, word_freq, word_tag

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
    from kg.lexicon import Lexicon

    plain, fixed = Lexicon({}), Lexicon({}, retag={"零部件": "n"})
    assert [t.pos for t in plain.tokens("零部件") if t.text == "零部件"] == ["mq"]
    assert [t.pos for t in fixed.tokens("零部件") if t.text == "零部件"] == ["n"]
