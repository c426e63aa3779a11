from .idempotency import IdempotencyRecord
from .notification import Notification
from .organisation import Organisation
from .region import Region, RegionPopulation
from .token import ApiToken
from .user import User

__all__ = ["ApiToken", "IdempotencyRecord", "Notification", "Organisation", "Region", "RegionPopulation", "User"]
