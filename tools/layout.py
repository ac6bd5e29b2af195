#!/usr/bin/env python3
"""Move kg's flat modules into folders that show the pipeline, and rewrite every reference to them.

Run from the root of a clean checkout of main (tracked files unmodified):

    python tools/layout.py            # moves (git mv), rewrites, formats, stages; then `git commit`
    python tools/layout.py --dry-run  # says what it would move and warn about, changes nothing

It depends on the names of the modules, not on their contents: every relative import
(``from .x import y``, ``from . import x``), every ``import kg.x`` / ``from kg.x import`` and
``kg.x.attr`` that reaches a module through the name ``kg``, every ``"kg.x"`` and ``kg/x.py`` in
strings and comments, the data-file look-ups (``resources.files("kg") / "rules"``,
``Path(__file__).parent / "page.html"``), the notebooks' code cells, the Markdown files,
pyproject.toml (package discovery, package data, the console script) and tests/test_imports.py's
layers are rewritten from the syntax tree or by patterns on the names. What it cannot rewrite
safely it lists as a warning at the end; it refuses to run a second time.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import re
import shutil
import subprocess
import sys
import textwrap
import tokenize
from collections import defaultdict
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

# ---- the layout ------------------------------------------------------------------------------
# folders in import order: a module imports only from its own folder or the ones before it
FOLDERS = {
    "text": "Text: read input files, clean OCR with offsets kept, split articles and sentences, tokenize.",
    "rules": "Rules: load and check the YAML rule files (data/), compile token patterns, document the rules.",
    "extract": "Extraction: find mentions, resolve them into entities and relate them, document by document.",
    "graph": "The graph: RDF, its store, SPARQL, analytics, scoring, exports, the page, builds, the library API.",
    "web": "The local web server: the network page and a read-only SPARQL endpoint.",
    "cli": "The `kg` command line; ``main`` is re-exported for the console script and ``python -m kg``.",
}
# kg/NAME.py -> kg/FOLDER/NEW.py. Not listed: stays at the top of kg/ (shared by every stage).
MOVES = {
    "reader": "text.reader",
    "clean": "text.clean",
    "segment": "text.segment",
    "lexicon": "text.lexicon",
    "gazetteer": "text.gazetteer",
    "rules": "rules.load",
    "patterns": "rules.engine",
    "ruledocs": "rules.docs",
    "pipeline": "extract.pipeline",
    "entities": "extract.mentions",
    "relations": "extract.relations",
    "resolve": "extract.resolve",
    "extract": "extract.output",
    # runs the extractor on every rule's examples: it imports extract.pipeline, so it is in extract/
    "ruletest": "extract.examples",
    "rdf": "graph.rdf",
    "turtle": "graph.turtle",
    "store": "graph.store",
    "analytics": "graph.analytics",
    "evaluate": "graph.evaluate",
    "query": "graph.query",
    "backends": "graph.backends",
    "export": "graph.export",
    "remote": "graph.remote",
    "card": "graph.card",
    # the network page is made by graph.build, graph.api and graph.card: it is in graph/, not web/
    "viz": "graph.page",
    "graph": "graph.api",
    "builder": "graph.build",
    "serve": "web.serve",
    "cli": "cli.main",
}
STAY = ["errors", "faults", "terminal", "model", "namespaces", "backtrack"]  # shared utilities, layer 0
ENTRY = ["__init__", "__main__"]
# data files and folders under kg/ -> their new place under kg/
DATA = {"rules": "rules/data", "ontology.ttl": "graph/ontology.ttl", "page.html": "graph/page.html"}
DATA_DIRS = {"rules"}  # DATA keys that are folders (their files move, the folder becomes a package)

ROOT = Path.cwd()
WARNINGS: list[str] = []
MOVED: dict[str, str] = {}  # the MOVES whose module exists


def warn(msg: str) -> None:
    WARNINGS.append(msg)


def die(msg: str) -> None:
    sys.exit(f"tools/layout.py: {msg}")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


# ---- names -----------------------------------------------------------------------------------
def new_module(old: str) -> str:
    """kg.entities -> kg.extract.mentions; kg.rdf.KG -> kg.graph.rdf.KG; others unchanged."""
    parts = old.split(".")
    if len(parts) >= 2 and parts[0] == "kg" and parts[1] in MOVED:
        return ".".join(["kg", *MOVED[parts[1]].split("."), *parts[2:]])
    return old


def new_file(stem: str) -> str:
    """The path under kg/ of old module STEM, without .py."""
    return MOVED[stem].replace(".", "/") if stem in MOVED else stem


def new_data(path: str) -> str:
    """A path under kg/ after the move (rules/x.yaml -> rules/data/x.yaml); unchanged if not data."""
    for old, new in DATA.items():
        if path == old or (old in DATA_DIRS and path.startswith(old + "/")):
            return new + path[len(old) :]
    return path


def relative(package: list[str], target: str) -> str:
    """The relative module of ``target`` (absolute, dotted) seen from inside ``package``."""
    t = target.split(".")
    c = 0
    while c < min(len(package), len(t)) and package[c] == t[c]:
        c += 1
    return "." * (len(package) - c + 1) + ".".join(t[c:])


# ---- text patterns: strings, comments, Markdown ----------------------------------------------
DOTTED = re.compile(r"(?<![\w.\-/:@])kg\.(?P<mod>[A-Za-z_]\w*)(?P<tail>\.[A-Za-z_]\w*)?")
BARE = re.compile(r"`(?P<py>\w+)\.py`")  # `relations.py` in Markdown


def _paths_re() -> re.Pattern:
    data = "|".join(re.escape(k) + ("/" if k in DATA_DIRS else r"\b") for k in DATA)
    return re.compile(r"(?<![\w.\-])kg/(?:(?P<py>\w+)\.py\b|(?P<data>" + data + "))")


def sub_dotted(text: str) -> str:
    def f(m: re.Match) -> str:
        mod, tail = m["mod"], m["tail"] or ""
        if mod not in MOVED:
            return m[0]
        if mod == "cli" and tail in ("", ".main"):
            return m[0]  # the package kg.cli re-exports main: kg.cli.main is the function
        if mod == "cli":
            warn(
                f"kg.cli{tail} -> kg.cli.main{tail}: mock.patch finds it, but monkeypatch.setattr and attribute "
                "access through kg.cli.main reach the function main, not the module (use sys.modules)"
            )
        return "kg." + MOVED[mod] + tail

    return DOTTED.sub(f, text)


def sub_paths(text: str) -> str:
    def f(m: re.Match) -> str:
        if m["py"] is not None:
            return "kg/" + new_file(m["py"]) + ".py" if m["py"] in MOVED else m[0]
        d = m["data"]
        return "kg/" + new_data(d.rstrip("/")) + ("/" if d.endswith("/") else "")

    return _paths_re().sub(f, text)


def sub_text(text: str, markdown: bool = False) -> str:
    text = sub_paths(sub_dotted(text))
    if markdown:
        text = BARE.sub(lambda m: f"`kg/{new_file(m['py'])}.py`" if m["py"] in MOVED else m[0], text)
    return text


# ---- Python ----------------------------------------------------------------------------------
class Source:
    """Positions in a source text: ast's (line, UTF-8 byte column) and tokenize's (line, column)."""

    def __init__(self, src: str):
        self.src = src
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", src)]

    def at(self, line: int, col_bytes: int) -> int:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.src)
        return start + len(self.src[start:end].encode("utf-8")[:col_bytes].decode("utf-8", "ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.at(node.lineno, node.col_offset), self.at(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined, arg-type]

    def tok(self, pos: tuple[int, int]) -> int:
        return self.starts[pos[0] - 1] + pos[1]


SCOPES = (
    ast.Module,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ClassDef,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


class KgName:
    """Which loads of the name ``kg`` are the package kg (bound by ``import kg...``)."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.parent: dict[ast.AST, ast.AST] = {}
        for n in ast.walk(tree):
            for c in ast.iter_child_nodes(n):
                self.parent[c] = n
        self.binds: dict[ast.AST, set[str]] = defaultdict(set)
        for n in ast.walk(tree):
            kind = None
            if isinstance(n, ast.Import):
                for a in n.names:
                    if a.asname == "kg":
                        kind = "other"
                    elif a.asname is None and (a.name == "kg" or a.name.startswith("kg.")):
                        kind = kind or "module"
            elif isinstance(n, ast.ImportFrom):
                if any((a.asname or a.name) == "kg" for a in n.names):
                    kind = "other"
            elif isinstance(n, ast.Name) and n.id == "kg" and not isinstance(n.ctx, ast.Load):
                kind = "other"
            elif isinstance(n, ast.arg) and n.arg == "kg":
                kind = "other"
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == "kg":
                kind = "other"
            elif isinstance(n, ast.ExceptHandler) and n.name == "kg":
                kind = "other"
            elif isinstance(n, (ast.Global, ast.Nonlocal)) and "kg" in n.names:
                kind = "global"
            if kind:
                self.binds[self.scope(n)].add(kind)

    def scope(self, n: ast.AST) -> ast.AST | None:
        p = self.parent.get(n)
        while p is not None and not isinstance(p, SCOPES):
            p = self.parent.get(p)
        return p

    def is_package(self, name: ast.Name) -> bool:
        s = self.scope(name)
        own = True
        while s is not None:
            if isinstance(s, ast.ClassDef) and not own:
                s = self.scope(s)
                continue
            b = self.binds.get(s)
            if b:
                if "global" in b:
                    b = self.binds.get(self.tree, set())
                return b == {"module"}
            own = False
            s = self.scope(s)
        return False


def _indent_of(src: str, start: int) -> str | None:
    """The indentation of the line a statement starts, or None if something precedes it there."""
    line_start = src.rfind("\n", 0, start) + 1
    before = src[line_start:start]
    return before if before.strip() == "" else None


def rewrite_python(src: str, where: str, old_pkg: list[str] | None, new_pkg: list[str] | None) -> str:
    """Rewrite the references to kg's modules in one Python source.

    old_pkg/new_pkg: the package the file was in and is in now (for its relative imports);
    None for files outside kg/."""
    tree = ast.parse(src)
    S = Source(src)
    edits: list[tuple[int, int, str]] = []
    names = KgName(tree)
    kg_modules = {"kg"} | {"kg." + p.stem for p in (ROOT / "kg").glob("*.py")}

    def is_module(dotted: str) -> bool:
        return dotted in kg_modules

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                if old_pkg is None or node.level - 1 >= len(old_pkg):
                    continue
                base = old_pkg[: len(old_pkg) - (node.level - 1)]
                target = ".".join(base + (node.module.split(".") if node.module else []))
            elif node.module and (node.module == "kg" or node.module.startswith("kg.")):
                target = node.module
            else:
                continue
            start, end = S.span(node)
            stmt = src[start:end]

            def render(module: str, level: int = node.level) -> str:
                return relative(new_pkg or ["kg"], module) if level else module

            if target == "kg":  # from . import x, y / from kg import x: names may be modules
                groups: dict[str, list[str]] = {}
                for a in node.names:
                    if is_module("kg." + a.name):
                        new = new_module("kg." + a.name)
                        parent, leaf = new.rsplit(".", 1)
                        bound = a.asname or a.name
                        text = leaf if leaf == bound else f"{leaf} as {bound}"
                    else:
                        parent, text = "kg", a.name + (f" as {a.asname}" if a.asname else "")
                    groups.setdefault(parent, []).append(text)
                lines = [f"from {render(p)} import {', '.join(ns)}" for p, ns in groups.items()]
                indent = _indent_of(src, start)
                joined = ("\n" + indent).join(lines) if indent is not None else "; ".join(lines)
                if joined != stmt:
                    if "#" in stmt:
                        warn(f"{where}:{node.lineno}: a comment inside `{stmt.splitlines()[0]}…` was dropped")
                    edits.append((start, end, joined))
            else:
                m = re.match(r"from\s+(?P<mod>\.+[\w.]*|[\w.]+)\s+import\b", stmt)
                if not m:
                    warn(f"{where}:{node.lineno}: could not read `{stmt.splitlines()[0]}`")
                    continue
                new = render(new_module(target))
                if new != m["mod"]:
                    edits.append((start + m.start("mod"), start + m.end("mod"), new))
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if len(parts) < 2 or parts[0] != "kg" or parts[1] not in MOVED:
                    continue
                if parts[1] == "cli" and len(parts) == 2:
                    if a.asname:  # kg.cli.main is the function, not the module: no `import ... as` reaches it
                        warn(f"{where}:{node.lineno}: `import {a.name} as {a.asname}`: rewrite by hand")
                    continue
                start, end = S.span(a)
                m = re.match(r"kg(?:\s*\.\s*\w+)+", src[start:end])
                if m:
                    edits.append((start, start + m.end(), new_module(a.name)))
        elif isinstance(node, ast.Attribute) and node.attr in MOVED:
            v = node.value
            if isinstance(v, ast.Name) and v.id == "kg" and names.is_package(v):
                if node.attr == "cli":
                    outer = names.parent.get(node)
                    if isinstance(outer, ast.Attribute) and outer.attr != "main":
                        warn(f"{where}:{node.lineno}: kg.cli.{outer.attr}: kg.cli.main is the function, not the module")
                    continue
                start, end = S.span(node)
                if re.fullmatch(r"kg\s*\.\s*\w+", src[start:end]):
                    edits.append((start, end, "kg." + MOVED[node.attr]))
            elif (
                isinstance(v, ast.Call)
                and isinstance(v.func, ast.Name)
                and v.func.id == "__import__"
                and v.args
                and isinstance(v.args[0], ast.Constant)
                and str(v.args[0].value).startswith("kg.")
                and node.attr != "cli"
            ):  # __import__("kg.query").query
                start, end = S.span(v)[1], S.span(node)[1]
                if re.fullmatch(r"\s*\.\s*\w+", src[start:end]):
                    edits.append((start, end, "." + MOVED[node.attr]))

    # a helper that makes a module's name from its argument, f"kg.{m}" (import_module): the
    # names its callers in this file pass ("entities") become the new ones ("extract.mentions")
    helpers = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for js in ast.walk(fn):
                if not isinstance(js, ast.JoinedStr) or not js.values:
                    continue
                head = js.values[0]
                if not (isinstance(head, ast.Constant) and head.value in ("kg.", "kg/")):
                    continue
                if head.value == "kg." and len(js.values) == 2 and isinstance(fn, ast.FunctionDef):
                    helpers.add(fn.name)
                else:
                    warn(f"{where}:{js.lineno}: a module name or path made at run time ({head.value}{{…}}); check it")
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in helpers:
            for a in call.args:
                if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value in MOVED:
                    start, end = S.span(a)
                    q = src[start]
                    if q in "\"'" and src[start:end] == q + a.value + q:
                        edits.append((start, end, q + MOVED[a.value] + q))
                    else:
                        warn(f"{where}:{a.lineno}: {a.value!r} names a module; check it")

    # strings and comments: "kg.pipeline", kg/patterns.py, docstrings
    taken = sorted(edits)
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type in (tokenize.STRING, tokenize.COMMENT) or tok.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            new = sub_text(tok.string)
            if new != tok.string:
                start, end = S.tok(tok.start), S.tok(tok.end)
                if any(s < end and start < e for s, e, _ in taken):
                    continue  # inside an import statement rewritten whole
                edits.append((start, end, new))

    out = src
    last = len(src) + 1
    for start, end, text in sorted(edits, reverse=True):
        if end > last:
            warn(f"{where}: overlapping rewrites near offset {start}; check by hand")
            continue
        out = out[:start] + text + out[end:]
        last = start
    return out


def _data_segments(quote: str, path: str) -> str:
    return " / ".join(f"{quote}{p}{quote}" for p in path.split("/"))


def rewrite_data_paths(src: str, where: str, old_dir: str | None, new_dir: str | None) -> str:
    """Data look-ups: "kg" / "rules" -> "kg" / "rules" / "data" (also resources.files("kg") / ...); in a moved
    module Path(__file__).parent / "page.html" -> the file's new place relative to the module."""
    names = "|".join(re.escape(k) for k in DATA) + "|" + "|".join(re.escape(k + ".py") for k in MOVED)
    pat = re.compile(
        r"(?P<q>[\"'])kg(?P=q)(?P<close>\s*\))?(?P<sep>\s*/\s*)(?P<q2>[\"'])(?P<name>" + names + r")(?P=q2)"
    )

    def f(m: re.Match) -> str:
        name = m["name"]
        new = new_file(name[:-3]) + ".py" if name.endswith(".py") else new_data(name)
        return f"{m['q']}kg{m['q']}{m['close'] or ''}{m['sep']}{_data_segments(m['q2'], new)}"

    src = pat.sub(f, src)
    if old_dir is None or new_dir is None or old_dir == new_dir:
        return src
    # a module that moved: what it finds next to itself
    here = re.compile(
        r"Path\(__file__\)(?P<res>\.resolve\(\))?\.parent(?P<sep>\s*/\s*)(?P<q>[\"'])(?P<name>[^\"'/]+)(?P=q)"
    )
    handled = 0

    def g(m: re.Match) -> str:
        nonlocal handled
        handled += 1
        old = f"{old_dir}/{m['name']}".lstrip("/")  # path under kg/
        target = new_data(old)
        if target.endswith(".py") and target[:-3] in MOVED:
            target = new_file(target[:-3]) + ".py"
        up, d = new_dir.split("/") if new_dir else [], target.split("/")
        c = 0
        while c < min(len(up), len(d) - 1) and up[c] == d[c]:
            c += 1
        parents = ".parent" * (len(up) - c + 1)
        return f"Path(__file__){m['res'] or ''}{parents}{m['sep']}{_data_segments(m['q'], '/'.join(d[c:]))}"

    src = here.sub(g, src)
    if len(re.findall(r"(?<![\w.])__file__", src)) > handled:
        warn(f"{where}: uses __file__ in a way not rewritten (the module moved one folder down); check it")
    if re.search(r"(?<![\w.])__package__|files\(__name__\)", src):
        warn(f"{where}: uses __package__ / files(__name__), which changed with the move; check it")
    return src


# ---- notebooks -------------------------------------------------------------------------------
def rewrite_notebook(text: str, where: str) -> str:
    nb = json.loads(text)
    for i, cell in enumerate(nb.get("cells", [])):
        src = "".join(cell.get("source", []))
        if cell.get("cell_type") == "code":
            magics: list[str] = []

            def mask(m: re.Match, magics: list[str] = magics) -> str:
                magics.append(m[0])
                return f"#__kg_layout_magic_{len(magics) - 1}__"

            masked = re.sub(r"(?m)^[ \t]*[%!].*$", mask, src)
            try:
                new = rewrite_python(masked, f"{where} cell {i}", None, None)
            except SyntaxError:
                warn(f"{where} cell {i}: not Python; only its text was rewritten")
                new = sub_text(masked)
            new = re.sub(r"#__kg_layout_magic_(\d+)__", lambda m, magics=magics: magics[int(m[1])], new)
        else:
            new = sub_text(src, markdown=cell.get("cell_type") == "markdown")
        if new != src:
            cell["source"] = new.splitlines(keepends=True)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


# ---- pyproject.toml --------------------------------------------------------------------------
def _table(text: str, name: str) -> re.Match | None:
    return re.search(r"(?m)^\[" + re.escape(name) + r"\][ \t]*\n(?P<body>(?:(?!\[).*\n?)*)", text)


def rewrite_pyproject(text: str) -> str:
    conf = tomllib.loads(text)
    st = conf.get("tool", {}).get("setuptools", {})
    find = '[tool.setuptools.packages.find]\ninclude = ["kg*"]\n\n'
    t = _table(text, "tool.setuptools")
    if "find" in (st.get("packages") or {}):
        pass  # discovery already
    elif t:
        body = re.sub(r"(?ms)^packages\s*=\s*\[.*?\]\s*\n", "", t["body"])
        keep = f"[tool.setuptools]\n{body}" if body.strip() else ""
        text = text[: t.start()] + keep + (find if "packages" in st else "") + text[t.end() :]
        if "packages" not in st:
            warn("pyproject.toml: no [tool.setuptools] packages list; add package discovery by hand")
    else:
        warn("pyproject.toml: no [tool.setuptools] table; add package discovery by hand")
    data = st.get("package-data", {})
    t = _table(text, "tool.setuptools.package-data")
    if t and data:
        out: dict[str, list[str]] = {}
        for pkg, pats in data.items():
            for p in pats:
                if pkg != "kg":
                    out.setdefault(pkg, []).append(p)
                    continue
                new = new_data(p)
                dirs = new.split("/")[:-1]
                owner = dirs[0] if dirs and dirs[0] in FOLDERS else ""
                rel = new[len(owner) + 1 :] if owner else new
                out.setdefault("kg." + owner if owner else "kg", []).append(rel)
        lines = [(k if re.fullmatch(r"\w+", k) else json.dumps(k)) + " = " + json.dumps(v) for k, v in out.items()]
        trail = "\n" if t["body"].endswith("\n\n") else ""
        text = text[: t.start("body")] + "\n".join(lines) + "\n" + trail + text[t.end() :]

    def script(m: re.Match) -> str:
        mod, attr = m["mod"], m["attr"]
        if mod == "kg.cli" and attr == "main":
            return m[0]  # kg/cli/__init__.py re-exports main
        return f"{m['q']}{new_module(mod)}:{attr}{m['q']}"

    return re.sub(r"(?P<q>[\"'])(?P<mod>kg(?:\.\w+)+):(?P<attr>\w+)(?P=q)", script, text)


# ---- tests/test_imports.py -------------------------------------------------------------------
IMPORTS_CONSTANTS = '''
# the folders, lowest first ("" is kg/ itself: the shared utilities); a module imports only from
# its own folder or the ones before it; kg/__init__.py and kg/__main__.py start kg, above them all
FOLDERS = %s
ENTRY = {"__init__", "__main__"}
PACKAGE = ROOT / "kg"'''

IMPORTS_WALK = '''def _name(f) -> str:
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
    return g'''

FOLDER_TESTS = '''


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
    assert upward == []'''


def _set_literal(names: list[str]) -> str:
    return "{" + ", ".join(json.dumps(n) for n in names) + "}"


def rewrite_test_imports(new: str, old: str) -> str:
    """Layers of dotted names, a walk of the folders, and the test of the folders' order."""
    layers: list[list[str]] | None = None
    type_only: list[tuple[str, str]] = []
    for node in ast.parse(old).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id == "LAYERS" and isinstance(node.value, ast.List):
                layers = [[e.value for e in s.elts if isinstance(e, ast.Constant)] for s in node.value.elts]  # type: ignore[attr-defined]
            elif node.targets[0].id == "TYPE_ONLY":
                type_only = [tuple(ast.literal_eval(e)) for e in node.value.elts]  # type: ignore[attr-defined, misc]
    if layers is None:
        warn("tests/test_imports.py: no LAYERS list found; its layers were not rewritten")
        return new

    new_layers = [[MOVED.get(n, n) for n in layer] for layer in layers]
    for folder in FOLDERS:  # a folder's __init__ goes into the last layer with modules of the folder
        idx = [i for i, layer in enumerate(new_layers) if any(n.startswith(folder + ".") for n in layer)]
        new_layers[idx[-1] if idx else -1].append(folder)
    layers_src = "LAYERS = [\n" + "".join(f"    {_set_literal(layer)},\n" for layer in new_layers) + "]"
    layers_src += "\n" + IMPORTS_CONSTANTS % json.dumps(["", *FOLDERS])
    pairs = ", ".join(f"({json.dumps(MOVED.get(a, a))}, {json.dumps(MOVED.get(b, b))})" for a, b in type_only)
    type_src = "TYPE_ONLY = {" + pairs + "}" if type_only else "TYPE_ONLY: set[tuple[str, str]] = set()"

    tree = ast.parse(new)
    S = Source(new)
    edits = []
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id == "LAYERS":
                edits.append((*S.span(node), layers_src))
            elif node.targets[0].id == "TYPE_ONLY":
                edits.append((*S.span(node), type_src))
        elif isinstance(node, ast.FunctionDef) and node.name == "_imports":
            edits.append((*S.span(node), IMPORTS_WALK))
            found.add("walk")
        elif isinstance(node, ast.FunctionDef) and node.name == "test_imports_go_down_the_layers_and_form_no_cycle":
            end = S.span(node)[1]
            edits.append((end, end, FOLDER_TESTS))
            found.add("test")
    if "walk" not in found:
        warn("tests/test_imports.py: no _imports() found; the walk of the folders was added at the end")
        edits.append((len(new), len(new), "\n\n" + IMPORTS_WALK + "\n"))
    if "test" not in found:
        edits.append((len(new), len(new), FOLDER_TESTS + "\n"))
    for start, end, text in sorted(edits, reverse=True):
        new = new[:start] + text + new[end:]
    return new


# ---- Markdown: architecture, README, CHANGELOG ----------------------------------------------
def _section(text: str, heading: str) -> tuple[int, int] | None:
    m = re.search(r"(?m)^" + re.escape(heading) + r"[ \t]*\n", text)
    if not m:
        return None
    nxt = re.search(r"(?m)^#{1,2} ", text[m.end() :])
    return m.start(), m.end() + nxt.start() if nxt else len(text)


def _modules_of(folder: str) -> list[str]:
    return [new.split(".")[1] for new in MOVED.values() if new.split(".")[0] == folder]


def _code(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def architecture_head() -> str:
    top = [p.stem for p in sorted((ROOT / "kg").glob("*.py")) if p.stem not in MOVED and p.stem not in ENTRY]
    top = [s for s in STAY if s in top] + [s for s in top if s not in STAY]
    jobs = {
        "text": "from files to sentences and tokens: reading files (encodings, JSON Lines, skipped inputs), "
        "cleaning OCR with every character's raw offset kept, articles and sentences, jieba/rjieba tokens and "
        "the dictionary's tags and frequencies, China's divisions",
        "rules": "the rule files (`data/vocabulary.yaml`, `data/entities.yaml`, `data/relations.yaml`), loading "
        "and checking them (`load`), compiling token patterns into one regular expression (`engine`), the rule "
        "set as Markdown (`docs`, for `kg rules --markdown`)",
        "extract": "one document at a time: mentions (`mentions`), one entity per real thing (`resolve`), "
        "relations, the per-document pipeline, `kg extract`'s JSON Lines (`output`), running every rule "
        "example through the pipeline (`examples`, for `kg rules`)",
        "graph": "RDF with provenance (`rdf`, `ontology.ttl`), the Oxigraph store and its generations, SPARQL, "
        "exports, scoring, networkx analytics, entity cards, the network page (`page`, `page.html`), "
        "incremental builds into OUTDIR (`build`, `kg build`) and the library API (`api`: `kg.build`, "
        "`kg.load`, `KnowledgeGraph`)",
        "web": "`kg serve`: the network page and a read-only SPARQL endpoint, queries in worker processes",
        "cli": "the `kg` command, a thin shell over the library (`kg.cli.main` is the function `main`, "
        "re-exported by `kg/cli/__init__.py` for the `kg` script and `python -m kg`)",
    }
    data = {"rules": "; `data/*.yaml`", "graph": "; `ontology.ttl`, `page.html`"}
    rows = [
        f"| `kg/` | {_code(top)}; `__init__` (the library API, loaded on first use), `__main__` (`python -m kg`) | "
        "shared by every stage: the records passed between stages (`Document`, `Article`, `Sentence`, `Token`, "
        "`Mention`, `Entity`, `Relation`), kg's IRIs, one-line errors, the named moments where tests kill kg, "
        "escaping untrusted text for a terminal, refusing regular expressions that backtrack catastrophically |"
    ]
    for f in FOLDERS:
        rows.append(f"| `kg/{f}/` | {_code(_modules_of(f))}{data.get(f, '')} | {jobs[f]} |")
    return (
        "# kg's architecture\n\n"
        "kg turns pages of text into an RDF graph in one direction: each stage takes what the one\n"
        "before it made and adds to it. Each stage is a folder of the package, and the folders\n"
        "import in the pipeline's order:\n\n"
        "    kg/ (shared)  <  text  <  rules  <  extract  <  graph  <  web  <  cli\n\n"
        "A module imports only from its own folder or the folders before it (`kg/__init__.py` and\n"
        "`kg/__main__.py`, which start kg, come after them all). `tests/test_imports.py` holds the\n"
        "package to that (no import from a later folder; within the folders, the finer layers of its\n"
        "`LAYERS`; no import cycle) and keeps the extraction out of the commands that only read a\n"
        "graph. A folder's `__init__.py` imports nothing (but `kg/cli/`'s, which re-exports `main`),\n"
        "so `import kg.graph.query` loads no jieba.\n\n"
        "| folder | modules | what the stage does |\n|---|---|---|\n" + "\n".join(rows) + "\n\n"
        "Two modules sit one folder later than their names suggest, because of what they import:\n"
        "running the rules' examples (`kg/extract/examples.py`) runs the extractor, so it is in\n"
        "`extract/`, not `rules/`; the network page (`kg/graph/page.py`, `page.html`) is made by\n"
        "`kg build`, the library API and the entity cards, so it is in `graph/`, not `web/`.\n\n"
    )


ARCH_CHANGES = """## Where a change goes

- A new kind of statement (who builds what, written a new way): a relation rule with a
  pattern in a rule file (`kg/rules/data/relations.yaml`), with examples; `kg rules` runs
  them, `kg explain` shows it fire.
- A word that should count (a post, a legal form, a hedge): the vocabulary list
  (`kg/rules/data/vocabulary.yaml`).
- A test a pattern cannot say (is this a person's name?): a predicate in
  `kg/rules/engine.py`'s `PREDICATES`, registered once, documented, used by name.
- Reading a new input format: `kg/text/reader.py`; cleaning and sentences: `kg/text/clean.py`,
  `kg/text/segment.py`; tokens and the dictionary: `kg/text/lexicon.py`.
- Finding, merging or relating entities in code rather than in rules: `kg/extract/`
  (`mentions.py`, `resolve.py`, `relations.py`; `pipeline.py` runs them in order).
- What the graph says (classes, properties, provenance): `kg/graph/ontology.ttl` and
  `kg/graph/rdf.py`. A new export: `kg/graph/export.py`. The network page: `kg/graph/page.py`
  and `kg/graph/page.html`. A new query: `queries/`.
- Anything that writes into OUTDIR goes through `store.NewGeneration` (`kg/graph/store.py`):
  the change and its exports are made in a new generation and become visible in one rename.
- The server: `kg/web/serve.py`. A new command or option: `kg/cli/main.py`, calling into the
  library; the work itself goes into the stage it belongs to.
- A new module goes into the folder of its stage and into `LAYERS` in `tests/test_imports.py`;
  it may import from its folder and the ones before it. What every stage needs goes at the top
  of `kg/`. A new folder needs its place in `FOLDERS` there.
"""


def rewrite_architecture(text: str) -> str:
    first = re.search(r"(?m)^## ", text)
    text = architecture_head() + (text[first.start() :] if first else "")
    sec = _section(text, "## Where a change goes")
    if sec:
        rest = text[sec[1] :]
        text = text[: sec[0]] + ARCH_CHANGES + ("\n" + rest if rest else "")
    else:
        text = text.rstrip("\n") + "\n\n" + ARCH_CHANGES
    return text


README_KG = """kg/              the package; its folders are the stages, in import order (docs/architecture.md):
  text/          reading files, cleaning OCR, articles and sentences, tokens, China's places
  rules/         loading rule files (data/*.yaml), the token-pattern engine, the rules as Markdown
  extract/       mentions, resolution, relations, the per-document pipeline, kg extract's output
  graph/         RDF and ontology.ttl, the store, SPARQL, analytics, scoring, exports, cards,
                 the network page (page.html), kg build and the library API
  web/           kg serve
  cli/           the kg command
                 shared by every stage, at the top: errors, model, namespaces, faults, terminal,
                 backtrack"""


def rewrite_readme(text: str) -> str:
    sec = _section(text, "## Layout")
    if not sec:
        warn("README.md: no '## Layout' section; the folders are not described there")
        return text
    body = text[sec[0] : sec[1]]
    new, n = re.subn(r"(?m)^kg/[ \t]+.*$", lambda m: README_KG, body, count=1)
    if not n:
        warn("README.md: no `kg/` line in '## Layout'; the folders are not described there")
    new = new.replace("architecture.md (the layers,", "architecture.md (the folders,")
    return text[: sec[0]] + new + text[sec[1] :]


def rewrite_changelog(text: str) -> str:
    renamed = [(o, n) for o, n in MOVED.items() if n.split(".")[1] != o]
    entry = (
        "The modules are in folders by stage, in import order: "
        + ", ".join(f"`kg/{f}/`" for f in FOLDERS)
        + " (docs/architecture.md). `import kg`, `kg.build`, `kg.load`, `kg.KnowledgeGraph`, the `kg` "
        "command and `python -m kg` are as they were; code that imports a module itself takes its new name: "
        + ", ".join(f"`kg.{o}` → `kg.{n}`" for o, n in renamed)
        + "; the others keep their name in their folder (`kg.rdf` → `kg.graph.rdf`). The built-in rule files "
        "are in `kg/rules/data/`."
    )
    entry = textwrap.fill(entry, 100, initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False) + "\n"
    first = re.search(r"(?m)^## .*\n", text)
    if not first:
        warn("CHANGELOG.md: no section to add the move to")
        return text
    nxt = re.search(r"(?m)^## ", text[first.end() :])
    end = first.end() + nxt.start() if nxt else len(text)
    changed = re.search(r"(?m)^### Changed[ \t]*\n", text[first.end() : end])
    if changed:
        at = first.end() + changed.end()
        return text[:at] + entry + text[at:]
    return text[:end].rstrip("\n") + "\n\n### Changed\n" + entry + "\n" + text[end:]


# ---- the run ---------------------------------------------------------------------------------
def preconditions() -> None:
    if not (ROOT / "kg" / "__init__.py").exists() or not (ROOT / ".git").exists():
        die("run it from the root of kg's repository (kg/__init__.py and .git are not here)")
    for f in FOLDERS:
        d = ROOT / "kg" / f
        if f in DATA_DIRS:
            if (d / "__init__.py").exists() or any(d.glob("*.py")) or any((ROOT / "kg" / DATA[f]).glob("*")):
                die(f"kg/{f}/ already holds modules or {DATA[f]}/: the layout is applied already; nothing done")
        elif d.exists() and any(x.name != "__pycache__" for x in d.iterdir()):  # left by another branch: fine
            die(f"kg/{f}/ already exists: the layout is applied already (or a folder is in the way); nothing done")
    dirty = git("status", "--porcelain", "--untracked-files=no").strip()
    if dirty:
        die("tracked files are modified; run it on a clean checkout (commit or stash first):\n" + dirty)
    for stem, new in MOVES.items():
        if (ROOT / "kg" / f"{stem}.py").exists():
            MOVED[stem] = new
        else:
            warn(f"kg/{stem}.py is not there (removed, or not made yet): skipped")
    for p in sorted((ROOT / "kg").glob("*.py")):
        if p.stem not in MOVES and p.stem not in STAY and p.stem not in ENTRY:
            warn(f"kg/{p.name} is in no folder: it stays at the top of kg/ (add it to MOVES or STAY)")
    for old in DATA:
        if not (ROOT / "kg" / old).exists():
            warn(f"kg/{old} is not there: skipped")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dry-run", action="store_true", help="say what would move; change nothing")
    ap.add_argument("--no-format", action="store_true", help="do not run ruff on the rewritten files")
    args = ap.parse_args(argv)
    preconditions()
    me = Path(__file__).resolve()
    tracked = [ROOT / p for p in git("ls-files", "-z").split("\0") if p]
    tracked = [p for p in tracked if p.is_file() and p.resolve() != me]

    # 1. new contents, computed from the old tree, keyed by the old path
    contents: dict[Path, str] = {}
    for p in tracked:
        rel = p.relative_to(ROOT).as_posix()
        if rel.startswith("kg/") and not rel.endswith(".py"):
            # data files are moved, not rewritten: the rule files' text is part of a build's
            # fingerprint, so editing even a comment would make an existing OUTDIR re-extract
            # every document once; their stale names are listed instead
            try:
                lines = p.read_text(encoding="utf-8").splitlines()
            except (UnicodeDecodeError, OSError):
                continue
            for i, line in enumerate(lines, 1):
                if sub_text(line) != line:
                    warn(f"{rel}:{i}: names an old module or path; left as it is (data): {line.strip()[:80]}")
            continue
        try:
            old = p.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if p.suffix == ".py":
            old_pkg = new_pkg = None
            old_dir = new_dir = None
            if rel.startswith("kg/") and rel.count("/") == 1:
                old_pkg, old_dir = ["kg"], ""
                new_dir = new_file(p.stem).rpartition("/")[0]
                new_pkg = ["kg", *new_dir.split("/")] if new_dir else ["kg"]
            try:
                new = rewrite_python(old, rel, old_pkg, new_pkg)
            except SyntaxError as exc:
                warn(f"{rel}: not valid Python ({exc.msg}); only its text was rewritten")
                new = sub_text(old)
            new = rewrite_data_paths(new, rel, old_dir, new_dir)
            if rel == "tests/test_imports.py":
                new = rewrite_test_imports(new, old)
        elif p.suffix == ".ipynb":
            new = rewrite_notebook(old, rel)
        elif rel == "pyproject.toml":
            new = rewrite_pyproject(old)
        elif p.suffix == ".md":
            new = sub_text(old, markdown=True)
            if rel == "docs/architecture.md":
                new = rewrite_architecture(new)
            elif rel == "README.md":
                new = rewrite_readme(new)
            elif rel == "CHANGELOG.md":
                new = rewrite_changelog(new)
        elif p.suffix in (".toml", ".cfg", ".ini", ".txt", ".sh", ".yml", ".yaml", "") or rel.startswith(".ci/"):
            new = sub_text(old)
        else:
            continue
        if new != old:
            contents[p] = new

    moves = [(f"kg/{s}.py", f"kg/{new_file(s)}.py") for s in MOVED]
    for old in DATA:
        src = ROOT / "kg" / old
        if old in DATA_DIRS and src.is_dir():
            moves += [(f"kg/{old}/{f.name}", f"kg/{DATA[old]}/{f.name}") for f in sorted(src.iterdir()) if f.is_file()]
        elif src.exists():
            moves.append((f"kg/{old}", f"kg/{DATA[old]}"))
    print(f"{len(moves)} files to move, {len(contents)} to rewrite")
    if args.dry_run:
        for a, b in moves:
            print(f"  {a} -> {b}")
        for p in sorted(contents):
            print(f"  rewrite {p.relative_to(ROOT)}")
        return report()

    # 2. move
    for a, b in moves:
        (ROOT / b).parent.mkdir(parents=True, exist_ok=True)
        git("mv", a, b)
    for f, doc in FOLDERS.items():
        init = ROOT / "kg" / f / "__init__.py"
        text = f'"""{doc}"""\n'
        if f == "cli":
            text += '\nfrom .main import main\n\n__all__ = ["main"]\n'
        init.write_text(text, encoding="utf-8")
    # 3. write the rewritten files at their new places
    where = {ROOT / a: ROOT / b for a, b in moves}
    written = [f"kg/{f}/__init__.py" for f in FOLDERS]
    for p, text in contents.items():
        dest = where.get(p, p)
        dest.write_text(text, encoding="utf-8")
        written.append(dest.relative_to(ROOT).as_posix())
    # 4. imports sorted and formatted as ruff does in CI
    py = sorted(
        w
        for w in {*written, *(b for _, b in moves)}
        if w.endswith(".py") and w.split("/")[0] in ("kg", "tests", "bench")  # what CI runs ruff on
    )
    if not args.no_format:
        ruff = (
            [sys.executable, "-m", "ruff"]
            if _has_module("ruff")
            else ([shutil.which("ruff")] if shutil.which("ruff") else None)
        )
        if ruff:
            subprocess.run([*ruff, "check", "--fix", "--select", "I001", "--quiet", *py], cwd=ROOT)
            subprocess.run([*ruff, "format", "--quiet", *py], cwd=ROOT, check=True)
        else:
            warn("ruff is not installed: imports are not sorted nor formatted (ruff check --fix; ruff format)")
    git("add", "--", *sorted(set(written) | {b for _, b in moves}))
    print('done: the move is staged; check it (ruff, mypy kg, pytest) and `git commit -m "run tools/layout.py"`')
    return report()


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def report() -> int:
    for w in WARNINGS:
        print("warning:", w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
