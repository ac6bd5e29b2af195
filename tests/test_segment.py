"""Pages split into articles at bylines; headlines and captions stand apart from the body."""

from kg.text.segment import segment

PAGE = """□记者 张 明

嘉兴经开区今年引进项目三十个，产

值增长两成。

招商引资
跑出加速度

园区持续优化营商环境，企业纷纷落

户。

本报讯（记者 刘

洋） 昨天，南湖新区召开大会。会议由区长主持。

图为大会现场。 记者 陈光 摄
"""


def test_articles_start_at_bylines():
    arts = segment(PAGE)
    assert len(arts) == 2
    assert arts[0].byline == "□记者张明"
    assert arts[1].byline == "本报讯（记者刘洋）"


def test_lines_broken_mid_word_are_joined():
    body = [s.text for s in segment(PAGE)[0].sentences if s.kind == "body"]
    assert "嘉兴经开区今年引进项目三十个，产值增长两成。" in body
    assert "园区持续优化营商环境，企业纷纷落户。" in body


def test_headline_and_caption_are_not_body():
    arts = segment(PAGE)
    kinds = {s.text: s.kind for a in arts for s in a.sentences}
    assert kinds["招商引资跑出加速度"] == "headline"
    assert kinds["图为大会现场。记者陈光摄"] == "caption"
    assert arts[1].sentences[1].text == "昨天，南湖新区召开大会。"


def test_sentence_offsets_map_to_raw():
    for a in segment(PAGE):
        for s in a.sentences:
            for ch, o in zip(s.text, s.offsets):
                assert PAGE[o] == ch


def test_seed_has_five_articles(seed_result):
    heads = [a.byline for a in seed_result.articles]
    assert heads == [
        "□记者李于伯",
        "本报讯（记者李光）",
        "本报讯（记者李谆谆）",
        "本报讯（记者李于伯）",
        "本报讯（记者王梅）",
    ]


TWO_NAMES = """□记者 周 晓 通讯员 林 芳

嘉定工业区智能网联汽车产业集群再

添新成员。
"""


def test_byline_with_a_correspondent_keeps_the_body_apart():
    art = segment(TWO_NAMES)[0]
    assert art.byline == "□记者周晓通讯员林芳"
    body = [s.text for s in art.sentences if s.kind == "body"]
    assert body == ["嘉定工业区智能网联汽车产业集群再添新成员。"]


def test_a_long_first_line_after_a_byline_marker_stays_body():
    art = segment("□记者 今年以来通讯员队伍不断壮大成果丰硕显著\n")[0]
    assert art.byline == "□记者"
    assert "今年以来通讯员队伍不断壮大成果丰硕显著" in [s.text for s in art.sentences]


def test_a_dash_in_running_text_does_not_end_the_sentence():
    page = "本报讯（记者 郑洁）东方美谷生物医药产业园首个项目——上海绿谷制药有限公司研发中心正式投用。\n"
    body = [s.text for s in segment(page)[0].sentences if s.kind == "body"]
    assert body == ["东方美谷生物医药产业园首个项目——上海绿谷制药有限公司研发中心正式投用。"]


def test_a_preposition_glued_to_a_guessed_word_is_its_own_token():
    from kg.text.lexicon import Lexicon

    text = "星禾基金总经理由云栖基金副总经理许建华担任。"
    toks = Lexicon({}, detach="由").tokens(text)
    assert "".join(t.text for t in toks) == text
    assert all(a.end == b.start for a, b in zip(toks, toks[1:]))  # offsets still tile the text
    assert any(t.text == "由" and t.pos == "p" for t in toks)
    assert not any(t.text.startswith("由") and len(t.text) > 1 for t in toks)
    # a dictionary word that begins with the character stays whole
    assert any(t.text == "由于" for t in Lexicon({}, detach="由").tokens("由于天气原因，航班延误。"))
