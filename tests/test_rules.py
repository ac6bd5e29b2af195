"""Every example of every rule runs through the whole rule set (as in Duckling)."""

import pytest
from conftest import ROOT

from kg.errors import KgError
from kg.extract.examples import check_entity_example, check_relation_example
from kg.extract.pipeline import extractor
from kg.rules.load import load_rules

RULES = load_rules()
CASES = [(r, e, True) for r in RULES.entity_rules + RULES.relation_rules for e in r.match] + [
    (r, e, False) for r in RULES.entity_rules + RULES.relation_rules for e in r.no_match
]


@pytest.mark.parametrize(
    "rule,example,positive", CASES, ids=[f"{r.id}:{'+' if p else '-'}:{e.text[:12]}" for r, e, p in CASES]
)
def test_rule_example(rule, example, positive):
    ex = extractor()
    check = check_entity_example if hasattr(rule, "kind") else check_relation_example
    failures = check(ex, rule, example, positive)
    assert not failures, "; ".join(f.problem for f in failures)


def test_every_rule_has_an_example():
    for r in RULES.entity_rules + RULES.relation_rules:
        assert r.match, f"rule {r.id} has no example"


def test_no_seed_names_in_rules():
    import json

    from conftest import GOLD

    if not GOLD.exists():
        pytest.skip("../shared/eval is not here")
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    names = {n for e in gold["entities"] for n in [e["name"], *e.get("aliases", [])] if len(n) >= 4}
    from importlib import resources

    for f in ("vocabulary.yaml", "entities.yaml", "relations.yaml"):
        text = (resources.files("kg") / "rules" / "data" / f).read_text(encoding="utf-8")
        assert not [n for n in names if n in text], f


def test_user_rule_file_adds_a_rule(tmp_path):
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        """
rules:
  - id: project.reservoir
    description: reservoirs
    kind: suffix
    type: Project
    suffixes: [水库]
    examples:
      match:
        - text: 千岛湖水库今年扩容。
          mentions: [千岛湖水库]
""",
        encoding="utf-8",
    )
    ex = extractor([str(extra)])
    rule = next(r for r in ex.rules.entity_rules if r.id == "project.reservoir")
    assert not check_entity_example(ex, rule, rule.match[0], True)
    base = next(r for r in extractor().rules.entity_rules if r.id == "project.construction")
    assert "水库" not in base.suffixes


def test_a_tokens_rule_joins_a_mention_and_words_into_a_new_mention(tmp_path):
    """A user's token pattern over the mentions found so far: a place and a port word are one project."""
    extra = tmp_path / "ports.yaml"
    extra.write_text(
        """
rules:
  - id: project.port
    description: a place's port area
    kind: tokens
    type: Project
    pattern:
      - {mention: Place, capture: name}
      - {text: [港区, 码头], capture: name}
""",
        encoding="utf-8",
    )
    from kg.model import Sentence

    ex = extractor([str(extra)])
    text = "鄂州市港区今年扩建，江边码头停运。"
    sent = Sentence(text, list(range(len(text))))
    found = {(m.text, m.type, m.rule) for m in ex.entities.find(sent)}
    assert ("鄂州市港区", "Project", "project.port") in found
    assert not [r for t, _, r in found if r == "project.port" and t != "鄂州市港区"]  # 江边 is no place
    assert not [m for m in extractor().entities.find(sent) if m.text == "鄂州市港区"]


@pytest.mark.parametrize(
    "text,message",
    [
        ("rules: [{kind: suffix, type: Company}]", "needs an 'id'"),
        ("rules: [{id: x, kind: magic, type: Company}]", "unknown kind 'magic'"),
        ("rules: [{id: x, kind: suffix, type: Firm}]", "type 'Firm' is not one of"),
        (
            "relations: [{id: y, relation: owns, pattern: [{mention: true, capture: subject}]}]",
            "relation 'owns' is not one of",
        ),
        (
            "relations: [{id: y, relation: builds, shape: svo, triggers: [承建]}]",
            "a relation rule is a token 'pattern'",
        ),
        ("rules: [: :", "not valid YAML"),
        ("rules: [{id: x, kind: tokens, type: Company, pattern: 'a+'}]", "of a tokens rule must be a list"),
        ("rules: [{id: x, kind: pattern, type: Company, pattern: [{text: a}]}]", "must be a regular expression"),
        (
            "rules: [{id: x, kind: tokens, type: Company, pattern: [{mention: Place, capture: subject}]}]",
            "captures 'subject'; an entity pattern captures only 'name'",
        ),
        ("rules: [{id: x, kind: tokens, type: Company, pattern: [{in: no_list}]}]", "no_list"),
        (
            "relations: [{id: y, relation: builds, unless: '落户(', pattern: [{mention: true, capture: subject}]}]",
            "bad regular expression",
        ),
        (
            "relations: [{id: y, relation: builds, antecedent_pick: first, pattern: [{mention: true, capture: o}]}]",
            "antecedent_pick.*nearest or topic",
        ),
        (
            "relations: [{id: y, relation: builds, head: both, pattern: [{mention: true, capture: subject}]}]",
            "head.*subject or object",
        ),
    ],
)
def test_bad_rule_files_get_one_clear_line(tmp_path, text, message):
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(KgError, match=message) as info:
        load_rules([str(f)])
    assert "bad.yaml" in str(info.value) and "\n" not in str(info.value)


def test_abbreviations_name_the_whole_place():
    """中方 and 抵京 are mentions of 中国 and 北京市: the text keeps the abbreviation, the entity
    has the full name, and an ordinary 中 (其中方法) is no place."""
    from kg.model import Document

    res = extractor().process(Document("abbr", "abbr.txt", "德国代表团昨天抵京，中方表示欢迎。其中方法很多。"))
    names = {m.text: m.entity.name for m in res.mentions if m.entity is not None and m.type == "Place"}
    assert names.get("京") == "北京市" and names.get("中") == "中国"
    assert sum(1 for m in res.mentions if m.text == "中") == 1


def test_user_vocabulary_extends_a_pattern(tmp_path):
    """institution.department names {government_functions}: a user list adds a function."""
    from kg.model import Document

    text = "县非遗保护局发布通知。"
    before = extractor().process(Document("d", "d.txt", text))
    assert "县非遗保护局" not in {m.text for m in before.mentions}
    extra = tmp_path / "mine.yaml"
    extra.write_text("government_functions: [非遗保护]\n", encoding="utf-8")
    after = extractor([str(extra)]).process(Document("d", "d.txt", text))
    assert {m.text: m.type for m in after.mentions}.get("县非遗保护局") == "Institution"


def test_unknown_vocabulary_in_a_pattern_is_one_clear_line(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("rules: [{id: x, kind: pattern, type: Company, pattern: '{no_such_list}公司'}]", encoding="utf-8")
    with pytest.raises(KgError, match="no_such_list") as info:
        load_rules([str(f)])
    assert "bad.yaml" in str(info.value)


def test_types_of_banks_central_bank_and_forces():
    """A bank's abbreviation is a company, the central bank's a state body; 美军 is an institution."""
    from kg.model import Document

    res = extractor().process(Document("t", "t.txt", "工行和农行下调了贷款利率，央行表示关注。美军已撤离。"))
    types = {m.text: m.type for m in res.mentions}
    assert types.get("工行") == "Company" and types.get("农行") == "Company"
    assert types.get("央行") == "Institution" and types.get("美军") == "Institution"


def test_places_of_a_match_stay_places():
    """在马赛战胜: the venue is a place; 欧洲劲旅: a continent is no team; a player stays a person."""
    from kg.model import Document

    res = extractor().process(
        Document("m", "m.txt", "法国队在马赛战胜南非队，欧洲劲旅全部出线。主帅安切洛蒂在主场取胜后表示满意。")
    )
    types = {m.text: m.type for m in res.mentions}
    assert types.get("马赛") == "Place" and types.get("欧洲") == "Place" and types.get("安切洛蒂") == "Person"


def test_a_ratio_or_a_date_is_no_score():
    """3比1的比例, 1:1配套, 2-3月: not a match, so no team is read into the clause."""
    ex = extractor().entities
    for text in ("双方按3比1的比例出资", "按1:1比例配套资金", "项目2-3月开工"):
        assert ex.match_re.search(text) is None, text
    for text in ("波尔图3比1战胜本菲卡", "最终两队2比2。", "客场0比1告负"):
        assert ex.match_re.search(text) is not None, text


def test_docs_rules_md_is_the_rule_files_as_they_are():
    """docs/rules.md is generated (kg rules --markdown): it must not drift from the rule files."""
    from kg.extract.pipeline import extractor
    from kg.rules.docs import markdown

    page = markdown(extractor().rules)
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == page, "run: kg rules --markdown > docs/rules.md"
    assert "suborg.copula" in page and "subject=[Company|Institution]" in page


def test_the_character_and_word_lists_the_python_reads_are_vocabulary(tmp_path):
    """Surnames, the characters that end a body's name, demonstratives …: a user's file extends them."""
    extra = tmp_path / "names.yaml"
    extra.write_text("surname_chars: [鑫]\ndemonstratives: [本届]\n", encoding="utf-8")
    base, mine = extractor(), extractor([str(extra)])
    assert not base.entities._looks_like_person("鑫立达")
    assert mine.entities._looks_like_person("鑫立达") and mine.entities._looks_like_person("王立达")
    assert "本届" in mine.resolver.demonstratives and "本届" not in base.resolver.demonstratives
    assert not [
        n for n in ("ORG_CHARS", "SURNAME_CHARS", "GOV_SUFFIXES") if n in _source("extract.mentions", "extract.resolve")
    ]


def _source(*modules: str) -> str:
    from importlib import import_module
    from pathlib import Path

    return "".join(Path(import_module(f"kg.{m}").__file__).read_text(encoding="utf-8") for m in modules)


def test_a_department_named_with_its_government_body_is_a_sub_organisation_and_a_project_employs_nobody():
    from kg.model import Document

    ex = extractor()
    res = ex.process(Document("x", "x", "丙丁港片区管委会招商局局长李海介绍，星禾电力建设有限公司项目经理周明说。"))
    got = {(r.subject.name, r.predicate, getattr(r.object, "name", r.object)) for r in res.relations}
    assert ("丙丁港片区管委会招商局", "subOrganizationOf", "丙丁港片区管委会") in got
    assert ("李海", "worksFor", "丙丁港片区管委会招商局") in got
    assert ("周明", "worksFor", "星禾电力建设有限公司") in got
    assert not [m for m in res.mentions if m.text.endswith("公司项目")]
