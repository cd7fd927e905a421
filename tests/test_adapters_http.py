"""Registry facts read over HTTP (CONTRACT section 5), with requests-mock."""

import json
import re

import pytest
import requests

from adapters import HttpSource, Query, RegistryUnavailable
from adapters.sources import http
from adapters.sources.http import nested_deeper, session

# The registry data schemas are built afresh in each test (conftest.py, schemas_built_here).
pytestmark = pytest.mark.usefixtures("schemas_built_here")

BASE = "http://gateway.test/api"
EMPLOYER = "150540000106"
QUERY = Query(
    employer_bin=EMPLOYER,
    vacancy_code="4012345",
    passports=("N1234567",),
    region="ALMATY",
    year=2025,
    quota_category="3",
)
VACANCY = {"code": "4012345", "employer_bin": EMPLOYER, "published_on": "2025-09-01", "status": "active"}
CONTRACT = {
    "employer_bin": EMPLOYER, "employee_iin": "900101300007", "passport": "N1234567",
    "number": "TD-15", "kind": "labour", "registered_on": "2025-03-04",
}
PERSON = {"passport": "N1234567", "iin": "900101300007", "status": "lawful"}
OFFENCE = {"employer_bin": EMPLOYER, "article": "519", "decided_on": "2025-02-01"}

# registry -> (URL asked, body answered with 200, data the ruling gets)
CASES = {
    "labour_exchange": (f"{BASE}/labour-exchange/vacancies/4012345", VACANCY, {"vacancy": VACANCY}),
    "ulcrs": (
        f"{BASE}/ulcrs/contracts?employer_bin={EMPLOYER}",
        {"contracts": [CONTRACT]},
        {"contracts": [CONTRACT]},
    ),
    "migration_police": (f"{BASE}/migration-police/persons/N1234567", PERSON, {"persons": [PERSON]}),
    "quota": (
        f"{BASE}/quota/ALMATY/2025/3",
        {"remaining": 12},
        {"region": "ALMATY", "year": 2025, "category": "3", "remaining": 12},
    ),
    "offences": (f"{BASE}/offences?employer_bin={EMPLOYER}", {"records": [OFFENCE]}, {"records": [OFFENCE]}),
}
REGISTRIES = list(CASES)
# What a 404 means: no such vacancy / no record are answers; for the rest it is a failure.
NOT_FOUND = {"labour_exchange": {"vacancy": None}, "migration_police": {"persons": []}}


@pytest.fixture(autouse=True)
def session_of_this_test(monkeypatch):
    """Each test builds the process's one HTTP session afresh, as a new worker does."""
    monkeypatch.setattr(http, "_session", None)


@pytest.fixture
def source():
    return HttpSource(BASE + "/", timeout=0.5)


@pytest.fixture
def registry_mock(requests_mock):
    """requests-mock answering JSON with the content type a real registry sends."""

    def answer(url, **kwargs):
        if "json" in kwargs:
            kwargs.setdefault("headers", {"Content-Type": "application/json; charset=utf-8"})
        return requests_mock.get(url, **kwargs)

    answer.mock = requests_mock
    return answer


def unavailable(source, registry, query=QUERY):
    with pytest.raises(RegistryUnavailable) as caught:
        source.fetch(registry, query)
    assert caught.value.registry == registry
    return caught.value


@pytest.mark.parametrize("registry", REGISTRIES)
def test_an_answer_becomes_the_registry_data_with_provenance(source, registry_mock, registry):
    url, body, data = CASES[registry]
    registry_mock(url, json=body, complete_qs=True)
    got, provenance = source.fetch(registry, QUERY)
    assert got == data
    assert provenance["source"] == "http"
    assert (provenance["url"], provenance["status"]) == (url, 200)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", provenance["fetched_at"])
    assert provenance["duration_ms"] >= 0


@pytest.mark.parametrize("registry", REGISTRIES)
def test_not_found(source, registry_mock, registry):
    registry_mock(CASES[registry][0], status_code=404, json={"error": "not found"})
    if registry in NOT_FOUND:
        assert source.fetch(registry, QUERY)[0] == NOT_FOUND[registry]
    else:
        err = unavailable(source, registry)
        assert err.provenance["status"] == 404


@pytest.mark.parametrize("registry", REGISTRIES)
@pytest.mark.parametrize("status", [500, 503])
def test_an_error_status_makes_the_registry_unavailable(source, registry_mock, registry, status):
    registry_mock(CASES[registry][0], status_code=status, json={"error": "down"})
    err = unavailable(source, registry)
    assert err.reason == f"answered HTTP {status}"
    assert err.provenance["status"] == status


@pytest.mark.parametrize("registry", REGISTRIES)
@pytest.mark.parametrize(
    "exc, reason",
    [
        (requests.ConnectTimeout, "no connection within 0.5 s"),
        (requests.ReadTimeout, "no answer within 0.5 s"),
        (requests.ConnectionError("[Errno 111] Connection refused"), "connection failed: [Errno 111] Connection refused"),
    ],
)
def test_transport_failures_make_the_registry_unavailable(source, registry_mock, registry, exc, reason):
    registry_mock(CASES[registry][0], exc=exc)
    err = unavailable(source, registry)
    assert err.reason == reason
    assert err.provenance["url"] == CASES[registry][0]
    assert "status" not in err.provenance


@pytest.mark.parametrize("registry", REGISTRIES)
def test_a_body_that_is_not_json(source, registry_mock, registry):
    registry_mock(CASES[registry][0], text="<html>", headers={"Content-Type": "application/json"})
    assert unavailable(source, registry).reason == "answer is not valid JSON"


@pytest.mark.parametrize("content, charset", [
    ("\ufeff" + json.dumps(VACANCY), "utf-8"),                 # a byte-order mark
    (json.dumps(dict(VACANCY, status="действует"), ensure_ascii=False), "windows-1251"),
])
def test_a_body_is_read_in_the_charset_it_declares(source, registry_mock, content, charset):
    registry_mock(CASES["labour_exchange"][0], content=content.encode(charset),
                  headers={"Content-Type": f"application/json; charset={charset}"})
    assert source.fetch("labour_exchange", QUERY)[0] == {"vacancy": json.loads(content.lstrip("\ufeff"))}


def test_a_body_that_is_not_in_its_declared_charset_is_not_json(source, registry_mock):
    registry_mock(CASES["labour_exchange"][0], content=b"\xff\xfe{}",
                  headers={"Content-Type": "application/json; charset=utf-7"})
    assert unavailable(source, "labour_exchange").reason == "answer is not valid JSON"


@pytest.mark.parametrize("registry", REGISTRIES)
def test_a_body_that_is_not_declared_json(source, registry_mock, registry):
    registry_mock(CASES[registry][0], text="{}", headers={"Content-Type": "text/html"})
    assert unavailable(source, registry).reason == "answered text/html, not JSON"


@pytest.mark.parametrize("registry", REGISTRIES)
@pytest.mark.parametrize("body", [{"unexpected": True}, ["a list"]])
def test_a_body_of_the_wrong_shape(source, registry_mock, registry, body):
    registry_mock(CASES[registry][0], json=body)
    assert re.match(r"answer (is not a JSON object|does not fit)", unavailable(source, registry).reason)


@pytest.mark.parametrize(
    "registry, body, field",
    [
        ("labour_exchange", dict(VACANCY, published_on="01.09.2025"), "published_on"),
        ("ulcrs", {"contracts": [dict(CONTRACT, employee_iin="900101300008")]}, "employee_iin"),
        ("migration_police", dict(PERSON, iin="9001013"), "iin"),
        ("quota", {"remaining": "12"}, "remaining"),
        ("offences", {"records": [dict(OFFENCE, decided_on="2025-13-01")]}, "decided_on"),
    ],
)
def test_bad_dates_and_identifiers_are_rejected_with_the_field_named(source, registry_mock, registry, body, field):
    registry_mock(CASES[registry][0], json=body)
    reason = unavailable(source, registry).reason
    assert reason.startswith("answer does not fit") and f"'{field}'" in reason


@pytest.mark.parametrize(
    "registry, body",
    [
        ("labour_exchange", dict(VACANCY, code="4099999")),
        ("migration_police", dict(PERSON, passport="X0000000")),
        ("quota", {"region": "ASTANA", "remaining": 12}),
    ],
)
def test_an_answer_about_something_else_is_not_used(source, registry_mock, registry, body):
    registry_mock(CASES[registry][0], json=body)
    assert unavailable(source, registry).reason.startswith("asked for")


@pytest.mark.parametrize("registry, key", [("ulcrs", "contracts"), ("offences", "records")])
def test_other_employers_records_are_dropped(source, registry_mock, registry, key):
    record = CASES[registry][1][key][0]
    other = dict(record, employer_bin="200540000108")
    registry_mock(CASES[registry][0], json={key: [other, record]})
    assert source.fetch(registry, QUERY)[0] == {key: [record]}


def test_extra_fields_in_an_answer_are_ignored(source, registry_mock):
    registry_mock(CASES["labour_exchange"][0], json=dict(VACANCY, title="Welder"))
    assert source.fetch("labour_exchange", QUERY)[0] == {"vacancy": VACANCY}


def test_no_vacancy_code_asks_nothing(source, registry_mock):
    query = Query(**{**QUERY.__dict__, "vacancy_code": None})
    data, provenance = source.fetch("labour_exchange", query)
    assert data == {"vacancy": None} and "url" not in provenance
    assert registry_mock.mock.call_count == 0


def test_one_request_per_passport_and_absent_persons_are_skipped(source, registry_mock):
    base = f"{BASE}/migration-police/persons/"
    registry_mock(base + "N1234567", json=PERSON)
    registry_mock(base + "P%2F55", status_code=404)  # the passport is one path segment
    query = Query(**{**QUERY.__dict__, "passports": ("N1234567", "P/55", "N1234567")})
    data, provenance = source.fetch("migration_police", query)
    assert data == {"persons": [PERSON]}
    assert provenance["requests"] == [
        {"url": base + "N1234567", "status": 200},
        {"url": base + "P%2F55", "status": 404},
    ]


def test_one_failing_passport_makes_the_registry_unavailable(source, registry_mock):
    base = f"{BASE}/migration-police/persons/"
    registry_mock(base + "N1234567", json=PERSON)
    registry_mock(base + "N7654321", status_code=503)
    query = Query(**{**QUERY.__dict__, "passports": ("N1234567", "N7654321")})
    err = unavailable(source, "migration_police", query)
    assert err.reason == "answered HTTP 503"
    assert [c.get("status") for c in err.provenance["requests"]] == [200, 503]


def test_every_request_has_connect_and_read_timeouts(source, registry_mock):
    registry_mock(CASES["quota"][0], json={"remaining": 1})
    source.fetch("quota", QUERY)
    assert registry_mock.mock.last_request.timeout == (0.5, 0.5)


def test_one_session_serves_the_whole_process():
    assert session() is session()


def test_every_request_asks_for_json(source, registry_mock):
    registry_mock(CASES["quota"][0], json={"remaining": 1})
    source.fetch("quota", QUERY)
    assert registry_mock.mock.last_request.headers["Accept"] == "application/json"


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_connections_are_kept_in_8_pools_of_up_to_32(scheme):
    adapter = session().get_adapter(f"{scheme}://gateway.test/")
    assert (adapter._pool_connections, adapter._pool_maxsize) == (8, 32)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_gets_retry_refused_connections_and_gateway_errors_briefly(scheme):
    # requests-mock bypasses mounted adapters, so the policy is checked as configured.
    retry = session().get_adapter(f"{scheme}://gateway.test/").max_retries
    assert (retry.total, retry.connect, retry.read, retry.status) == (2, 2, False, 2)
    assert set(retry.status_forcelist) == {502, 503, 504}
    assert retry.allowed_methods == {"GET"}
    assert retry.backoff_factor == 0.1
    assert not retry.respect_retry_after_header
    assert not retry.raise_on_status  # the last 503 is reported as a status, not an exception


# Every answer is bounded: dates in the window, size under the cap, nesting under the limit

@pytest.mark.parametrize(
    "registry, body, field",
    [
        ("labour_exchange", dict(VACANCY, published_on="9999-12-30"), "published_on"),
        ("ulcrs", {"contracts": [dict(CONTRACT, registered_on="2100-01-01")]}, "registered_on"),
        ("offences", {"records": [dict(OFFENCE, decided_on="1899-12-31")]}, "decided_on"),
    ],
)
def test_a_date_outside_the_window_makes_the_registry_unavailable(source, registry_mock, registry, body, field):
    registry_mock(CASES[registry][0], json=body)
    reason = unavailable(source, registry).reason
    assert f"'{field}'" in reason and "dates must lie within 1900-01-01 .. 2099-12-31" in reason


@pytest.mark.parametrize("registry", REGISTRIES)
def test_an_answer_over_the_cap_is_unavailable(registry_mock, registry):
    small = HttpSource(BASE, timeout=0.5, max_bytes=100)
    registry_mock(CASES[registry][0], text=json.dumps(CASES[registry][1]) + " " * 100,
                  headers={"Content-Type": "application/json"})
    assert unavailable(small, registry).reason == "answer is over the limit of 100 bytes"


def test_an_answer_at_the_cap_is_read(registry_mock):
    text = json.dumps({"records": [OFFENCE]})
    registry_mock(CASES["offences"][0], text=text, headers={"Content-Type": "application/json"})
    exact = HttpSource(BASE, timeout=0.5, max_bytes=len(text))
    assert exact.fetch("offences", QUERY)[0] == {"records": [OFFENCE]}


def test_a_declared_length_over_the_cap_is_refused_before_reading(registry_mock):
    registry_mock(CASES["offences"][0], text="{}", headers={"Content-Type": "application/json",
                                                            "Content-Length": "1000"})
    small = HttpSource(BASE, timeout=0.5, max_bytes=999)
    assert unavailable(small, "offences").reason == "answer of 1000 bytes is over the limit of 999"


@pytest.mark.parametrize("depth, reason", [
    (64, None),
    (65, "answer nests deeper than 64 levels"),
    (1_100, "answer is not valid JSON"),     # orjson's own limit: 1,024 levels
    (100_000, "answer is not valid JSON"),
])
def test_nesting_past_64_levels_is_unavailable(source, registry_mock, depth, reason):
    # The answer object is level 1, so records' items sit at depth 3 and nest below.
    text = '{"records": [' + "[" * (depth - 2) + "]" * (depth - 2) + "]}"
    registry_mock(CASES["offences"][0], text=text, headers={"Content-Type": "application/json"})
    if reason is None:
        assert re.match("answer does not fit", unavailable(source, "offences").reason)
    else:
        assert unavailable(source, "offences").reason == reason


def test_nested_deeper_counts_objects_and_arrays_without_recursion():
    assert not nested_deeper({"a": [1, {"b": []}]}, 4)
    assert nested_deeper({"a": [1, {"b": [[]]}]}, 4)
    deep = []
    for _ in range(200_000):   # far past Python's recursion limit
        deep = [deep]
    assert nested_deeper({"x": deep}, 64)
