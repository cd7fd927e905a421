"""`ereje serve` as a real process: rulings over HTTP survive a restart and concurrency."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from server.cli.serve import serve_command
from tests.conftest import ROOT
from tests.helpers import sample_request


class Served:
    """One `python -m server.serving` process on a loopback port."""

    def __init__(self, db, port):
        self.port = port
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "HOME": str(db.parent)}  # nothing of gunicorn's lands in the real home
        env.pop("EREJE_TOKENS", None)
        env.pop("EREJE_REGISTRY_URL", None)
        # A file, not a pipe: the access log's line per request would fill a pipe no one reads.
        self.log = db.parent / f"serve-{port}.log"
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port), "--db", str(db),
                 "--workers", "2", "--threads", "4"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
            )
        try:
            self.wait_ready()
        except BaseException:
            # Not yet handed to a fixture, so nothing else would ever stop it.
            self.process.kill()
            self.process.wait()
            raise

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited early:\n{self.log.read_text()}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # bound, workers still loading
                time.sleep(0.1)
        raise AssertionError("server did not become ready")

    def stop(self):
        """SIGTERM, as a service manager would; return the exit code and the log."""
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return code, self.log.read_text()


@pytest.fixture
def db(tmp_path):
    return tmp_path / "log.db"


@pytest.fixture
def server(db, free_port):
    served = Served(db, free_port())
    yield served
    if served.process.poll() is None:
        served.stop()


def request_numbered(n):
    request = sample_request()
    request["application"]["reference"] = f"APP-{n:05d}"
    # Alternate outcomes so a mix-up between threads would show.
    if n % 2:
        request["application"]["vacancy_code"] = None
    return request


@pytest.mark.slow
def test_rulings_survive_a_restart(server, db, free_port):
    session = requests.Session()
    posted = [session.post(f"{server.base}/v1/rulings", json=request_numbered(n), timeout=10) for n in range(4)]
    assert [r.status_code for r in posted] == [201] * 4
    code, log = server.stop()
    assert code == 0, log
    assert "Traceback" not in log
    assert not (db.parent / ".gunicorn").exists()  # no control socket left under $HOME

    again = Served(db, free_port())
    try:
        for response in posted:
            ruling = response.json()
            fetched = requests.get(f"{again.base}/v1/rulings/{ruling['id']}", timeout=10)
            assert fetched.status_code == 200
            assert fetched.json() == ruling
    finally:
        assert again.stop()[0] == 0


@pytest.mark.slow
def test_concurrent_clients_lose_and_mix_up_nothing(server):
    def client(worker):
        session = requests.Session()
        results = []
        for i in range(50):
            n = worker * 50 + i
            response = session.post(f"{server.base}/v1/rulings", json=request_numbered(n), timeout=30)
            assert response.status_code == 201, response.text
            results.append((n, response.json()))
        return results

    with ThreadPoolExecutor(8) as pool:
        results = [item for chunk in pool.map(client, range(8)) for item in chunk]
    assert len({ruling["id"] for _, ruling in results}) == len(results) == 400
    session = requests.Session()
    for n, ruling in results:
        assert ruling["outcome"] == ("refuse" if n % 2 else "approve")
        stored = session.get(f"{server.base}/v1/rulings/{ruling['id']}", timeout=10).json()
        assert stored == ruling
        # The log files each ruling under the reference it was posted with.
        listed = session.get(f"{server.base}/v1/rulings", params={"reference": f"APP-{n:05d}"}, timeout=10).json()
        assert [r["id"] for r in listed["rulings"]] == [ruling["id"]]


@pytest.mark.slow
def test_the_master_copies_the_wal_into_the_database_file_within_seconds(server, db, tmp_path):
    session = requests.Session()
    posted = [session.post(f"{server.base}/v1/rulings", json=request_numbered(n), timeout=10) for n in range(20)]
    assert [r.status_code for r in posted] == [201] * 20
    alone = tmp_path / "alone.db"   # the database file without its WAL: what a checkpoint wrote
    deadline, count = time.monotonic() + 15, 0
    while count < 20 and time.monotonic() < deadline:
        time.sleep(0.5)
        alone.write_bytes(db.read_bytes())
        with sqlite3.connect(alone) as conn:
            try:
                count = conn.execute("SELECT count(*) FROM rulings").fetchone()[0]
            except sqlite3.OperationalError:   # not even the table has left the WAL yet
                count = 0
        conn.close()
    assert count == 20   # 20 rulings are far from the 1000 WAL pages at which SQLite checkpoints by itself


def test_serve_is_a_click_command_with_the_contract_options():
    assert serve_command.name == "serve"
    options = {opt for param in serve_command.params for opt in param.opts}
    assert {"--host", "--port", "--db", "--policies", "--workers", "--threads"} <= options


@pytest.mark.parametrize("content", [None, "regulation: ["])
def test_serve_refuses_bad_or_missing_rule_files_before_starting(tmp_path, runner, content):
    if content:
        (tmp_path / "reg").mkdir()
        (tmp_path / "reg" / "2020-01-01.yaml").write_text(content)
    result = runner.invoke(serve_command, ["--policies", str(tmp_path), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert "--policies" in result.output
