"""The simulator as a real process, read by HttpSource: same facts as the fixtures,
and every injected fault turns into a missing registry within the deadline."""

import subprocess
import sys
import time

import pytest
import requests

from adapters import REGISTRIES, FixtureSource, HttpSource, Query, gather

from tests.conftest import ROOT

pytestmark = pytest.mark.slow   # a real simulator process, and faults that wait out timeouts

TIMEOUT_S = 0.5
DEADLINE_S = 2 * TIMEOUT_S + 1


def start_simulator(tmp_path, *args):
    """Start `python -m adapters.simulator serve` on a free port; (process, base URL, log)."""
    log = tmp_path / "simulator.log"
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "server.cli", "registries", "serve", "--port", "0", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )
    line = process.stdout.readline()  # printed once the socket listens
    if not line.startswith("Registry simulator on "):
        process.kill()
        pytest.fail(f"simulator did not start: {line!r} {log.read_text()}")
    return process, line.split()[-1], log


def stop(process):
    process.terminate()
    try:
        return process.wait(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.fixture(scope="module")
def simulator(tmp_path_factory):
    process, url, _ = start_simulator(tmp_path_factory.mktemp("simulator"))
    yield url
    stop(process)


@pytest.fixture
def base_url(simulator):
    requests.delete(f"{simulator}/_faults", timeout=5).raise_for_status()
    yield simulator
    requests.delete(f"{simulator}/_faults", timeout=5)


def query(employer_bin="150540000106", vacancy_code="4012345", passports=("N1234567",),
          region="ALMATY", year=2025, quota_category="3"):
    return Query(employer_bin, vacancy_code, tuple(passports), region, year, quota_category)


QUERIES = [
    query(),
    query(passports=("N1234567", "N7654321", "P5550001", "NOBODY01", "P9990002")),
    query(employer_bin="200540000108", vacancy_code="4077777", passports=()),
    query(employer_bin="160641000107", vacancy_code=None, passports=("K3332221",), region="ASTANA"),
    query(vacancy_code="0000000", region="SHYMKENT", quota_category="seasonal"),
    query(employer_bin="210540000103", year=2031),  # no quota published: missing both ways
]


@pytest.mark.parametrize("asked", QUERIES)
def test_http_gives_the_same_facts_as_the_fixtures(base_url, asked):
    over_http = gather(HttpSource(base_url, TIMEOUT_S), REGISTRIES, asked)
    from_files = gather(FixtureSource(), REGISTRIES, asked)
    assert over_http.data == from_files.data
    assert over_http.missing == from_files.missing
    assert {p["source"] for p in over_http.provenance.values()} == {"http"}


FAULTS = [
    {"status": 503},
    {"status": 500},
    {"delay": TIMEOUT_S + 1.0},
    {"body": "not_json"},
    {"body": "wrong_shape"},
]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: "-".join(map(str, f.values())))
@pytest.mark.parametrize("registry", REGISTRIES)
def test_a_faulty_registry_is_missing_within_the_deadline(base_url, registry, fault):
    requests.put(f"{base_url}/_faults/{registry}", json=fault, timeout=5).raise_for_status()
    started = time.monotonic()
    gathered = gather(HttpSource(base_url, TIMEOUT_S), REGISTRIES, QUERIES[0])
    elapsed = time.monotonic() - started
    assert gathered.missing == [registry]
    assert gathered.provenance[registry]["reason"]
    assert elapsed < DEADLINE_S + 1
    assert set(gathered.data) == set(REGISTRIES) - {registry}


def test_faults_given_at_start_and_503_is_retried_twice(tmp_path, monkeypatch):
    # A fresh Session: a pooled connection to an earlier simulator that had the same
    # port would fail first and use up one of the two retries.
    monkeypatch.setattr("adapters.sources.http._session", None)
    process, url, log = start_simulator(tmp_path, "--fault", "ulcrs=503", "--fault", "quota=not_json")
    try:
        # A generous timeout: a 503 from a busy machine must not turn into a timeout.
        gathered = gather(HttpSource(url, timeout=3), REGISTRIES, QUERIES[0])
        assert gathered.missing == ["ulcrs", "quota"]
        assert gathered.provenance["ulcrs"]["status"] == 503
        assert gathered.provenance["quota"]["reason"] == "answer is not valid JSON"
        # Each request is logged as it is answered; allow a busy machine a moment to
        # write the last line. (Lines lost for good were werkzeug setting up its log on
        # the first request while others were answered: `registries serve` now sets it up first.)
        deadline = time.monotonic() + 5
        while len(_asked(log)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        assert stop(process) == 0  # SIGTERM is a clean stop
    assert len(_asked(log)) == 3  # the first try and two retries


def _asked(log):
    return [line for line in log.read_text().splitlines() if "GET /ulcrs/contracts" in line]
