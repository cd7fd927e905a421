"""The five registry modules by name, in REGISTRIES order."""

import adapters.labour_exchange as labour_exchange
import adapters.migration_police as migration_police
import adapters.offences as offences
import adapters.quota as quota
import adapters.ulcrs as ulcrs
from adapters.base import REGISTRIES

MODULES = {m.NAME: m for m in (labour_exchange, ulcrs, migration_police, quota, offences)}
if tuple(MODULES) != REGISTRIES:   # a registry module added without its name in REGISTRIES, or renamed
    raise ImportError(f"registry modules {tuple(MODULES)} do not match REGISTRIES {REGISTRIES}")
