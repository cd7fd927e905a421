"""Edits reach a running `ereje serve` safely (issue 9, item 4): real processes on loopback.

A valid edit plus SIGHUP (or, with --reload-rules, the edit alone) switches every
worker to the new rule set; a broken edit changes nothing and is logged at its
file:line; workers that restart load the last good set; a stored ruling keeps the
texts it was judged with.
"""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.test_rulesets import EDITED, VERSION, break_, retitle, title
from tests.test_schemas import sample_request
from tests.test_serve import ROOT, free_port

WAIT_S = 30

pytestmark = pytest.mark.slow


class RuleServer:
    """`ereje serve` with 2 workers over a copy of policies/, its log in a file."""

    def __init__(self, tmp, *extra):
        self.policies = tmp / "policies"
        if not self.policies.exists():
            subprocess.run(["cp", "-r", str(Path(ROOT) / "policies"), str(self.policies)], check=True)
        self.file = self.policies / "kz-foreign-labour" / "2025-09-01.yaml"
        self.log = tmp / "server.log"
        self.base = f"http://127.0.0.1:{free_port()}"
        env = {**os.environ, "HOME": str(tmp)}
        env.pop("EREJE_TOKENS", None)
        env.pop("EREJE_REGISTRY_URL", None)
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--port", self.base.rsplit(":", 1)[1],
                 "--db", str(tmp / "log.db"), "--policies", str(self.policies), "--workers", "2", *extra],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.until(lambda: self.health(), "the server answered /healthz")

    def health(self):
        try:
            answer = requests.get(f"{self.base}/healthz", timeout=5)
        except requests.ConnectionError:
            return None
        return answer.json()["versions"] if answer.status_code == 200 else None

    def until(self, condition, what, timeout=WAIT_S):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.log.read_text()}")
            found = condition()
            if found:
                return found
            time.sleep(0.05)
        pytest.fail(f"not within {timeout} s: {what}\n{self.log.read_text()}")

    def workers(self):
        pid = self.process.pid
        return set(map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split()))

    def hup(self):
        self.process.send_signal(signal.SIGHUP)

    def switched_from(self, old):
        """Wait until /healthz shows a digest other than `old`; return it."""
        return self.until(lambda: (self.health() or {}).get(VERSION, old) != old and self.health()[VERSION],
                          "a new digest on /healthz")

    def logged(self, line):
        return f"{self.file}:{line}: " in self.log.read_text()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def served(tmp_path):
    started = []

    def start(*extra):
        started.append(RuleServer(tmp_path, *extra))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def post(session, base, lang="en"):
    return session.post(f"{base}/v1/rulings", json=sample_request(), headers={"Accept-Language": lang}, timeout=30)


class Load:
    """Client threads posting one ruling after another on kept-alive connections."""

    def __init__(self, base, clients=2):
        self.base, self.answers, self.errors = base, [], []
        self.running = True
        self.threads = [threading.Thread(target=self._post) for _ in range(clients)]
        for t in self.threads:
            t.start()

    def _post(self):
        session = requests.Session()
        while self.running:
            sent = time.monotonic()
            try:
                answer = post(session, self.base)
            except requests.RequestException as e:
                self.errors.append(repr(e))
                continue
            if answer.status_code != 201:
                self.errors.append(f"{answer.status_code}: {answer.text[:300]}")
                continue
            ruling = answer.json()
            self.answers.append((sent, ruling["ruleset_digest"], title(ruling)))

    def after(self, moment):
        return [a for a in self.answers if a[0] > moment]

    def stop(self):
        self.running = False
        for t in self.threads:
            t.join(timeout=WAIT_S)


def test_reload_under_load_switches_every_worker_and_ignores_a_broken_edit(served):
    server = served()
    old = server.health()[VERSION]
    old_title = title(post(requests, server.base).json())
    load = Load(server.base)
    try:
        time.sleep(1)
        retitle(server.file)
        server.hup()
        new = server.switched_from(old)
        switched = time.monotonic()
        time.sleep(1)
        line = break_(server.file)
        server.hup()
        server.until(lambda: server.logged(line), "the broken line logged")
        broken = time.monotonic()
        time.sleep(1)
    finally:
        load.stop()

    assert load.errors == []
    assert {digest for _, digest, _ in load.answers} == {old, new}
    assert {(digest, text) for _, digest, text in load.answers} == {(old, old_title), (new, EDITED["en"] + old_title)}
    assert {digest for _, digest, _ in load.after(switched)} == {new}
    assert len(load.after(broken)) > 0
    assert server.process.poll() is None
    assert server.health()[VERSION] == new

    # Workers restarting with the broken file on disk load the last good set.
    for worker in server.workers():
        os.kill(worker, signal.SIGTERM)
        server.until(lambda: worker not in server.workers() and len(server.workers()) == 2,
                     f"worker {worker} replaced")
    server.until(server.health, "the new workers answered")
    answers = [post(requests, server.base) for _ in range(8)]  # a new connection each, to either worker
    assert [a.status_code for a in answers] == [201] * 8
    assert {a.json()["ruleset_digest"] for a in answers} == {new}
    assert server.process.poll() is None
    assert "Worker failed to boot" not in server.log.read_text()


def test_reload_rules_picks_up_an_edit_without_a_signal(served):
    server = served("--reload-rules")
    old = server.health()[VERSION]
    old_title = title(post(requests, server.base).json())
    retitle(server.file)
    edited = time.monotonic()
    new = server.until(lambda: (server.health() or {}).get(VERSION, old) != old and server.health()[VERSION],
                       "the edit picked up", timeout=5)
    assert time.monotonic() - edited < 5
    assert title(post(requests, server.base).json()) == EDITED["en"] + old_title

    line = break_(server.file)
    server.until(lambda: server.logged(line), "the broken line logged", timeout=5)
    assert server.health()[VERSION] == new
    assert post(requests, server.base).json()["ruleset_digest"] == new


def test_a_stored_ruling_keeps_the_texts_that_judged_it(served):
    server = served()
    old = server.health()[VERSION]
    ruling = post(requests, server.base, "ru").json()
    titles = {lang: title(post(requests, server.base, lang).json()) for lang in ("en", "ru")}
    assert ruling["ruleset_digest"] == old and title(ruling) == titles["ru"]

    retitle(server.file)
    server.hup()
    new = server.switched_from(old)

    url = f"{server.base}/v1/rulings/{ruling['id']}"
    for lang in ("en", "ru"):
        shown = requests.get(url, headers={"Accept-Language": lang}, timeout=10).json()
        assert (shown["ruleset_digest"], shown["language"], title(shown)) == (old, lang, titles[lang])
    fresh = post(requests, server.base, "ru").json()
    assert (fresh["ruleset_digest"], title(fresh)) == (new, EDITED["ru"] + titles["ru"])
    shown = requests.get(f"{server.base}/v1/rulings/{fresh['id']}", timeout=10).json()
    assert title(shown) == EDITED["en"] + titles["en"]
    # A replay judges the stored facts under the current set.
    replayed = requests.post(f"{url}/replay", json={}, timeout=10).json()
    assert (replayed["ruleset_digest"], title(replayed)) == (new, EDITED["en"] + titles["en"])
