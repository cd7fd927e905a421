"""The five registry modules by name, in REGISTRIES order."""

from . import labour_exchange, migration_police, offences, quota, ulcrs
from .base import REGISTRIES

MODULES = {m.NAME: m for m in (labour_exchange, ulcrs, migration_police, quota, offences)}
assert tuple(MODULES) == REGISTRIES
