"""What the demo build steps share: the seed, a random stream per step, the acting user and progress reporting."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_SEED = 2026


class ProgressSink:
    """Receives progress from the build steps. The CLI draws rich progress bars; the default draws nothing."""

    def start(self, key: str, description: str, total: int) -> None:
        """A step with ``total`` units of work begins."""

    def advance(self, key: str, amount: int = 1) -> None:
        """``amount`` more units of ``key`` are done."""


@dataclass
class DemoContext:
    seed: int = DEFAULT_SEED
    actor: object = None  # the user the audit trail names for everything the build writes
    progress: ProgressSink = field(default_factory=ProgressSink)
    # Filled by the steps, for the steps after them (and for tests): keyed by region code / organisation key.
    regions: dict = field(default_factory=dict)
    organisations: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    plan: dict = field(default_factory=dict)  # step name → the pure plan that step applied
    options: dict = field(default_factory=dict)  # step name → its options, e.g. {"surveillance": {"years": 1}}

    def rng(self, step: str) -> random.Random:
        """An independent random stream for one step, so adding a step never changes what the others draw."""
        return random.Random(f"yingji-demo:{self.seed}:{step}")

    def track(self, key: str, description: str, total: int) -> Callable[[int], None]:
        """Start a progress line and return its ``advance(n=1)`` callback."""
        self.progress.start(key, description, total)
        return lambda amount=1: self.progress.advance(key, amount)
