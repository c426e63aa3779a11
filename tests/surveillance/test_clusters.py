"""The cluster-rule engine on hand-made series: thresholds, window edges, settings, deaths, focus — no Django."""

import ast
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from yingji.surveillance import clusters
from yingji.surveillance.clusters import CaseFact, Rule, evaluate, group_key, normalise_work_unit

D0 = date(2026, 3, 2)
SCHOOL = normalise_work_unit("示范市第一小学")
MEASLES = Rule(code="E09", setting="work_unit", diseases=frozenset({"1000"}), window_days=7, min_cases=10,
               count_suspected=True)
DYSENTERY = Rule(code="E08", setting="work_unit", diseases=frozenset({"0401", "0402"}), window_days=3,
                 min_cases=10, min_deaths=2, count_suspected=False)
JE = Rule(code="E15", setting="town", diseases=frozenset({"2100"}), window_days=7, min_cases=5, min_deaths=1,
          count_suspected=False)
DENGUE = Rule(code="E12", setting="county", diseases=frozenset({"2400"}), window_days=7, min_cases=5)
CHOLERA = Rule(code="E02", setting="anywhere", diseases=frozenset({"0200"}), min_cases=1)


def cases(n, *, disease="1000", start=D0, step=0, unit=SCHOOL, town="990102001", county="990102",
          classification="confirmed", first_id=1, died=0):
    """n cases, the i-th with onset start + i*step days; the first ``died`` of them died."""
    return [CaseFact(id=first_id + i, disease=disease, onset=start + timedelta(days=i * step),
                     classification=classification, town=town, county=county, work_unit=unit, died=i < died)
            for i in range(n)]


def test_exactly_at_the_threshold_fires_and_one_below_does_not():
    assert evaluate([MEASLES], cases(9)) == []
    [match] = evaluate([MEASLES], cases(10))
    assert (match.rule.code, match.cases, match.deaths) == ("E09", 10, 0)
    assert match.key == f"990102|{SCHOOL}"
    assert match.case_ids == tuple(range(1, 11))
    assert match.window == (D0, D0 + timedelta(days=6))


def test_window_edges_seven_days_means_onsets_d_to_d_plus_6():
    inside = cases(9) + cases(1, start=D0 + timedelta(days=6), first_id=100)
    [match] = evaluate([MEASLES], inside)
    assert match.cases == 10 and match.window == (D0, D0 + timedelta(days=6))
    outside = cases(9) + cases(1, start=D0 + timedelta(days=7), first_id=100)
    assert evaluate([MEASLES], outside) == []
    before = cases(9) + cases(1, start=D0 - timedelta(days=7), first_id=100)
    assert evaluate([MEASLES], before) == []


def test_a_rolling_window_finds_the_cluster_anywhere_in_a_long_series():
    # one case a day for 30 days never puts 10 in 7 days; a burst of 4 on day 20 on top of it does (3+4+... )
    series = cases(30, step=1)
    assert evaluate([MEASLES], series) == []
    burst = series + cases(4, start=D0 + timedelta(days=20), first_id=100)
    [match] = evaluate([MEASLES], burst)
    assert match.cases == 11  # days 14–20 hold 7 daily cases + 4 = 11; the later tie (days 20–26) wins too
    assert match.window[0] <= D0 + timedelta(days=20) <= match.window[1]


def test_deaths_fire_on_their_own_threshold():
    assert evaluate([DYSENTERY], cases(3, disease="0401", died=1)) == []
    [match] = evaluate([DYSENTERY], cases(3, disease="0401", died=2))
    assert (match.cases, match.deaths) == (3, 2)


def test_a_rule_without_a_death_threshold_never_fires_on_deaths():
    assert evaluate([MEASLES], cases(5, died=5)) == []


def test_suspected_cases_count_only_when_the_rule_says_so():
    suspected = cases(10, disease="0401", classification="suspected")
    assert evaluate([DYSENTERY], suspected) == []
    assert len(evaluate([MEASLES], cases(10, classification="suspected"))) == 1


def test_carriers_positive_tests_and_asymptomatic_infections_never_count():
    for classification in ("carrier", "positive_test", "asymptomatic"):
        assert evaluate([MEASLES], cases(12, classification=classification)) == [], classification


def test_work_units_are_grouped_after_normalising_and_within_one_county():
    spellings = ["示范市第一小学", " 示范市 第一小学 ", "示范市第一小学\u3000", "示范市第一小学"]
    facts = [CaseFact(id=i, disease="1000", onset=D0, classification="confirmed", county="990102",
                      work_unit=normalise_work_unit(spellings[i % 4])) for i in range(10)]
    assert len(evaluate([MEASLES], facts)) == 1
    assert normalise_work_unit("ＡＢＣ学校（东区）") == normalise_work_unit("abc学校(东区)")
    # the same school name in two counties: two groups of 5, neither fires
    split = cases(5, county="990102") + cases(5, county="990103", first_id=100)
    assert evaluate([MEASLES], split) == []
    # cases without a work unit join no work-unit group
    assert evaluate([MEASLES], cases(12, unit="")) == []


def test_two_schools_fire_separately():
    a = cases(10, unit="a小学")
    b = cases(10, unit="b小学", first_id=100)
    c = cases(3, unit="c小学", first_id=200)
    matches = evaluate([MEASLES], a + b + c)
    assert [m.key for m in matches] == ["990102|a小学", "990102|b小学"]


def test_town_and_county_settings():
    je = cases(5, disease="2100", town="990102001") + cases(4, disease="2100", town="990102002", first_id=100)
    [match] = evaluate([JE], je)
    assert match.key == "990102001"
    assert evaluate([JE], cases(4, disease="2100", town="")) == []  # no town, no group
    dengue = cases(3, disease="2400", town="990102001", unit="") + cases(
        2, disease="2400", town="990102002", unit="", first_id=100)
    [match] = evaluate([DENGUE], dengue)
    assert (match.key, match.cases) == ("990102", 5)


def test_a_single_case_rule_without_a_window():
    [match] = evaluate([CHOLERA], cases(1, disease="0200"))
    assert (match.key, match.cases, match.window) == ("*", 1, (D0, D0))
    assert evaluate([CHOLERA], cases(1, disease="0100")) == []


def test_focus_reports_only_windows_that_hold_the_new_case():
    old = cases(10)  # a cluster two weeks ago
    new = cases(1, start=D0 + timedelta(days=14), first_id=100)
    assert len(evaluate([MEASLES], old + new)) == 1
    assert evaluate([MEASLES], old + new, focus=100) == []
    [match] = evaluate([MEASLES], old + new, focus=5)
    assert 100 not in match.case_ids
    # the tenth case completes a cluster: the focus is inside the window reported
    growing = cases(9) + cases(1, start=D0 + timedelta(days=6), first_id=100)
    [match] = evaluate([MEASLES], growing, focus=100)
    assert 100 in match.case_ids and match.cases == 10
    assert evaluate([MEASLES], growing, focus=999) == []  # an unknown focus matches nothing


def test_rules_are_independent_and_results_are_ordered():
    facts = cases(10) + cases(1, disease="0200", first_id=100)
    assert [m.rule.code for m in evaluate([MEASLES, CHOLERA], facts)] == ["E02", "E09"]


def test_group_keys_and_rule_validation():
    fact = cases(1)[0]
    assert group_key(MEASLES, fact) == f"990102|{SCHOOL}"
    assert group_key(JE, fact) == "990102001"
    assert group_key(DENGUE, fact) == "990102"
    assert group_key(CHOLERA, fact) == "*"
    with pytest.raises(ValueError):
        Rule(code="X", setting="planet", diseases=frozenset())
    with pytest.raises(ValueError):
        Rule(code="X", setting="town", diseases=frozenset(), window_days=0)


def test_the_engine_imports_nothing_but_the_standard_library():
    tree = ast.parse(Path(clusters.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "." for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported and all(name.split(".")[0] in sys.stdlib_module_names for name in imported), imported
