"""Property tests: for any text, offsets stay true, extraction never raises, Turtle re-parses."""

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from kg.extract.pipeline import Corpus, extractor
from kg.graph.rdf import ntriples
from kg.model import Document
from kg.text.clean import clean
from kg.text.segment import segment

PIECES = [
    "公司",
    "有限公司",
    "大学",
    "经开区",
    "落户",
    "签署",
    "协议",
    "本报讯（记者 王明）",
    "□记者 李",
    "。",
    "，",
    "、",
    "\n",
    "\n\n",
    " ",
    "\u3000",
    "<script>",
    '"',
    '"""',
    "\\",
    "\x00",
    "\x07",
    "（上海）",
    "HD CD19",
    "2021 年",
    "镇",
    "街道",
    "与",
    "和",
    "等",
    "获评",
    "总经理",
    "张",
    "图为",
    "摄",
    "——",
    "“",
    "”",
    "\ufeff",
    "\u200b",
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=40).map("".join)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(texts)
def test_cleaning_keeps_the_offset_map_true(raw):
    text, offs = clean(raw)
    assert len(text) == len(offs)
    assert offs == sorted(set(offs))
    for ch, o in zip(text, offs):
        assert ch == " " or raw[o] == ch


@SETTINGS
@given(st.lists(texts, max_size=4))
def test_a_clean_line_appended_whole_equals_it_appended_char_by_char(lines):
    from kg.text.clean import _append_chars, _append_line

    raw = "\n".join(lines)
    fast, slow = ([], []), ([], [])
    pos = 0
    for n, line in enumerate(lines):
        gap = pos - 1 if n else None
        _append_line(*fast, raw, pos, pos + len(line), gap)
        _append_chars(*slow, raw, pos, pos + len(line), gap)
        pos += len(line) + 1
    assert ("".join(fast[0]), fast[1]) == ("".join(slow[0]), slow[1])  # pieces may differ, not the text


@SETTINGS
@given(texts)
def test_sentences_map_back_to_the_raw_text(raw):
    for art in segment(raw):
        for s in art.sentences:
            for ch, o in zip(s.text, s.offsets):
                assert ch == " " or raw[o] == ch


@SETTINGS
@given(texts)
def test_extraction_never_raises_and_offsets_stay_inside(raw):
    res = extractor().process(Document("p", "p", raw))
    for m in res.mentions:
        a, b = m.sentence.raw_span(m.start, m.end)
        assert 0 <= a < b <= len(raw)
    for r in res.relations:
        a, b = r.raw_span
        assert 0 <= a <= b <= len(raw)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_turtle_always_reparses_to_the_same_graph(raw):
    ex = extractor()
    corpus = Corpus()
    corpus.add(ex.process(Document("p.txt", "p", raw)))
    nt = ntriples(corpus, ex.rules)
    store = ox.Store()
    store.load(nt, format=ox.RdfFormat.N_TRIPLES)
    ttl = store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph())
    a = Graph().parse(data=nt.decode("utf-8"), format="nt")
    b = Graph().parse(data=ttl.decode("utf-8"), format="turtle")
    assert set(a) == set(b)
