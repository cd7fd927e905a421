"""The five registry modules by name, in REGISTRIES order."""

from adapters import labour_exchange, migration_police, offences, quota, ulcrs
from adapters.base import REGISTRIES

MODULES = {m.NAME: m for m in (labour_exchange, ulcrs, migration_police, quota, offences)}
assert tuple(MODULES) == REGISTRIES
