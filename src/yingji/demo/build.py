"""Build the demo city 示范市: ``build(seed)`` runs the registered steps in order inside one transaction.

A step is a pair of functions: ``build(ctx)`` creates or updates its records (idempotently: a second run with
the same seed changes nothing) and ``reset(ctx)`` deletes them. Later modules add their own steps with
:func:`register`, e.g. diseases after organisations, cases after diseases::

    from yingji.demo.build import Step, register
    register(Step("diseases", diseases.build, diseases.reset))

``reset`` runs the steps' resets in reverse order, so records that refer to organisations are gone before the
organisations are. Each step draws from its own random stream (``ctx.rng(name)``), so a new step never changes
what the existing steps produce.
"""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from yingji.core import services
from yingji.core.models import Organisation, Region, RegionPopulation, User

from . import detection, organisations, regions, response, surveillance, users
from .context import DEFAULT_SEED, DemoContext, ProgressSink


@dataclass(frozen=True)
class Step:
    name: str
    build: Callable[[DemoContext], None]
    reset: Callable[[DemoContext], None] | None = None


STEPS: list[Step] = [
    Step("regions", regions.build, regions.reset),
    Step("organisations", organisations.build, organisations.reset),
    Step("users", users.build, users.reset),
    Step(surveillance.STEP, surveillance.build, surveillance.reset),
    Step(detection.STEP, detection.build, detection.reset),
    Step(response.STEP, response.build, response.reset),
]


def register(step: Step, *, after: str | None = None) -> None:
    """Add a step (at the end, or right after the step named ``after``); registering a name twice replaces it."""
    names = [s.name for s in STEPS]
    if step.name in names:
        STEPS[names.index(step.name)] = step
        return
    STEPS.insert(names.index(after) + 1 if after else len(STEPS), step)


@dataclass
class Summary:
    seed: int
    seconds: float
    regions: dict = field(default_factory=dict)  # level (1 province … 4 street/town) → count
    population: dict = field(default_factory=dict)  # year → people in the city
    organisations: dict = field(default_factory=dict)  # kind → count
    users: int = 0
    cards: dict = field(default_factory=dict)  # disease code → case report cards of the demo city


def reset(ctx: DemoContext | None = None) -> None:
    """Delete the demo city (everything under region code 99), in reverse step order."""
    ctx = ctx or DemoContext()
    with transaction.atomic():
        if ctx.actor is None:
            users.ensure_actor(ctx)
        for step in reversed(STEPS):
            if step.reset is not None:
                step.reset(ctx)


def build(seed: int = DEFAULT_SEED, *, reset_first: bool = False, progress: ProgressSink | None = None,
          options: dict | None = None) -> Summary:
    """Create or update the demo city for ``seed``; with ``reset_first``, delete the old demo city first.
    ``options`` maps a step name to its options (e.g. ``{"surveillance": {"today": date(2026, 3, 1)}}``)."""
    started = time.perf_counter()
    ctx = DemoContext(seed=seed, progress=progress or ProgressSink(), options=dict(options or {}))
    with transaction.atomic():
        users.ensure_actor(ctx)
        if reset_first:
            reset(ctx)
        with services.acting_as(ctx.actor):
            for step in STEPS:
                step.build(ctx)
    return summarise(seed, time.perf_counter() - started)


def summarise(seed: int, seconds: float) -> Summary:
    prefix = regions.DEMO_PREFIX
    by_level = Counter(Region.objects.filter(pk__startswith=prefix).values_list("level", flat=True))
    city_population = dict(
        RegionPopulation.objects.filter(region_id=regions.CITY_CODE).values_list("year", "population")
    )
    kinds = Counter(Organisation.objects.filter(region__code__startswith=prefix).values_list("kind", flat=True))
    return Summary(
        seed=seed, seconds=seconds,
        regions=dict(sorted(by_level.items())),
        population=dict(sorted(city_population.items())),
        organisations=dict(sorted(kinds.items())),
        users=User.objects.filter(username__in=users.USERNAMES, organisation__isnull=False).count(),
        cards=dict(sorted(Counter(surveillance.demo_cards().values_list("disease__code", flat=True)).items())),
    )
