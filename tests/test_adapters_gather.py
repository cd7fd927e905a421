"""Gathering one ruling's registries: inline, recorded, fetched, or missing."""

import re
import threading
import time

import pytest

from adapters import (
    REGISTRIES, FixtureSource, HttpSource, Query, RegistryUnavailable, Source, gather,
    source_from_env,
)

QUERY = Query(
    employer_bin="150540000106",
    vacancy_code="4012345",
    passports=("N1234567", "P5550001"),
    region="ALMATY",
    year=2025,
    quota_category="3",
)
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


class Scripted(Source):
    """A remote-like source whose registries answer, fail or stall as told."""

    name = "http"

    def __init__(self, delays=None, failing=(), deadline_s=5.0):
        self.delays = delays or {}
        self.failing = set(failing)
        self.deadline_s = deadline_s
        self.asked = []
        self._lock = threading.Lock()

    def fetch(self, registry, query):
        with self._lock:
            self.asked.append(registry)
        time.sleep(self.delays.get(registry, 0))
        if registry in self.failing:
            raise RegistryUnavailable(registry, "answered HTTP 503", url="http://x/" + registry, status=503)
        return {"asked": registry}, {"source": "http", "fetched_at": "2025-09-20T10:00:00Z"}


def test_fixtures_give_every_registry_with_provenance():
    gathered = gather(FixtureSource(), REGISTRIES, QUERY)
    assert gathered.missing == []
    assert list(gathered.data) == list(REGISTRIES)
    assert gathered.data["quota"]["remaining"] == 12
    for provenance in gathered.provenance.values():
        assert provenance["source"] == "fixtures"
        assert TIMESTAMP.fullmatch(provenance["fetched_at"])


def test_only_the_needed_registries_are_read():
    source = Scripted()
    gathered = gather(source, {"quota", "ulcrs"}, QUERY)
    assert sorted(source.asked) == ["quota", "ulcrs"]
    assert list(gathered.data) == ["ulcrs", "quota"]


def test_unknown_registry_names_are_a_programming_error():
    with pytest.raises(ValueError, match="tax"):
        gather(Scripted(), {"tax"}, QUERY)


def test_inline_registries_are_used_as_given_and_not_fetched():
    source = Scripted()
    inline = {"offences": {"records": []}, "quota": {"remaining": 2}}
    gathered = gather(source, REGISTRIES, QUERY, inline=inline)
    assert "offences" not in source.asked and "quota" not in source.asked
    assert gathered.data["offences"] == {"records": []}
    # Only what remains was given; the rest of the quota is what the ruling asked.
    assert gathered.data["quota"] == {"region": "ALMATY", "year": 2025, "category": "3", "remaining": 2}
    assert gathered.provenance["quota"]["source"] == "request"


def test_recorded_registries_are_never_refetched_and_missing_ones_stay_missing():
    source = Scripted()
    recorded = {
        "ulcrs": {"source": "http", "fetched_at": "2025-09-20T10:00:00Z", "data": {"contracts": []}},
        "quota": {"source": "http", "fetched_at": "2025-09-20T10:00:00Z", "reason": "answered HTTP 503"},
    }
    gathered = gather(source, {"ulcrs", "quota", "offences"}, QUERY, recorded=recorded)
    assert source.asked == ["offences"]
    assert gathered.data["ulcrs"] == {"contracts": []}
    assert gathered.missing == ["quota"]
    assert gathered.provenance["quota"]["reason"] == "answered HTTP 503"


def test_a_gathered_record_replays_to_the_same_facts():
    first = gather(Scripted(failing={"quota"}), REGISTRIES, QUERY)
    untouched = Scripted()
    again = gather(untouched, REGISTRIES, QUERY, recorded=first.record())
    assert untouched.asked == []
    assert (again.data, again.provenance, again.missing) == (first.data, first.provenance, first.missing)
    assert "data" not in first.record()["quota"]


def test_failures_are_listed_in_registry_order_with_their_reason():
    gathered = gather(Scripted(failing={"offences", "labour_exchange"}), REGISTRIES, QUERY)
    assert gathered.missing == ["labour_exchange", "offences"]
    assert gathered.provenance["offences"] == {
        "source": "http", "fetched_at": gathered.provenance["offences"]["fetched_at"],
        "reason": "answered HTTP 503", "url": "http://x/offences", "status": 503,
    }


class Broken(Scripted):
    """A source whose offences adapter fails in a way no registry failure is meant to."""

    def fetch(self, registry, query):
        if registry == "offences":
            raise RecursionError("maximum recursion depth exceeded")
        return super().fetch(registry, query)


def test_an_adapter_that_breaks_makes_its_registry_missing_not_the_ruling_fail(caplog):
    gathered = gather(Broken(), REGISTRIES, QUERY)
    assert gathered.missing == ["offences"]
    assert gathered.provenance["offences"]["reason"] == "could not be read (RecursionError)"
    assert "reading offences failed" in caplog.text


class Meeting(Scripted):
    """Every registry's fetch waits until all of them are in flight at once (read one after
    another, the first would wait alone until the barrier gave up); `stalled` ones then hang
    until the test releases them."""

    def __init__(self, stalled=(), deadline_s=5.0):
        super().__init__(deadline_s=deadline_s)
        self.met = threading.Barrier(len(REGISTRIES), timeout=30)
        self.stalled, self.release, self.finished = set(stalled), threading.Event(), set()

    def fetch(self, registry, query):
        self.met.wait()
        if registry in self.stalled:
            self.release.wait(30)
        with self._lock:
            self.finished.add(registry)
        return super().fetch(registry, query)


def test_registries_are_read_concurrently():
    source = Meeting()
    gathered = gather(source, REGISTRIES, QUERY)
    assert not source.met.broken
    assert gathered.missing == []


def test_a_registry_slower_than_the_deadline_is_missing_on_time():
    source = Meeting(stalled={"migration_police"})
    try:
        gathered = gather(source, REGISTRIES, QUERY, deadline_s=0.5)
        # the ruling went on while the stalled registry was still being read
        assert "migration_police" not in source.finished
    finally:
        source.release.set()
    assert gathered.missing == ["migration_police"]
    assert gathered.provenance["migration_police"]["reason"] == "no answer within 0.5 s"
    assert len(gathered.data) == 4


def test_the_default_deadline_is_the_sources():
    source = Meeting(stalled={"quota"}, deadline_s=0.3)
    try:
        gathered = gather(source, REGISTRIES, QUERY)
        assert "quota" not in source.finished
    finally:
        source.release.set()
    assert gathered.missing == ["quota"]
    assert gathered.provenance["quota"]["reason"] == "no answer within 0.3 s"


def test_without_a_registry_url_facts_come_from_fixtures(tmp_path):
    assert source_from_env(environ={}).directory == FixtureSource().directory
    assert source_from_env(tmp_path, environ={"EREJE_REGISTRY_URL": ""}).directory == tmp_path


def test_a_registry_url_selects_http_with_a_three_second_timeout():
    source = source_from_env(environ={"EREJE_REGISTRY_URL": "http://127.0.0.1:8090/"})
    assert isinstance(source, HttpSource)
    assert (source.base_url, source.timeout, source.deadline_s) == ("http://127.0.0.1:8090", 3.0, 7.0)


def test_the_timeout_comes_from_the_environment():
    source = source_from_env(environ={"EREJE_REGISTRY_URL": "http://gw", "EREJE_REGISTRY_TIMEOUT": "0.5"})
    assert (source.timeout, source.deadline_s) == (0.5, 2.0)


@pytest.mark.parametrize(
    "environ",
    [
        {"EREJE_REGISTRY_URL": "http://gw", "EREJE_REGISTRY_TIMEOUT": "soon"},
        {"EREJE_REGISTRY_URL": "http://gw", "EREJE_REGISTRY_TIMEOUT": "0"},
        {"EREJE_REGISTRY_URL": "gw:8090"},
    ],
)
def test_bad_settings_are_refused_at_start(environ):
    with pytest.raises(ValueError, match="EREJE_REGISTRY_"):
        source_from_env(environ=environ)
