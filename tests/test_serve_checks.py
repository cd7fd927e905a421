"""`ereje serve` fails closed and says how it runs; /healthz checks what rulings need (issue 10, item 4).

In process: start-up problems are exit 2 naming what to fix, before gunicorn starts
(the server itself is replaced by a stand-in that records how it would run); /healthz
is 503 in the error shape when the decision log takes no write or the engine fails;
the worker's framing of requests, byte by byte.
"""
import os

import pytest

from server import errors
from server.api import common, framing, health
from server.api.app import create_app
from server.cli import serve as serve_module
from server.cli.serve import serve_command


class StandIn:
    """Records what `ereje serve` would run gunicorn with."""

    started = []

    def __init__(self, app_config, options, rules, limits):
        self.args = {"app_config": app_config, "options": options, "limits": limits}

    def run(self):
        StandIn.started.append(self.args)


@pytest.fixture
def serve(runner, monkeypatch, tmp_path):
    """Invoke `ereje serve ARGS` with a fresh environment; gunicorn never starts."""
    monkeypatch.setattr(serve_module, "Server", StandIn)
    monkeypatch.delenv("EREJE_TOKENS", raising=False)
    monkeypatch.delenv("EREJE_REGISTRY_URL", raising=False)
    StandIn.started = []

    def invoke(*args, db=None, **env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runner.invoke(serve_command, ["--db", str(db or tmp_path / "log.db"), *args])

    return invoke


@pytest.mark.parametrize("tokens", [" , ", "", "  ", "good, "])
def test_blank_tokens_are_a_start_up_error(serve, tokens):
    result = serve(EREJE_TOKENS=tokens)
    assert result.exit_code == 2
    assert "EREJE_TOKENS" in result.output and "blank token" in result.output
    assert StandIn.started == []


def test_blank_tokens_fail_create_app_too(tmp_path):
    with pytest.raises(ValueError, match="blank token"):
        create_app({"DB": str(tmp_path / "log.db"), "TOKENS": " , "})


def test_an_open_api_on_a_non_loopback_address_is_refused_unless_insecure(serve):
    refused = serve("--host", "0.0.0.0")
    assert refused.exit_code == 2
    assert "not a loopback address and EREJE_TOKENS is not set" in refused.output
    assert "--insecure" in refused.output and StandIn.started == []

    insecure = serve("--host", "0.0.0.0", "--insecure")
    assert insecure.exit_code == 0, insecure.output
    assert "WARNING: --host 0.0.0.0 is not a loopback address" in insecure.output
    assert StandIn.started[0]["options"]["bind"] == "0.0.0.0:8080"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_needs_no_tokens_and_tokens_open_any_address(serve, host):
    assert serve("--host", host).exit_code == 0
    assert serve("--host", "0.0.0.0", EREJE_TOKENS="secret").exit_code == 0
    assert "WARNING" not in serve("--host", "0.0.0.0", EREJE_TOKENS="secret").output


def test_one_start_line_and_the_access_log_on_by_default(serve, tmp_path):
    result = serve()
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("ereje serve:")]
    assert len(lines) == 1
    assert f"db {tmp_path / 'log.db'};" in lines[0] and "auth open (no tokens)" in lines[0]
    assert "kz-foreign-labour@2025-09-01 sha256:" in lines[0] and "access log on" in lines[0]
    options = StandIn.started[0]["options"]
    assert options["accesslog"] == "-" and options["worker_class"] == "server.api.worker.Worker"
    assert StandIn.started[0]["app_config"]["MAX_CONTENT_LENGTH"] == StandIn.started[0]["limits"].max_body

    quiet = serve("--no-access-log", "--read-timeout", "2")
    assert "access log off" in quiet.output
    assert StandIn.started[1]["options"]["accesslog"] is None
    assert StandIn.started[1]["limits"].read_timeout == 2.0


def test_a_missing_db_directory_exits_2_naming_it_and_creates_nothing(serve, tmp_path):
    missing = tmp_path / "nowhere" / "log.db"
    result = serve(db=missing)
    assert result.exit_code == 2
    assert f"--db {missing}: the directory {missing.parent} does not exist" in result.output
    assert not missing.parent.exists() and StandIn.started == []


def test_a_read_only_db_exits_2_naming_it(serve, tmp_path):
    db = tmp_path / "log.db"
    assert serve(db=db).exit_code == 0  # created and migrated
    os.chmod(db, 0o444)
    result = serve(db=db)
    assert result.exit_code == 2
    assert f"--db {db}: the decision log is read-only" in result.output


def test_a_file_that_is_not_a_database_exits_2_naming_it(serve, tmp_path):
    db = tmp_path / "log.db"
    db.write_bytes(b"not a database, just text " * 100)
    result = serve(db=db)
    assert result.exit_code == 2
    assert f"--db {db}: the decision log cannot be written" in result.output


@pytest.mark.parametrize("url", ["localhost:8090", "http://", "ftp://gateway", "http://gateway:99999", "http ://x"])
def test_a_malformed_registry_url_exits_2(serve, url):
    result = serve(EREJE_REGISTRY_URL=url)
    assert result.exit_code == 2
    assert "EREJE_REGISTRY_URL" in result.output and StandIn.started == []


def test_healthz_reports_each_check_and_digest(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["checks"] == {"rule_sets": "ok", "decision_log": "ok", "engine": "ok"}
    assert set(body["versions"]) == {"kz-foreign-labour@2023-07-01", "kz-foreign-labour@2025-09-01"}
    assert all(digest.startswith("sha256:") for digest in body["versions"].values())


def test_healthz_is_503_when_the_decision_log_takes_no_write(app):
    with app.test_request_context():
        conn = common.db()  # the connection this thread's requests use
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # as full as a full disk
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["error"]["code"] == "unavailable"
    assert body["error"]["fields"] == {"decision_log": ["database or disk is full"]}
    assert body["error"]["message"] == "decision log: database or disk is full"
    assert body["checks"]["engine"] == "ok" and body["versions"]  # the digests still reported


def test_healthz_is_503_when_the_engine_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise errors.EngineError("the session could not be created")

    monkeypatch.setattr(health.rulings, "judge_under", broken)
    answer = client.get("/healthz")
    assert answer.status_code == 503
    error = answer.get_json()["error"]
    assert list(error["fields"]) == ["engine"]
    assert error["message"] == ("engine: kz-foreign-labour@2023-07-01: EngineError: "
                                "the session could not be created")


def complete(raw, max_body=1024 * 1024):
    return framing.Framing(max_body).feed(bytearray(raw))


HEAD = b"POST /v1/rulings HTTP/1.1\r\nHost: x\r\n"


@pytest.mark.parametrize("raw, kind, beyond", [  # beyond: bytes after the request's end
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", framing.COMPLETE, 0),
    (HEAD + b"Content-Length: 2\r\n\r\n{}GET", framing.COMPLETE, 3),  # the next request begins
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Trailer: 1\r\n\r\n", framing.COMPLETE, 0),
    (b"GET / HTTP/1.1\nHost: x\n", framing.HANDOVER, 0),  # bare LF: gunicorn's 400 from what is here
    (b"GET /" + b"x" * 5000, framing.HANDOVER, 0),  # gunicorn's 414
    (HEAD + b"Content-Length: 1\r\nContent-Length: 1\r\n\r\n{", framing.HANDOVER, 1),  # gunicorn's 400
])
def test_framing_finds_where_a_request_ends(raw, kind, beyond):
    verdict = complete(raw)
    assert (verdict.kind, verdict.end) == (kind, len(raw) - beyond)


@pytest.mark.parametrize("raw", [
    b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
    HEAD + b"Content-Length: 3\r\n\r\n{}",
    HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n",
    HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Trailer: 1\r\n",
])
def test_framing_waits_for_the_rest(raw):
    assert complete(raw).kind == framing.MORE


@pytest.mark.parametrize("raw, status", [
    (HEAD + b"Content-Length: 11\r\n\r\n", 413),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n", 413),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX", 400),
    (b"GET / HTTP/1.1\r\n" + b"X-Many: y\r\n" * 7000, 431),
])
def test_framing_refuses_what_no_thread_should_read(raw, status):
    verdict = complete(raw, max_body=10)
    assert (verdict.kind, verdict.status) == (framing.REJECT, status)
