"""The regions of 示范市 and their resident population, 2023–2026.

The demo lives under province code **990000 示范省**. GB/T 2260 assigns no province a code beginning with 99
(real codes run from 11 北京 to 82 澳门), so no demo region can ever be mistaken for, or collide with, a real
division imported later. Everything below 99 belongs to the demo: ``--reset`` removes the whole subtree.

Layout: prefecture-level city 990100 示范市 with five districts (990102–990106, streets 街道 numbered 001…)
and one county (990121 青溪县: its seat 城关镇 and other towns 镇 numbered 100…, townships 乡 numbered 200…),
as GB/T 2260 and the statistical division codes number them. Town names, town populations and growth rates are
drawn from the seed; the districts and their rough sizes are fixed so the city always looks the same.
"""

from dataclasses import dataclass, field

from django.db import transaction

from yingji.core import services
from yingji.core.models import Region, RegionPopulation

from . import names
from .context import DemoContext

PROVINCE_CODE, PROVINCE_NAME = "990000", "示范省"
CITY_CODE, CITY_NAME = "990100", "示范市"
DEMO_PREFIX = "99"
YEARS = (2023, 2024, 2025, 2026)
CITY_CENTRE = (118.62, 32.12)  # a fictional spot: the demo map is drawn around it


@dataclass(frozen=True)
class DistrictSpec:
    code: str
    name: str
    towns: int
    population: int  # rough 2023 resident population; the seed varies it by a few per cent
    centre: tuple[float, float]
    growth: float  # mean yearly growth rate
    spread: float = 0.05  # how far (degrees) its towns lie from its centre

    @property
    def is_county(self) -> bool:
        return self.name.endswith("县")

    @property
    def short(self) -> str:
        return self.name[:-1]


DISTRICTS = (
    DistrictSpec("990102", "明湖区", 14, 610_000, (118.61, 32.09), 0.003, 0.035),  # old town centre
    DistrictSpec("990103", "钟楼区", 13, 540_000, (118.69, 32.12), 0.005, 0.04),
    DistrictSpec("990104", "临江区", 12, 470_000, (118.53, 32.04), 0.009),
    DistrictSpec("990105", "新港区", 12, 440_000, (118.80, 32.17), 0.016, 0.06),  # new port district, growing
    DistrictSpec("990106", "云台区", 11, 410_000, (118.65, 32.23), 0.011),
    DistrictSpec("990121", "青溪县", 18, 530_000, (118.42, 32.31), -0.004, 0.14),  # rural county, slowly shrinking
)
COUNTY_TOWNSHIPS = 5  # of the county's towns, how many are 乡 rather than 镇


@dataclass
class TownPlan:
    code: str
    name: str
    district: str  # code
    centre: tuple[float, float]
    population: dict[int, int] = field(default_factory=dict)  # year → people


@dataclass
class RegionPlan:
    towns: list[TownPlan]
    population: dict[str, dict[int, int]]  # every region code → year → people (towns sum to districts …)

    def towns_of(self, district_code: str) -> list[TownPlan]:
        return [t for t in self.towns if t.district == district_code]

    def town(self, code: str) -> TownPlan:
        return next(t for t in self.towns if t.code == code)


def district(code: str) -> DistrictSpec:
    return next(d for d in DISTRICTS if d.code == code)


def _split(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to ``weights`` that add up to exactly ``total`` (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _town_names(rng, spec: DistrictSpec, street_pool: list[str], town_pool: list[str]) -> list[tuple[str, str]]:
    if not spec.is_county:
        return [(f"{spec.code}{i:03d}", f"{street_pool.pop()}街道") for i in range(1, spec.towns + 1)]
    towns = spec.towns - COUNTY_TOWNSHIPS
    result = [(f"{spec.code}100", "城关镇")]
    result += [(f"{spec.code}{100 + i}", f"{town_pool.pop()}镇") for i in range(1, towns)]
    result += [(f"{spec.code}{200 + i}", f"{town_pool.pop()}乡") for i in range(COUNTY_TOWNSHIPS)]
    return result


def plan(seed_rng) -> RegionPlan:
    """The regions and populations for one seed, computed without touching the database."""
    rng = seed_rng
    street_pool = list(names.STREET_STEMS)
    town_pool = list(names.TOWN_STEMS)
    rng.shuffle(street_pool)
    rng.shuffle(town_pool)
    towns: list[TownPlan] = []
    population: dict[str, dict[int, int]] = {}
    for spec in DISTRICTS:
        base = round(spec.population * rng.uniform(0.97, 1.03))
        named = _town_names(rng, spec, street_pool, town_pool)
        # The county seat and the old-town streets are the most populous; others vary.
        weights = [rng.uniform(0.5, 1.5) * (2.2 if spec.is_county and i == 0 else 1.0) for i in range(len(named))]
        first_year = _split(base, weights)
        lon0, lat0 = spec.centre
        for (code, name), people in zip(named, first_year, strict=True):
            centre = (round(lon0 + rng.uniform(-spec.spread, spec.spread), 5),
                      round(lat0 + rng.uniform(-spec.spread, spec.spread) * 0.8, 5))
            town = TownPlan(code, name, spec.code, centre, {YEARS[0]: people})
            growth = spec.growth + rng.gauss(0, 0.004)
            for year in YEARS[1:]:
                town.population[year] = round(town.population[year - 1] * (1 + growth + rng.gauss(0, 0.002)))
            towns.append(town)
            population[code] = town.population
        population[spec.code] = {y: sum(t.population[y] for t in towns if t.district == spec.code) for y in YEARS}
    population[CITY_CODE] = {y: sum(population[d.code][y] for d in DISTRICTS) for y in YEARS}
    population[PROVINCE_CODE] = dict(population[CITY_CODE])  # the demo province holds only the demo city
    return RegionPlan(towns=towns, population=population)


def _save_region(actor, code: str, name: str, parent: str | None) -> Region:
    instance = Region.objects.filter(pk=code).first()
    if instance is not None and instance.name == name and instance.parent_id == parent:
        return instance  # unchanged: nothing to validate, nothing to audit
    return services.save_region(actor, {"code": code, "name": name, "parent": parent or ""}, instance=instance)


def build(ctx: DemoContext) -> None:
    region_plan = plan(ctx.rng("regions"))
    ctx.plan["regions"] = region_plan
    rows = [(PROVINCE_CODE, PROVINCE_NAME, None), (CITY_CODE, CITY_NAME, PROVINCE_CODE)]
    rows += [(d.code, d.name, CITY_CODE) for d in DISTRICTS]
    rows += [(t.code, t.name, t.district) for t in region_plan.towns]
    advance = ctx.track("regions", "行政区划 Regions", len(rows))
    for code, name, parent in rows:
        ctx.regions[code] = _save_region(ctx.actor, code, name, parent)
        advance()

    existing = {
        (p.region_id, p.year): p.population
        for p in RegionPopulation.objects.filter(region__code__startswith=DEMO_PREFIX)
    }
    figures = [(code, year, people) for code, years in region_plan.population.items() for year, people in years.items()]
    advance = ctx.track("population", "常住人口 Population", len(figures))
    for code, year, people in figures:
        if existing.get((code, year)) != people:
            services.save_population(ctx.actor, {"region": code, "year": year, "population": people})
        advance()
    # Figures for other years (left by an earlier build or typed in by hand) would break the sums: drop them.
    RegionPopulation.objects.filter(region__code__startswith=DEMO_PREFIX).exclude(year__in=YEARS).delete()


def reset(ctx: DemoContext) -> None:
    """Remove every region under 99 and its population figures, deepest level first."""
    with transaction.atomic(), services.acting_as(ctx.actor):
        for population in RegionPopulation.objects.filter(region__code__startswith=DEMO_PREFIX):
            population.delete()
        for level in (4, 3, 2, 1):
            for region in Region.objects.filter(pk__startswith=DEMO_PREFIX, level=level):
                region.delete()
