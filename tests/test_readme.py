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
