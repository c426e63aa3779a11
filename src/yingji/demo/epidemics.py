"""The epidemiology of 示范市, as pure functions of the seed (no database): what each notifiable disease does
through the year, who falls ill, where, and the outbreaks injected on top.

Rates are per ~3 million residents a year, in the order of magnitude that China's published national figures
give per 100 000 (influenza is scaled down: since 2023 its reported counts are far larger than any other
disease's and would swamp the demo). Seasonal shapes follow the textbook pattern: influenza peaks in winter (Dec–Feb,
with a spring B wave in some years), hand-foot-and-mouth disease in Apr–Jul with a smaller autumn peak,
other infectious diarrhoea in summer (and a winter rotavirus/norovirus rise), scarlet fever and varicella in the
two school terms, and so on. Every season has its own amplitude drawn from the seed, so some winters are worse.

**Stable history.** Cases are drawn month by month from a random stream named after the disease and the month,
and injected outbreaks from a stream named after the kind and the year, so what happened on a given day does
not depend on the day the demo is built: a build next week has the same cards for this week (only the window
moves, and cards still awaiting report or review change state). The one exception is the *current* outbreak,
placed a few days before ``today`` so that the live demo always has something happening now.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from . import names

TZ = ZoneInfo("Asia/Shanghai")
REFERENCE_POPULATION = 3_000_000  # the rates below are per this many residents


def stream(seed: int, name: str) -> random.Random:
    """An independent random stream of the surveillance step (same scheme as DemoContext.rng)."""
    return random.Random(f"yingji-demo:{seed}:surveillance:{name}")


def demo_today() -> date:
    """Today in Beijing time: the history ends the day before."""
    return datetime.now(TZ).date()


def window(today: date | None = None, years: int = 3, start: date | None = None) -> tuple[date, date]:
    """(first day, last day) of the history: ``years`` years ending yesterday, or from ``start``."""
    today = today or demo_today()
    if start is None:
        try:
            start = today.replace(year=today.year - years)
        except ValueError:  # 29 February
            start = today.replace(year=today.year - years, day=28)
    end = today - timedelta(days=1)
    if start > end:
        raise ValueError("the history must start before today")
    return start, end


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=TZ)


# --- random helpers ---------------------------------------------------------------------------------------------


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam < 40:
        u, k, p = rng.random(), 0, math.exp(-lam)
        cumulative = p
        while u > cumulative and k < 1000:
            k += 1
            p *= lam / k
            cumulative += p
        return k
    return max(0, round(rng.gauss(lam, math.sqrt(lam))))


def binomial(rng: random.Random, n: int, p: float) -> int:
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    if n < 40:
        return sum(rng.random() < p for _ in range(n))
    return min(n, max(0, round(rng.gauss(n * p, math.sqrt(n * p * (1 - p))))))


def pick(rng: random.Random, weighted):
    """One value of ``((value, weight), …)`` (a tuple, so its running totals are computed once)."""
    values, cumulative = _cumulative(weighted)
    index = bisect.bisect_right(cumulative, rng.random() * cumulative[-1])
    return values[min(index, len(values) - 1)]


@lru_cache(maxsize=64)
def _bands(ages: tuple) -> tuple:
    return tuple(((lo, hi), w) for lo, hi, w in ages)


@lru_cache(maxsize=16)
def _days(weights: tuple) -> tuple:
    return tuple(enumerate(weights))


@lru_cache(maxsize=512)
def _cumulative(weighted: tuple) -> tuple[tuple, tuple[float, ...]]:
    values, cumulative, total = [], [], 0.0
    for value, weight in weighted:
        total += weight
        values.append(value)
        cumulative.append(total)
    return tuple(values), tuple(cumulative)


# --- disease profiles -------------------------------------------------------------------------------------------

# Age bands (years from, years to, weight).
AGES_FLU = ((0, 3, .10), (3, 7, .14), (7, 15, .30), (15, 25, .10), (25, 60, .24), (60, 90, .12))
AGES_HFMD = ((0, 1, .10), (1, 3, .38), (3, 6, .42), (6, 10, .08), (10, 40, .02))
AGES_DIARRHOEA = ((0, 1, .18), (1, 3, .17), (3, 7, .08), (7, 18, .10), (18, 60, .32), (60, 90, .15))
AGES_HBV = ((15, 25, .05), (25, 45, .35), (45, 65, .42), (65, 85, .18))
AGES_TB = ((15, 25, .12), (25, 45, .22), (45, 65, .33), (65, 90, .33))
AGES_SYPHILIS = ((18, 30, .18), (30, 50, .32), (50, 70, .30), (70, 90, .20))
AGES_STI = ((18, 30, .45), (30, 50, .42), (50, 70, .13))
AGES_HIV = ((18, 30, .30), (30, 50, .35), (50, 80, .35))
AGES_HCV = ((25, 45, .25), (45, 70, .55), (70, 90, .20))
AGES_SCARLET = ((3, 6, .35), (6, 10, .50), (10, 15, .13), (15, 40, .02))
AGES_MUMPS = ((3, 6, .20), (6, 15, .65), (15, 40, .15))
AGES_VARICELLA = ((1, 3, .06), (3, 6, .22), (6, 15, .55), (15, 40, .17))
AGES_ALL = ((0, 7, .20), (7, 18, .10), (18, 60, .45), (60, 85, .25))
AGES_COVID = ((0, 15, .08), (15, 40, .30), (40, 65, .35), (65, 95, .27))
AGES_PERTUSSIS = ((0, 1, .35), (1, 5, .20), (5, 12, .38), (12, 60, .07))
AGES_ADULT = ((20, 40, .5), (40, 65, .5))
AGES_MEASLES = ((0, 1, .4), (20, 45, .6))
AGES_RUBELLA = ((10, 20, .5), (20, 35, .5))

MOSTLY_CONFIRMED = (("confirmed", .85), ("clinical", .12), ("suspected", .03))
MOSTLY_CLINICAL = (("clinical", .85), ("confirmed", .12), ("suspected", .03))
LAB = (("confirmed", .97), ("clinical", .03))

ACUTE_DELAYS = (0.28, 0.32, 0.20, 0.10, 0.06, 0.04)  # onset → diagnosis, days 0…5
CHRONIC_DELAYS = (0.70, 0.12, 0.08, 0.05, 0.03, 0.02)


@dataclass(frozen=True)
class Bump:
    """A seasonal rise: a circular Gaussian over the day of the year; ``spread`` varies it from season to season
    (log-normal factor), so some winters are worse than others."""

    centre: int  # day of the year
    width: float  # days (standard deviation)
    amplitude: float  # relative to the baseline of 1 … (profile.baseline)
    spread: float = 0.35


@dataclass(frozen=True)
class Profile:
    code: str
    per_year: float  # mean cards a year per REFERENCE_POPULATION
    baseline: float = 1.0
    bumps: tuple[Bump, ...] = ()
    waves: tuple | None = None  # (per year, first doy, last doy, width, amplitude low, high): epidemic waves
    sporadic: tuple | None = None  # (first doy, last doy, ((count, weight), …)): a few cases a year, no rate
    ages: tuple = AGES_ALL
    male: float = 0.52
    classes: tuple = MOSTLY_CLINICAL
    delays: tuple = ACUTE_DELAYS
    extra_delay: tuple[int, int] = (0, 0)  # extra days onset → diagnosis (chronic disease found late)
    weekdays: bool = False  # diagnosed mostly on working days (outpatient clinics, not emergencies)
    rural: float = 1.0  # rate in the county relative to the urban districts
    county_only: bool = False
    group: str = "general"  # which units report it: general, tb, std, infectious
    acuteness: tuple = ()
    notes: tuple = ()
    occupations: tuple = ()  # forced occupations ((value, weight), …) for adults
    correctable: tuple = ()  # ways a card of it gets corrected: ("confirm", "disease:0401", "death")

    def norm(self) -> float:
        value = self.baseline + sum(b.amplitude * b.width * math.sqrt(2 * math.pi) / 365.25 for b in self.bumps)
        if self.waves:
            count, _, _, width, low, high = self.waves
            value += count * (low + high) / 2 * width * math.sqrt(2 * math.pi) / 365.25
        return value


PROFILES: tuple[Profile, ...] = (
    Profile("3500", 3000, baseline=0.2, bumps=(Bump(10, 21, 8.0, 0.7), Bump(80, 18, 1.6, 0.8)), ages=AGES_FLU,
            classes=(("confirmed", .55), ("clinical", .40), ("suspected", .05)), rural=0.8,
            correctable=("confirm",)),
    Profile("4000", 2700, baseline=0.15, bumps=(Bump(140, 28, 3.0, 0.35), Bump(285, 22, 1.0, 0.5)), ages=AGES_HFMD,
            male=0.58, rural=1.3, correctable=("confirm",)),
    Profile("3900", 1800, baseline=0.6, bumps=(Bump(205, 30, 0.9), Bump(355, 30, 0.6)), ages=AGES_DIARRHOEA,
            classes=(("clinical", .85), ("confirmed", .15)), correctable=("disease:0401",)),
    Profile("0302", 1500, ages=AGES_HBV, male=0.62, classes=LAB, delays=CHRONIC_DELAYS, weekdays=True,
            acuteness=(("chronic", .86), ("acute", .09), ("untyped", .05))),
    Profile("2600", 1100, bumps=(Bump(100, 50, 0.25, 0.1),), ages=AGES_TB, male=0.70, rural=1.5, group="tb",
            classes=(("confirmed", .50), ("clinical", .45), ("suspected", .05)), delays=CHRONIC_DELAYS,
            extra_delay=(3, 30), weekdays=True, correctable=("confirm", "death")),
    Profile("0800", 900, ages=AGES_SYPHILIS, male=0.55, rural=0.8, group="std", classes=LAB, delays=CHRONIC_DELAYS,
            weekdays=True, notes=(("隐性梅毒", .55), ("一期梅毒", .15), ("二期梅毒", .20), ("三期梅毒", .10))),
    Profile("Y020", 1000, baseline=0.3, bumps=(Bump(340, 35, 1.4), Bump(130, 30, 1.0)), ages=AGES_VARICELLA,
            classes=(("clinical", .95), ("confirmed", .05))),
    Profile("0303", 300, ages=AGES_HCV, classes=LAB, delays=CHRONIC_DELAYS, weekdays=True),
    Profile("0700", 150, ages=AGES_STI, male=0.85, rural=0.6, group="std", classes=LAB, delays=CHRONIC_DELAYS,
            weekdays=True),
    Profile("0600", 90, ages=AGES_HIV, male=0.85, rural=0.7, group="std", classes=LAB, delays=CHRONIC_DELAYS,
            weekdays=True),
    Profile("3600", 220, baseline=0.4, bumps=(Bump(150, 40, 1.2),), ages=AGES_MUMPS, male=0.6,
            classes=(("clinical", .95), ("confirmed", .05))),
    Profile("1400", 160, baseline=0.2, bumps=(Bump(135, 25, 1.5), Bump(340, 25, 1.8)), ages=AGES_SCARLET,
            male=0.58, classes=(("clinical", .80), ("confirmed", .20))),
    Profile("0401", 40, baseline=0.3, bumps=(Bump(215, 35, 1.5),), classes=(("clinical", .70), ("confirmed", .30)),
            rural=1.4),
    Profile("Y001", 120, baseline=0.3, waves=(2, 100, 280, 14, 2.0, 8.0), ages=AGES_COVID,
            classes=(("confirmed", .90), ("clinical", .10)), group="infectious"),
    Profile("1100", 80, baseline=0.5, bumps=(Bump(170, 50, 1.0, 0.8),), ages=AGES_PERTUSSIS,
            classes=(("clinical", .60), ("confirmed", .35), ("suspected", .05))),
    Profile("0304", 60, bumps=(Bump(60, 40, 0.5),), ages=AGES_HCV, male=0.7, classes=LAB),
    Profile("0301", 20, ages=((5, 20, .3), (20, 60, .7)), classes=LAB),
    Profile("3800", 40, baseline=0.2, bumps=(Bump(230, 25, 2.0),), ages=((5, 60, 1.0),)),
    Profile("3700", 5, baseline=0.3, bumps=(Bump(110, 30, 1.5),), ages=AGES_RUBELLA),
    Profile("1000", 2, ages=AGES_MEASLES, classes=(("confirmed", .7), ("clinical", .2), ("suspected", .1)),
            group="infectious"),
    Profile("1500", 4, baseline=0.2, bumps=(Bump(325, 25, 3.0), Bump(150, 20, 1.0)), ages=((20, 70, 1.0),),
            county_only=True, classes=LAB, occupations=(("farmer", 1.0),), group="infectious"),
    Profile("0501", 3, baseline=0.5, bumps=(Bump(200, 40, 1.0),), ages=AGES_ADULT, classes=LAB),
    Profile("0502", 2, baseline=0.5, bumps=(Bump(200, 40, 1.0),), ages=AGES_ADULT, classes=LAB),
    Profile("2302", 0, sporadic=(1, 365, ((0, .3), (1, .4), (2, .3))), ages=AGES_ADULT, male=0.9, classes=LAB,
            group="infectious", occupations=(("migrant_worker", .5), ("worker", .3), ("commercial_service", .2)),
            notes=(("输入病例：自尼日利亚务工返回", .4), ("输入病例：自安哥拉务工返回", .3),
                   ("输入病例：自刚果（金）务工返回", .3))),
    Profile("2301", 0, sporadic=(1, 365, ((0, .6), (1, .4))), ages=AGES_ADULT, male=0.8, classes=LAB,
            group="infectious", notes=(("输入病例：自缅甸务工返回", .6), ("输入病例：自巴基斯坦返回", .4))),
    Profile("2400", 0, sporadic=(213, 288, ((1, .5), (2, .5))), ages=AGES_ADULT,
            classes=(("confirmed", .8), ("clinical", .1), ("suspected", .1)), group="infectious",
            notes=(("输入病例：自泰国旅游返回", .3), ("输入病例：自越南返回", .2), ("输入病例：自柬埔寨返回", .2),
                   ("输入病例：自马来西亚返回", .15), ("输入病例：自印度尼西亚返回", .15))),
    Profile("1800", 0, sporadic=(60, 200, ((0, .45), (1, .45), (2, .10))), ages=((30, 65, 1.0),), male=0.8,
            county_only=True, classes=LAB, group="infectious",
            occupations=(("farmer", .6), ("herdsman", .4)), notes=(("有羊只饲养、接产史", 1.0),)),
)
PROFILE = {p.code: p for p in PROFILES}
DISEASE_CODES = tuple(p.code for p in PROFILES)


# --- places: towns, schools, workplaces, reporting units -------------------------------------------------------


def _stem(town_name: str) -> str:
    for suffix in ("街道", "镇", "乡"):
        if town_name.endswith(suffix):
            return town_name[: -len(suffix)]
    return town_name


@dataclass(frozen=True)
class School:
    name: str
    kind: str  # kindergarten, primary, middle, high, college
    town: str  # code of the town it stands in
    county: str


@dataclass(frozen=True)
class Unit:
    """A reporting unit (hospital, community health centre, township hospital, clinic)."""

    key: str
    code: str  # the unit's unified social credit code: card numbers begin with it
    name: str
    kind: str
    level: str
    town: str
    county: str
    index: int  # position in the sorted list of units: part of the card number
    doctors: tuple[str, ...]
    late_factor: float  # how much more often than others it reports late or misses a zero report


@dataclass
class Places:
    """Everything about where people live, learn, work and are treated, for one seed."""

    regions: object  # demo.regions.RegionPlan
    towns: list  # TownPlan
    district_names: dict[str, str]
    schools: dict[tuple[str, str], list[School]]  # (town or county code, kind) → schools
    workplaces: dict[str, list[str]]  # county → company names
    units: list[Unit]
    cdc_key: dict[str, str]  # county → key of its CDC
    _town_weights: dict = field(default_factory=dict)
    _unit_weights: dict = field(default_factory=dict)
    _towns: dict = field(default_factory=dict)

    def town(self, code: str):
        if not self._towns:
            self._towns.update((t.code, t) for t in self.towns)
        return self._towns[code]

    def town_weights(self, profile: Profile, year: int):
        key = (profile.code, year)
        if key not in self._town_weights:
            from .regions import YEARS

            year = min(max(year, YEARS[0]), YEARS[-1])
            towns, cumulative, total = [], [], 0.0
            for town in self.towns:
                in_county = town.district.endswith("21")
                if profile.county_only and not in_county:
                    continue
                total += town.population[year] * (profile.rural if in_county else 1.0)
                towns.append(town.code)
                cumulative.append(total)
            self._town_weights[key] = (towns, cumulative)
        return self._town_weights[key]

    def population(self, year: int) -> int:
        from .regions import CITY_CODE, YEARS

        return self.regions.population[CITY_CODE][min(max(year, YEARS[0]), YEARS[-1])]

    def units_for(self, town: str, group: str, child: bool):
        key = (town, group, child)
        if key not in self._unit_weights:
            units, cumulative, total = [], [], 0.0
            for unit in self.units:
                w = _unit_weight(unit, town, town[:6], group, child)
                if w > 0:
                    total += w
                    units.append(unit)
                    cumulative.append(total)
            self._unit_weights[key] = (units, cumulative)
        return self._unit_weights[key]


def _unit_weight(unit: Unit, town: str, county: str, group: str, child: bool) -> float:
    same = unit.county == county
    key = unit.key
    if unit.kind == "hospital":
        if key == "hospital.infectious":  # the city's designated infectious-disease and TB hospital
            return {"tb": 10.0, "std": 2.5, "infectious": 6.0}.get(group, 0.4)
        if key == "hospital.children":
            return (6.0 if same else 2.5) if child else 0.0
        if key == "hospital.maternal":
            return (1.5 if same else 0.3) if child else (1.0 if group == "std" else 0.1)
        if group == "tb":  # the county's designated TB clinic is in its people's hospital
            return 8.0 if same and key == "990121.hospital" else 0.0
        tertiary = unit.level == "3"
        if same:
            weight = 6.0 if tertiary else 4.0
        else:
            weight = 1.2 if tertiary else (0.3 if key.startswith("hospital.") else 0.0)
        return weight * (0.5 if key.endswith("tcm") else 1.0)
    if group == "tb" or not same:
        return 0.0
    if unit.kind in ("community_health_centre", "township_hospital"):
        local = 3.0 if unit.town == town else 0.6
        return local * (0.2 if group == "std" else 1.0)
    return 0.4 if group != "std" else 0.1  # clinics


INDUSTRIES = ("机械制造有限公司", "食品有限公司", "物流有限公司", "电子科技有限公司", "建筑工程有限公司", "纺织有限公司",
              "商贸有限公司", "超市", "大酒店", "汽车销售服务有限公司", "物业管理有限公司", "包装材料有限公司")


def places(seed: int, region_plan=None, org_plans=None) -> Places:
    """Towns, schools, workplaces and reporting units of the demo city for ``seed`` (pure)."""
    from .context import DemoContext
    from .organisations import plan as org_plan
    from .regions import DISTRICTS
    from .regions import plan as region_plan_of

    if region_plan is None:
        ctx = DemoContext(seed=seed)
        region_plan = region_plan_of(ctx.rng("regions"))
        org_plans = org_plan(ctx.rng("organisations"), region_plan)
    district_names = {d.code: d.name for d in DISTRICTS}
    schools: dict[tuple[str, str], list[School]] = {}

    def add(code: str, kind: str, school: School):
        schools.setdefault((code, kind), []).append(school)

    for town in region_plan.towns:
        district = district_names[town.district]
        county = town.district.endswith("21")
        stem = _stem(town.name)
        kg = f"{district}{town.name}中心幼儿园" if county else f"{district}{stem}幼儿园"
        add(town.code, "kindergarten", School(kg, "kindergarten", town.code, town.district))
        if town.population[2023] > 45_000:
            kg2 = f"{district}{town.name}第二幼儿园" if county else f"{district}{stem}第二幼儿园"
            add(town.code, "kindergarten", School(kg2, "kindergarten", town.code, town.district))
        primary = f"{district}{town.name}中心小学" if county else f"{district}{stem}小学"
        add(town.code, "primary", School(primary, "primary", town.code, town.district))
    for d in DISTRICTS:
        towns = region_plan.towns_of(d.code)
        for i, label in enumerate(("第一中学", "第二中学", "实验中学")):
            add(d.code, "middle", School(f"{d.name}{label}", "middle", towns[i * 3 % len(towns)].code, d.code))
        add(d.code, "high", School(f"{d.name}高级中学", "high", towns[1].code, d.code))
    first = region_plan.towns[0]
    for name in ("示范市职业技术学院", "示范学院"):
        add("city", "college", School(name, "college", first.code, first.district))

    rng = stream(seed, "workplaces")
    stems = list(names.STREET_STEMS + names.TOWN_STEMS)
    workplaces = {d.code: [f"示范市{rng.choice(stems)}{rng.choice(INDUSTRIES)}" for _ in range(12)] for d in DISTRICTS}

    reporting = sorted((p for p in org_plans if p.kind in ("hospital", "community_health_centre",
                                                            "township_hospital", "clinic")), key=lambda p: p.key)
    rng = stream(seed, "units")
    sloppy = set(rng.sample([p.key for p in reporting if p.kind != "hospital"], 3))
    units = []
    for index, p in enumerate(reporting, start=1):
        doctors = {"hospital": 10, "community_health_centre": 4, "township_hospital": 3}.get(p.kind, 2)
        late = 6.0 if p.key in sloppy else (2.5 if p.kind in ("clinic", "township_hospital") else 1.0)
        units.append(Unit(p.key, p.code, p.name, p.kind, p.hospital_level, p.region, p.region[:6], index,
                          tuple(names.person(rng) for _ in range(doctors)), late))
    cdc_key = {d.code: f"{d.code}.cdc" for d in DISTRICTS}
    return Places(region_plan, list(region_plan.towns), district_names, schools, workplaces, units, cdc_key)


# --- people -----------------------------------------------------------------------------------------------------

ADULT_URBAN = (("worker", 18), ("commercial_service", 15), ("cadre_staff", 14), ("housework_unemployed", 12),
               ("migrant_worker", 6), ("farmer", 3), ("medical_staff", 3), ("teacher", 3), ("food_service", 4),
               ("childcare_worker", 1), ("other", 8), ("unknown", 2))
ADULT_RURAL = (("farmer", 45), ("worker", 12), ("migrant_worker", 10), ("housework_unemployed", 10),
               ("commercial_service", 6), ("cadre_staff", 4), ("teacher", 2), ("medical_staff", 1),
               ("food_service", 2), ("fisherman", 1), ("other", 6), ("unknown", 2))
OLD_URBAN = (("retired", 65), ("housework_unemployed", 20), ("other", 10), ("unknown", 5))
OLD_RURAL = (("farmer", 55), ("retired", 15), ("housework_unemployed", 25), ("other", 5))
VILLAGE_SUFFIXES = ("庄", "家湾", "集", "营", "楼", "岗", "洼", "圩", "家村", "店")


def occupation(rng: random.Random, age: float, rural: bool, forced: tuple = ()) -> str:
    if age < 3:
        return "scattered_child"
    if age < 7:
        return "kindergarten_child" if rng.random() < 0.8 else "scattered_child"
    if age < 18:
        return "student"
    if forced:
        return pick(rng, forced)
    if age < 23 and rng.random() < 0.45:
        return "student"
    if age >= 60:
        return pick(rng, OLD_RURAL if rural else OLD_URBAN)
    return pick(rng, ADULT_RURAL if rural else ADULT_URBAN)


def work_unit(rng: random.Random, where: Places, town: str, age: float, job: str) -> str:
    county = town[:6]
    if job == "kindergarten_child":
        return rng.choice(where.schools[(town, "kindergarten")]).name
    if job == "student":
        if age < 13:
            return where.schools[(town, "primary")][0].name
        if age < 16:
            return rng.choice(where.schools[(county, "middle")]).name
        if age < 19:
            return where.schools[(county, "high")][0].name
        return rng.choice(where.schools[("city", "college")]).name
    if job == "teacher":
        kind = pick(rng, (("kindergarten", 1), ("primary", 2)))
        return rng.choice(where.schools[(town, kind)]).name
    if job == "medical_staff":
        local = [u.name for u in where.units if u.county == county] or [where.units[0].name]
        return rng.choice(local)
    if job in ("worker", "cadre_staff", "commercial_service", "food_service", "migrant_worker") and rng.random() < 0.5:
        return rng.choice(where.workplaces[county])
    return ""


def _below(rng: random.Random, n: int) -> int:
    """0 … n-1 (cheaper than randrange; the build draws a few million of these)."""
    return int(rng.random() * n)


def _of(rng: random.Random, values):
    return values[int(rng.random() * len(values))]


def full_name(rng: random.Random, surname: str | None = None) -> str:
    """A plausible Chinese name of two or three characters (as names.person)."""
    given = _of(rng, names.GIVEN) + (_of(rng, names.GIVEN) if rng.random() < 0.7 else "")
    return (surname or _of(rng, names.SURNAMES)) + given


def address(rng: random.Random, where: Places, town_code: str) -> str:
    """The current address in detail: a village group in the county's towns, a flat in the city and the seat."""
    town = where.town(town_code)
    district = where.district_names[town.district]
    if town.district.endswith("21") and town.name != "城关镇":
        village = _of(rng, names.SURNAMES) + _of(rng, VILLAGE_SUFFIXES)
        return f"示范市{district}{town.name}{village}村{1 + _below(rng, 11)}组{1 + _below(rng, 79)}号"
    return (f"示范市{district}{town.name}{_of(rng, names.ROADS)}{1 + _below(rng, 399)}号{1 + _below(rng, 29)}栋"
            f"{1 + _below(rng, 4)}单元{1 + _below(rng, 27)}{1 + _below(rng, 4):02d}室")


def phone(rng: random.Random) -> str:
    """A fictional landline in the demo area code (names.AREA_CODE): no real number is ever made up."""
    return f"{names.AREA_CODE}-{2 + _below(rng, 7)}{_below(rng, 9_000_000) + 1_000_000}"


def id_number(county: str, birth: date, sequence: int) -> str:
    from yingji.surveillance.idnumbers import check_character

    first17 = f"{county}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    return first17 + check_character(first17)


def age_of(birth: date, on: date) -> tuple[int, str]:
    """The card's 实足年龄 and its unit: days under a month, months under a year, years otherwise."""
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if years >= 1:
        return years, "year"
    months = (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)
    if months >= 1:
        return months, "month"
    return (on - birth).days, "day"


@dataclass
class Person:
    name: str
    sex: str
    birth: date
    id_number: str
    county: str
    town: str
    occupation: str
    work_unit: str
    address: str
    phone: str
    guardian: str


def person(rng: random.Random, where: Places, town: str, onset: date, ages, male: float,
           forced: tuple = (), age_years: float | None = None, job: str | None = None,
           unit_name: str | None = None) -> Person:
    if age_years is None:
        lo, hi = pick(rng, _bands(ages))
        age_years = rng.uniform(lo, hi)
    birth = onset - timedelta(days=max(1, int(age_years * 365.25)))
    sex = "M" if rng.random() < male else "F"
    sequence = _below(rng, 499) * 2 + (1 if sex == "M" else 2)
    county = town[:6]
    rural = county.endswith("21") and not town.endswith("100")
    occ = job or occupation(rng, age_years, rural, forced)
    unit = unit_name if unit_name is not None else work_unit(rng, where, town, age_years, occ)
    name = full_name(rng)
    guardian = full_name(rng, name[0]) if age_years < 14 else ""  # usually a parent of the same surname
    return Person(name, sex, birth, id_number(county, birth, sequence), county, town, occ, unit,
                  address(rng, where, town), phone(rng), guardian)


# --- cards ------------------------------------------------------------------------------------------------------

DELETION_REASONS = ("误报：经复核排除传染病诊断", "诊断依据不足，报告单位申请删除", "重复报告：同一病例本单位已报告",
                    "非法定报告病种，误报")
RETURN_REASONS = ("联系电话有误，请核实后重新提交", "诊断依据不充分，请补充实验室检测结果", "职业与年龄不符，请核实",
                  "现住址填写不详，请补充到门牌号")
HOURS = tuple((h, w) for h, w in zip(range(24), (.6, .6, .6, .6, .6, .6, .6, 1.5, 10, 10, 10, 10, 5, 5, 9, 9, 9, 9,
                                                      4, 4, 4, 4, 2, 2), strict=True))


@dataclass
class Card:
    uid: str  # stable handle within the plan: "<stream>#<n>"
    disease: str
    person: Person
    onset: date
    diagnosed_at: datetime
    reported_at: datetime
    unit: Unit
    doctor: str
    classification: str
    acuteness: str = ""
    notes: str = ""
    death_date: date | None = None
    origin: str = "same_county"
    card_type: str = "initial"
    original: Card | None = None  # for a correction
    status: str = "submitted"
    status_reason: str = ""
    reviewed_at: datetime | None = None
    reviewer_county: str = ""  # the county whose CDC reviews it: the reporting unit's
    changed_at: datetime | None = None  # last status change (review, return, deletion, correction) …
    changed_by: str = ""  # … by the county CDC ("cdc") or the reporting unit ("unit")
    card_number: str = ""
    outbreak: str = ""  # key of the injected outbreak it belongs to
    duplicate_of: Card | None = None  # a second report of the same case by another unit
    # Drawn with the card so its fate never depends on the day the demo is built.
    fate: str = ""  # "", "correct", "delete", "duplicate"
    fate_draws: tuple = ()


def _diagnosis_time(rng: random.Random, day: date) -> datetime:
    hour = pick(rng, HOURS)
    return datetime.combine(day, time(hour, _below(rng, 60)), tzinfo=TZ)


def _report_delay(rng: random.Random, unit: Unit) -> timedelta:
    u, v = rng.random(), rng.random()
    if u < 0.004 * unit.late_factor:
        hours = 24.2 + v * 56  # late: a day or three after diagnosis
    elif u < 0.62:
        hours = 0.05 + v * 1.95
    elif u < 0.90:
        hours = 2 + v * 6
    else:
        hours = 8 + v * 15.8
    return timedelta(minutes=round(hours * 60))


def _review_time(u: float, v: float, reported: datetime) -> datetime:
    """When the county CDC reviews a card: within hours in office hours, else the next morning; now and then later."""
    if u < 0.02:  # a busy week: reviewed a day or three later
        return reported + timedelta(hours=24 + v * 48)
    if 8 <= reported.hour < 17:
        return reported + timedelta(minutes=10 + round(v * 240))
    day = reported.date() + timedelta(days=0 if reported.hour < 8 else 1)
    return datetime.combine(day, time(8, 30), tzinfo=TZ) + timedelta(minutes=round(v * 180))


def _choose_unit(rng: random.Random, where: Places, town: str, group: str, child: bool) -> Unit:
    units, cumulative = where.units_for(town, group, child)
    return units[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def draw_card(rng: random.Random, where: Places, profile: Profile, onset: date, uid: str, *, town: str | None = None,
              who: Person | None = None, unit: Unit | None = None, fates: bool = True,
              classes: tuple | None = None) -> Card:
    """One card of ``profile`` with onset on ``onset``: a person, a unit, a doctor, and times."""
    if town is None:
        towns, cumulative = where.town_weights(profile, onset.year)
        town = towns[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]
    if who is None:
        who = person(rng, where, town, onset, profile.ages, profile.male, profile.occupations)
    age_years = (onset - who.birth).days / 365.25
    if unit is None:
        unit = _choose_unit(rng, where, who.town, profile.group, age_years < 14)
    delay = pick(rng, _days(profile.delays))
    if profile.extra_delay[1]:
        delay += rng.randint(*profile.extra_delay)
    day = onset + timedelta(days=delay)
    if profile.weekdays and day.weekday() >= 5 and rng.random() < 0.75:
        day += timedelta(days=7 - day.weekday())
    diagnosed = _diagnosis_time(rng, day)
    reported = diagnosed + _report_delay(rng, unit)
    classification = pick(rng, classes or profile.classes)
    card = Card(uid, profile.code, who, onset, diagnosed, reported, unit, _of(rng, unit.doctors), classification)
    if profile.acuteness:
        card.acuteness = pick(rng, profile.acuteness)
    if profile.notes:
        card.notes = pick(rng, profile.notes)
    if profile.code == "2600":
        card.notes = {"confirmed": "病原学阳性", "clinical": "病原学阴性"}.get(classification, "无病原学结果")
    card.origin = "same_county" if unit.county == who.county else "other_county"
    card.fate_draws = tuple(rng.random() for _ in range(8))
    if fates:
        u = card.fate_draws[0]
        if u < 0.005 and profile.correctable:
            card.fate = "correct"
        elif u < 0.008:
            card.fate = "delete"
        elif u < 0.0084 and profile.group != "std":
            card.fate = "duplicate"
    return card


def _day_rate(profile: Profile, day: date, seed: int, where: Places) -> float:
    doy = day.timetuple().tm_yday
    value = profile.baseline
    for i, bump in enumerate(profile.bumps):
        # the bump's nearest occurrence decides which season's amplitude applies
        year = day.year + (1 if doy - bump.centre > 182 else -1 if bump.centre - doy > 182 else 0)
        distance = min(abs(doy - bump.centre), 365.25 - abs(doy - bump.centre))
        value += bump.amplitude * _season_factor(seed, profile.code, i, year, bump.spread) * math.exp(
            -0.5 * (distance / bump.width) ** 2)
    if profile.waves:
        for centre, width, amplitude in _waves(seed, profile, day.year - 1) + _waves(seed, profile, day.year) + \
                _waves(seed, profile, day.year + 1):
            distance = abs((day - centre).days)
            if distance < 5 * width:
                value += amplitude * math.exp(-0.5 * (distance / width) ** 2)
    scale = where.population(day.year) / REFERENCE_POPULATION
    return profile.per_year / 365.25 * scale * value / profile.norm()


@lru_cache(maxsize=4096)
def _season_factor(seed: int, code: str, bump: int, year: int, spread: float) -> float:
    return math.exp(stream(seed, f"{code}:season{bump}:{year}").gauss(0, spread))


@lru_cache(maxsize=1024)
def _waves(seed: int, profile: Profile, year: int) -> tuple:
    count, first, last, width, low, high = profile.waves
    rng = stream(seed, f"{profile.code}:waves:{year}")
    return tuple((date(year, 1, 1) + timedelta(days=rng.randint(first, last)), width, rng.uniform(low, high))
                 for _ in range(count))


def months(start: date, end: date):
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def background(seed: int, where: Places, start: date, end: date) -> list[Card]:
    """The endemic and seasonal cards with onset in [start, end]. Each month of each disease has its own stream
    (sporadic diseases: each year), drawn whole and then cut to the window, so a day's cards never depend on it."""
    cards: list[Card] = []
    for profile in PROFILES:
        batches = []
        if profile.sporadic:
            lo, hi, counts = profile.sporadic
            for year in range(start.year, end.year + 1):
                rng = stream(seed, f"{profile.code}:{year}")
                onsets = [date(year, 1, 1) + timedelta(days=rng.randint(lo, hi) - 1)
                          for _ in range(pick(rng, counts))]
                batches.append((rng, f"{profile.code}:{year}", onsets))
        else:
            for y, m in months(start, end):
                rng = stream(seed, f"{profile.code}:{y}-{m:02d}")
                day, onsets = date(y, m, 1), []
                while day.month == m:
                    onsets.extend([day] * poisson(rng, _day_rate(profile, day, seed, where)))
                    day += timedelta(days=1)
                batches.append((rng, f"{profile.code}:{y}-{m:02d}", onsets))
        for rng, name, onsets in batches:
            for n, onset in enumerate(onsets):
                card = draw_card(rng, where, profile, onset, f"{name}#{n}")
                if start <= onset <= end:
                    cards.append(card)
    return cards


# --- injected outbreaks -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outbreak:
    """An outbreak injected on top of the background: its cards share the place and fall in [start, end]
    (onset dates). ``setting`` says what they share (a ClusterSetting value): the work unit (and its town), the
    town, or the county; ``rule`` names the cluster rule (surveillance/data/cluster_rules.csv) it meets."""

    key: str
    disease_code: str
    county_code: str
    town_code: str
    work_unit: str
    start: date
    end: date
    extra_cases: int
    setting: str
    rule: str
    title: str
    current: bool = False  # placed relative to today (still going on when the demo was built)


@dataclass(frozen=True)
class OutbreakKind:
    key: str
    disease: str
    setting: str
    rule: str
    cases: int
    days: int
    seasons: tuple[tuple[int, int, int], ...]  # (month, day, length in days) in which the first onset falls
    place: str  # kindergarten, primary, middle, site, county
    title: str


OUTBREAK_KINDS = (
    OutbreakKind("hfmd-kindergarten", "4000", "work_unit", "E26", 12, 6, ((4, 10, 70),), "kindergarten",
                 "{place}手足口病暴发疫情"),
    OutbreakKind("diarrhoea-school", "3900", "work_unit", "E20", 25, 4, ((11, 1, 45), (3, 1, 50)), "primary",
                 "{place}诺如病毒感染性腹泻暴发疫情"),
    OutbreakKind("measles-site", "1000", "work_unit", "E09", 12, 10, ((3, 1, 75),), "site",
                 "{town}{place}麻疹聚集性疫情"),
    OutbreakKind("dengue-county", "2400", "county", "E12", 8, 10, ((8, 15, 45),), "county",
                 "{county}登革热本地聚集性疫情"),
    OutbreakKind("scarlet-school", "1400", "work_unit", "E21", 11, 7, ((11, 1, 40), (4, 10, 55)), "primary",
                 "{place}猩红热聚集性疫情"),
    OutbreakKind("influenza-school", "3500", "work_unit", "", 32, 5, ((12, 1, 38),), "middle",
                 "{place}流感暴发疫情"),
    OutbreakKind("varicella-school", "Y020", "work_unit", "E22", 12, 7, ((11, 5, 45), (4, 1, 60)), "primary",
                 "{place}水痘暴发疫情"),
)
CURRENT_KIND = OutbreakKind("diarrhoea-current", "3900", "work_unit", "E20", 22, 5, (), "middle",
                            "{place}诺如病毒感染性腹泻暴发疫情")
KIND = {k.key: k for k in (*OUTBREAK_KINDS, CURRENT_KIND)}


def _place_outbreak(seed: int, where: Places, kind: OutbreakKind, rng: random.Random, county: str,
                    start: date, key: str, current: bool = False) -> Outbreak:
    towns = where.regions.towns_of(county)
    town = rng.choices(towns, weights=[t.population[2023] for t in towns])[0]
    district = where.district_names[county]
    if kind.place in ("kindergarten", "primary"):
        place = rng.choice(where.schools[(town.code, kind.place)]).name
    elif kind.place == "middle":
        school = rng.choice(where.schools[(county, "middle")])
        place, town = school.name, where.regions.town(school.town)
    elif kind.place == "site":
        place = f"{rng.choice(where.workplaces[county]).removesuffix('有限公司')}{_stem(town.name)}项目工地"
    else:
        place = ""
    title = kind.title.format(place=place, town=f"{district}{town.name}", county=district)
    work_unit = place if kind.setting == "work_unit" else ""
    return Outbreak(key, kind.disease, county, town.code, work_unit, start, start + timedelta(days=kind.days - 1),
                    kind.cases, kind.setting, kind.rule, title, current)


def outbreak_schedule(seed: int, where: Places, years) -> list[Outbreak]:
    """The outbreaks of the given calendar years. Each kind strikes every other year (which years is drawn from
    the seed), in a season fitting the disease, in a district that moves from kind to kind and year to year."""
    from .regions import DISTRICTS

    offset = stream(seed, "outbreaks").randrange(len(DISTRICTS))
    result = []
    for k, kind in enumerate(OUTBREAK_KINDS):
        parity = stream(seed, f"outbreaks:{kind.key}").randrange(2)
        for year in years:
            if (year + parity) % 2:
                continue
            rng = stream(seed, f"outbreaks:{kind.key}:{year}")
            month, day, length = kind.seasons[rng.randrange(len(kind.seasons))]
            start = date(year, month, day) + timedelta(days=rng.randrange(length))
            county = DISTRICTS[(offset + 2 * k + year) % len(DISTRICTS)].code
            result.append(_place_outbreak(seed, where, kind, rng, county, start, f"{kind.key}-{year}"))
    return result


def current_outbreak(seed: int, where: Places, today: date) -> Outbreak:
    from .regions import DISTRICTS

    rng = stream(seed, "outbreaks:current")
    county = DISTRICTS[rng.randrange(len(DISTRICTS))].code
    start = today - timedelta(days=CURRENT_KIND.days + 3)
    return _place_outbreak(seed, where, CURRENT_KIND, rng, county, start, CURRENT_KIND.key, current=True)


def outbreaks_in(seed: int, where: Places, start: date, end: date, today: date) -> list[Outbreak]:
    """The outbreaks lying wholly in [start, end] with room for their cards to be reported before ``today``."""
    scheduled = outbreak_schedule(seed, where, range(start.year - 1, end.year + 1))
    result = [o for o in scheduled if o.start >= start and o.end <= end - timedelta(days=2)]
    current = current_outbreak(seed, where, today)
    if current.start >= start:
        result.append(current)
    return sorted(result, key=lambda o: (o.start, o.key))


def injected_outbreaks(seed: int | None = None, today: date | None = None, years: int = 3,
                       start: date | None = None) -> list[Outbreak]:
    """The outbreaks the demo build injects for ``seed`` and ``today`` (the same arguments as the build's): the
    ground truth the early-warning module is measured against. Pure: no database."""
    from .context import DEFAULT_SEED

    seed = DEFAULT_SEED if seed is None else seed
    today = today or demo_today()
    first, last = window(today, years, start)
    return outbreaks_in(seed, places(seed), first, last, today)


def outbreak_cards(seed: int, where: Places, outbreak: Outbreak) -> list[Card]:
    kind = KIND[outbreak.key.rsplit("-", 1)[0]] if not outbreak.current else CURRENT_KIND
    profile = PROFILE[kind.disease]
    rng = stream(seed, f"outbreak:{outbreak.key}")
    span = (outbreak.end - outbreak.start).days
    cards = []
    county_towns = [t.code for t in where.regions.towns_of(outbreak.county_code)]
    for n in range(outbreak.extra_cases):
        if n == 0:
            offset = 0
        elif n == outbreak.extra_cases - 1:
            offset = span
        else:
            offset = round(rng.triangular(0, span, span * 0.35))
        town = outbreak.town_code
        job, age, unit_name, classes = None, None, outbreak.work_unit, None
        if kind.place == "kindergarten":
            job, age = "kindergarten_child", rng.uniform(3, 6.5)
        elif kind.place == "primary":
            if n in (5, 17) and kind.disease == "3900":
                job, age = "teacher", rng.uniform(26, 55)
            else:
                job, age = "student", rng.uniform(6.5, 12.5)
        elif kind.place == "middle":
            job, age = "student", rng.uniform(12.5, 15.5)
        elif kind.place == "site":
            if n >= 10:  # two infants of the workers' households, a few days later
                job, age, unit_name = "scattered_child", rng.uniform(0.5, 0.95), ""
                offset = min(span, 5 + n)
            else:
                job, age = "migrant_worker", rng.uniform(20, 48)
                offset = min(offset, 6)
        elif kind.place == "county":
            unit_name = ""
            if rng.random() > 0.6:
                town = rng.choice(county_towns)
            age = rng.uniform(18, 70)
        if kind.disease in ("2400", "1000"):
            classes = (("confirmed", .8), ("clinical", .15), ("suspected", .05))
        onset = outbreak.start + timedelta(days=offset)
        who = person(rng, where, town, onset, profile.ages, 0.85 if kind.place == "site" and n < 10 else 0.52,
                     age_years=age, job=job, unit_name=unit_name)
        card = draw_card(rng, where, profile, onset, f"outbreak:{outbreak.key}#{n}", who=who, fates=False,
                         classes=classes)
        if kind.disease == "2400":
            card.notes = "输入病例：自东南亚旅行返回（指示病例）" if n == 0 else "本地病例"
        # Outbreak cards are found and reported promptly: diagnosed by the day after the last onset, within hours.
        latest = outbreak.end + timedelta(days=1)
        if card.diagnosed_at.date() > latest or card.diagnosed_at.hour >= 21:
            day = min(card.diagnosed_at.date(), latest)
            card.diagnosed_at = datetime.combine(day, time(9 + n % 10, (7 * n) % 60), tzinfo=TZ)
        card.reported_at = card.diagnosed_at + timedelta(minutes=15 + (37 * n) % 300)
        card.outbreak = outbreak.key
        cards.append(card)
    return cards


# --- the whole history ------------------------------------------------------------------------------------------

DISEASE_NAMES = {"4000": "手足口病", "3900": "感染性腹泻", "1000": "麻疹", "2400": "登革热", "1400": "猩红热",
                 "3500": "流行性感冒", "Y020": "水痘"}
SYMPTOMS = {"4000": "发热、手足口部位皮疹或疱疹", "3900": "呕吐、腹泻、腹痛", "1000": "发热、皮疹、咳嗽、结膜炎",
            "2400": "发热、头痛、肌肉关节痛、皮疹", "1400": "发热、咽痛、猩红热样皮疹", "3500": "发热、咳嗽、咽痛",
            "Y020": "发热、皮疹、疱疹"}
MEASURES = {
    "4000": "已开展流行病学调查和病例搜索；患病儿童居家隔离治疗；对园区开展终末消毒，落实晨午检和因病缺勤追踪；"
            "病发班级暂停集体活动。",
    "3900": "已开展流行病学调查，采集病例肛拭子和呕吐物标本送检；病例居家隔离至症状消失后72小时；对教室、卫生间、"
            "食堂开展消毒，加强食品和饮用水卫生管理。",
}
WEEKDAY_VISITS = (1.15, 1.0, 1.0, 1.0, 1.0, 0.92, 0.88)


@dataclass
class AggregatePlan:
    unit: Unit
    frequency: str
    period_start: date
    period_end: date
    submitted_at: datetime
    due_at: datetime
    lines: dict[str, int]  # disease code → count (empty for a zero report)
    note: str = ""


@dataclass
class SchedulePlan:
    unit: Unit
    frequency: str
    valid_from: date
    valid_to: date | None
    diseases: tuple[str, ...]
    reason: str


@dataclass
class FeverPlan:
    unit: Unit
    day: date
    visits: int
    tested: int
    positive: int
    observed: int
    transferred: int
    submitted_at: datetime


@dataclass
class EventPlan:
    number: str
    report_type: str  # initial, progress, final
    outbreak: Outbreak
    initial: str  # number of the initial report ("" for the initial itself)
    discovered_at: datetime
    reported_at: datetime
    cases: list[Card]
    grade: str
    title: str
    description: str
    measures: str


@dataclass
class History:
    seed: int
    today: date
    start: date
    end: date
    cards: list[Card]  # every card, corrections after their originals
    outbreaks: list[Outbreak]
    duplicates: list[tuple[Card, Card]]
    schedules: list[SchedulePlan]
    response: tuple[date, date]  # the past response period with daily reports
    aggregates: list[AggregatePlan]
    overdue_units: list[Unit]
    fever: list[FeverPlan]
    events: list[EventPlan]

    @property
    def now(self) -> datetime:
        return midnight(self.today)

    def identity(self) -> list[tuple]:
        """(card number, disease, onset, region) of every card, sorted: what makes a card set the same."""
        return sorted((c.card_number, c.disease, c.onset.isoformat(), c.person.town) for c in self.cards)

    def counts(self) -> dict[str, dict[int, int]]:
        """Cards by disease and year of onset (initial cards, corrections not counted twice)."""
        result: dict[str, dict[int, int]] = {}
        for card in self.cards:
            if card.card_type == "initial":
                by_year = result.setdefault(card.disease, {})
                by_year[card.onset.year] = by_year.get(card.onset.year, 0) + 1
        return result


def history(seed: int, where: Places, today: date | None = None, years: int = 3,
            start: date | None = None) -> History:
    """Everything the surveillance demo step writes, for one seed and one ``today`` (pure; no database)."""
    today = today or demo_today()
    first, last = window(today, years, start)
    now = midnight(today)
    cards = background(seed, where, first, last)
    outbreaks = outbreaks_in(seed, where, first, last, today)
    for outbreak in outbreaks:
        cards.extend(outbreak_cards(seed, where, outbreak))
    cards.sort(key=lambda c: c.uid)
    cards, duplicates = _fates(seed, where, cards, now)
    _unique_ids(cards)
    _number(cards)
    response = _response_period(cards, first, last)
    monday = _week_start(first) + (timedelta(days=7) if first.weekday() else timedelta(0))
    schedules = [SchedulePlan(u, "weekly", monday, None, (), "常规零报告（周报告）") for u in where.units]
    schedules += [SchedulePlan(u, "daily", response[0], response[1], ("3500", "4000"),
                               "流感、手足口病疫情应急响应期间实行日报告") for u in where.units]
    aggregates, overdue = _aggregates(seed, where, cards, first, last, now, response)
    return History(seed, today, first, last, cards, outbreaks, duplicates, schedules, response, aggregates, overdue,
                   _fever(seed, where, first, last, now), _events(where, cards, outbreaks, now))


def _fates(seed: int, where: Places, cards: list[Card], now: datetime) -> tuple[list[Card], list]:
    """Apply review, return, correction, deletion and duplication; drop what is not reported before ``now``.
    Statuses follow services.cards: a review sets reviewed_at/by; a return or deletion by the county CDC and a
    correction by the unit set only the status change (who, when)."""
    result, duplicates = [], []
    recent = now - timedelta(days=14)
    for card in cards:
        if card.reported_at >= now:
            continue  # diagnosed, but not reported yet when the history ends
        d = card.fate_draws
        extra: list[Card] = []
        if card.fate == "duplicate":
            second = _duplicate(seed, where, card)
            if second.reported_at < now:
                extra.append(second)
                duplicates.append((card, second))
        elif card.fate == "correct":
            correction = _correction(seed, card)
            if correction.reported_at < now:
                extra.append(correction)
        _review(card, now, backlog=d[3] < 0.0008)
        if card.status == "reviewed" and card.fate == "delete":
            card.status, card.reviewed_at = "deleted", None
            card.status_reason = DELETION_REASONS[int(d[4] * len(DELETION_REASONS))]
        elif card.status == "reviewed" and not card.fate and not card.outbreak and card.reported_at >= recent \
                and d[5] < 0.05:
            card.status, card.reviewed_at = "returned", None
            card.status_reason = RETURN_REASONS[int(d[6] * len(RETURN_REASONS))]
        result.append(card)
        for other in extra:
            _review(other, now)
            if other.card_type == "correction":
                if card.reviewed_at and card.reviewed_at >= other.reported_at:
                    card.reviewed_at = None  # superseded before the review came
                card.status, card.changed_at, card.changed_by = "superseded", other.reported_at, "unit"
            result.append(other)
    return result, duplicates


def _review(card: Card, now: datetime, backlog: bool = False) -> None:
    card.reviewer_county = card.unit.county
    review = _review_time(card.fate_draws[1], card.fate_draws[2], card.reported_at)
    if review < now and not backlog:
        card.status, card.reviewed_at, card.changed_at, card.changed_by = "reviewed", review, review, "cdc"


def _duplicate(seed: int, where: Places, card: Card) -> Card:
    """The same case reported again by another unit a day or three later (the patient went elsewhere)."""
    rng = stream(seed, f"duplicate:{card.uid}")
    profile = PROFILE[card.disease]
    age = (card.onset - card.person.birth).days / 365.25
    unit = card.unit
    for _ in range(6):
        unit = _choose_unit(rng, where, card.person.town, profile.group, age < 14)
        if unit.key != card.unit.key:
            break
    diagnosed = _diagnosis_time(rng, card.diagnosed_at.date() + timedelta(days=rng.randint(1, 3)))
    second = Card(f"{card.uid}/duplicate", card.disease, card.person, card.onset, diagnosed,
                  diagnosed + _report_delay(rng, unit), unit, rng.choice(unit.doctors), card.classification,
                  card.acuteness, card.notes)
    second.origin = "same_county" if unit.county == card.person.county else "other_county"
    second.fate_draws = tuple(rng.random() for _ in range(8))
    return second


def _correction(seed: int, card: Card) -> Card:
    """A correction card (订正报告): the diagnosis confirmed or changed, or a death; the original is superseded."""
    rng = stream(seed, f"correction:{card.uid}")
    profile = PROFILE[card.disease]
    how = rng.choice(profile.correctable)
    age = (card.onset - card.person.birth).days / 365.25
    if how == "death" and age < 60:
        how = "confirm"
    disease, classification, death, note = card.disease, "confirmed", None, ""
    diagnosed = card.diagnosed_at + timedelta(days=rng.randint(1, 5), minutes=rng.randrange(-180, 180))
    if how == "confirm":
        if card.classification == "confirmed":
            card.classification = "suspected"
        note = "订正：实验室检测阳性，由疑似/临床诊断订正为确诊病例"
    elif how.startswith("disease:"):
        disease = how.split(":")[1]
        note = f"订正病名：粪便培养检出志贺菌，由“{DISEASE_NAMES.get(card.disease, card.disease)}”订正为细菌性痢疾"
    else:  # death
        classification = card.classification
        death = card.diagnosed_at.date() + timedelta(days=rng.randint(5, 60))
        diagnosed = card.diagnosed_at
        note = "死亡订正：患者因本病死亡"
    reported = (datetime.combine(death, time(9), tzinfo=TZ) + timedelta(minutes=rng.randrange(600)) if death
                else diagnosed + _report_delay(rng, card.unit))
    reported = max(reported, card.reported_at + timedelta(hours=2))
    correction = Card(f"{card.uid}/correction", disease, card.person, card.onset, diagnosed, reported, card.unit,
                      card.doctor, classification, card.acuteness, note, death, card.origin, "correction", card)
    correction.fate_draws = tuple(rng.random() for _ in range(8))
    return correction


def _unique_ids(cards: list[Card]) -> None:
    """Two different people never share an ID number: on a (rare) clash, the later one's sequence moves on."""
    owner: dict[str, int] = {}
    for card in sorted(cards, key=lambda c: c.uid):
        who = card.person
        while owner.setdefault(who.id_number, id(who)) != id(who):
            sequence = (int(who.id_number[14:17]) + 2 - 1) % 998 + 1
            who.id_number = id_number(who.county, who.birth, sequence)


def _number(cards: list[Card]) -> None:
    """Card numbers as services.cards hands them out: ``<unit code>-<report day>-<the unit's running number>``."""
    cards.sort(key=lambda c: (c.reported_at, c.uid))
    running: dict[tuple, int] = {}
    for card in cards:
        day = card.reported_at.astimezone(TZ).date()
        key = (card.unit.index, day)
        running[key] = running.get(key, 0) + 1
        card.card_number = f"{card.unit.code}-{day:%Y%m%d}-{running[key]:05d}"


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _response_period(cards: list[Card], first: date, last: date) -> tuple[date, date]:
    """Six weeks around the worst influenza week (ending at least a month before the history does)."""
    weekly: dict[date, int] = {}
    for card in cards:
        if card.disease == "3500":
            week = _week_start(card.onset)
            weekly[week] = weekly.get(week, 0) + 1
    limit = last - timedelta(days=50)
    candidates = [(n, w) for w, n in weekly.items() if first + timedelta(days=21) <= w <= limit]
    peak = max(candidates)[1] if candidates else first + timedelta(days=21)
    return peak - timedelta(days=21), min(peak + timedelta(days=20), last)


def _submission(rng: random.Random, due: datetime, late: bool, early_from: datetime) -> datetime:
    if late:
        return due + timedelta(minutes=5 + rng.randrange(60 * 50))
    if rng.random() < 0.75:
        return due - timedelta(minutes=5 + rng.randrange(150))
    return early_from + timedelta(minutes=rng.randrange(max(1, int((due - early_from).total_seconds() // 60) - 150)))


def _aggregates(seed: int, where: Places, cards: list[Card], first: date, last: date, now: datetime,
                response: tuple[date, date]):
    """Weekly zero reports from every unit and daily reports during the response period: about 95 % arrive, most
    on time; three units have missed the most recent reports that are already due."""
    counts: dict[tuple[str, date], dict[str, int]] = {}
    for card in cards:
        if card.card_type == "initial":
            key = (card.unit.key, card.reported_at.astimezone(TZ).date())
            day = counts.setdefault(key, {})
            day[card.disease] = day.get(card.disease, 0) + 1
    rng = stream(seed, "zero-reports")
    overdue = rng.sample(where.units, 3)
    weeks = []
    week = _week_start(first) + (timedelta(days=7) if first.weekday() else timedelta(0))
    while week + timedelta(days=6) <= last:
        due = datetime.combine(week + timedelta(days=7), time(10), tzinfo=TZ)
        if due < now:
            weeks.append((week, week + timedelta(days=6), due))
        week += timedelta(days=7)
    days = []
    day = response[0]
    while day <= response[1]:
        due = datetime.combine(day + timedelta(days=1), time(10), tzinfo=TZ)
        if due < now:
            days.append((day, day, due))
        day += timedelta(days=1)
    result = []
    for unit in where.units:
        urng = stream(seed, f"zero-reports:{unit.key}")
        for frequency, periods in (("weekly", weeks), ("daily", days)):
            for n, (period_start, period_end, due) in enumerate(periods):
                missing, late = urng.random(), urng.random()
                if missing < 0.025 * unit.late_factor:
                    continue
                if unit in overdue and frequency == "weekly" and n >= len(periods) - 1 - overdue.index(unit) % 2:
                    continue
                early = datetime.combine(period_end, time(16), tzinfo=TZ)
                submitted = _submission(urng, due, late < 0.05 * unit.late_factor, early)
                if submitted >= now:
                    continue
                lines: dict[str, int] = {}
                day = period_start
                while day <= period_end:
                    for code, count in counts.get((unit.key, day), {}).items():
                        lines[code] = lines.get(code, 0) + count
                    day += timedelta(days=1)
                if frequency == "daily":
                    lines = {code: lines.get(code, 0) for code in ("3500", "4000")}
                    if not any(lines.values()):
                        lines = {}
                note = "网络故障，延迟补报" if submitted > due and urng.random() < 0.3 else ""
                result.append(AggregatePlan(unit, frequency, period_start, period_end, submitted, due, lines, note))
    return result, overdue


def _fever(seed: int, where: Places, first: date, last: date, now: datetime) -> list[FeverPlan]:
    """Daily reports of the fever clinics (every level-2/3 hospital but the maternity one): visits follow the
    respiratory season (influenza and COVID-19 waves), tested ⊆ visits, positive ⊆ tested."""
    flu, covid = PROFILE["3500"], PROFILE["Y001"]
    clinics = [u for u in where.units if u.kind == "hospital" and u.level in ("2", "3")
               and u.key != "hospital.maternal"]
    base = {"hospital.children": 110, "hospital.infectious": 70, "hospital.tcm": 25, "990121.tcm": 18}
    result = []
    intensity: dict[date, tuple[float, float]] = {}
    for unit in clinics:
        mean = base.get(unit.key, 90 if unit.level == "3" else 40)
        for y, m in months(first, last):
            rng = stream(seed, f"fever:{unit.key}:{y}-{m:02d}")
            test_rate = 0.5 + 0.3 * rng.random()
            day = date(y, m, 1)
            while day.month == m:
                if day not in intensity:
                    scale = where.population(day.year) / REFERENCE_POPULATION
                    f = _day_rate(flu, day, seed, where) / (flu.per_year / 365.25 * scale)
                    c = _day_rate(covid, day, seed, where) / (covid.per_year / 365.25 * scale)
                    intensity[day] = (f, c)
                f, c = intensity[day]
                respiratory = 0.55 + 0.3 * f + 0.15 * c
                visits = poisson(rng, mean * respiratory * WEEKDAY_VISITS[day.weekday()])
                tested = binomial(rng, visits, test_rate)
                positive = binomial(rng, tested, min(0.6, 0.04 + 0.3 * (0.3 * f + 0.15 * c) / respiratory))
                observed = binomial(rng, visits, 0.03)
                transferred = binomial(rng, observed, 0.2)
                missing, evening = rng.random(), rng.random()
                if evening < 0.2:
                    submitted = datetime.combine(day, time(18), tzinfo=TZ) + timedelta(minutes=rng.randrange(330))
                else:
                    submitted = datetime.combine(day + timedelta(days=1), time(7, 30), tzinfo=TZ) + timedelta(
                        minutes=rng.randrange(120))
                if first <= day <= last and missing >= 0.015 and submitted < now:
                    result.append(FeverPlan(unit, day, visits, tested, positive, observed, transferred, submitted))
                day += timedelta(days=1)
    return result


def _events(where: Places, cards: list[Card], outbreaks: list[Outbreak], now: datetime) -> list[EventPlan]:
    """Initial, progress and final reports for two finished outbreaks (preferably the latest kindergarten HFMD and
    school diarrhoea ones); the second one's initial report came in late (over 2 hours after discovery)."""
    finished = [o for o in outbreaks if not o.current and midnight(o.end + timedelta(days=22)) < now]
    chosen = []
    for prefix in ("hfmd-kindergarten", "diarrhoea-school"):
        matching = [o for o in finished if o.key.startswith(prefix)]
        if matching:
            chosen.append(matching[-1])
    for o in reversed(finished):
        if len(chosen) >= 2:
            break
        if o not in chosen:
            chosen.append(o)
    by_outbreak: dict[str, list[Card]] = {}
    for card in cards:
        if card.outbreak:
            by_outbreak.setdefault(card.outbreak, []).append(card)
    rules = {"E26": 10, "E20": 20, "E21": 10, "E22": 10, "E09": 10, "E12": 5}
    events = []
    for i, outbreak in enumerate(chosen):
        own = sorted(by_outbreak.get(outbreak.key, []), key=lambda c: c.reported_at)
        if not own:
            continue
        threshold = min(rules.get(outbreak.rule, 5), len(own))
        discovered = own[threshold - 1].reported_at + timedelta(minutes=30)
        late = i == 1
        initial_at = discovered + (timedelta(hours=5, minutes=25) if late else timedelta(minutes=70))
        progress_at = datetime.combine(discovered.date() + timedelta(days=2), time(16), tzinfo=TZ)
        final_at = datetime.combine(outbreak.end + timedelta(days=21), time(10), tzinfo=TZ)
        number = f"SFE{outbreak.county_code}{discovered:%Y%m%d}{i + 1:02d}"
        disease = DISEASE_NAMES.get(outbreak.disease_code, "")
        place = outbreak.work_unit or where.regions.town(outbreak.town_code).name
        measures = MEASURES.get(outbreak.disease_code, "已开展流行病学调查、病例搜索和消毒，落实晨午检和因病缺勤追踪。")

        def upto(moment, own=own):
            return [c for c in own if c.reported_at <= moment]

        for report_type, at, grade, suffix in (("initial", initial_at, "ungraded", ""),
                                               ("progress", progress_at, "ungraded", "-J1"),
                                               ("final", final_at, "not_emergency", "-Z")):
            known = upto(at)
            if report_type == "initial":
                text = (f"{discovered:%m月%d日}，{place}累计报告{disease}病例{len(known)}例，首例发病日期"
                        f"{outbreak.start:%m月%d日}，主要症状为{SYMPTOMS[outbreak.disease_code]}，无重症和死亡病例。")
            elif report_type == "progress":
                text = (f"截至{at:%m月%d日%H时}，累计报告病例{len(known)}例，近24小时新增"
                        f"{len(known) - len(upto(at - timedelta(days=1)))}例；病例均为轻症，已采集标本送检。")
            else:
                text = (f"本起疫情共报告病例{len(known)}例，无死亡；末例病例发病日期{outbreak.end:%m月%d日}，"
                        "此后经两个最长潜伏期未发现新病例，疫情结束。")
            events.append(EventPlan(number + suffix, report_type, outbreak, "" if not suffix else number, discovered,
                                    at, known, grade, outbreak.title, text,
                                    measures if report_type != "final" else "已落实各项防控措施，建议加强晨午检和健康教育。"))
    return events
