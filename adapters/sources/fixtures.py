"""Registry facts read from the JSON files in fixtures/registries/."""

import json
import threading
import time
from pathlib import Path

import msgspec

from adapters.base import RegistryUnavailable, Source, utc_now
from adapters.registries import MODULES
from adapters.records import RECORDS, fit

RECHECK_S = 1.0
MAX_ANSWERS = 4096
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode
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
        self._tables = {}  # registry -> (file stamp, checked records, when checked); read without the lock
        self._answers = {}  # (registry, query) -> (the records it was found in, the answer as JSON)
        self._lock = threading.Lock()

    def fetch(self, registry, query):
        return self.fetch_at(registry, query, utc_now())

    def fetch_at(self, registry, query, now):
        records = self.records(registry)
        # The same questions recur (one employer, the same passports): each answer is kept as
        # JSON per table read, and decoded afresh for every caller, who may edit its facts.
        key = (registry, query)
        kept = self._answers.get(key)
        if kept is None or kept[0] is not records:
            if len(self._answers) >= MAX_ANSWERS:
                self._answers.clear()
            kept = self._answers[key] = (records, _encode(MODULES[registry].from_fixtures(records, query)))
        return _decode(kept[1]), {"source": self.name, "fetched_at": now}

    def records(self, registry):
        """All checked records of one registry's fixture file."""
        now = time.monotonic()
        cached = self._tables.get(registry)
        # Looking at the file on every fetch cost more than the ruling's own work:
        # a change is noticed within RECHECK_S seconds instead.
        if cached and now - cached[2] < RECHECK_S:
            return cached[1]
        path = self.directory / f"{registry}.json"
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
