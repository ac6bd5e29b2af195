"""The cleaner repairs OCR spacing and line breaks and keeps a map back to the raw text."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.text.clean import clean

CASES = [
    ("健 康 产 创 中 心 运 营 ，华 道", "健康产创中心运营，华道"),
    ("产值 25.4 亿元，已有 30 余家", "产值25.4亿元，已有30余家"),
    ("生物医药产业基\n\n地首个项目", "生物医药产业基地首个项目"),
    ("华道生物 HD\nCD19 CAR-T细胞", "华道生物HD CD19 CAR-T细胞"),
    ("自 2021 年 10 月在经开区", "自2021年10月在经开区"),
    ("GMP 生\n\n产用房", "GMP生产用房"),
    ("在 G60 生物医药", "在G60生物医药"),
    ("the Yangtze\nRiver Delta", "the Yangtze River Delta"),
    ("全角\u3000空格", "全角空格"),
]


@pytest.mark.parametrize("raw,want", CASES)
def test_clean_text(raw, want):
    text, _ = clean(raw)
    assert text == want


@pytest.mark.parametrize("raw,_", CASES)
def test_offsets_point_back_to_raw(raw, _):
    text, offs = clean(raw)
    assert len(text) == len(offs)
    for ch, o in zip(text, offs):
        if ch != " ":
            assert raw[o] == ch
    assert offs == sorted(offs)


def test_inserted_space_maps_to_the_line_break():
    raw = "HD\nCD19"
    text, offs = clean(raw)
    assert text == "HD CD19"
    assert raw[offs[2]] == "\n"


NOISY = list("ab-1Z中文，") + [" ", "\t", "\u3000", "\u00a0", "\x01", "\u200b", "\u2028", "\ufeff", "\ue000", "\u2003"]


@given(st.lists(st.text(alphabet=NOISY, max_size=12), min_size=1, max_size=4))
@settings(max_examples=400, deadline=None)
def test_noise_is_dropped_and_every_kept_character_maps_back(lines):
    """No space, control or format character survives except one space between Latin words,
    which maps back to a dropped space or line break; every other character maps to itself."""
    from kg.text.clean import clean

    raw = "\n".join(lines)
    text, offs = clean(raw)
    assert len(text) == len(offs) and offs == sorted(offs)
    for ch, o in zip(text, offs):
        if ch == " ":
            assert raw[o] in " \t\u3000\u00a0\u2003\n\u2028"  # a dropped space or a line break
        else:
            assert raw[o] == ch and ch not in "\t\u3000\u00a0\x01\u200b\ufeff\ue000\u2003"
