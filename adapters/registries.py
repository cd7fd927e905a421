"""The five registry modules by name, in REGISTRIES order."""

from adapters import labour_exchange, migration_police, offences, quota, ulcrs
from adapters.base import REGISTRIES

MODULES = {m.NAME: m for m in (labour_exchange, ulcrs, migration_police, quota, offences)}
if tuple(MODULES) != REGISTRIES:   # a registry module added without its name in REGISTRIES, or renamed
    raise ImportError(f"registry modules {tuple(MODULES)} do not match REGISTRIES {REGISTRIES}")
