"""The tokenizer's glue the rules undo: a date's unit, a dateline, a name's end glued to the next word,
an adverb glued to the end of a name."""

from kg.extract.pipeline import extractor
from kg.model import Document


def _words(text: str) -> list[str]:
    return [t.text for t in extractor().entities.lex.tokens(text)]


def test_a_dates_unit_glued_to_the_next_name_is_split_off():
    words = _words("1月15日瑞盈基金聘任王某。")
    assert "日" in words and "瑞盈" in words


def test_a_dateline_glued_to_the_next_name_is_split_off():
    words = _words("全景网2月27日讯鑫信基金周五公布。")
    assert "日讯" in words and not any(w.startswith("讯") for w in words)


def test_a_dictionary_word_after_a_number_is_kept():
    assert "日本" in _words("3家日本企业落户。")


def test_a_section_and_its_length_are_two_words():
    words = _words("其中，云栖铁路南屿段长42.6公里。")
    assert "段" in words and "段长" not in words


def test_a_name_glued_to_the_post_after_it_is_found():
    res = extractor().process(Document("d", "d.txt", "1月15日瑞盈基金聘任李东良任公司副总经理。"))
    names = {m.text for m in res.mentions}
    assert "李东良" in names and "李东良任公司" not in names


def test_a_word_of_the_dictionary_is_no_glued_name():
    res = extractor().process(Document("d", "d.txt", "[商家名称] 星禾数码"))
    assert not any(m.type == "Person" for m in res.mentions)


def test_an_adverb_glued_to_the_end_of_a_guessed_name_is_split_off():
    words = _words("而韦川则是4号新秀。")
    assert "韦川" in words and "则" in words and "韦川则" not in words
    res = extractor().process(Document("d", "d.txt", "而韦川则是4号新秀。"))
    assert {e.name for e in res.entities if "Person" in e.types} == {"韦川"}


def test_a_preposition_glued_to_a_guessed_name_is_split_off():
    words = _words("以新禾银行的经验看，该行已设立基金。")
    assert words[0] == "以" and "以新禾" not in words
    assert _words("而云栖集团旗下的公司")[:2] == ["而", "云栖"]


def test_a_town_glued_to_the_next_names_first_character_is_split_off():
    assert _words("云台镇柳山村入选。")[:4] == ["云台", "镇", "柳", "山村"]
    assert "乡村" in _words("星禾乡村振兴示范带")  # a word of its own stays whole
    assert "李镇西" in _words("李镇西说")  # a town's character inside a person's name stays


def test_a_dates_unit_glued_to_one_character_of_a_name_is_split_off():
    words = _words("5月3号星禾项目开工。")
    assert "号" in words and "号星" not in words
    assert "日讯" in _words("2月27日讯 记者")  # a dateline alone stays one word
