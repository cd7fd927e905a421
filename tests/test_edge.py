"""What a client or a registry sends is checked once, at the edge (issue 10, item 2).

Dates outside the window 1900-01-01 .. 2099-12-31 are a 422 naming the field when a
client sends them, and make a registry unavailable when a registry does; registry
answers are read with a cap on size and depth; a key given twice is a 400; a
comparison names each version once and never `version`/`as_of`. Each case here was a
500, a traceback, a last-wins guess or 39 s of work before.
"""
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters import HttpSource
from server.api.app import create_app
from server.cli import main
from server.contract import jsonbody

from tests.helpers import BIN, batch_request, change, sample_request

WINDOW = "1900-01-01 .. 2099-12-31"
GATEWAY = "http://gateway.test/api"
OFFENCES_URL = f"{GATEWAY}/offences?employer_bin={BIN}"
FAR_OFFENCE = {"employer_bin": BIN, "article": "519", "decided_on": "9999-12-31"}


def with_registry(name, data, request=None):
    request = request or sample_request()
    request["registry"] = {**request.get("registry", {}), name: data}
    return request


def invalid(response, field):
    """The 422's message for `field`, which must be the only field named."""
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "invalid_request" and list(error["fields"]) == [field]
    return error["fields"][field][0]


# Dates: one window, in requests and inline registries

@pytest.mark.parametrize("path", ["/v1/rulings", "/v1/comparisons"])
def test_an_inline_offence_decided_in_9999_is_422_not_500(client, path):
    request = with_registry("offences", {"records": [FAR_OFFENCE]})
    message = invalid(client.post(path, json=request), "registry.offences.records.0.decided_on")
    assert message == f"Out of range: '9999-12-31'; dates must lie within {WINDOW}."


def test_an_inline_vacancy_published_in_9999_is_422_not_500(client):
    vacancy = {"code": "4012345", "employer_bin": BIN, "published_on": "9999-12-30", "status": "active"}
    request = with_registry("labour_exchange", {"vacancy": vacancy})
    message = invalid(client.post("/v1/rulings", json=request), "registry.labour_exchange.vacancy.published_on")
    assert WINDOW in message


@pytest.mark.parametrize("path, value", [
    ("application.submitted_on", "2100-01-01"),
    ("application.submitted_on", "1899-12-31"),
    ("application.submitted_on", "0001-01-01"),   # was no_version_in_force: the window comes first
    ("application.foreign_workers.0.contract.signed_on", "9999-12-31"),
    ("as_of", "2100-01-01"),
])
def test_a_request_date_outside_the_window_is_422_naming_it(client, path, value):
    assert WINDOW in invalid(client.post("/v1/rulings", json=change(path, value)), path)


def test_the_window_edges_are_inside(client):
    for day in ("1900-01-01", "2099-12-31"):
        request = with_registry("offences", {"records": [dict(FAR_OFFENCE, decided_on=day)]})
        assert client.post("/v1/rulings", json=request).status_code == 201


def test_a_replay_as_of_outside_the_window_is_422(client):
    ruling = client.post("/v1/rulings", json=sample_request()).get_json()
    response = client.post(f"/v1/rulings/{ruling['id']}/replay", json={"as_of": "2100-01-01"})
    assert WINDOW in invalid(response, "as_of")


def test_the_window_is_published_in_the_openapi_schema(client):
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    for schema, name in (("Application", "submitted_on"), ("RegistryOffence", "decided_on")):
        date = schemas[schema]["properties"][name]
        assert date["format"] == "date" and date["pattern"].startswith("^(19|20)")
        assert WINDOW in date["description"]


# Registry answers: out of the window, too big or too deep is unavailable

@pytest.fixture
def gateway_app(tmp_path):
    """The API asking an HTTP gateway (requests-mock) for what a request does not give inline."""
    return create_app({"DB": str(tmp_path / "log.db"), "TESTING": True,
                       "REGISTRY_SOURCE": HttpSource(GATEWAY, timeout=0.5)})


def all_but_offences():
    """A request with every registry inline except offences, which the gateway answers."""
    request = batch_request("APP-EDGE")
    del request["registry"]["offences"]
    return request


def offences_answered(gateway_app, requests_mock, **answer):
    requests_mock.get(OFFENCES_URL, headers={"Content-Type": "application/json"}, **answer)
    response = gateway_app.test_client().post("/v1/rulings", json=all_but_offences())
    assert response.status_code == 201, response.get_data(as_text=True)
    ruling = response.get_json()
    assert ruling["missing"] == ["offences"]
    finding = next(f for f in ruling["findings"] if f["requirement"] == "no-unpermitted-labour")
    assert finding["status"] == "unknown" and ruling["outcome"] != "approve"
    return ruling["registry"]["offences"]["reason"]


def test_a_fetched_offence_decided_in_9999_makes_offences_unavailable(gateway_app, requests_mock):
    reason = offences_answered(gateway_app, requests_mock, json={"records": [FAR_OFFENCE]})
    assert "decided_on" in reason and WINDOW in reason


def test_a_fetched_answer_100k_levels_deep_makes_offences_unavailable(gateway_app, requests_mock):
    deep = '{"records": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert offences_answered(gateway_app, requests_mock, text=deep) == "answer is not valid JSON"


def test_a_fetched_answer_65_levels_deep_makes_offences_unavailable(gateway_app, requests_mock):
    deep = '{"records": [' + '{"x":' * 63 + "1" + "}" * 63 + "]}"
    assert offences_answered(gateway_app, requests_mock, text=deep) == "answer nests deeper than 64 levels"


class Endless(io.RawIOBase):
    """A body of `size` spaces made as it is read, counting what was read: a 230 MB answer without 230 MB."""

    def __init__(self, size):
        self.left, self.read_bytes = size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        buffer[:n] = b" " * n
        self.left -= n
        self.read_bytes += n
        return n


def test_a_230_mb_answer_is_unavailable_after_reading_one_mib(gateway_app, requests_mock):
    body = Endless(230 * 10**6)
    reason = offences_answered(gateway_app, requests_mock, body=io.BufferedReader(body))
    assert reason == f"answer is over the limit of {1 << 20} bytes"
    assert body.read_bytes < 2 * (1 << 20)


def test_a_declared_length_over_the_cap_is_refused_unread(gateway_app, requests_mock):
    body = Endless(230 * 10**6)
    requests_mock.get(OFFENCES_URL, body=io.BufferedReader(body),
                      headers={"Content-Type": "application/json", "Content-Length": str(230 * 10**6)})
    ruling = gateway_app.test_client().post("/v1/rulings", json=all_but_offences()).get_json()
    assert ruling["registry"]["offences"]["reason"] == f"answer of {230 * 10**6} bytes is over the limit of {1 << 20}"
    assert body.read_bytes < 1 << 20


# Duplicate keys: a 400 wherever a body is read

@pytest.mark.parametrize("path", ["/v1/rulings", "/v1/comparisons"])
def test_a_key_given_twice_is_400_naming_it(client, path):
    text = json.dumps(sample_request()).replace('"kind": "issue"', '"kind": "issue", "kind": "extension"')
    response = client.post(path, data=text, content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "not_json" and error["fields"] == {"application.kind": ["Given more than once."]}
    assert "'kind'" in error["message"] and "application" in error["message"]


def test_a_key_given_twice_deep_in_a_list_is_named_by_its_path(client):
    text = json.dumps(sample_request()).replace('"passport": "N1234567"', '"passport": "N1", "passport": "N2"')
    response = client.post("/v1/rulings", data=text, content_type="application/json")
    assert response.get_json()["error"]["fields"] == {"application.foreign_workers.0.passport": ["Given more than once."]}


def test_a_replay_body_with_a_key_given_twice_is_400(client):
    ruling = client.post("/v1/rulings", json=sample_request()).get_json()
    response = client.post(f"/v1/rulings/{ruling['id']}/replay", content_type="application/json",
                           data='{"version": "2023-07-01", "version": "2025-09-01"}')
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"version": ["Given more than once."]}


# Comparisons: each version once, and only `versions`

def test_74000_duplicate_versions_are_422_at_once(client):
    request = dict(sample_request(), versions=["2023-07-01"] * 74_000)
    response = client.post("/v1/comparisons", json=request)
    assert invalid(response, "versions") == "Length must be between 1 and 64."


def test_a_version_named_twice_is_422(client):
    request = dict(sample_request(), versions=["2023-07-01", "2025-09-01", "2023-07-01"])
    message = invalid(client.post("/v1/comparisons", json=request), "versions")
    assert message == "Names '2023-07-01' more than once; name each version once."


def test_an_unknown_version_is_422_naming_versions(client):
    response = client.post("/v1/comparisons", json=dict(sample_request(), versions=["2023-07-01", "1999-01-01"]))
    assert response.status_code == 422 and list(response.get_json()["error"]["fields"]) == ["versions"]


@pytest.mark.parametrize("name, value", [("version", "2023-07-01"), ("as_of", "2025-01-01"), ("version", None)])
def test_a_comparison_refuses_version_and_as_of(client, name, value):
    response = client.post("/v1/comparisons", json=dict(sample_request(), **{name: value}))
    message = invalid(response, name)
    assert message == "Unknown field."
    assert response.get_json()["error"]["fields"][name][1] == \
        "A comparison judges under `versions`: name the version there."


# `ereje rule`: the same inputs exit 2 with a message, never a traceback

@pytest.mark.parametrize("body, says", [
    (json.dumps(with_registry("offences", {"records": [FAR_OFFENCE]})),
     f"registry.offences.records.0.decided_on: Out of range: '9999-12-31'; dates must lie within {WINDOW}."),
    (json.dumps(change("application.submitted_on", "9999-12-31")), "application.submitted_on: Out of range"),
    ('{"application": {"kind": "issue", "kind": "extension"}}',
     "not JSON: key 'kind' appears more than once in application"),
    ("[" * 100_000 + "]" * 100_000, "not JSON: maximum recursion depth exceeded"),
])
def test_rule_on_bad_input_exits_2_naming_it(runner, tmp_path, body, says):
    file = tmp_path / "request.json"
    file.write_text(body, encoding="utf-8")
    result = runner.invoke(main, ["rule", str(file)])
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output


# The repeated-key check: orjson with a colon count, the standard library when in doubt

def pairs_text(node, spaced, escaped):
    """JSON text of a tree whose objects are lists of (key, value) pairs (keys may repeat);
    `escaped` writes each colon inside a string as \\u003a."""
    if isinstance(node, tuple):   # ("obj", pairs)
        sep = " : " if spaced else ":"
        return "{" + ",".join(pairs_text(k, spaced, escaped) + sep + pairs_text(v, spaced, escaped)
                              for k, v in node[1]) + "}"
    if isinstance(node, list):
        return "[" + ",".join(pairs_text(v, spaced, escaped) for v in node) + "]"
    text = json.dumps(node)
    return text.replace(":", "\\u003a") if escaped and isinstance(node, str) else text


def reference(text):
    """What the standard library says with a hook that refuses repeats: the value or "repeated"."""
    def unique(pairs):
        if len(dict(pairs)) != len(pairs):
            raise KeyError
        return dict(pairs)
    try:
        return json.loads(text, object_pairs_hook=unique)
    except KeyError:
        return "repeated"


KEYS = st.sampled_from(["a", "b", "a:b", '":', "\\", ":"])
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False),
                   st.text(alphabet=':"\\ab\u00e9', max_size=6))
TREES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.lists(st.tuples(KEYS, inner), max_size=4).map(lambda pairs: ("obj", pairs))), max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(TREES, st.booleans(), st.booleans())
def test_a_repeated_key_is_found_exactly_as_the_standard_library_finds_it(tree, spaced, escaped):
    text = pairs_text(tree, spaced, escaped)
    try:
        got = jsonbody.loads(text.encode())
    except jsonbody.DuplicateKey:
        got = "repeated"
    assert got == reference(text)
