import pytest

from yingji.core.regioncodes import CodeError, Level, is_within, level_of, parent_candidates, subtree_prefix


@pytest.mark.parametrize(
    ("code", "level"),
    [("320000", Level.PROVINCE), ("320100", Level.PREFECTURE), ("320102", Level.COUNTY),
     ("320102001", Level.TOWN), ("441900003", Level.TOWN), ("429004", Level.COUNTY)],
)
def test_level_of_real_codes(code, level):
    assert level_of(code) == level


@pytest.mark.parametrize("code", ["", "32010", "3201020", "32010200a", "３２０１０２", "010000", "320001000",
                                  "320002", "3201020010", "320102000", None, 320102])
def test_malformed_codes_are_rejected_with_both_languages(code):
    with pytest.raises(CodeError) as info:
        level_of(code)
    assert "代码" in info.value.message_zh
    assert "code" in info.value.message_en.lower()


def test_parents_follow_the_code_structure():
    assert parent_candidates("320000") == ()
    assert parent_candidates("320100") == ("320000",)
    assert parent_candidates("320102") == ("320100",)
    assert parent_candidates("320102001") == ("320102",)
    assert parent_candidates("441900003") == ("441900",)  # a town directly under 东莞市


def test_subtree_prefix_and_membership():
    assert subtree_prefix("320000") == "32"
    assert subtree_prefix("320100") == "3201"
    assert subtree_prefix("320102") == "320102"
    assert is_within("320102001", "320100")
    assert is_within("320102", "320102")
    assert not is_within("320103001", "320102")
    assert not is_within("330102", "320000")
