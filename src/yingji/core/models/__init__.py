from .idempotency import IdempotencyRecord
from .organisation import Organisation
from .region import Region, RegionPopulation
from .token import ApiToken
from .user import User

__all__ = ["ApiToken", "IdempotencyRecord", "Organisation", "Region", "RegionPopulation", "User"]
