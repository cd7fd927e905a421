"""Edits reach a running `ereje serve` safely (issue 9, item 4).

In process: what the master publishes and how a worker switches; then real servers
on loopback (slow): a valid edit plus SIGHUP (or, with --reload-rules, the edit alone) switches every
worker to the new rule set; a broken edit changes nothing and is logged at its
file:line; workers that restart load the last good set; a stored ruling keeps the
texts it was judged with.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from server.api import rulesets
from server.api.app import create_app
from tests.conftest import POLICIES, ROOT
from tests.helpers import sample_request

WAIT_S = 30

VERSION = "kz-foreign-labour@2025-09-01"
EDITED = {"en": "(edited) ", "ru": "(изменено) "}


@pytest.fixture
def policies(tmp_path):
    copy = tmp_path / "policies"
    shutil.copytree(POLICIES, copy)
    return copy


def amended(policies):
    return policies / "kz-foreign-labour" / "2025-09-01.yaml"


def retitle(path):
    """Prefix vacancy-published's title in 2025-09-01.yaml with EDITED, in en and ru."""
    text = path.read_text(encoding="utf-8")
    found = re.search(r"- id: vacancy-published\n(\s+)title:\n\s+en: ()[^\n]*\n\s+ru: ()", text)
    assert found, "vacancy-published's title is no longer written as expected"
    en, ru = found.start(2), found.start(3)
    path.write_text(text[:en] + EDITED["en"] + text[en:ru] + EDITED["ru"] + text[ru:], encoding="utf-8")


def break_(path):
    """Misspell the first `effect: refuse` in 2025-09-01.yaml; return its line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip() == "effect: refuse")
    lines[at] = lines[at].replace("refuse", "refuze")
    path.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


def title(ruling):
    return next(f["title"] for f in ruling["findings"] if f["requirement"] == "vacancy-published")


def test_a_good_set_is_published_and_a_broken_one_leaves_the_pointer(policies, tmp_path):
    store = tmp_path / "log.db-rules"
    first, book, problems = rulesets.publish(policies, store)
    assert problems == [] and rulesets.current(store) == first
    assert sorted(p.name for p in (store / first).rglob("*.yaml")) == ["2023-07-01.yaml", "2025-09-01.yaml"]

    original = amended(policies).read_bytes()
    line = break_(amended(policies))
    problems = rulesets.publish(policies, store)[2]
    assert [(p.file, p.line) for p in problems] == [(str(amended(policies)), line)]
    assert rulesets.current(store) == first
    assert sorted(p.name for p in store.iterdir()) == sorted(["current", first])  # nothing staged is left

    amended(policies).write_bytes(original)
    retitle(amended(policies))
    second = rulesets.publish(policies, store)[0]
    assert second not in (None, first) and rulesets.current(store) == second


def test_an_empty_directory_is_never_published(tmp_path):
    (tmp_path / "empty").mkdir()
    name, _, problems = rulesets.publish(tmp_path / "empty", tmp_path / "store")
    assert name is None and [p.message for p in problems] == ["no rule files here (<regulation>/<version>.yaml)"]
    assert rulesets.current(tmp_path / "store") is None


def test_a_worker_switches_when_the_pointer_moves(policies, tmp_path):
    store = tmp_path / "log.db-rules"
    rulesets.publish(policies, store)
    client = create_app({"DB": str(tmp_path / "log.db"), "RULESETS": str(store)}).test_client()
    old = client.get("/healthz").get_json()["versions"][VERSION]
    old_title = title(client.post("/v1/rulings", json=sample_request()).get_json())

    retitle(amended(policies))
    assert client.get("/healthz").get_json()["versions"][VERSION] == old  # on disk only: not published
    rulesets.publish(policies, store)
    new = client.get("/healthz").get_json()["versions"][VERSION]
    assert new != old
    ruling = client.post("/v1/rulings", json=sample_request()).get_json()
    assert (ruling["ruleset_digest"], title(ruling)) == (new, EDITED["en"] + old_title)


def test_history_survives_an_edit_and_a_restart(policies, tmp_path):
    db = str(tmp_path / "log.db")
    before = create_app({"DB": db, "POLICIES": str(policies)}).test_client()
    ruling = before.post("/v1/rulings", json=sample_request()).get_json()
    retitle(amended(policies))
    after = create_app({"DB": db, "POLICIES": str(policies)}).test_client()
    for lang in ("en", "ru", "kk"):
        shown = after.get(f"/v1/rulings/{ruling['id']}", headers={"Accept-Language": lang}).get_json()
        again = before.get(f"/v1/rulings/{ruling['id']}", headers={"Accept-Language": lang}).get_json()
        assert shown == again
    assert title(after.get(f"/v1/rulings/{ruling['id']}").get_json()) == title(ruling)
    assert title(after.post("/v1/rulings", json=sample_request()).get_json()) == EDITED["en"] + title(ruling)


# --- real servers --------------------------------------------------------------------


class RuleServer:
    """`ereje serve` with 2 workers over a copy of policies/, its log in a file."""

    def __init__(self, tmp, port, *extra):
        self.policies = tmp / "policies"
        if not self.policies.exists():
            shutil.copytree(POLICIES, self.policies)
        self.file = amended(self.policies)
        self.log = tmp / "server.log"
        self.base = f"http://127.0.0.1:{port}"
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
def served(tmp_path, free_port):
    started = []

    def start(*extra):
        started.append(RuleServer(tmp_path, free_port(), *extra))
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_reload_rules_picks_up_an_edit_without_a_signal(served):
    server = served("--reload-rules")
    old = server.health()[VERSION]
    old_title = title(post(requests, server.base).json())
    retitle(server.file)
    # The watcher polls about once a second; 30 s only bounds a hang on a loaded machine.
    new = server.until(lambda: (server.health() or {}).get(VERSION, old) != old and server.health()[VERSION],
                       "the edit picked up", timeout=30)
    assert title(post(requests, server.base).json()) == EDITED["en"] + old_title

    line = break_(server.file)
    server.until(lambda: server.logged(line), "the broken line logged", timeout=30)
    assert server.health()[VERSION] == new
    assert post(requests, server.base).json()["ruleset_digest"] == new


@pytest.mark.slow
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
