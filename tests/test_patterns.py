"""Token patterns (kg/rules/engine.py): what each element means, and a bad pattern is one line."""

import pytest
from conftest import run_kg

from kg.errors import KgError
from kg.model import Entity, Mention, Token
from kg.rules.engine import Compiler, units

VOCAB = {"coordinators": ["、", "和", "与"], "heads": ["子公司", "分公司"], "hedges": ["拟"]}


def _sentence(parts):
    """Units from (text, pos) tokens and (text, type) mentions, in order."""
    tokens, mentions, text = [], [], ""
    for word, tag in parts:
        start = len(text)
        text += word
        if tag[0].isupper():
            m = Mention(word, tag, start, len(text), "test")
            m.entity = Entity(word, {tag})
            mentions.append(m)
            tokens.append(Token(word, "n", start, len(text)))
        else:
            tokens.append(Token(word, tag, start, len(text)))
    return units(text, tokens, mentions)


def _matches(pattern, parts, vocab=VOCAB):
    c = Compiler(vocab)
    p = c.compile(pattern, "test")
    return [
        {k: [u.text for u in v] for k, v in m.captures.items()} for m in c.finditer(p, c.sequence(_sentence(parts)))
    ]


A, B, C, P = ("甲公司", "Company"), ("乙公司", "Company"), ("丙公司", "Company"), ("丁镇", "Place")


def test_a_sequence_with_captures():
    pat = [
        {"mention": ["Company"], "capture": "subject"},
        {"text": ["是", "为"]},
        {"mention": ["Company"], "capture": "object"},
        {"text": "的", "op": "?"},
        {"in": "heads"},
    ]
    assert _matches(pat, [A, ("是", "v"), B, ("的", "uj"), ("子公司", "n")]) == [
        {"subject": ["甲公司"], "object": ["乙公司"]}
    ]
    assert _matches(pat, [A, ("为", "p"), B, ("分公司", "n")]) == [{"subject": ["甲公司"], "object": ["乙公司"]}]
    assert _matches(pat, [A, ("是", "v"), P, ("的", "uj"), ("子公司", "n")]) == []  # a place is no company
    assert _matches(pat, [A, ("是", "v"), B, ("的", "uj"), ("客户", "n")]) == []


def test_a_group_capture_lists_every_member():
    pat = [
        {"mention": ["Company"], "capture": "subject", "group": True},
        {"text": "落户"},
        {"mention": ["Place"], "capture": "object"},
    ]
    got = _matches(pat, [A, ("、", "x"), B, ("和", "c"), C, ("落户", "v"), P])
    assert got == [{"subject": ["甲公司", "乙公司", "丙公司"], "object": ["丁镇"]}]


def test_gap_stays_inside_the_clause_and_any_takes_alternatives():
    pat = [
        {"mention": ["Company"], "capture": "subject"},
        {"gap": [0, 2]},
        {"text": "落户"},
        {"mention": ["Place"], "capture": "object"},
    ]
    assert _matches(pat, [A, ("今年", "t"), ("正式", "d"), ("落户", "v"), P])
    assert not _matches(pat, [A, ("今年", "t"), ("上半年", "t"), ("正式", "d"), ("落户", "v"), P])  # 3 > 2
    assert not _matches(pat, [A, ("，", "x"), ("落户", "v"), P])
    alt = [
        {"mention": ["Company"], "capture": "subject"},
        {"any": [[{"text": "入驻"}], [{"text": "签约"}, {"text": "落户"}]]},
        {"mention": ["Place"], "capture": "object"},
    ]
    assert _matches(alt, [A, ("入驻", "v"), P]) and _matches(alt, [A, ("签约", "v"), ("落户", "v"), P])
    assert not _matches(alt, [A, ("签约", "v"), P])


def test_look_around_and_negation():
    pat = [
        {"not_behind": [{"in": "hedges"}]},
        {"mention": ["Company"], "capture": "subject"},
        {"text": "落户"},
        {"mention": ["Place"], "capture": "object"},
        {"not_ahead": [{"text": "失败"}]},
    ]
    assert _matches(pat, [A, ("落户", "v"), P])
    assert not _matches(pat, [("拟", "v"), A, ("落户", "v"), P])
    assert not _matches(pat, [A, ("落户", "v"), P, ("失败", "v")])
    neg = [
        {"mention": True, "capture": "subject"},
        {"not_in": "hedges", "pos": "v"},
        {"mention": True, "capture": "object"},
    ]
    assert _matches(neg, [A, ("收购", "v"), B]) and not _matches(neg, [A, ("拟", "v"), B])


def test_unknown_word_is_a_word_the_dictionary_lacks():
    pat = [{"predicate": "unknown_word", "capture": "name"}, {"text": "电力"}]
    assert _matches(pat, [("禾栖", "n"), ("电力", "n")]) == [{"name": ["禾栖"]}]
    assert not _matches(pat, [("国家", "n"), ("电力", "n")])  # a dictionary word
    assert not _matches(pat, [A, ("电力", "n")])  # a mention is no token


def test_predicates_and_regex_tests():
    pat = [
        {"mention": ["Company"], "capture": "object"},
        {"regex": r"[总副]?经理"},
        {"predicate": "person_name", "capture": "subject"},
    ]
    assert _matches(pat, [A, ("总经理", "n"), ("王小明", "nr")])
    assert not _matches(pat, [A, ("总经理", "n"), ("市场", "n")])


@pytest.mark.parametrize(
    "pattern, message",
    [
        ([{"mention": ["Company"], "capture": "subject"}, {"txt": "是"}], "unknown pattern key 'txt'"),
        ([{"in": "no_such_list"}], "vocabulary list 'no_such_list'"),
        ([{"text": "是", "op": "++"}], "op '++'"),
        ([{"predicate": "no_such_test"}], "unknown predicate 'no_such_test'"),
        ([{"gap": [3, 1]}], "'gap' must be [min, max]"),
        ([{"capture": "subject"}], "needs a test"),
        ([{"text": "是", "group": True, "capture": "x"}], "'group' needs a 'mention'"),
        ("是", "must be a list"),
        ([{"any": [[{"text": "是"}]], "not_in": "adverbs"}], "'any' takes no test beside it ('not_in')"),
        ([{"ahead": [{"text": "是"}], "pos": "v"}], "'ahead' takes no test beside it ('pos')"),
    ],
)
def test_bad_patterns_are_one_clear_error(pattern, message):
    with pytest.raises(KgError) as err:
        Compiler(VOCAB).compile(pattern, "my.yaml: relation rule r1")
    assert message in str(err.value) and str(err.value).startswith("my.yaml: relation rule r1")


RULE = """relations:
  - id: my.rule
    relation: subOrganizationOf
    pattern:
      - {{mention: [Company], capture: {subject}}}
      - {{text: 是}}
      - {{mention: [Company], capture: object}}
"""


@pytest.mark.parametrize(
    "subject, message",
    [
        ("subject", None),
        ("owner", "captures 'owner', which a relation does not use"),
        ("object", "has no 'subject' capture"),
    ],
)
def test_a_relation_pattern_needs_the_captures_a_relation_uses(tmp_path, subject, message):
    f = tmp_path / "r.yaml"
    f.write_text(RULE.format(subject=subject), encoding="utf-8")
    proc = run_kg("rules", "--rules", f)
    if message is None:
        assert "my.rule" in proc.stdout
        return
    assert proc.returncode == 1 and message in proc.stderr and "my.rule" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_user_pattern_rule_works_end_to_end(tmp_path):
    f = tmp_path / "r.yaml"
    f.write_text(
        """relations:
  - id: my.acquired
    description: B 被 A（全资）收购 — B becomes A's subsidiary
    relation: subOrganizationOf
    pattern:
      - {mention: [Company], capture: subject, group: true}
      - {text: 被}
      - {mention: [Company], capture: object}
      - {in: adverbs, op: "*"}
      - {text: [全资, 成功], op: "?"}
      - {text: [收购, 并购, 控股]}
    examples:
      match:
        - text: 云栖材料有限公司被星禾科技有限公司收购。
          relations: [[云栖材料有限公司, subOrganizationOf, 星禾科技有限公司]]
      no_match:
        - text: 云栖材料有限公司拟被星禾科技有限公司收购。
          relations: []
""",
        encoding="utf-8",
    )
    proc = run_kg("rules", "--rules", f)
    assert proc.returncode == 0 and "0 failed" in proc.stdout, proc.stdout[-500:]
    out = run_kg("explain", "云栖材料有限公司被星禾科技有限公司全资收购。", "--rules", f, check=True).stdout
    assert "my.acquired" in out


def test_an_empty_no_match_example_means_the_rule_states_nothing_there(tmp_path):
    f = tmp_path / "r.yaml"
    f.write_text(
        """relations:
  - id: my.too_eager
    relation: subOrganizationOf
    pattern:
      - {mention: [Company], capture: subject}
      - {text: 被}
      - {mention: [Company], capture: object}
    examples:
      no_match:
        - text: 云栖材料有限公司被星禾科技有限公司起诉。
          relations: []
""",
        encoding="utf-8",
    )
    proc = run_kg("rules", "--rules", f)
    assert proc.returncode == 1 and "my.too_eager" in proc.stdout and "must state nothing" in proc.stdout


def test_macros_are_named_sequences_and_a_missing_or_looping_one_is_one_line():
    vocab = dict(VOCAB, tails=["企业"])
    c = Compiler(
        vocab,
        {
            "subjects": [{"mention": ["Company"], "capture": "subject", "group": True}, {"use": "tail", "op": "?"}],
            "tail": [{"text": "等"}, {"gap": [0, 2]}, {"in": "tails"}],
            "loop": [{"use": "loop"}],
        },
    )
    p = c.compile([{"use": "subjects"}, {"text": "落户"}, {"mention": ["Place"], "capture": "object"}], "t")
    seq = c.sequence(
        _sentence([A, ("、", "x"), B, ("等", "u"), ("2", "m"), ("家", "q"), ("企业", "n"), ("落户", "v"), P])
    )
    assert [[u.text for u in m.captures["subject"]] for m in c.finditer(p, seq)] == [["甲公司", "乙公司"]]
    for pattern, message in [
        ([{"use": "nowhere"}], "macro 'nowhere', which no rule file defines"),
        ([{"use": "loop"}], "uses itself"),
    ]:
        with pytest.raises(KgError) as err:
            c.compile(pattern, "my.yaml: relation rule r2")
        assert message in str(err.value)


def test_words_inside_every_alternative_filter_the_sentences_a_rule_is_tried_on():
    c = Compiler(VOCAB)
    p = c.compile(
        [
            {"mention": "Company", "capture": "subject"},
            {"any": [[{"text": "由"}, {"in": "heads"}], [{"text": ["发起成立", "共同发起"]}]]},
            {"mention": "Company", "capture": "object"},
        ],
        "test",
    )
    assert frozenset({"子公司", "分公司", "发起成立", "共同发起"}) in p.words  # the rarer word of each branch
    assert p.possible(c.present("甲公司共同发起乙公司"))
    assert not p.possible(c.present("甲公司由乙公司"))
    optional = c.compile([{"mention": "Company"}, {"any": [[{"text": "由"}]], "op": "?"}], "test")
    assert optional.words == []  # an alternative a match may skip filters nothing


def test_the_rule_filter_tries_the_same_rules_as_testing_each():
    from kg.rules.engine import RuleFilter

    c = Compiler(VOCAB)
    pats = [
        c.compile([{"mention": "Company"}, {"in": "heads"}], "a"),
        c.compile([{"mention": "Company"}, {"text": "由"}], "b"),
        c.compile([{"mention": "Company"}], "c"),
    ]
    f = RuleFilter(pats)
    for text in ("甲公司的子公司", "由甲公司", "甲公司", "由子公司"):
        present = c.present(text)
        assert f.possible(present) == [k for k, p in enumerate(pats) if p.possible(present)]
