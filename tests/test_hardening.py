"""A real `ereje serve` on loopback against slow, stalled and oversized clients (issue 10, items 3-4).

Stalled uploads never hold a worker thread and are answered 408 and closed within
seconds; errors gunicorn answers itself (414, 431) and oversized or malformed bodies,
chunked too (413, 400), come back in the one error shape; the access log names each
request without identifiers; the registry simulator's log masks them too.
"""
import json
import os
import re
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import ROOT
from tests.helpers import BIN, sample_request

READ_TIMEOUT_S = 5.0  # ereje serve's default --read-timeout
IIN, PASSPORT = "900101300007", "N1234567"  # the sample request's worker

pytestmark = pytest.mark.slow


class Served:
    """`ereje serve` with one worker of two threads (two stalled clients would block gthread)."""

    def __init__(self, tmp, port, *extra, env=None):
        self.base = f"http://127.0.0.1:{port}"
        self.log = tmp / f"serve-{port}.log"
        given, env = env or {}, {**os.environ, "HOME": str(tmp)}
        for name in ("EREJE_TOKENS", "EREJE_REGISTRY_URL"):
            env.pop(name, None)
        env.update(given)
        with open(self.log, "w") as out:  # a file: the access log would fill an unread pipe
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--db", str(tmp / "log.db"),
                 "--workers", "1", "--threads", "2", *extra],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited:\n{self.log.read_text()}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise AssertionError("server did not answer /healthz")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def access_lines(self):
        return [line for line in self.log.read_text().splitlines() if re.match(r"\d{4}-\d\d-\d\dT", line)]


@pytest.fixture(scope="module")
def server(tmp_path_factory, free_port):
    served = Served(tmp_path_factory.mktemp("serve"), free_port())
    yield served
    served.stop()


def connect(server):
    return socket.create_connection(("127.0.0.1", int(server.base.rsplit(":", 1)[1])), timeout=15)


def read_until_closed(sock):
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def error_of(raw):
    """(status, error body) of a raw HTTP answer in the one error shape."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    error = json.loads(body)["error"]
    assert set(error) == {"code", "message", "fields"}
    return status, error


STALLS = [
    b"POST /v1/rulings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Half-A-Header: ",
]


def test_stalled_clients_hold_no_thread_and_are_closed_within_seconds(server):
    stalled = []
    for n in range(12):  # six mid-body, six mid-headers
        sock = connect(server)
        sock.sendall(STALLS[n % 2])
        stalled.append(sock)
    opened = time.monotonic()
    fresh, session = requests, requests.Session()
    for n in range(10):  # new connections and a kept-alive one, all answered at once
        started = time.monotonic()
        answer = (fresh if n % 2 else session).post(f"{server.base}/v1/rulings", json=sample_request(), timeout=10)
        assert answer.status_code == 201, answer.text
        assert time.monotonic() - started < 2.0
    for sock in stalled:
        status, error = error_of(read_until_closed(sock))
        assert (status, error["code"]) == (408, "request_timeout")
        sock.close()
    assert time.monotonic() - opened < READ_TIMEOUT_S + 3


def test_a_request_line_over_the_limit_is_414_in_the_error_shape(server):
    answer = requests.get(f"{server.base}/v1/rulings", params={"reference": "x" * 5000}, timeout=10)
    assert answer.status_code == 414
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["error"]["code"] == "uri_too_long"


def test_a_huge_header_is_431_in_the_error_shape(server):
    answer = requests.get(f"{server.base}/healthz", headers={"X-Big": "y" * 10_000}, timeout=10)
    assert answer.status_code == 431
    assert answer.json()["error"]["code"] == "header_fields_too_large"


def test_a_chunked_body_over_the_limit_is_413_and_nothing_is_stored(server):
    request = sample_request()
    request["application"]["reference"] = "APP-CHUNKED-BIG"
    body = json.dumps(request).encode()

    def chunks():  # valid JSON, then 2 MiB of spaces
        yield body
        for _ in range(32):
            yield b" " * 65536

    answer = requests.post(f"{server.base}/v1/rulings", data=chunks(), timeout=10,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["error"] == {"code": "payload_too_large", "fields": {},
                                      "message": "The body is over the limit of 1048576 bytes."}
    listed = requests.get(f"{server.base}/v1/rulings", params={"reference": "APP-CHUNKED-BIG"}, timeout=10)
    assert listed.json()["rulings"] == []
    small = requests.post(f"{server.base}/v1/rulings", data=iter([body[:100], body[100:]]), timeout=10,
                          headers={"Content-Type": "application/json"})
    assert small.status_code == 201


def test_a_declared_body_over_the_limit_is_413_before_it_is_read(server):
    sock = connect(server)
    sock.sendall(b"POST /v1/rulings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 2000000\r\n\r\n{")
    started = time.monotonic()
    status, error = error_of(read_until_closed(sock))
    assert (status, error["code"]) == (413, "payload_too_large")
    assert time.monotonic() - started < 3.5  # answered at once, closed after a short linger


def test_a_malformed_chunked_body_is_400_not_500(server):
    sock = connect(server)
    sock.sendall(b"POST /v1/rulings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
    status, error = error_of(read_until_closed(sock))
    assert (status, error["code"]) == (400, "bad_request")


def test_pipelined_requests_and_100_continue_are_answered(server):
    sock = connect(server)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/regulations HTTP/1.1\r\nHost: x\r\n"
                 b"Connection: close\r\n\r\n")
    assert read_until_closed(sock).count(b"HTTP/1.1 200 OK") == 2
    body = json.dumps(sample_request()).encode()
    sock = connect(server)
    sock.sendall(b"POST /v1/rulings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
                 b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
    assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
    sock.sendall(body)
    assert read_until_closed(sock).startswith(b"HTTP/1.1 201")


def test_the_access_log_names_requests_and_rulings_but_no_identifiers(server):
    request = sample_request()
    request["application"]["reference"] = "APP-ACCESS-LOG"
    ruling = requests.post(f"{server.base}/v1/rulings", json=request, timeout=10).json()
    requests.get(f"{server.base}/v1/rulings", params={"reference": "APP-ACCESS-LOG", "iin": IIN}, timeout=10)
    requests.get(f"{server.base}/v1/rulings/{IIN}", timeout=10)  # a careless client's path
    deadline = time.monotonic() + 10
    while not any("/v1/rulings/*** 404" in line for line in server.access_lines()) and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = server.access_lines()
    assert any(re.search(rf"POST /v1/rulings 201 \d+ms ruling={ruling['id']} request=[0-9a-f]{{32}}$", line)
               for line in lines), lines
    assert any(re.search(r" GET /v1/rulings 200 \d+ms", line) for line in lines)
    assert any(" GET /v1/rulings/*** 404 " in line for line in lines)
    log = server.log.read_text()
    for identifier in (IIN, BIN, PASSPORT, "APP-ACCESS-LOG"):
        assert identifier not in log


def test_the_start_line_says_how_it_runs(server):
    starts = [line for line in server.log.read_text().splitlines() if line.startswith("ereje serve:")]
    assert len(starts) == 1
    line = starts[0]
    versions = requests.get(f"{server.base}/healthz", timeout=10).json()["versions"]
    for key, digest in versions.items():
        assert f"{key} {digest}" in line
    assert f"db {server.log.parent / 'log.db'};" in line
    assert f"policies {ROOT / 'policies'};" in line
    assert f"registries fixtures {ROOT / 'fixtures' / 'registries'};" in line
    assert "auth open (no tokens)" in line
    log = server.log.read_text()
    assert log.index("ereje serve:") < log.index("Listening at")


def test_tokens_on_any_address_no_access_log_and_a_registry_url_without_its_secret(tmp_path, free_port):
    env = {"EREJE_TOKENS": "first, second", "EREJE_REGISTRY_URL": "http://user:s3cret@127.0.0.1:9/gateway"}
    served = Served(tmp_path, free_port(), "--host", "0.0.0.0", "--no-access-log", env=env)
    try:
        assert requests.get(f"{served.base}/v1/regulations", timeout=10).status_code == 401
    finally:
        served.stop()
    log = served.log.read_text()
    assert "auth 2 token(s)" in log
    assert "registries http://127.0.0.1:9/gateway (timeout 3 s)" in log
    assert "s3cret" not in log and "WARNING: " not in log   # no warning about the address: tokens are set
    assert served.access_lines() == []


def test_the_registry_simulators_log_masks_passports_and_bins(tmp_path):
    log = tmp_path / "simulator.log"
    with open(log, "w") as err:
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", "server.cli", "registries", "serve", "--port", "0"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        base = process.stdout.readline().split()[-1]
        assert requests.get(f"{base}/migration-police/persons/{PASSPORT}", timeout=10).status_code == 200
        assert requests.get(f"{base}/ulcrs/contracts", params={"employer_bin": BIN}, timeout=10).status_code == 200
        assert requests.get(f"{base}/offences", params={"employer_bin": BIN}, timeout=10).status_code == 200
        deadline = time.monotonic() + 10
        while log.read_text().count("GET /") < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=30)
    text = log.read_text()
    assert "GET /migration-police/persons/*** HTTP/1.1" in text
    assert "GET /ulcrs/contracts?employer_bin=*** HTTP/1.1" in text
    assert PASSPORT not in text and BIN not in text
