"""Registry facts read from the JSON files in fixtures/registries/."""

import json
import threading
import time
from pathlib import Path

from adapters.base import RegistryUnavailable, Source, utc_now
from adapters.registries import MODULES
from adapters.records import RECORDS, fit

RECHECK_S = 1.0
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "registries"


class FixtureSource(Source):
    """Reads `<dir>/<registry>.json`, each `{"<table>": [records]}`.

    Every file is checked against the registry's record schema when it is first read
    and again whenever it changes on disk, so editing a fixture needs no restart.
    """

    name = "fixtures"
    concurrent = False

    def __init__(self, directory=None):
        self.directory = Path(directory or DEFAULT_DIR)
        self._tables = {}  # registry -> (file stamp, checked records)
        self._lock = threading.Lock()

    def fetch(self, registry, query):
        fetched_at = utc_now()
        data = MODULES[registry].from_fixtures(self.records(registry), query)
        # The records are cached: a caller that edits its facts must not edit them.
        return _copy(data), {"source": self.name, "fetched_at": fetched_at}

    def records(self, registry):
        """All checked records of one registry's fixture file."""
        path = self.directory / f"{registry}.json"
        now = time.monotonic()
        with self._lock:
            cached = self._tables.get(registry)
        # Looking at the file on every fetch cost more than the ruling's own work:
        # a change is noticed within RECHECK_S seconds instead.
        if cached and now - cached[2] < RECHECK_S:
            return cached[1]
        try:
            stat = path.stat()
        except OSError as err:
            raise RegistryUnavailable(registry, f"cannot read {path.name}: {err.strerror}") from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if cached and cached[0] == stamp:
            records = cached[1]
        else:
            records = self._load(registry, path)
        with self._lock:
            self._tables[registry] = (stamp, records, now)
        return records

    def _load(self, registry, path):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as err:  # RecursionError: absurd nesting
            raise RegistryUnavailable(registry, f"cannot read {path.name}: {err}") from None
        table = MODULES[registry].TABLE
        if not isinstance(document, dict) or not isinstance(document.get(table), list):
            raise RegistryUnavailable(registry, f"{path.name} has no list {table!r}")
        return fit(registry, RECORDS[registry], document[table], what=path.name, many=True)



def _copy(value):
    """A copy of JSON-shaped data (dicts, lists, scalars); copy.deepcopy is many times slower."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
