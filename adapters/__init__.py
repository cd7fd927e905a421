"""Registry clients: the facts a ruling needs from the five state registries.

`gather` reads them for one ruling from a `Source` (fixture files or the HTTP
gateway, chosen by `source_from_env`); any failure is reported, never raised.
"""

from adapters.base import REGISTRIES, Query, RegistryUnavailable, Source
from adapters.sources.environment import source_from_env
from adapters.sources.fixtures import FixtureSource
from adapters.gather import Gathered, gather
from adapters.sources.http import HttpSource
from adapters.records import validate_inline

__all__ = [
    "REGISTRIES",
    "FixtureSource",
    "Gathered",
    "HttpSource",
    "Query",
    "RegistryUnavailable",
    "Source",
    "gather",
    "source_from_env",
    "validate_inline",
]
