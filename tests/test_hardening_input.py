"""Hostile input: JSON Lines with bad records, text that speaks to the terminal, folder
trees deeper than Python's recursion, and rule files that would hang, eat memory or crash."""

import json
import os
import pty
import subprocess
import sys

import pytest
from conftest import ROOT, run_kg

pytestmark = pytest.mark.slow  # runs kg in subprocesses: CI runs it, `-m 'not slow'` skips it

GOOD = "本报讯（记者 王明）星禾科技有限公司落户嘉兴经开区。"


def _one_line(proc, *words):
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


# ---- JSON Lines -----------------------------------------------------------------------
def _jsonl(path):
    lines = [
        json.dumps({"id": "a", "text": GOOD}, ensure_ascii=False),
        '{"id": "b", "text": "云栖材料有限公司',  # cut short
        json.dumps({"id": "c", "body": "没有正文"}, ensure_ascii=False),
        json.dumps({"id": "d", "text": 5}),
        json.dumps({"id": "e", "text": "云栖材料有限公司\u2028落户嘉兴经开区。\u0085"}, ensure_ascii=False),
        '{"id": "f\\ud800", "text": "\\udfff本报讯 星禾材料有限公司落户嘉兴经开区。"}',  # lone surrogates
        "[" * 100_000,  # too deep for json
        json.dumps({"id": "h", "text": "本报讯 云栖科技有限公司落户嘉兴经开区。"}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines[:-1]) + "\n" + lines[-1] + "\r\n", encoding="utf-8")
    return path


def test_bad_jsonl_records_are_skipped_one_line_each_and_the_rest_is_read(tmp_path):
    src = _jsonl(tmp_path / "news.jsonl")
    proc = run_kg("build", src, "-o", tmp_path / "out", "--json")
    assert proc.returncode == 0, proc.stderr
    rep = json.loads(proc.stdout)
    assert rep["documents"] == 4 and rep["skipped"] == 4
    lines = proc.stderr.strip().splitlines()
    for n, reason in [
        (2, "not valid JSON ("),
        (3, "record has no string field 'text'"),
        (4, "record has no string field 'text'"),
        (7, "not valid JSON (nested too deeply)"),
    ]:
        assert sum(f"skipped {src}:{n}: {reason}" in l for l in lines) == 1, (n, lines)
    assert any(l.startswith("warning") and f"{src}:6:" in l and "U+FFFD" in l for l in lines), lines
    assert len(lines) == 5 and "Traceback" not in proc.stderr
    ttl = (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")
    for company in ("星禾科技有限公司", "云栖材料有限公司", "星禾材料有限公司", "云栖科技有限公司"):
        assert company in ttl
    strict = run_kg("build", src, "-o", tmp_path / "strict", "--strict")
    _one_line(strict, f"{src}:2: not valid JSON", "and 3 more", "--strict")
    assert strict.returncode == 1


def test_kg_extract_reads_the_same_records(tmp_path):
    src = _jsonl(tmp_path / "news.jsonl")
    out = tmp_path / "mentions.jsonl"
    proc = run_kg("extract", src, "-o", out)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["a", "e", "f\ufffd", "h"]
    f = next(r for r in records if r["id"] == "f\ufffd")
    assert any(e["text"] == "星禾材料有限公司" and e["start"] == 5 for e in f["entities"])  # offsets kept
    assert sum(l.startswith("skipped") for l in proc.stderr.splitlines()) == 4
    assert any(l.startswith("warning") and f"{src}:6:" in l for l in proc.stderr.splitlines())


# ---- text that reaches the terminal ---------------------------------------------------
HOSTILE_ID = "\x1b[2J[/]页\x1b]8;;http://x\x1b\\链接\x1b]8;;\x1b\\\u200b"
ESCAPED_ID = "\\x1b[2J[/]页\\x1b]8;;http://x\\x1b\\链接\\x1b]8;;\\x1b\\\\u200b"


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    src = tmp / "ev.jsonl"
    text = "本报讯（记者 王明）星禾科技有限公司落户嘉兴经开区[/][bold]。云栖材料有限公司与星禾科技有限公司签署[/]战略合作协议。"  # noqa: E501
    src.write_text(json.dumps({"id": HOSTILE_ID, "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    run_kg("build", src, "-o", tmp / "out", "-q", check=True)
    return tmp / "out"


DOCUMENTS = "SELECT ?d WHERE { ?doc a kg:Document ; rdfs:label ?d }"


def test_query_table_and_show_escape_control_characters_and_never_read_markup(hostile_out):
    table = run_kg("query", DOCUMENTS, "-g", hostile_out)
    assert table.returncode == 0, table.stderr
    assert "\x1b" not in table.stdout and "ev#" + ESCAPED_ID in table.stdout
    sentences = run_kg("query", "SELECT ?s WHERE { ?sn a kg:Sentence ; kg:text ?s }", "-g", hostile_out)
    assert sentences.returncode == 0 and "嘉兴经开区[/][bold]。" in sentences.stdout, sentences.stderr
    card = run_kg("show", "星禾科技", "-g", hostile_out)
    assert card.returncode == 0, card.stderr
    assert "\x1b" not in card.stdout and "ev#" + ESCAPED_ID in card.stdout and "签署[/]战略" in card.stdout


def _on_a_terminal(*args) -> str:
    """kg's standard output when it is a terminal (a pseudo-terminal)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", *map(str, args)],
        stdout=slave,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=dict(os.environ, PYTHONIOENCODING="utf-8"),
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the other end is closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    return b"".join(chunks).decode("utf-8")


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_is_exact_in_a_pipe_and_escaped_on_a_terminal(hostile_out, fmt):
    piped = run_kg("query", DOCUMENTS, "-g", hostile_out, "--format", fmt, check=True).stdout
    assert "\x1b[2J[/]页\x1b]8;;http://x" in piped
    shown = _on_a_terminal("query", DOCUMENTS, "-g", hostile_out, "--format", fmt)
    assert "\x1b" not in shown and "\\x1b[2J[/]页\\x1b]8;;http://x" in shown


def test_explain_rules_and_errors_show_markup_and_escapes_as_text(tmp_path):
    explain = run_kg("explain", "星禾科技有限公司[/]落户嘉兴经开区。")
    assert explain.returncode == 0 and "星禾科技有限公司[/]落户" in explain.stdout, explain.stderr
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        json.dumps(
            {
                "rules": [
                    {
                        "id": "project.[/]reservoir",
                        "description": "\x1b[2J[bold]水库",
                        "kind": "suffix",
                        "type": "Project",
                        "suffixes": ["水库"],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    rules = run_kg("rules", "--rules", mine)
    assert rules.returncode == 0, rules.stderr
    assert "\x1b" not in rules.stdout
    assert "project.[/]reservoir" in rules.stdout and "\\x1b[2J[bold]水库" in rules.stdout
    missing = run_kg("build", "\x1b[2Jgone.txt", "-o", tmp_path / "out")
    assert missing.returncode == 2 and "\x1b" not in missing.stderr
    _one_line(missing, "\\x1b[2Jgone.txt: no such file or folder")


# ---- deep folders ---------------------------------------------------------------------
def test_a_folder_tree_1200_deep_is_read(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "top.txt").write_text(GOOD, encoding="utf-8")
    folders = [src / "d"]
    for _ in range(1199):  # 2,400 characters of d/d/…, under PATH_MAX (4,096)
        folders.append(folders[-1] / "d")
    for f in folders:
        f.mkdir()
    (folders[-1] / "page.txt").write_text("本报讯 云栖材料有限公司落户嘉兴经开区。", encoding="utf-8")
    os.symlink(src, folders[-1] / "loop")
    try:
        proc = run_kg("build", src, "-o", tmp_path / "out", "--json")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["documents"] == 2
    finally:  # pytest's own clean-up (shutil.rmtree) recurses
        (folders[-1] / "page.txt").unlink()
        (folders[-1] / "loop").unlink()
        for f in reversed(folders):
            f.rmdir()


# ---- rule files -----------------------------------------------------------------------
def _rule_file(tmp_path, text, name="bad.yaml"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


CATASTROPHIC = [
    ("rules", "company.evil", "pattern", r"(?P<name>(\w+\s?)+有限公司)"),
    ("rules", "company.evil", "pattern", r"(?P<name>(?:[^，]|材)+公司)"),
    ("relations", "builds.evil", "requires", r"(?:a*b?)+x"),
    ("relations", "builds.evil", "unless", r"(?:协议|协|议)+落户"),
]


def _catastrophic(tmp_path, key, rule_id, field, regex):
    rule = {"id": rule_id, field: regex}
    rule.update(
        {"kind": "pattern", "type": "Company"}
        if key == "rules"
        else {
            "relation": "builds",
            "pattern": [
                {"mention": ["Company"], "capture": "subject"},
                {"text": "承建"},
                {"mention": ["Project"], "capture": "object"},
            ],
        }
    )
    return _rule_file(tmp_path, json.dumps({key: [rule]}, ensure_ascii=False))


@pytest.mark.parametrize("key,rule_id,field,regex", CATASTROPHIC, ids=[c[3] for c in CATASTROPHIC])
def test_catastrophic_regexes_are_refused_when_the_rules_load(tmp_path, key, rule_id, field, regex):
    bad = _catastrophic(tmp_path, key, rule_id, field, regex)
    proc = run_kg("rules", "--rules", bad, timeout=60)
    assert proc.returncode == 1
    _one_line(proc, "bad.yaml", rule_id, f"field '{field}'", "backtrack")


def test_a_catastrophic_pattern_does_not_hang_the_build(tmp_path):
    bad = _catastrophic(tmp_path, *CATASTROPHIC[0])
    page = tmp_path / "page.txt"
    page.write_text("a" * 40 + "，星禾科技有限公司落户嘉兴经开区。", encoding="utf-8")
    proc = run_kg("build", page, "-o", tmp_path / "out", "--rules", bad, timeout=60)
    assert proc.returncode == 1
    _one_line(proc, "bad.yaml", "company.evil", "field 'pattern'")


def test_the_department_pattern_reads_long_runs_of_function_words_at_once(tmp_path):
    """institution.department was a repeat of repeats over words such as 文化 + 旅游 = 文化旅游:
    twenty of them took seconds, forty forever."""
    page = tmp_path / "page.txt"
    page.write_text("县" + "文化旅游" * 40 + "。市文化和旅游局发布通知。", encoding="utf-8")
    proc = run_kg("extract", page, "-o", tmp_path / "out.jsonl", timeout=60)
    assert proc.returncode == 0, proc.stderr
    names = {e["text"] for e in json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))["entities"]}
    assert "市文化和旅游局" in names


def test_yaml_aliases_are_refused(tmp_path):
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 6):  # 10^6 strings if expanded: a small bomb, but a bomb
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]")
    bomb = _rule_file(tmp_path, "\n".join(lines) + "\n")
    proc = run_kg("rules", "--rules", bomb, timeout=120)
    assert proc.returncode == 1
    _one_line(proc, "bad.yaml: YAML aliases (*l0) are not allowed in rule files")


def test_rule_files_over_2_mb_are_refused(tmp_path):
    big = _rule_file(tmp_path, "# a comment line of a rule file, repeated\n" * 60_000)
    proc = run_kg("rules", "--rules", big)
    assert proc.returncode == 1
    _one_line(proc, "bad.yaml: larger than 2 MB")


def _with_rules(tmp_path, command, rules):
    if command == "rules":
        return run_kg("rules", "--rules", rules)
    page = tmp_path / "page.txt"
    page.write_text(GOOD, encoding="utf-8")
    return run_kg("build", page, "-o", tmp_path / "out", "--rules", rules)


@pytest.mark.parametrize("command", ["rules", "build"])
def test_a_missing_or_binary_rule_file_is_one_line(tmp_path, command):
    missing = _with_rules(tmp_path, command, tmp_path / "none.yaml")
    assert missing.returncode == 2
    _one_line(missing, "none.yaml: no such rule file")
    binary = tmp_path / "rules.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe" + bytes(range(256)))
    proc = _with_rules(tmp_path, command, binary)
    assert proc.returncode == 1
    _one_line(proc, "rules.yaml: not a text file")


RULE = "rules:\n  - id: company.mine\n    kind: suffix\n    type: Company\n"
RELATION = "relations:\n  - id: builds.mine\n    relation: builds\n    subject: [Company]\n"
BAD_FIELDS = [
    (RULE + "    suffixes: 5\n", "company.mine", "field 'suffixes' must be a list of strings"),
    (RELATION + "    triggers: 推进\n", "builds.mine", "field 'triggers' must be a list of strings"),
    (RULE + "    suffixes: [公司]\n    examples: 3\n", "company.mine", "field 'examples' must be a mapping"),
    (
        RELATION.replace("[Company]", "Company") + "    triggers: [承建]\n",
        "builds.mine",
        "field 'subject' must be a list of strings",
    ),
    (
        RULE + "    suffixes: [公司]\n    examples:\n      match: [星禾科技有限公司]\n",
        "company.mine",
        "field 'examples.match' must list mappings",
    ),
    (RULE + "    sufixes: [公司]\n", "company.mine", "unknown field 'sufixes'"),
    (
        RULE + "    suffixes: [公司]\n    examples:\n      match:\n        - text: 星禾科技有限公司成立。\n"
        "          mentoins: [星禾科技有限公司]\n",
        "company.mine",
        "unknown field 'examples.match.mentoins'",
    ),
]


@pytest.mark.parametrize("command", ["rules", "build"])
@pytest.mark.parametrize("text,rule_id,message", BAD_FIELDS, ids=[m for _, _, m in BAD_FIELDS])
def test_a_field_of_the_wrong_type_is_one_line(tmp_path, command, text, rule_id, message):
    bad = _rule_file(tmp_path, text)
    proc = _with_rules(tmp_path, command, bad)
    assert proc.returncode == 1
    _one_line(proc, f"{bad}: ", f"rule {rule_id}: {message}")
