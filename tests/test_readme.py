"""The README's rule-file examples are real: loaded and run as a user would."""

import re

from conftest import ROOT

from kg.extract.examples import check_all
from kg.extract.pipeline import extractor


def test_readme_rule_examples_load_and_pass(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert len(blocks) >= 2
    files = []
    for i, b in enumerate(blocks):
        f = tmp_path / f"r{i}.yaml"
        f.write_text(b, encoding="utf-8")
        files.append(str(f))
    ex = extractor(files)
    ids = {r.id for r in ex.rules.entity_rules} | {r.id for r in ex.rules.relation_rules}
    assert {"project.reservoir", "located.operate"} <= ids
    n, fails = check_all(ex)
    assert not fails, [f.problem for f in fails]


def test_readme_commands_name_real_queries():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in re.findall(r"`(\w+\.rq)`", text):
        assert (ROOT / "queries" / name).exists(), name


def test_readme_build_example_is_the_real_output(tmp_path):
    """The README's kg build table is what kg build prints on the seed (every row but the time)."""
    from conftest import SEED, run_kg

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\n\$ kg build seeds/ -o build/\n(.*?)```", text, re.S).group(1)

    def rows(table: str) -> dict[str, str]:
        cells = (re.findall(r"│ (.+?) +│ +(.+?) │", line) for line in table.splitlines())
        return {k.strip(): v for found in cells for k, v in found if k.strip() != "time"}

    real = run_kg("build", SEED, "-o", tmp_path / "b", check=True).stdout  # piped: tab-separated
    got = {r[0]: r[1] for r in (line.split("\t") for line in real.splitlines()) if len(r) == 2 and r[0] != "time"}
    want = rows(block)
    assert want and want == {k: v for k, v in got.items() if k != "what"}


def test_readme_explain_example_is_the_real_output():
    """The README's kg explain example: its tokens and tags, mentions and relations are kg's."""
    from conftest import run_kg

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r'```\n\$ kg explain "(.+?)"\n(.*?)```', text, re.S)
    sentence, block = m.group(1), m.group(2)
    real = run_kg("explain", sentence, check=True).stdout
    assert next(line for line in block.splitlines() if line.startswith("tokens ")) in real.splitlines()
    shown = {tuple(c.strip() for c in line.split("│")) for line in block.splitlines() if "│" in line}
    got = {tuple(line.split("\t")) for line in real.splitlines() if "\t" in line}
    assert shown and shown <= got
