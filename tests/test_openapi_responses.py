"""Every endpoint's real responses, errors included, fit the schema /openapi.json publishes for them."""

import json
import socket

import pytest
from openapi_schema_validator import OAS30Validator

from adapters import HttpSource
from server.api import respond
from server.api.app import create_app
from server.contract import response
from tests.conftest import APPLICATIONS

SAMPLES = {f.stem: json.loads(f.read_text(encoding="utf-8")) for f in sorted(APPLICATIONS.glob("*.json"))}
SAMPLES = {name: doc for name, doc in SAMPLES.items() if isinstance(doc, dict) and "application" in doc}
BASE = "/v1/regulations/kz-foreign-labour"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app({"DB": str(tmp_path_factory.mktemp("log") / "log.db"), "TESTING": True,
                       "MAX_CONTENT_LENGTH": 64 * 1024})


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/openapi.json").get_json()


def published(spec, path, method, status):
    """The schema the description gives for `status` of `method path`, with the components beside it."""
    responses = spec["paths"][path][method]["responses"] if path else {}
    answer = responses.get(str(status)) or {"$ref": f"#/components/responses/{status}"}
    if "$ref" in answer:
        answer = spec["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
    return {**answer["content"]["application/json"]["schema"], "components": spec["components"]}


def conforms(spec, path, method, response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    errors = sorted(OAS30Validator(published(spec, path, method, status)).iter_errors(body), key=str)
    assert not errors, f"{method} {path} {status}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5])
    return body


def test_every_operation_is_exercised_below(spec):
    operations = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert operations == {(path, method) for path, method, *_ in CASES}


def judge(client, doc, lang="en"):
    return client.post("/v1/rulings", json=doc, headers={"Accept-Language": lang})


CASES = [
    ("/v1/rulings", "post", 201, lambda c: [judge(c, doc, lang) for doc in SAMPLES.values() for lang in ("en", "ru")]
     + [c.post("/v1/rulings", json=SAMPLES["approve"], headers={"Idempotency-Key": "openapi"}) for _ in range(2)]),
    ("/v1/rulings", "post", 400, lambda c: [c.post("/v1/rulings", data="{", content_type="application/json")]),
    ("/v1/rulings", "post", 413, lambda c: [c.post("/v1/rulings", data="[" * 70_000, content_type="application/json")]),
    ("/v1/rulings", "post", 415, lambda c: [c.post("/v1/rulings", data="{}", content_type="text/plain")]),
    ("/v1/rulings", "post", 422, lambda c: [judge(c, {}), judge(c, {"application": {}, "registry": []}),
                                            judge(c, {**SAMPLES["approve"], "as_of": "1999-01-01"}),
                                            c.post("/v1/rulings", json=SAMPLES["approve"],
                                                   headers={"Idempotency-Key": "a b"})]),
    ("/v1/rulings", "get", 200, lambda c: [c.get("/v1/rulings?reference=APP-APPROVE"),
                                           c.get(f"/v1/rulings?reference={judged(c)}&limit=1")]),
    ("/v1/rulings", "get", 422, lambda c: [c.get("/v1/rulings"), c.get("/v1/rulings?reference=x&limit=0"),
                                           c.get("/v1/rulings?reference=x&cursor=zz")]),
    ("/v1/rulings/{ruling_id}", "get", 200, lambda c: [c.get(f"/v1/rulings/{stored(c)}"),
                                                       c.get(f"/v1/rulings/{replayed(c)}")]),
    ("/v1/rulings/{ruling_id}", "get", 404, lambda c: [c.get("/v1/rulings/nope")]),
    ("/v1/rulings/{ruling_id}/replay", "post", 201, lambda c: [c.post(f"/v1/rulings/{stored(c)}/replay"),
                                                               c.post(f"/v1/rulings/{replayed(c)}/replay")]),
    ("/v1/rulings/{ruling_id}/replay", "post", 404, lambda c: [c.post("/v1/rulings/nope/replay")]),
    ("/v1/rulings/{ruling_id}/replay", "post", 422,
     lambda c: [c.post(f"/v1/rulings/{stored(c)}/replay", json={"versions": []})]),
    ("/v1/comparisons", "post", 200, lambda c: [c.post("/v1/comparisons", json=doc, headers={"Accept-Language": "ru"})
                                                for doc in SAMPLES.values()]),
    ("/v1/comparisons", "post", 422, lambda c: [c.post("/v1/comparisons", json={**SAMPLES["approve"], "versions": []})]),
    ("/v1/plans", "post", 200, lambda c: [c.post("/v1/plans", json=doc, headers={"Accept-Language": lang})
                                          for doc in SAMPLES.values() for lang in ("en", "ru")]
                                         + [c.post("/v1/plans", json={**SAMPLES["refuse-vacancy-published"],
                                                                      "horizon_days": 30})]),
    ("/v1/plans", "post", 422, lambda c: [c.post("/v1/plans", json={**SAMPLES["approve"], "horizon_days": 0}),
                                          c.post("/v1/plans", json={**SAMPLES["approve"], "as_of": "2025-09-01"})]),
    ("/v1/regulations", "get", 200, lambda c: [c.get("/v1/regulations", headers={"Accept-Language": "kk"})]),
    (BASE.replace("kz-foreign-labour", "{regulation}") + "/versions/{version}", "get", 200,
     lambda c: [c.get(f"{BASE}/versions/{v}") for v in ("2023-07-01", "2025-09-01")]),
    (BASE.replace("kz-foreign-labour", "{regulation}") + "/versions/{version}", "get", 404,
     lambda c: [c.get(f"{BASE}/versions/1999-01-01"), c.get("/v1/regulations/nope/versions/2025-09-01")]),
    (BASE.replace("kz-foreign-labour", "{regulation}") + "/diff", "get", 200,
     lambda c: [c.get(f"{BASE}/diff?from=2023-07-01&to=2025-09-01"), c.get(f"{BASE}/diff?from=2025-09-01&to=2023-07-01")]),
    (BASE.replace("kz-foreign-labour", "{regulation}") + "/diff", "get", 422, lambda c: [c.get(f"{BASE}/diff?from=x")]),
    (BASE.replace("kz-foreign-labour", "{regulation}") + "/diff", "get", 404,
     lambda c: [c.get("/v1/regulations/nope/diff?from=2023-07-01&to=2025-09-01")]),
    ("/healthz", "get", 200, lambda c: [c.get("/healthz")]),
]


def judged(client):
    """A reference with two stored rulings: its first page of one has a `next` cursor."""
    for _ in range(2):
        stored(client)
    return SAMPLES["approve"]["application"]["reference"]


def stored(client):
    return judge(client, SAMPLES["approve"]).get_json()["id"]


def replayed(client):
    return client.post(f"/v1/rulings/{stored(client)}/replay", json={"version": "2023-07-01"}).get_json()["id"]


@pytest.mark.parametrize("path, method, status, send", CASES, ids=[f"{m} {p} {s}" for p, m, s, _ in CASES])
def test_real_responses_fit_their_published_schema(app, spec, path, method, status, send):
    for answer in send(app.test_client()):
        conforms(spec, path, method, answer, status)


def test_a_replay_is_described_with_what_it_replays(app, spec):
    client = app.test_client()
    body = conforms(spec, "/v1/rulings/{ruling_id}/replay", "post",
                    client.post(f"/v1/rulings/{stored(client)}/replay", json={"version": "2023-07-01"}), 201)
    assert {"replay_of", "outcome_changed", "language"} <= set(body)


def test_comparison_rulings_and_diffs_carry_what_the_schemas_were_missing(app, spec):
    client = app.test_client()
    comparison = client.post("/v1/comparisons", json=SAMPLES["approve"]).get_json()
    assert all("language" in r and "id" not in r for r in comparison["rulings"].values())
    assert "affected" in client.get(f"{BASE}/diff?from=2023-07-01&to=2025-09-01").get_json()
    assert "affected" in spec["components"]["schemas"]["Diff"]["properties"]
    assert "language" in spec["components"]["schemas"]["Ruling"]["properties"]


def test_errors_outside_the_described_operations_fit_the_error_schema(app, spec, tmp_path):
    conforms(spec, None, None, app.test_client().delete("/v1/regulations"), 405)
    conforms(spec, None, None, app.test_client().get("/v1/nothing-here"), 404)
    guarded = create_app({"DB": str(tmp_path / "log.db"), "TOKENS": "secret"}).test_client()
    conforms(spec, "/v1/rulings", "post", guarded.post("/v1/rulings", json=SAMPLES["approve"]), 401)
    conforms(spec, "/v1/regulations", "get", guarded.get("/v1/regulations"), 401)


def test_the_published_request_schemas_say_what_the_fields_accept(spec):
    schemas = spec["components"]["schemas"]
    employer = schemas["Employer"]["properties"]
    assert employer["bin"]["pattern"] == "^[0-9]{12}$"
    assert schemas["Application"]["properties"]["submitted_on"]["format"] == "date"
    assert "\\x00" in schemas["Application"]["properties"]["reference"]["pattern"]
    registry = schemas["RulingRequest"]["properties"]["registry"]
    assert registry.get("$ref") or registry.get("allOf"), "the inline registry is published with its schema"
    diff = spec["paths"]["/v1/regulations/{regulation}/diff"]["get"]["parameters"]
    assert {p["name"]: p["schema"].get("enum") for p in diff if p["in"] == "query"} == {
        "from": ["2023-07-01", "2025-09-01"], "to": ["2023-07-01", "2025-09-01"]}


def test_the_fast_dump_sends_what_marshmallow_would(app, monkeypatch):
    sent = []

    def recording(schema, value):
        body = response.dump(schema, value)
        sent.append((schema, value, body))
        return body

    monkeypatch.setattr(respond, "dump", recording)
    client = app.test_client()
    for _, _, status, send in CASES:
        if status < 300:
            send(client)
    assert {schema.__name__ for schema, _, _ in sent} >= {
        "RulingSchema", "ReplaySchema", "RulingListSchema", "ComparisonSchema", "RegulationsSchema",
        "VersionDescriptionSchema", "DiffSchema", "HealthSchema"}
    for schema, value, body in sent:
        assert json.dumps(body) == json.dumps(schema().dump(value)), schema.__name__


def test_a_registry_that_cannot_be_read_is_described_with_its_reason(spec, tmp_path):
    with socket.socket() as s:  # a loopback port nothing listens on: every read is refused
        s.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{s.getsockname()[1]}"
    app = create_app({"DB": str(tmp_path / "log.db"), "REGISTRY_SOURCE": HttpSource(down, timeout=0.5)})
    ruling = conforms(spec, "/v1/rulings", "post", judge(app.test_client(), SAMPLES["approve"]), 201)
    assert ruling["missing"]
    for name in ruling["missing"]:
        provenance = ruling["registry"][name]
        assert list(provenance)[:3] == ["source", "fetched_at", "reason"] and "url" in provenance
        assert "data" not in provenance
