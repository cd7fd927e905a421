"""Gathering's clock: when each registry's provenance says it was read (docs/mutation.md found these unchecked).

`gather` reads the clock once; a source read in line stamps every answer, and every failure, with that
reading; a source read on threads stamps its own."""
import importlib
import itertools
import re

import pytest

from adapters import FixtureSource, Query, RegistryUnavailable, Source, gather

QUERY = Query(employer_bin="150540000106", vacancy_code="4012345", passports=("N1234567",), region="ALMATY",
              year=2025, quota_category="3")
# adapters.gather, the module (the package exports the function `gather` under the same name)
gather_module = importlib.import_module("adapters.gather")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture
def ticking(monkeypatch):
    """gather's clock: each reading a second later than the one before, from 10:00:00."""
    seconds = itertools.count()
    monkeypatch.setattr(gather_module, "utc_now", lambda: f"2025-09-20T10:00:{next(seconds):02d}.000Z")


class InLine(Source):
    """A source read in line: it stamps what it answers with the time it is given."""

    name = "inline-test"
    concurrent = False

    def fetch(self, registry, query):
        raise AssertionError("a source read in line is asked with gather's one clock reading")

    def fetch_at(self, registry, query, now):
        if registry == "offences":
            raise RegistryUnavailable(registry, "answered HTTP 503", status=503)
        if registry == "ulcrs":
            raise KeyError("contracts")   # an adapter's own mistake
        return {"asked": registry, "employer": query.employer_bin}, {"source": self.name, "fetched_at": now}


def test_a_source_read_in_line_stamps_answers_and_failures_with_one_clock_reading(ticking):
    gathered = gather(InLine(), {"labour_exchange", "quota", "ulcrs", "offences"}, QUERY, inline={"labour_exchange": {"vacancy": None}})
    first = "2025-09-20T10:00:00.000Z"
    assert gathered.data == {"labour_exchange": {"vacancy": None},
                             "quota": {"asked": "quota", "employer": "150540000106"}}
    assert gathered.provenance == {
        "labour_exchange": {"source": "request", "fetched_at": first},
        "ulcrs": {"source": "inline-test", "fetched_at": first, "reason": "could not be read (KeyError)"},
        "quota": {"source": "inline-test", "fetched_at": first},
        "offences": {"source": "inline-test", "fetched_at": first, "reason": "answered HTTP 503", "status": 503},
    }
    assert gathered.missing == ["ulcrs", "offences"]


def test_inline_registries_are_stamped_when_gathered():
    gathered = gather(FixtureSource(), {"quota", "offences"}, QUERY, inline={"quota": {"remaining": 3}})
    assert set(gathered.provenance["quota"]) == {"source", "fetched_at"}
    assert gathered.provenance["quota"]["source"] == "request"
    assert TIMESTAMP.fullmatch(gathered.provenance["quota"]["fetched_at"])
    assert gathered.provenance["offences"]["fetched_at"] == gathered.provenance["quota"]["fetched_at"]


class Threaded(FixtureSource):
    """Fixtures read on worker threads, as a remote source is: each read stamps its own time."""

    concurrent = True


def test_a_source_read_on_threads_stamps_its_own_time():
    gathered = gather(Threaded(), {"quota", "ulcrs"}, QUERY)
    assert gathered.missing == []
    for name in ("quota", "ulcrs"):
        assert gathered.provenance[name]["source"] == "fixtures"
        assert TIMESTAMP.fullmatch(gathered.provenance[name]["fetched_at"])


def test_an_adapters_own_mistake_is_logged_with_the_registry_named(ticking, caplog):
    gather(InLine(), {"ulcrs"}, QUERY)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [("ERROR", "reading ulcrs failed")]
    assert caplog.records[0].exc_info[0] is KeyError
