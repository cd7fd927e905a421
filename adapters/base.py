"""What every registry source shares: the registry names, the question, the one error."""

from dataclasses import dataclass
from datetime import datetime, timezone

REGISTRIES = ("labour_exchange", "ulcrs", "migration_police", "quota", "offences")


class RegistryUnavailable(Exception):
    """A registry could not be read: down, slow, or its answer did not fit.

    `provenance` carries what is known about the failed read (url, status) so the
    ruling can show why the registry is missing.
    """

    def __init__(self, registry, reason, **provenance):
        super().__init__(f"{registry}: {reason}")
        self.registry = registry
        self.reason = reason
        self.provenance = provenance


@dataclass(frozen=True)
class Query:
    """What one ruling asks the registries about."""

    employer_bin: str
    vacancy_code: str | None
    passports: tuple[str, ...]
    region: str
    year: int
    quota_category: str


class Source:
    """Where fetched registry facts come from (fixtures or HTTP)."""

    name = "source"
    # Whether gather should read registries on worker threads under a deadline;
    # local files answer at once, so a fixture source reads them in line.
    concurrent = True
    deadline_s = 10.0

    def fetch(self, registry, query):
        """Return (data, provenance) or raise RegistryUnavailable."""
        raise NotImplementedError

    def fetch_at(self, registry, query, now):
        """`fetch`, for a caller that has read the clock once for all its registries (`now`, as
        utc_now writes it): a source that answers at once may stamp its answer with it."""
        return self.fetch(registry, query)


def utc_now():
    """The current time as the contract writes timestamps: ISO 8601 UTC with Z."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
