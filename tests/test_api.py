"""The HTTP API through Flask's test client: every endpoint, every error status."""

import json
import re

import pytest

from server.api.app import create_app

from tests import independent
from tests.conftest import APPLICATIONS
from tests.helpers import change, sample_request

LIMIT = 1024 * 1024


def post_ruling(client, request=None, **kwargs):
    return client.post("/v1/rulings", json=request or sample_request(), **kwargs)


def error_of(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def no_vacancy():
    return change("application.vacancy_code", None)


# Rulings

def test_a_ruling_is_judged_stored_and_read_back(client):
    response = post_ruling(client)
    assert response.status_code == 201
    ruling = response.get_json()
    assert response.headers["Location"] == f"/v1/rulings/{ruling['id']}"
    assert ruling["outcome"] == "approve"
    assert (ruling["regulation"], ruling["version"]) == ("kz-foreign-labour", "2025-09-01")
    assert ruling["ruleset_digest"].startswith("sha256:")
    assert ruling["findings"] and ruling["trace"] and ruling["registry"]
    again = client.get(f"/v1/rulings/{ruling['id']}")
    assert again.status_code == 200
    assert again.get_json() == ruling


def test_a_missing_vacancy_code_refuses_under_the_amended_rules(client):
    ruling = post_ruling(client, no_vacancy()).get_json()
    assert ruling["outcome"] == "refuse"
    statuses = {f["requirement"]: f["status"] for f in ruling["findings"]}
    assert statuses["vacancy-published"] == "unmet"


@pytest.mark.parametrize("header, lang", [("ru", "ru"), ("kk-KZ, ru;q=0.5", "kk"), ("en;q=0.2, ru;q=0.9", "ru"),
                                          ("de, fr", "en"), (None, "en")])
def test_accept_language_picks_the_language(client, header, lang):
    headers = {"Accept-Language": header} if header else {}
    response = post_ruling(client, headers=headers)
    assert response.status_code == 201
    # the asked language first; languages its texts fell back to follow (tests/test_languages.py)
    assert response.headers["Content-Language"].split(", ")[0] == lang
    assert response.get_json()["language"] == lang


def test_russian_titles_where_the_rule_file_has_them(client):
    english = post_ruling(client).get_json()
    russian = post_ruling(client, headers={"Accept-Language": "ru"}).get_json()
    assert [f["title"] for f in russian["findings"]] != [f["title"] for f in english["findings"]]
    reread = client.get(f"/v1/rulings/{english['id']}", headers={"Accept-Language": "ru"}).get_json()
    assert [f["title"] for f in reread["findings"]] == [f["title"] for f in russian["findings"]]
    assert reread["outcome"] == english["outcome"] and reread["id"] == english["id"]


def test_rulings_are_listed_by_reference(client):
    first = post_ruling(client).get_json()
    replay = client.post(f"/v1/rulings/{first['id']}/replay").get_json()
    post_ruling(client, change("application.reference", "OTHER"))
    listed = client.get("/v1/rulings?reference=APP-2025-000123").get_json()["rulings"]
    assert [r["id"] for r in listed] == [first["id"], replay["id"]]
    assert client.get("/v1/rulings?reference=none").get_json() == {"rulings": [], "next": None}
    assert "reference" in error_of(client.get("/v1/rulings"), 422, "invalid_request")["fields"]


def test_replay_under_the_earlier_version_changes_the_outcome(client):
    original = post_ruling(client, no_vacancy()).get_json()
    assert original["outcome"] == "refuse"
    response = client.post(f"/v1/rulings/{original['id']}/replay", json={"version": "2023-07-01"})
    assert response.status_code == 201
    replay = response.get_json()
    assert (replay["version"], replay["outcome"]) == ("2023-07-01", "approve")
    assert replay["outcome_changed"] is True and replay["replay_of"] == original["id"]
    assert replay["id"] != original["id"]
    assert client.get(f"/v1/rulings/{replay['id']}").get_json() == replay


def test_replay_by_date_and_without_a_body(client):
    original = post_ruling(client, no_vacancy()).get_json()
    by_date = client.post(f"/v1/rulings/{original['id']}/replay", json={"as_of": "2024-01-01"}).get_json()
    assert (by_date["version"], by_date["outcome_changed"]) == ("2023-07-01", True)
    same = client.post(f"/v1/rulings/{original['id']}/replay")
    assert same.status_code == 201
    assert (same.get_json()["version"], same.get_json()["outcome_changed"]) == ("2025-09-01", False)


def test_replay_reuses_the_recorded_registry_data(client):
    original = post_ruling(client).get_json()
    replay = client.post(f"/v1/rulings/{original['id']}/replay", json={}).get_json()
    for name, provenance in original["registry"].items():
        assert replay["registry"][name]["data"] == provenance["data"]


def test_replay_under_a_later_version_reads_the_registries_it_never_recorded(client):
    doc = json.loads((APPLICATIONS / "pre-amendment.json").read_text())
    original = post_ruling(client, doc).get_json()
    assert (original["version"], original["outcome"]) == ("2023-07-01", "approve")
    assert set(original["registry"]) == {"quota", "offences"}
    replay = client.post(f"/v1/rulings/{original['id']}/replay", json={"version": "2025-09-01"}).get_json()
    assert (replay["outcome"], replay["outcome_changed"]) == ("refuse", True)
    for name in ("quota", "offences"):   # recorded: reused as they were
        assert replay["registry"][name] == original["registry"][name]
    for name in ("ulcrs", "migration_police"):   # never recorded: read now
        assert replay["registry"][name]["source"] == "fixtures"
    # with no vacancy code the application alone makes the vacancy requirements unmet: the exchange is not asked
    assert "labour_exchange" not in replay["registry"] and replay["missing"] == []


def test_replay_of_an_unknown_ruling_is_404(client):
    error_of(client.post("/v1/rulings/nope/replay", json={}), 404, "not_found")


def test_replay_body_is_validated(client):
    original = post_ruling(client).get_json()
    error = error_of(client.post(f"/v1/rulings/{original['id']}/replay", json={"as_of": "2024-13-01"}),
                     422, "invalid_request")
    assert list(error["fields"]) == ["as_of"]


# Comparisons

def test_a_comparison_shows_each_version(client):
    response = client.post("/v1/comparisons", json=no_vacancy())
    assert response.status_code == 200
    comparison = response.get_json()
    assert set(comparison["versions"]) == {"2023-07-01", "2025-09-01"}
    assert comparison["rulings"]["2023-07-01"]["outcome"] == "approve"
    assert comparison["rulings"]["2025-09-01"]["outcome"] == "refuse"
    assert comparison["outcome_changed"] is True
    assert comparison["requirements"]["vacancy-published"]["statuses"]["2025-09-01"] == "unmet"


def test_a_comparison_can_name_its_versions(client):
    body = {**sample_request(), "versions": ["2025-09-01"]}
    assert client.post("/v1/comparisons", json=body).get_json()["versions"] == ["2025-09-01"]
    body["versions"] = ["1999-01-01"]
    assert client.post("/v1/comparisons", json=body).status_code == 422


# Regulations

def test_regulations_list_versions_and_periods(client):
    body = client.get("/v1/regulations").get_json()
    assert body["default"] == "kz-foreign-labour"
    [regulation] = [r for r in body["regulations"] if r["id"] == "kz-foreign-labour"]
    periods = {v["version"]: v["effective"] for v in regulation["versions"]}
    assert periods["2023-07-01"] == {"from": "2023-07-01", "to": "2025-08-31"}
    assert periods["2025-09-01"] == {"from": "2025-09-01", "to": None}


@pytest.mark.parametrize("version", ["2023-07-01", "2025-09-01"])
def test_a_version_is_described(client, version):
    response = client.get(f"/v1/regulations/kz-foreign-labour/versions/{version}")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["regulation"], body["version"]) == ("kz-foreign-labour", version)
    assert body["effective"] == {"2023-07-01": {"from": "2023-07-01", "to": "2025-08-31"},
                                 "2025-09-01": {"from": "2025-09-01", "to": None}}[version]
    assert body["amends"] == {"2023-07-01": None, "2025-09-01": "2023-07-01"}[version]
    # every requirement of CONTRACT s.6, in order, refusing, with the registry it reads
    assert [(r["id"], r["effect"], r["registries"]) for r in body["requirements"]] == [
        (rid, "refuse", [independent.NEEDS[rid]] if rid in independent.NEEDS else [])
        for rid in independent.REQUIREMENTS[version]]
    assert all(r["title"] and r["citation"] for r in body["requirements"])


@pytest.mark.parametrize("url", ["/v1/regulations/kz-foreign-labour/versions/1999-01-01",
                                 "/v1/regulations/nope/versions/2025-09-01",
                                 "/v1/regulations/nope/diff?from=2023-07-01&to=2025-09-01"])
def test_unknown_regulations_and_versions_are_404(client, url):
    error_of(client.get(url), 404, "not_found")


def test_the_diff_is_the_amendment(client):
    response = client.get("/v1/regulations/kz-foreign-labour/diff?from=2023-07-01&to=2025-09-01")
    assert response.status_code == 200
    diff = response.get_json()
    assert (diff["regulation"], diff["from"], diff["to"]) == ("kz-foreign-labour", "2023-07-01", "2025-09-01")
    # exactly the requirements Order No. 93 adds (CONTRACT s.6), none removed, local content's exemption narrowed
    assert [item["id"] for item in diff["added"]] == independent.REQUIREMENTS["2025-09-01"][6:]
    assert diff["removed"] == []
    assert [(c["id"], sorted(c["changes"])) for c in diff["changed"]] == [("local-content-ratio", ["citation", "readings"])]


@pytest.mark.parametrize("query, field", [("from=2023-07-01", "to"), ("to=2025-09-01", "from"),
                                          ("from=a&to=b&x=1", "x")])
def test_diff_needs_from_and_to(client, query, field):
    error = error_of(client.get(f"/v1/regulations/kz-foreign-labour/diff?{query}"), 422, "invalid_request")
    assert field in error["fields"]


def test_diff_of_unknown_versions_is_422(client):
    error_of(client.get("/v1/regulations/kz-foreign-labour/diff?from=2023-07-01&to=1999"), 422, "unknown_version")


# Health and description

def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert {k: body[k] for k in ("status", "regulations", "checks")} == {
        "status": "ok", "regulations": {"kz-foreign-labour": ["2023-07-01", "2025-09-01"]},
        "checks": {"rule_sets": "ok", "decision_log": "ok", "engine": "ok"}}
    assert sorted(body["versions"]) == ["kz-foreign-labour@2023-07-01", "kz-foreign-labour@2025-09-01"]
    # each digest is the one a ruling under that version carries
    for key, digest in body["versions"].items():
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", digest)
        ruling = post_ruling(client, dict(sample_request(), version=key.split("@")[1])).get_json()
        assert ruling["ruleset_digest"] == digest


def test_healthz_is_503_without_rule_sets(tmp_path):
    (tmp_path / "policies").mkdir()
    client = create_app({"DB": str(tmp_path / "log.db"), "POLICIES": str(tmp_path / "policies")}).test_client()
    assert client.get("/healthz").status_code == 503


def test_openapi_describes_every_endpoint(client, app):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    routes = ({str(rule) for rule in app.url_map.iter_rules() if not rule.endpoint.startswith("pages.")}
              - {"/static/<path:filename>", "/openapi.json"})   # the HTML pages are not API
    described = {path.replace("{", "<").replace("}", ">") for path in spec["paths"]}
    assert described == routes
    request_schema = spec["components"]["schemas"]["RulingRequest"]
    assert "application" in request_schema["properties"]
    body = spec["paths"]["/v1/rulings"]["post"]["requestBody"]["content"]["application/json"]
    examples = body["examples"]
    assert len(examples) >= 3, sorted(examples)   # a loop over no examples would check nothing
    for name, example in examples.items():
        response = client.post("/v1/rulings", json=example["value"])
        assert response.status_code == 201, name
        ruling = response.get_json()
        # each example is judged as the contract reads it, with the registry facts it was judged on
        fetched = {registry: p["data"] for registry, p in ruling["registry"].items() if "data" in p}
        want = independent.statuses(ruling["version"], example["value"], fetched)
        assert {f["requirement"]: f["status"] for f in ruling["findings"]} == want, name
        assert ruling["outcome"] == independent.outcome(want), name


# Errors: one shape, never a 500

def test_not_json_is_400(client):
    error_of(client.post("/v1/rulings", data="{not json", content_type="application/json"), 400, "not_json")


def test_absurd_nesting_is_400_not_500(client):
    deep = "[" * 100_000 + "]" * 100_000
    error_of(client.post("/v1/rulings", data=deep, content_type="application/json"), 400, "not_json")


def test_a_text_body_is_415(client):
    error_of(client.post("/v1/rulings", data=json.dumps(sample_request()), content_type="text/plain"),
             415, "unsupported_media_type")


def test_a_body_over_the_limit_is_413(client):
    big = json.dumps({**sample_request(), "pad": "x" * LIMIT})
    error_of(client.post("/v1/rulings", data=big, content_type="application/json"), 413, "payload_too_large")


def test_unknown_ruling_is_404(client):
    error_of(client.get("/v1/rulings/0123456789abcdef"), 404, "not_found")
    error_of(client.get("/v2/nothing"), 404, "not_found")


def test_wrong_method_is_405_with_allow(client):
    response = client.put("/v1/rulings")
    error_of(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]
    error_of(client.delete("/v1/regulations"), 405, "method_not_allowed")


@pytest.mark.parametrize("path, value, field", [
    ("application.employer.bin", "150540000107", "application.employer.bin"),
    ("application.submitted_on", "2025-09-31", "application.submitted_on"),
    ("application.employer.emploee_count", 3, "application.employer.emploee_count"),
    ("application.route", "seasonal", "application.category"),
    ("application.foreign_workers.0.iin", "123", "application.foreign_workers.0.iin"),
])
def test_invalid_requests_are_422_naming_the_field(client, path, value, field):
    error = error_of(post_ruling(client, change(path, value)), 422, "invalid_request")
    assert list(error["fields"]) == [field]


def test_a_json_array_is_422_at_the_root(client):
    assert error_of(client.post("/v1/rulings", json=[1]), 422, "invalid_request")["fields"] == {
        "$": ["Invalid input type."]}


def test_no_version_in_force(client):
    error_of(post_ruling(client, change("application.submitted_on", "2020-01-01")), 422, "no_version_in_force")


def test_an_unknown_version_is_422(client):
    request = {**sample_request(), "version": "1999-01-01"}
    error_of(post_ruling(client, request), 422, "unknown_version")


def test_an_unexpected_failure_is_an_opaque_500_with_a_request_id(client, monkeypatch, caplog):
    from server.judging import rulings

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail /etc/passwd")

    monkeypatch.setattr(rulings, "judge", broken)
    response = post_ruling(client)
    error = error_of(response, 500, "internal_error")
    request_id = response.headers["X-Request-Id"]
    assert request_id in error["message"] and "secret" not in response.get_data(as_text=True)
    assert request_id in caplog.text and "secret detail" in caplog.text


def test_every_response_carries_a_request_id(client):
    ids = {client.get("/healthz").headers["X-Request-Id"], client.get("/nope").headers["X-Request-Id"]}
    assert len(ids) == 2 and all(len(i) == 32 for i in ids)


# Access

@pytest.fixture
def guarded(tmp_path):
    return create_app({"DB": str(tmp_path / "log.db"), "TOKENS": "first-token, second-token"}).test_client()


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Bearer first", "Basic first-token", "Bearer ",
                                    "first-token", "Bearer first-token-and-more", "Bearer ünicode"])
def test_a_missing_or_wrong_token_is_401(guarded, header):
    headers = {"Authorization": header} if header else {}
    for response in (guarded.get("/v1/regulations", headers=headers),
                     post_ruling(guarded, headers=headers),
                     guarded.get("/v1/rulings/unknown", headers=headers)):
        error_of(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("token", ["first-token", "second-token"])
def test_any_configured_token_opens_v1(guarded, token):
    headers = {"Authorization": f"Bearer {token}"}
    assert guarded.get("/v1/regulations", headers=headers).status_code == 200
    assert post_ruling(guarded, headers=headers).status_code == 201


def test_health_and_description_stay_open(guarded):
    assert guarded.get("/healthz").status_code == 200
    assert guarded.get("/openapi.json").status_code == 200


def test_tokens_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("EREJE_TOKENS", "env-token")
    client = create_app({"DB": str(tmp_path / "log.db")}).test_client()
    assert client.get("/v1/regulations").status_code == 401
    assert client.get("/v1/regulations", headers={"Authorization": "Bearer env-token"}).status_code == 200
