"""The decision log an auditor can trust: `ereje log verify` finds an edited or deleted row,
personal data is sealed with EREJE_LOG_KEY (not a byte of an IIN or passport in the file),
keys rotate with `ereje log rekey`, and a row that cannot be read is a clear 409, never a 500."""

import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from cryptography.fernet import Fernet

from server import sealing, store
from server.api.app import create_app
from server.cli import main
from tests.conftest import ROOT
from tests.helpers import sample_request

IIN, PASSPORT = "900101300007", "N1234567"   # the sample request's foreign worker
OLD_LOG = Path(__file__).parent / "data" / "decision-log-before-migrations.sql"
# Fixed keys: parametrized test ids must be the same in every xdist worker.
KEY_A, KEY_B = "iwNn24P-WJyTnaRNZuQwMdiPlG9ZA2LLJiRoiJJmHVU=", "rpD6KyEB-WFUp0oK1Mgt7qiWF3M3QyrdGgPESjhaA9E="


def log(*args):
    """`ereje log ARGS` in this process: (exit code, output)."""
    result = CliRunner().invoke(main, ["log", *map(str, args)])
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def no_key(monkeypatch):
    monkeypatch.delenv(sealing.ENV, raising=False)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "log.db"


def fill(path, count=3):
    """`count` rulings posted over the API; their ids in order."""
    client = create_app({"DB": str(path), "TESTING": True}).test_client()
    ids = []
    for n in range(count):
        request = sample_request()
        request["application"]["reference"] = f"APP-{n}"
        response = client.post("/v1/rulings", json=request)
        assert response.status_code == 201
        ids.append(response.get_json()["id"])
    return ids


def edit(path, sql, *params):
    with sqlite3.connect(path) as conn:
        conn.execute(sql, params)
    conn.close()


def rowid_of(path, ruling_id):
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT rowid FROM rulings WHERE id = ?", [ruling_id]).fetchone()[0]


def test_an_intact_log_verifies_and_names_its_head(path):
    ids = fill(path)
    code, output = log("verify", "--db", path)
    assert code == 0, output
    with sqlite3.connect(path) as conn:
        head = conn.execute("SELECT hash FROM rulings WHERE id = ?", [ids[-1]]).fetchone()[0]
    assert output == f"ok: 3 rulings, chain intact\nhead: {head}\n"


def test_an_empty_log_verifies(path):
    store.open_db(path).close()
    assert log("verify", "--db", path) == (0, f"ok: 0 rulings, chain intact\nhead: sha256:{'0' * 64}\n")


def test_an_edited_outcome_is_found_at_its_row(path):
    ids = fill(path)
    edit(path, "UPDATE rulings SET outcome = 'refuse', ruling = replace(ruling, '\"approve\"', '\"refuse\"') "
               "WHERE id = ?", ids[1])
    client = create_app({"DB": str(path), "TESTING": True}).test_client()
    assert client.get(f"/v1/rulings/{ids[1]}").get_json()["outcome"] == "refuse"   # the edit took
    code, output = log("verify", "--db", path)
    assert code == 1
    assert output.splitlines()[0] == (f"broken: row {rowid_of(path, ids[1])} (ruling {ids[1]}): "
                                      f"its content does not match its hash: the row was edited")


def test_an_edited_request_is_found(path):
    ids = fill(path)
    edit(path, "UPDATE rulings SET request = replace(request, ?, '880215400007') WHERE id = ?", IIN, ids[0])
    code, output = log("verify", "--db", path)
    assert code == 1 and f"(ruling {ids[0]}): its content does not match its hash" in output


def test_a_deleted_row_is_found_at_the_row_after_it(path):
    ids = fill(path)
    edit(path, "DELETE FROM rulings WHERE id = ?", ids[1])
    code, output = log("verify", "--db", path)
    assert code == 1
    assert output.splitlines()[0] == (
        f"broken: row {rowid_of(path, ids[2])} (ruling {ids[2]}): its previous hash does not match row "
        f"{rowid_of(path, ids[0])}'s hash: a ruling between them was deleted or moved, or its link was edited")


def test_a_deleted_first_row_is_found(path):
    ids = fill(path)
    edit(path, "DELETE FROM rulings WHERE id = ?", ids[0])
    code, output = log("verify", "--db", path)
    assert code == 1 and f"(ruling {ids[1]}): its previous hash is not the chain's start" in output


def test_a_cleared_hash_is_found(path):
    ids = fill(path)
    edit(path, "UPDATE rulings SET hash = NULL, prev_hash = NULL WHERE id = ?", ids[2])
    code, output = log("verify", "--db", path)
    assert code == 1 and f"(ruling {ids[2]}): carries no hash" in output


def test_rows_from_before_the_chain_are_counted_apart(path):
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_LOG.read_text(encoding="utf-8"))
    conn.close()
    # Read as it is (verify never migrates: the file is opened read-only) ...
    assert log("verify", "--db", path)[1].splitlines()[0] == (
        "ok: 2 rulings, chain intact (2 older rulings, stored before the chain began, are not chained)")
    # ... and once Ereje writes to it, the chain starts after them.
    fill(path, 2)
    code, output = log("verify", "--db", path)
    assert code == 0
    assert output.splitlines()[0] == (
        "ok: 4 rulings, chain intact (2 older rulings, stored before the chain began, are not chained)")


@pytest.mark.parametrize("content, message", [
    (None, "no decision log at"),
    (b"not a database at all" * 100, "cannot be read as a decision log"),
    ("empty sqlite", "holds no table `rulings`: not a decision log"),
])
def test_verify_without_a_readable_log_is_bad_input(path, content, message):
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content:
        sqlite3.connect(path).close()
        edit(path, "CREATE TABLE other (x)")
    code, output = log("verify", "--db", path)
    assert code == 2 and message in output and "Traceback" not in output
    assert content is not None or not path.exists()   # verify never creates a log


def test_verify_by_default_reads_ereje_db_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert log("verify")[0] == 2
    fill(tmp_path / "ereje.db", 1)
    assert log("verify")[0] == 0


def test_a_chain_written_by_two_processes_at_once_verifies(path):
    store.open_db(path).close()
    script = ("import sys; from server import store\n"
              "db = store.open_db(sys.argv[1])\n"
              "for i in range(100):\n"
              "    store.save_ruling(db, {'outcome': 'approve'}, {'application': {'reference': sys.argv[2]}}, 'en')\n")
    writers = [subprocess.Popen([sys.executable, "-c", script, str(path), f"P{n}"], cwd=ROOT) for n in range(2)]
    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    assert log("verify", "--db", path)[1].startswith("ok: 200 rulings, chain intact\n")


# Sealing personal data.

def raw_bytes(path):
    """Every byte the log keeps on disk: the database, its WAL and shared memory."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


def test_with_a_key_no_iin_or_passport_is_left_in_the_file(path, monkeypatch):
    monkeypatch.setenv(sealing.ENV, KEY_A)
    app = create_app({"DB": str(path), "TESTING": True})
    client = app.test_client()
    posted = client.post("/v1/rulings", json=sample_request()).get_json()
    replayed = client.post(f"/v1/rulings/{posted['id']}/replay", json={"version": "2023-07-01"})
    assert replayed.status_code == 201
    assert client.get(f"/v1/rulings/{posted['id']}").get_json() == posted
    listed = client.get("/v1/rulings", query_string={"reference": "APP-2025-000123"}).get_json()
    assert [r["id"] for r in listed["rulings"]] == [posted["id"], replayed.get_json()["id"]]
    assert IIN in str(posted) and PASSPORT in str(posted)
    data = raw_bytes(path)
    assert IIN.encode() not in data and PASSPORT.encode() not in data
    assert b"APP-2025-000123" in data   # the reference stays searchable
    assert log("verify", "--db", path)[1].startswith("ok: 2 rulings, chain intact\n")


def test_without_a_key_they_are_in_clear_and_the_app_says_so(path, caplog, monkeypatch):
    monkeypatch.setattr(sealing, "_ANNOUNCED", sealing.threading.Event())   # as in a fresh process
    with caplog.at_level(logging.INFO):
        fill(path, 1)
        create_app({"DB": str(path), "TESTING": True})
    said = [r for r in caplog.records if "decision log:" in r.getMessage()]
    assert [(r.levelno, r.getMessage()) for r in said] == [
        (logging.WARNING, "decision log: clear (EREJE_LOG_KEY not set: IINs and passports are stored readable)")]
    assert IIN.encode() in raw_bytes(path)


def test_protection_mode_names_the_sealing_key(monkeypatch):
    assert store.protection_mode().startswith("clear")
    monkeypatch.setenv(sealing.ENV, f"{KEY_B}, {KEY_A}")
    assert store.protection_mode() == f"sealed (Fernet key {sealing.fingerprint(KEY_B)}, 1 older key(s) to read)"


@pytest.mark.parametrize("value", [" , ", "not-a-key", f"{KEY_A},", f"{KEY_A},{KEY_A[:-4]}"],
                         ids=["blanks", "not-a-key", "trailing-comma", "cut-short"])
def test_a_malformed_key_fails_closed_without_showing_it(path, monkeypatch, value):
    monkeypatch.setenv(sealing.ENV, value)
    with pytest.raises(sealing.KeyProblem) as raised:
        store.protection_mode()
    assert KEY_A not in str(raised.value) and "EREJE_LOG_KEY" in str(raised.value)
    with pytest.raises(sealing.KeyProblem):
        create_app({"DB": str(path), "TESTING": True})
    code, output = log("verify", "--db", path)
    assert code == 2 and "EREJE_LOG_KEY" in output and KEY_A not in output


def sealed_log(path, monkeypatch, key=KEY_A):
    monkeypatch.setenv(sealing.ENV, key)
    ids = fill(path, 2)
    return ids


@pytest.mark.parametrize("held", [None, KEY_B], ids=["no-key", "another-key"])
def test_a_ruling_sealed_with_a_key_not_held_is_a_409(path, monkeypatch, held):
    ids = sealed_log(path, monkeypatch)
    if held:
        monkeypatch.setenv(sealing.ENV, held)
    else:
        monkeypatch.delenv(sealing.ENV)
    client = create_app({"DB": str(path), "TESTING": True}).test_client()
    for response in (client.get(f"/v1/rulings/{ids[0]}"), client.post(f"/v1/rulings/{ids[0]}/replay"),
                     client.get("/v1/rulings?reference=APP-0")):
        assert response.status_code == 409
        error = response.get_json()["error"]
        assert (error["code"], error["fields"]) == ("ruling_unreadable", {})
        assert re.fullmatch(rf"Ruling {ids[0]} cannot be read here: sealed with key "
                            rf"{sealing.fingerprint(KEY_A)}, .*\.", error["message"])
    code, output = log("verify", "--db", path)
    assert code == 2 and f"cannot verify row {rowid_of(path, ids[0])} (ruling {ids[0]})" in output


def test_altered_sealed_bytes_are_a_409_and_a_broken_link(path, monkeypatch):
    ids = sealed_log(path, monkeypatch)
    edit(path, "UPDATE rulings SET findings = substr(findings, 1, 60) || 'AAAA' || substr(findings, 65) "
               "WHERE id = ?", ids[1])
    response = create_app({"DB": str(path), "TESTING": True}).test_client().get(f"/v1/rulings/{ids[1]}")
    assert response.status_code == 409 and "altered" in response.get_json()["error"]["message"]
    code, output = log("verify", "--db", path)
    assert code == 1
    assert output.splitlines()[0] == (
        f"broken: row {rowid_of(path, ids[1])} (ruling {ids[1]}): its sealed content does not open with "
        f"its key {sealing.fingerprint(KEY_A)}: the stored bytes were altered")


def test_rekey_seals_every_row_with_the_new_key_and_the_chain_holds(path, monkeypatch):
    clear_ids = fill(path, 1)                         # written before any key was set
    sealed_ids = sealed_log(path, monkeypatch, KEY_A)
    monkeypatch.setenv(sealing.ENV, f"{KEY_B},{KEY_A}")   # rotation: the new key first
    code, output = log("rekey", "--db", path)
    assert (code, output) == (0, f"sealed 3 rulings with key {sealing.fingerprint(KEY_B)} (1 of them were in clear)\n")
    assert log("rekey", "--db", path)[1].startswith("sealed 0 rulings")   # nothing left to do
    monkeypatch.setenv(sealing.ENV, KEY_B)            # the old key dropped
    assert log("verify", "--db", path)[1].startswith("ok: 3 rulings, chain intact\n")
    client = create_app({"DB": str(path), "TESTING": True}).test_client()
    for ruling_id in clear_ids + sealed_ids:
        assert client.get(f"/v1/rulings/{ruling_id}").status_code == 200
    data = raw_bytes(path)
    assert IIN.encode() not in data and PASSPORT.encode() not in data


def test_rekey_needs_a_key_and_lists_rows_it_cannot_open(path, monkeypatch):
    assert log("rekey", "--db", path)[0] == 2 and not path.exists()
    ids = sealed_log(path, monkeypatch, KEY_A)
    monkeypatch.delenv(sealing.ENV)
    code, output = log("rekey", "--db", path)
    assert code == 2 and "EREJE_LOG_KEY is not set" in output
    monkeypatch.setenv(sealing.ENV, KEY_B)            # the old key lost
    code, output = log("rekey", "--db", path)
    assert code == 1
    assert output.splitlines() == [
        f"sealed 0 rulings with key {sealing.fingerprint(KEY_B)} (0 of them were in clear)",
        *(f"left as it was: row {rowid_of(path, i)} (ruling {i}): sealed with key {sealing.fingerprint(KEY_A)}, "
          f"which EREJE_LOG_KEY does not hold" for i in ids)]


def test_new_key_prints_a_fernet_key():
    code, output = log("new-key")
    assert code == 0
    Fernet(output.strip())
    assert output.strip() != log("new-key")[1].strip()


# Under load, with a worker killed.

def children(pid):
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def wait_ready(process, base, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited early:\n{log.read_text()}"
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # bound, workers still loading
            time.sleep(0.1)
    raise AssertionError("server did not become ready")


def load(base, stop_at, n):
    """Post rulings until `stop_at`: [(status, id, idempotency key)]; clients 0 and 1 share their keys."""
    session, answers, i = requests.Session(), [], 0
    while time.monotonic() < stop_at:
        i += 1
        request, headers = sample_request(), {}
        request["application"]["reference"] = f"LOAD-{n}-{i}"
        if n < 2 and i % 3 == 0:   # the same request under the same key from two clients
            request["application"]["reference"] = f"SHARED-{i}"
            headers["Idempotency-Key"] = f"shared-{i}"
        try:
            response = session.post(f"{base}/v1/rulings", json=request, headers=headers, timeout=20)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            # In flight on the killed worker: no answer (or half of one), no promise.
            session = requests.Session()
            continue
        answers.append((response.status_code, response.json().get("id"), headers.get("Idempotency-Key"),
                        time.monotonic()))
    return answers


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_no_ruling_and_the_chain_verifies(tmp_path, free_port):
    path, port = tmp_path / "log.db", free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HOME": str(tmp_path), sealing.ENV: KEY_A}
    for name in ("EREJE_TOKENS", "EREJE_REGISTRY_URL"):
        env.pop(name, None)
    server = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--db", str(path),
         "--workers", "2", "--threads", "4"],
        # Into a file, not a pipe: nobody reads it while the test runs, and the access log would fill a pipe.
        cwd=ROOT, env=env, stdout=(tmp_path / "serve.log").open("w"), stderr=subprocess.STDOUT, text=True)
    try:
        wait_ready(server, base, tmp_path / "serve.log")
        workers = children(server.pid)
        assert len(workers) == 2
        stop_at = time.monotonic() + 6
        with ThreadPoolExecutor(6) as pool:
            running = [pool.submit(load, base, stop_at, n) for n in range(6)]
            time.sleep(2)
            os.kill(workers[0], signal.SIGKILL)
            killed_at = time.monotonic()
            answers = [answer for future in running for answer in future.result()]
        wait_ready(server, base, tmp_path / "serve.log")
        assert workers[0] not in children(server.pid) and len(children(server.pid)) == 2   # replaced
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    created = [(ruling_id, key) for status, ruling_id, key, _ in answers if status == 201]
    assert {status for status, *_ in answers} == {201}
    assert len(created) > 30 and any(at > killed_at + 1 for *_, at in answers)   # served on after the kill
    with sqlite3.connect(path) as conn:
        stored = dict(conn.execute("SELECT id, idempotency_key FROM rulings").fetchall())
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert {ruling_id for ruling_id, _ in created} <= set(stored)
    by_key = {}
    for ruling_id, key in created:
        by_key.setdefault(key, set()).add(ruling_id)
    posted_twice = [key for key in by_key if key and sum(k == key for _, k in created) == 2]
    assert posted_twice and all(len(ids) == 1 for key, ids in by_key.items() if key)   # one ruling a key ...
    assert sorted(k for k in stored.values() if k) == sorted(k for k in by_key if k)   # ... and one row
    verified = subprocess.run([sys.executable, "-m", "server.cli", "log", "verify", "--db", str(path)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith(f"ok: {len(stored)} rulings, chain intact\n")
    assert IIN.encode() not in raw_bytes(path)
