"""Cluster rules (报告标准) checked against case facts — pure rules, no Django.

A rule counts cases of its diseases within one setting (the same school or workplace, the same street or town,
the same county, or anywhere) inside a rolling window of ``window_days`` calendar days on the onset date
(「1周内」 = 7 days: onsets d … d+6). It fires when cases ≥ ``min_cases`` **or** deaths ≥ ``min_deaths``
(「及以上」 means ≥; an unset threshold never fires). A rule without a window counts every case it is given.

Which cases count: confirmed and clinically diagnosed cases always; suspected cases when the rule says so
(``count_suspected``, e.g. SARS, measles); carriers, positive tests and asymptomatic infections never (the
criteria speak of 病例).

Settings and their group keys:
- ``work_unit``: the normalised work unit or school (spaces removed, full-width → half-width, case folded) within
  one county — 「同一学校、幼儿园、自然村寨、社区、建筑工地等集体单位」; a case without a work unit joins no group;
- ``town``: the street/town code (乡镇街道); a case without one joins no group;
- ``county``: the county/district code;
- ``anywhere``: one group of everything given (the caller decides what "everything" is — the service passes one
  county's cases, so a proposal goes to that county's CDC).

:func:`evaluate` returns, for each rule and group that fires, the window holding the most counted cases (ties:
more deaths, then the later window) — or, with ``focus``, the best window that contains that case, so checking
a new case reports only clusters it belongs to.
"""

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

WORK_UNIT = "work_unit"
TOWN = "town"
COUNTY = "county"
ANYWHERE = "anywhere"
SETTINGS = (WORK_UNIT, TOWN, COUNTY, ANYWHERE)

CASE_CLASSIFICATIONS = frozenset({"confirmed", "clinical"})
SUSPECTED = "suspected"


@dataclass(frozen=True)
class Rule:
    code: str
    setting: str
    diseases: frozenset[str]
    window_days: int | None = None
    min_cases: int | None = None
    min_deaths: int | None = None
    count_suspected: bool = True

    def __post_init__(self):
        if self.setting not in SETTINGS:
            raise ValueError(f"unknown setting {self.setting!r}")
        if self.window_days is not None and self.window_days < 1:
            raise ValueError("window_days must be at least 1")
        object.__setattr__(self, "diseases", frozenset(self.diseases))

    def counts(self, fact: "CaseFact") -> bool:
        if fact.disease not in self.diseases:
            return False
        return fact.classification in CASE_CLASSIFICATIONS or (
            self.count_suspected and fact.classification == SUSPECTED
        )

    def fires(self, cases: int, deaths: int) -> bool:
        return (self.min_cases is not None and cases >= self.min_cases) or (
            self.min_deaths is not None and deaths >= self.min_deaths
        )


@dataclass(frozen=True)
class CaseFact:
    id: int | str
    disease: str
    onset: date
    classification: str
    town: str = ""
    county: str = ""
    work_unit: str = ""  # pass it through normalise_work_unit (the service does)
    died: bool = False


@dataclass(frozen=True)
class Match:
    rule: Rule
    key: str  # the group: normalised work unit with county ("990102|xx小学"), town or county code, or "*"
    case_ids: tuple = field(default_factory=tuple)
    cases: int = 0
    deaths: int = 0
    window: tuple[date, date] | None = None  # first and last day of the window (inclusive)


def normalise_work_unit(text: str | None) -> str:
    """「 示范市 第一 小学」, 「示范市第一小学」 and 「示范市第一小学 」 are one unit: NFKC (full-width → half-width),
    no whitespace of any kind, case folded."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace()).casefold()


def group_key(rule: Rule, fact: CaseFact) -> str | None:
    """The group the fact falls in under ``rule``, or None when it joins no group."""
    if rule.setting == WORK_UNIT:
        return f"{fact.county}|{fact.work_unit}" if fact.work_unit else None
    if rule.setting == TOWN:
        return fact.town or None
    if rule.setting == COUNTY:
        return fact.county or None
    return "*"


def _best_window(rule: Rule, facts: list[CaseFact], focus: CaseFact | None) -> tuple | None:
    """(cases, deaths, start, end, members) of the best firing window, or None."""
    facts = sorted(facts, key=lambda f: (f.onset, isinstance(f.id, str), f.id))
    if rule.window_days is None:
        if focus is not None and focus not in facts:
            return None
        cases, deaths = len(facts), sum(f.died for f in facts)
        if not facts or not rule.fires(cases, deaths):
            return None
        return cases, deaths, facts[0].onset, facts[-1].onset, facts
    span = timedelta(days=rule.window_days - 1)
    best = None
    end_index = 0
    deaths_prefix = [0]
    for f in facts:
        deaths_prefix.append(deaths_prefix[-1] + f.died)
    for i, first in enumerate(facts):
        if i and facts[i - 1].onset == first.onset:
            continue  # the window starting on this day was already counted from its first case
        start, end = first.onset, first.onset + span
        end_index = max(end_index, i)
        while end_index < len(facts) and facts[end_index].onset <= end:
            end_index += 1
        if focus is not None and not (start <= focus.onset <= end):
            continue
        cases = end_index - i
        deaths = deaths_prefix[end_index] - deaths_prefix[i]
        if not rule.fires(cases, deaths):
            continue
        candidate = (cases, deaths, start)
        if best is None or candidate >= best[:3]:
            best = (cases, deaths, start, end, facts[i:end_index])
    return best


def evaluate(rules: Iterable[Rule], facts: Iterable[CaseFact], *, focus: int | str | None = None) -> list[Match]:
    """Every (rule, group) that fires on ``facts``; with ``focus`` (a case id) only windows holding that case."""
    facts = list(facts)
    focus_fact = None
    if focus is not None:
        focus_fact = next((f for f in facts if f.id == focus), None)
        if focus_fact is None:
            return []
    matches = []
    for rule in rules:
        groups: dict[str, list[CaseFact]] = defaultdict(list)
        for fact in facts:
            if not rule.counts(fact):
                continue
            key = group_key(rule, fact)
            if key is not None:
                groups[key].append(fact)
        if focus_fact is not None:
            if not rule.counts(focus_fact):
                continue
            key = group_key(rule, focus_fact)
            groups = {key: groups[key]} if key in groups else {}
        for key in sorted(groups):
            best = _best_window(rule, groups[key], focus_fact)
            if best is None:
                continue
            cases, deaths, start, end, members = best
            matches.append(Match(rule=rule, key=key, case_ids=tuple(f.id for f in members), cases=cases,
                                 deaths=deaths, window=(start, end)))
    return sorted(matches, key=lambda m: (m.rule.code, m.key))
