"""Issue 4's "Done when", end to end: the registry simulator and `ereje serve` as two
real processes on loopback, talking HTTP, with nothing mocked.

- every shipped application gets the same ruling whether its registry facts are
  fetched from the simulator (provenance `http`) or given inline (`request`);
- every fault (503, 500, a delay past the timeout, not JSON, wrong shape) of every
  registry makes exactly the findings that need it `unknown`, names it in `missing`
  and leaves an otherwise approvable application `undetermined`, within a bound;
- the 2023-07-01 version never calls the labour exchange, ULCRS or migration police;
- a replay reuses the stored facts and never refetches them.
"""

import json
import re
import os
import shutil
import signal
import subprocess
import threading
import sys
import time
from pathlib import Path

import pytest
import requests

from tests import independent
from tests.conftest import APPLICATIONS, ROOT

pytestmark = pytest.mark.slow   # two real processes, and faults that wait out timeouts

REGISTRIES = ("labour_exchange", "ulcrs", "migration_police", "quota", "offences")
TIMEOUT_S = 1  # EREJE_REGISTRY_TIMEOUT given to the server
BOUND_S = 2 * TIMEOUT_S + 3  # the most a ruling may take with one registry at fault
START_S = 60  # the most either process may take to answer at all
# The simulator's access-log paths, per registry (CONTRACT section 5).
PATHS = {
    "labour_exchange": "/labour-exchange/",
    "ulcrs": "/ulcrs/",
    "migration_police": "/migration-police/",
    "quota": "/quota/",
    "offences": "/offences",
}


def ereje_command():
    beside = Path(sys.executable).parent / "ereje"
    found = str(beside) if beside.exists() else shutil.which("ereje")
    if not found:
        pytest.fail("the `ereje` console script is not installed (pip install -e .)")
    return found


def wait_until_answers(process, url, log):
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url}: the process exited with {process.returncode}:\n{log.read_text()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} did not answer within {START_S} s:\n{log.read_text()}")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Stack:
    """The simulator and the rule server, each a real process; stopped in any case."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.processes = []
        self.sim_log = tmp / "simulator.log"
        self.server_log = tmp / "server.log"
        # A new connection per call: a pooled keep-alive connection left idle between
        # tests (gunicorn closes them after 2 s) races with the next request and resets.
        self.http = requests
        self.quiet_at = 0.0

    def start(self, sim_port, port):
        self.sim = f"http://127.0.0.1:{sim_port}"
        self.base = f"http://127.0.0.1:{port}"
        with self.sim_log.open("w") as log:
            simulator = subprocess.Popen(
                [sys.executable, "-u", "-m", "server.cli", "registries", "serve", "--port", str(sim_port)],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            )
        self.processes.append(simulator)
        wait_until_answers(simulator, f"{self.sim}/_faults", self.sim_log)

        env = {**os.environ, "HOME": str(self.tmp),
               "EREJE_REGISTRY_URL": self.sim, "EREJE_REGISTRY_TIMEOUT": str(TIMEOUT_S)}
        env.pop("EREJE_TOKENS", None)
        with self.server_log.open("w") as log:
            server = subprocess.Popen(
                [ereje_command(), "serve", "--port", str(port), "--db", str(self.tmp / "x.db"),
                 "--workers", "1"],
                cwd=self.tmp, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        self.processes.append(server)
        wait_until_answers(server, f"{self.base}/healthz", self.server_log)

    def stop(self):
        for process in reversed(self.processes):
            stop(process)

    # -- helpers -------------------------------------------------------------

    def fault(self, registry, fault):
        if "delay" in fault:
            # A request the server gave up on is still answered (and logged) later.
            self.quiet_at = max(self.quiet_at, time.monotonic() + fault["delay"] + 0.5)
        answer = self.http.put(f"{self.sim}/_faults/{registry}", json=fault, timeout=5)
        assert answer.status_code == 200, answer.text

    def clear_faults(self):
        answer = self.http.delete(f"{self.sim}/_faults", timeout=5)
        assert answer.status_code == 200, answer.text

    def settle(self):
        """Wait until no delayed answer is still pending, so the simulator's log is final."""
        time.sleep(max(0.0, self.quiet_at - time.monotonic()))

    def rule(self, request):
        """POST a ruling request; (ruling, seconds taken)."""
        started = time.monotonic()
        answer = self.http.post(f"{self.base}/v1/rulings", json=request, timeout=30)
        elapsed = time.monotonic() - started
        assert answer.status_code == 201, answer.text
        return answer.json(), elapsed

    def registry_calls(self):
        """Registry requests the simulator has logged so far, as {registry: count}.

        The simulator writes a request's line after its answer is sent, so a busy
        machine may read the log a moment before the last line: read until two reads
        a fifth of a second apart agree (at most 5 s).
        """
        self.settle()
        seen, deadline = self._calls(), time.monotonic() + 5
        while time.monotonic() < deadline:
            time.sleep(0.2)
            again = self._calls()
            if again == seen:
                break
            seen = again
        return seen

    def _calls(self):
        # werkzeug may colour a line by its status (escape codes around the request line)
        text = re.sub(r"\x1b\[[0-9;]*m", "", self.sim_log.read_text())
        lines = [line for line in text.splitlines() if '"GET /' in line]
        return {name: sum(f"GET {path}" in line for line in lines) for name, path in PATHS.items()}


@pytest.fixture(scope="module")
def stack(tmp_path_factory, free_port):
    started = Stack(tmp_path_factory.mktemp("e2e"))
    try:
        started.start(free_port(), free_port())
        yield started
    finally:
        started.stop()


@pytest.fixture
def sim(stack):
    stack.clear_faults()
    yield stack
    stack.clear_faults()


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def statuses(ruling):
    return [(f["requirement"], f["status"]) for f in ruling["findings"]]


# {requirement: the registry it needs} under 2025-09-01, from CONTRACT s.6 (not from the server's answer)
NEEDS = {rid: {independent.NEEDS[rid]} if rid in independent.NEEDS else set()
         for rid in independent.REQUIREMENTS["2025-09-01"]}


# -- 1. over HTTP == inline ---------------------------------------------------

@pytest.mark.parametrize("path", sorted(APPLICATIONS.glob("*.json")), ids=lambda p: p.stem)
def test_a_ruling_over_http_matches_the_same_facts_inline(sim, path):
    request = load(path)
    assert "registry" not in request  # the fixtures leave every registry to be fetched

    over_http, _ = sim.rule(request)
    assert over_http["registry"], "no registry was read"
    assert {name: p["source"] for name, p in over_http["registry"].items()} == \
        {name: "http" for name in over_http["registry"]}
    fetched = {name: p["data"] for name, p in over_http["registry"].items() if "data" in p}
    # A registry that was missing over HTTP has no facts to give inline.
    assert set(over_http["registry"]) - set(fetched) == set(over_http["missing"])

    # the statuses are the contract's for these facts (tests/independent.py), not merely the same twice
    want = independent.statuses(over_http["version"], request, fetched)
    assert dict(statuses(over_http)) == want
    assert over_http["outcome"] == independent.outcome(want)

    inline, _ = sim.rule({**request, "registry": fetched})
    assert inline["outcome"] == over_http["outcome"]
    assert statuses(inline) == statuses(over_http)
    assert inline["version"] == over_http["version"]
    assert inline["missing"] == over_http["missing"]
    for name in fetched:
        assert inline["registry"][name]["source"] == "request"
        assert inline["registry"][name]["data"] == fetched[name]
    # The facts each finding rests on are the same too.
    assert [f["facts"] for f in inline["findings"]] == [f["facts"] for f in over_http["findings"]]


# -- 2. every fault of every registry -----------------------------------------

FAULTS = {
    "503": {"status": 503},
    "500": {"status": 500},
    "slow": {"delay": TIMEOUT_S + 0.5},
    "not_json": {"body": "not_json"},
    "wrong_shape": {"body": "wrong_shape"},
}


# approve.json is a new general permit: the extension and transfer requirements do not apply to it
NOT_APPLICABLE = {"extension-allowed", "renewal-window", "transfer-conditions"}


def _healthy(requirement):
    return "not_applicable" if requirement in NOT_APPLICABLE else "met"


def test_approve_is_approved_with_every_registry_healthy(sim):
    ruling, _ = sim.rule(load(APPLICATIONS / "approve.json"))
    assert ruling["version"] == "2025-09-01"
    assert ruling["outcome"] == "approve"
    assert ruling["missing"] == []
    assert set(ruling["registry"]) == set(REGISTRIES)
    assert statuses(ruling) == [(r, _healthy(r)) for r in independent.REQUIREMENTS["2025-09-01"]]


@pytest.mark.parametrize("fault", FAULTS, ids=str)
@pytest.mark.parametrize("registry", REGISTRIES)
def test_a_faulty_registry_makes_its_findings_unknown_within_the_bound(sim, registry, fault):
    sim.fault(registry, FAULTS[fault])
    ruling, elapsed = sim.rule(load(APPLICATIONS / "approve.json"))

    reasons = {name: (p.get("reason"), p.get("duration_ms")) for name, p in ruling["registry"].items()}
    assert ruling["version"] == "2025-09-01"
    assert ruling["missing"] == [registry], reasons
    assert ruling["outcome"] == "undetermined"
    provenance = ruling["registry"][registry]
    assert provenance["source"] == "http"
    assert provenance.get("reason"), provenance
    assert "data" not in provenance or provenance["data"] in (None, {})
    for other in set(REGISTRIES) - {registry}:
        assert ruling["registry"][other]["source"] == "http"
        assert "reason" not in ruling["registry"][other]

    expected = [(r, "unknown" if registry in NEEDS[r] else _healthy(r)) for r in NEEDS]
    assert statuses(ruling) == expected
    assert any(s == "unknown" for _, s in expected)  # the fault did bite
    assert elapsed < BOUND_S, f"{elapsed:.2f} s"


# -- 3. the 2023-07-01 version never calls the 2025 registries ----------------

def test_pre_amendment_never_calls_the_registries_it_does_not_need(sim):
    for name in ("labour_exchange", "ulcrs", "migration_police"):
        sim.fault(name, {"status": 503})
    before = sim.registry_calls()
    ruling, elapsed = sim.rule(load(APPLICATIONS / "pre-amendment.json"))
    after = sim.registry_calls()

    assert ruling["version"] == "2023-07-01"
    assert ruling["outcome"] == "approve"
    assert ruling["missing"] == []
    for name in ("labour_exchange", "ulcrs", "migration_police"):
        assert name not in ruling["registry"]
        assert after[name] == before[name], f"{name} was called"
    for name in ("quota", "offences"):  # the ones it needs are called, and the log shows it
        assert after[name] > before[name], f"{name} was not called"
    assert {p["source"] for p in ruling["registry"].values()} == {"http"}
    assert elapsed < BOUND_S


# -- 4. replay reuses the stored facts ----------------------------------------

def test_replay_after_the_fault_is_cleared_reuses_the_stored_facts(sim):
    sim.fault("ulcrs", {"status": 503})
    earlier = sim.registry_calls()
    ruling, _ = sim.rule(load(APPLICATIONS / "approve.json"))
    assert ruling["outcome"] == "undetermined"
    assert ruling["missing"] == ["ulcrs"]
    sim.clear_faults()
    stored = sim.http.get(f"{sim.base}/v1/rulings/{ruling['id']}", timeout=10)
    assert stored.status_code == 200, stored.text
    assert stored.json()["registry"] == ruling["registry"]  # provenance is in the decision log

    before = sim.registry_calls()
    assert before["ulcrs"] > earlier["ulcrs"]  # the log does record the calls the replay must not repeat
    answer = sim.http.post(f"{sim.base}/v1/rulings/{ruling['id']}/replay", json={}, timeout=30)
    after = sim.registry_calls()
    assert answer.status_code == 201, answer.text
    replayed = answer.json()

    assert replayed["outcome"] == "undetermined"
    assert replayed["outcome_changed"] is False
    assert replayed["missing"] == ["ulcrs"]
    assert statuses(replayed) == statuses(ruling)
    assert replayed["registry"] == ruling["registry"]  # same facts, same fetched_at
    assert after == before, "the replay fetched registries again"

    # And with the fault cleared, a fresh ruling of the same application is approved.
    fresh, _ = sim.rule(load(APPLICATIONS / "approve.json"))
    assert fresh["outcome"] == "approve"


# -- 4. a ruling waiting on a slow registry holds up no other ----------------

def test_a_ruling_waiting_on_a_slow_registry_lets_the_next_one_through(sim):
    """One worker: while one ruling waits out a slow registry, the same worker judges another
    (adapters/turns.py: a thread gives up its turn while it waits)."""
    request = load(APPLICATIONS / "approve.json")
    fetched, _ = sim.rule(request)
    inline = {**request, "registry": {name: p["data"] for name, p in fetched["registry"].items()}}
    sim.fault("quota", {"delay": TIMEOUT_S + 1.0})
    finished = []

    def slow():
        ruling, _ = sim.rule(request)
        finished.append(("slow", ruling["missing"]))

    waiting = threading.Thread(target=slow)
    waiting.start()
    time.sleep(0.3)   # the slow ruling is in its wait by now (the simulator holds its answer for 2 s)
    ruling, _ = sim.rule(inline)
    finished.append(("inline", ruling["missing"]))
    waiting.join(timeout=30)
    assert finished == [("inline", []), ("slow", ["quota"])]
