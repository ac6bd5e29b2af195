"""Short names of companies: 微创医疗 is 上海微创医疗器械（集团）有限公司, 新能源科技 is no one."""

from kg.extract.pipeline import extractor
from kg.model import Document


def _relations(text: str) -> tuple[set, object]:
    res = extractor().process(Document("d", "d.txt", text))
    return {(r.subject.name, r.predicate, r.object.name) for r in res.relations if not isinstance(r.object, str)}, res


def test_a_short_name_may_keep_the_first_part_of_an_industry_word():
    short = extractor().resolver.short_names("上海微创医疗器械（集团）有限公司")
    assert {"微创医疗", "微创医疗器械"} <= short


def test_industry_words_alone_are_no_short_name():
    short = extractor().resolver.short_names("宁德时代新能源科技股份有限公司")
    assert "时代新能源" in short
    assert not {"新能源科技", "能源科技", "新能源"} & short


def test_a_short_name_later_in_the_page_is_the_same_company():
    text = (
        "今年以来，新片区已引进上海微创医疗器械（集团）有限公司等一批龙头企业。"
        "其中，微创医疗的母公司微创投资控股有限公司已在新片区设立区域总部。"
    )
    rels, res = _relations(text)
    assert ("上海微创医疗器械（集团）有限公司", "subOrganizationOf", "微创投资控股有限公司") in rels


def test_this_project_points_back_to_the_project_just_named():
    text = (
        "位于青浦区金泽镇的西岑科创中心一期项目日前竣工。"
        "该项目由上海西岑科创发展有限公司开发建设，中国建筑第八工程局有限公司为施工总承包单位。"
    )
    rels, res = _relations(text)
    assert ("上海西岑科创发展有限公司", "develops", "西岑科创中心一期项目") in rels
    assert ("中国建筑第八工程局有限公司", "builds", "西岑科创中心一期项目") in rels
    assert ("西岑科创中心一期项目", "locatedIn", "金泽镇") in rels
    project = next(e for e in res.entities if e.name == "西岑科创中心一期项目")
    assert "项目" not in project.aliases


def test_a_bare_short_head_inside_a_sentence_stays_unresolved():
    text = "西岑科创中心一期项目日前竣工。据悉，项目由上海西岑科创发展有限公司开发建设。"
    res = extractor().process(Document("d", "d.txt", text))
    assert not any(
        r.predicate == "develops" and r.object.name == "西岑科创中心一期项目" and r.rule == "develops.passive"
        for r in res.relations
        if not isinstance(r.object, str)
    )


def test_a_bare_zone_word_points_back_to_the_zone_named_before():
    text = "漕河泾开发区松江园区举行招商推介会，上海芯联微电子有限公司等9个项目签约落户园区。"
    rels, res = _relations(text)
    assert ("上海芯联微电子有限公司", "locatedIn", "漕河泾开发区松江园区") in rels
    zone = next(e for e in res.entities if e.name == "漕河泾开发区松江园区")
    assert "园区" not in zone.aliases


def test_a_bare_zone_word_with_nothing_named_before_stays_unresolved():
    res = extractor().process(Document("d", "d.txt", "上海芯联微电子有限公司签约落户园区。"))
    assert not any(r.predicate == "locatedIn" and r.rule == "located.settle" for r in res.relations)


def test_a_zone_body_written_short_is_the_one_named_in_full():
    rels, _ = _relations(
        "合肥经济技术开发区管委会与上海工程技术大学签署人才培养合作协议。"
        "经开区管委会副主任张华表示，双方将共建实训基地。"
    )
    assert ("张华", "worksFor", "合肥经济技术开发区管委会") in rels


def test_a_short_name_introduced_with_jiancheng_is_the_same_entity_whatever_its_form():
    text = (
        "项目建设单位为南屿市云栖城市建设投资集团有限公司（以下简称“南屿城投”）。南屿城投相关负责人表示，工程年底完工。"
    )
    res = extractor().process(Document("d", "d.txt", text))
    firms = [e for e in res.entities if "Company" in e.types]
    assert [e.name for e in firms] == ["南屿市云栖城市建设投资集团有限公司"]
    assert "南屿城投" in firms[0].aliases


def test_this_company_is_the_topic_of_the_sentence_before_not_the_last_name():
    text = (
        "星禾氢能有限公司成立于2021年，是云栖能源集团有限公司的控股子公司。"
        "今年3月，该公司加入南屿市储能产业促进会。该公司总经理柯振南介绍，加氢站年底投运。"
    )
    rels, _ = _relations(text)
    assert ("星禾氢能有限公司", "memberOf", "南屿市储能产业促进会") in rels
    assert ("柯振南", "worksFor", "星禾氢能有限公司") in rels
    assert ("柯振南", "worksFor", "云栖能源集团有限公司") not in rels


def test_a_legal_form_alone_refers_back_only_after_a_demonstrative():
    text = "星禾精工有限公司落户南屿新城。公司总经理柯振南表示，将扩大产能。"
    rels, _ = _relations(text)
    assert not any(p == "worksFor" for _, p, _ in rels)
    rels, _ = _relations(text.replace("公司总经理", "该公司总经理"))
    assert ("柯振南", "worksFor", "星禾精工有限公司") in rels


def test_a_brand_alone_is_the_company_named_with_it_before():
    text = "云栖基金今日发布公告，聘任许建华为总经理。星禾、云栖等基金公司均已发行新产品。"
    res = extractor().process(Document("d", "d.txt", text))
    fund = next(e for e in res.entities if e.name == "云栖基金")
    assert "云栖" in fund.aliases
    assert not any(e.name == "云栖" for e in res.entities)
    assert any(e.name == "星禾" for e in res.entities)  # named with no trade word: its own node


def test_a_pronoun_is_the_person_named_last():
    text = "丙丁县中医院护士长王秀兰从医30年。去年，她被评为“全国三八红旗手”。"
    res = extractor().process(Document("d", "d.txt", text))
    awards = {(r.subject.name, r.object) for r in res.relations if r.predicate == "award"}
    assert ("王秀兰", "全国三八红旗手") in awards
    assert not any(e.name in ("她", "他") for e in res.entities)


def test_a_pronoun_with_no_person_before_it_names_nobody():
    res = extractor().process(Document("d", "d.txt", "去年，她被评为“全国三八红旗手”。"))
    assert not any(r.predicate == "award" for r in res.relations)


def test_a_districts_short_form_heading_a_firms_name_places_it_nowhere():
    rels, _ = _relations("南海星禾工程集团有限公司中标，上海星禾精工有限公司参建。")
    assert not any(p == "locatedIn" and o == "南海区" for _, p, o in rels)
    assert ("上海星禾精工有限公司", "locatedIn", "上海市") in rels  # a province or city stays


def test_a_place_written_only_inside_a_name_is_a_place_only_when_it_names_one():
    def places(text: str) -> set[str]:
        res = extractor().process(Document("d", "d.txt", text))
        return {e.name for e in res.entities if "Place" in e.types}

    inside = places("华北星禾能源集团有限公司与南海星禾港航集团有限公司、美国云栖大学签约。")
    assert not inside & {"华北", "南海区"}  # a region, a county's short form: words of the names
    assert "美国" in inside  # a country before a foreign name still places it
    assert "华北" in places("星禾能源在华北布局了三个基地。")  # written on its own, a region is a place


def test_a_project_or_body_heading_a_firms_legal_form_is_a_word_of_the_firms_name():
    res = extractor().process(Document("d", "d.txt", "云栖路桥工程有限公司承建，星禾港航设计研究院有限公司负责设计。"))
    names = {e.name: e.types for e in res.entities}
    assert "云栖路桥工程" not in names and "星禾港航设计研究院" not in names
    assert names["云栖路桥工程有限公司"] == {"Company"}


def test_a_projects_head_word_opening_a_sentence_is_the_project_named_before():
    text = (
        "星禾大道北延伸工程今年开工。"
        "工程全线划分为3个施工标段，其中，XH-1标段由云栖路桥集团有限公司承建，XH-2标段由星禾建设集团有限公司承建。"
    )
    rels, res = _relations(text)
    assert ("XH-1标段", "partOf", "星禾大道北延伸工程") in rels
    assert ("XH-2标段", "partOf", "星禾大道北延伸工程") in rels
    road = next(e for e in res.entities if e.name == "星禾大道北延伸工程")
    assert "工程" not in road.aliases


def test_a_name_shortened_by_dropping_words_is_the_body_named_before():
    text = (
        "南屿光伏产业技术创新战略联盟年度大会召开，云栖新能源有限公司加入光伏产业联盟。"
        "光伏产业联盟由星禾材料研究院牵头，联合云栖大学共同发起。"
    )
    rels, res = _relations(text)
    assert ("云栖新能源有限公司", "memberOf", "南屿光伏产业技术创新战略联盟") in rels
    assert ("南屿光伏产业技术创新战略联盟", "foundedBy", "星禾材料研究院") in rels
    assert not any(e.name == "光伏产业联盟" for e in res.entities)


def test_a_shortened_name_keeps_its_words_in_order():
    text = "南屿光伏产业技术创新战略联盟年度大会召开。产业光伏联盟由星禾材料研究院牵头发起成立。"
    rels, _ = _relations(text)
    assert ("南屿光伏产业技术创新战略联盟", "foundedBy", "星禾材料研究院") not in rels


def test_a_project_department_builds_the_project_it_is_named_after():
    text = "承担站房施工的是星禾建工集团有限公司云栖铁路XQ-2标段项目部。"
    rels, _ = _relations(text)
    unit = "星禾建工集团有限公司云栖铁路XQ-2标段项目部"
    assert (unit, "subOrganizationOf", "星禾建工集团有限公司") in rels
    assert (unit, "builds", "云栖铁路XQ-2标段") in rels
    assert not any(o == "星禾建工集团有限公司云栖铁路" for _, _, o in rels)


def test_a_line_section_and_its_listed_stations_are_parts():
    text = "云栖铁路全长90公里。其中，云栖铁路南屿段长42.6公里，设青塘站和南屿北站2座车站。"
    rels, _ = _relations(text)
    assert ("云栖铁路南屿段", "partOf", "云栖铁路") in rels
    assert ("青塘站", "partOf", "云栖铁路南屿段") in rels
    assert ("南屿北站", "partOf", "云栖铁路南屿段") in rels


def test_short_names_drop_the_last_trade_word_or_keep_the_brand_and_company():
    short = extractor().resolver.short_names("江门市星澜智能装备有限公司")
    assert {"星澜智能", "星澜公司"} <= short
    assert "星澜新材" in extractor().resolver.short_names("四川星澜新材料科技有限公司")


def test_a_short_name_heading_another_firms_legal_name_is_not_that_firm():
    text = "云栖海洋重工有限公司落户南屿经济开发区。云栖海洋工程集团股份有限公司董事长刘洋出席。"
    rels, _ = _relations(text)
    assert not any(p == "subOrganizationOf" for _, p, _ in rels)


def test_a_place_goes_by_its_table_name_in_every_document():
    ex = extractor()
    long_form = ex.process(Document("a", "a.txt", "星禾集团在瑞士联邦设立分公司，瑞士市场增长很快。"))
    short_form = ex.process(Document("b", "b.txt", "云栖集团的产品出口瑞士。"))
    names = {e.name for r in (long_form, short_form) for e in r.entities if e.type == "Place"}
    assert "瑞士" in names and "瑞士联邦" not in names


def test_a_transcribed_family_name_alone_is_the_person_named_in_full_before():
    res = extractor().process(Document("d", "d.txt", "星禾首席执行官约翰·杜兰表示，杜兰的讲座很受欢迎。"))
    assert {m.entity.name for m in res.mentions if m.text == "杜兰" and m.entity} == {"约翰·杜兰"}
    two = extractor().process(Document("d", "d.txt", "约什-杜兰和杰森-杜兰都上场了，杜兰得了20分。"))
    assert {m.entity.name for m in two.mentions if m.text == "杜兰" and m.entity} <= {"杜兰"}


def test_an_item_between_two_persons_of_a_list_is_a_person():
    res = extractor().process(Document("d", "d.txt", "李长军、王建明、仇海涛、周明辉出席会议。"))
    assert "仇海涛" in {m.text for m in res.mentions if m.type == "Person"}


def test_a_short_name_introduced_is_an_alias_used_later_or_not():
    ex = extractor()
    cases = {
        "星禾药物研究所（下称“星禾药物所”）和云栖大学联合研发。": ("星禾药物研究所", "星禾药物所"),
        "南屿市第一中学，简称南屿一中，是一所高级中学。": ("南屿市第一中学", "南屿一中"),
        "星禾银行（XHB）表示暂不调整。": ("星禾银行", "XHB"),
    }
    for text, (name, short) in cases.items():
        res = ex.process(Document("d", "d.txt", text))
        entity = next(e for e in res.entities if e.name == name)
        assert short in entity.aliases, text


def test_a_short_name_after_a_place_is_the_name_before_it_whose_characters_it_takes():
    text = "南屿星禾建筑装饰设计有限公司位于南屿市锦江区，简称星禾装饰。"
    res = extractor().process(Document("d", "d.txt", text))
    owners = {e.name for e in res.entities if "星禾装饰" in e.aliases}
    assert owners == {"南屿星禾建筑装饰设计有限公司"}


def test_a_word_after_a_name_in_brackets_is_no_alias_unless_a_latin_short_name():
    res = extractor().process(Document("d", "d.txt", "星禾银行（称号待定）表示暂不调整。"))
    assert not any("号待定" in a for e in res.entities for a in e.aliases)


def test_a_body_or_project_written_only_inside_a_granted_title_is_no_node():
    text = "云栖峰景区入选省级森林康养基地。星禾材料有限公司技术中心被认定为“南屿省企业技术中心”。"
    res = extractor().process(Document("d", "d.txt", text))
    names = {e.name for e in res.entities}
    assert "省级森林康养基地" not in names and "南屿省企业技术中心" not in names
    awards = {(r.subject.name, r.object) for r in res.relations if r.predicate == "award"}
    assert ("星禾材料有限公司技术中心", "南屿省企业技术中心") in awards  # the title stays the award's
    res = extractor().process(Document("d", "d.txt", "近日，云台镇获评“湖南省生态文明镇”。"))
    assert {e.name for e in res.entities if "Place" in e.types} == {"云台镇", "湖南省"}  # 湖南省 stays


def test_a_project_named_by_its_output_after_a_short_name_takes_it_as_head():
    text = "星禾新材料股份有限公司（以下简称“星禾新材”）是一家企业。去年，星禾新材年产3万吨电子级硫酸项目建成投产。"
    rels, res = _relations(text)
    assert ("星禾新材料股份有限公司", "develops", "星禾新材年产3万吨电子级硫酸项目") in rels


def test_a_firm_with_its_place_in_brackets_is_the_firm_written_with_the_place_before_公司():
    text = "星禾精密传动（青岛）有限公司开业。德企星禾精密传动青岛公司落户南屿生态园。"
    res = extractor().process(Document("d", "d.txt", text))
    firms = [e for e in res.entities if "Company" in e.types]
    assert [e.name for e in firms] == ["星禾精密传动（青岛）有限公司"]
    assert "星禾精密传动青岛公司" in firms[0].aliases


def test_a_city_written_short_in_a_places_slot_is_the_city_written_in_full():
    res = extractor().process(Document("d", "d.txt", "学校位于大连市沙河口区。这是企业在大连的第二座工厂。"))
    places = [e for e in res.entities if e.name in ("大连市", "大连")]
    assert [e.name for e in places] == ["大连市"]


def test_a_body_after_a_zone_and_its_short_name_in_brackets_is_the_zones_body():
    text = "南屿高新技术产业开发区（以下简称“南屿高新区”）管委会与星禾商用车有限公司签署合作协议。"
    rels, res = _relations(text)
    assert ("南屿高新技术产业开发区管委会", "cooperatesWith", "星禾商用车有限公司") in rels
    body = next(e for e in res.entities if e.name == "南屿高新技术产业开发区管委会")
    assert "南屿高新区管委会" in body.aliases


def test_short_names_introduced_in_more_forms_are_aliases():
    cases = {
        "星禾创业服务中心1(简称：星创中心)，2013年成立。": ("星禾创业服务中心", "星创中心"),  # a footnote mark first
        "星禾物资管理局（德语：Sternheim Amt，缩写：SHA）是管理机构。": ("星禾物资管理局", "SHA"),
        "云栖航天中心（Yunqi Space Center，缩写为YSC）位于南屿市。": ("云栖航天中心", "YSC"),
        "星禾财务委员会简称“财委会”，是董事会的机构。": ("星禾财务委员会", "财委会"),  # no comma before 简称
        "南屿市文化和旅游局（文旅局）于2006年发起。": ("南屿市文化和旅游局", "文旅局"),  # its own characters, in order
        "星禾科技有限公司（星禾科技）发起。": ("星禾科技有限公司", "星禾科技"),  # a short name, no part of the name
    }
    for text, (name, alias) in cases.items():
        res = extractor().process(Document("d", "d.txt", text))
        found = {e.name: e.aliases for e in res.entities}
        assert name in found and alias in found[name], (text, found)
