"""The request's `current_permit` and `transfer`, and the inline quota record that must answer
this application (CONTRACT s.3): each bad request is the same 422 through marshmallow, the
generated fast path, the API and `ereje rule`, naming the field."""
import json

import pytest

from server.cli import main
from server.contract import fastpath
from server.contract.request import RulingRequestSchema

from tests.helpers import loaded_three_ways, sample_request

PERMIT = {"number": "P-2024-1", "issued_on": "2024-11-01", "expires_on": "2025-11-01", "extensions": 0}
TRANSFER = {"sending_country": "DEU", "employed_since": "2023-01-10"}
COUNTRY = ["Must be an ISO 3166-1 alpha-3 country code (three capital letters, e.g. DEU)."]
QUOTA = ("Must be {}: the quota consulted is the application's (region, year of submitted_on, category or "
         "seasonal); this record answers another question.")
MISSING = ["Missing data for required field."]


def request(kind="issue", route="general", **app):
    """The sample request as `kind` on `route`, with application fields `app` (None removes one)."""
    doc = sample_request()
    application = doc["application"]
    application.update(kind=kind, route=route)
    if route != "general":
        del application["category"], application["employer"]["staff"]
    if kind == "extension":
        application["current_permit"] = dict(PERMIT)
    if route == "intracompany_transfer" and kind == "issue":
        application["transfer"] = dict(TRANSFER)
    for key, value in app.items():
        if value is None:
            application.pop(key, None)
        else:
            application[key] = value
    return doc


def with_quota(doc, **quota):
    doc["registry"] = {"quota": {"region": "ALMATY", "year": 2025, "category": "3", "remaining": 5, **quota}}
    return doc


BAD = {
    "extension without current_permit": (
        request("extension", current_permit=None),
        {"application.current_permit": ["Required when kind is extension: the permit being extended."]}),
    "issue with current_permit": (
        request(current_permit=PERMIT), {"application.current_permit": ["Must be absent when kind is issue."]}),
    "expires_on the day of issue": (
        request("extension", current_permit={**PERMIT, "expires_on": "2024-11-01"}),
        {"application.current_permit.expires_on": ["Must be after issued_on."]}),
    "expires_on before issued_on": (
        request("extension", current_permit={**PERMIT, "expires_on": "2024-10-31"}),
        {"application.current_permit.expires_on": ["Must be after issued_on."]}),
    "negative extensions": (
        request("extension", current_permit={**PERMIT, "extensions": -1}),
        {"application.current_permit.extensions": [
            "Must be greater than or equal to 0 and less than or equal to 1000000000."]}),
    "extensions as text": (
        request("extension", current_permit={**PERMIT, "extensions": "2"}),
        {"application.current_permit.extensions": ["Not a valid integer."]}),
    "current_permit without its number": (
        request("extension", current_permit={k: v for k, v in PERMIT.items() if k != "number"}),
        {"application.current_permit.number": MISSING}),
    "current_permit with an unknown field": (
        request("extension", current_permit={**PERMIT, "renewals": 1}),
        {"application.current_permit.renewals": ["Unknown field."]}),
    "transfer missing on a new intracompany transfer": (
        request(route="intracompany_transfer", transfer=None),
        {"application.transfer": ["Required for route intracompany_transfer when kind is issue."]}),
    "transfer on a general route": (
        request(transfer=TRANSFER), {"application.transfer": ["Must be absent for route general."]}),
    "transfer on a seasonal extension": (
        request("extension", "seasonal", transfer=TRANSFER),
        {"application.transfer": ["Must be absent for route seasonal."]}),
    "a lowercase country": (
        request(route="intracompany_transfer", transfer={**TRANSFER, "sending_country": "deu"}),
        {"application.transfer.sending_country": COUNTRY}),
    "a 2-letter country": (
        request(route="intracompany_transfer", transfer={**TRANSFER, "sending_country": "DE"}),
        {"application.transfer.sending_country": COUNTRY}),
    "employed_since not a date": (
        request(route="intracompany_transfer", transfer={**TRANSFER, "employed_since": "2023-02-30"}),
        {"application.transfer.employed_since": ["Not a valid date: '2023-02-30'; expected YYYY-MM-DD."]}),
    "a quota record for another region, year and category": (
        with_quota(request(), region="ASTANA", year=2024, category="4"),
        {"registry.quota.region": [QUOTA.format("'ALMATY'")], "registry.quota.year": [QUOTA.format(2025)],
         "registry.quota.category": [QUOTA.format("'3'")]}),
    "a numbered quota record for a seasonal application": (
        with_quota(request(route="seasonal")), {"registry.quota.category": [QUOTA.format("'seasonal'")]}),
}

GOOD = {
    "an extension with its permit": request("extension"),
    "a new intracompany transfer": request(route="intracompany_transfer"),
    "an intracompany transfer extended, its transfer not repeated": request("extension", "intracompany_transfer"),
    "an intracompany transfer extended, its transfer given": request("extension", "intracompany_transfer",
                                                                     transfer=TRANSFER),
    "null current_permit and transfer on a new general permit": {
        "application": {**sample_request()["application"], "current_permit": None, "transfer": None}},
    "a seasonal quota record for a seasonal application": with_quota(request(route="seasonal"), category="seasonal"),
}


@pytest.mark.parametrize("doc, fields", BAD.values(), ids=BAD)
def test_marshmallow_and_the_fast_path_name_the_same_field(doc, fields):
    assert loaded_three_ways(doc) == ("invalid", fields)


@pytest.mark.parametrize("doc", GOOD.values(), ids=GOOD)
def test_the_fast_path_takes_valid_requests_as_marshmallow_loads_them(doc):
    answer, loaded = loaded_three_ways(doc)
    assert answer == "ok"
    assert fastpath.loader(RulingRequestSchema).from_bytes(json.dumps(doc).encode()) == loaded
    app = loaded["application"]
    assert app["current_permit"] == (PERMIT if app["kind"] == "extension" else None)
    assert app["transfer"] == doc["application"].get("transfer")


@pytest.mark.parametrize("doc, fields", BAD.values(), ids=BAD)
def test_the_api_answers_422_naming_the_field(client, doc, fields):
    response = client.post("/v1/rulings", json=doc)
    assert response.status_code == 422
    assert response.get_json() == {"error": {"code": "invalid_request",
                                             "message": "The request does not fit the contract.",
                                             "fields": fields}}


@pytest.mark.parametrize("doc, fields", BAD.values(), ids=BAD)
def test_ereje_rule_exits_2_naming_the_field(runner, doc, fields):
    res = runner.invoke(main, ["rule", "-"], input=json.dumps(doc))
    assert res.exit_code == 2
    assert res.output == "Error: invalid_request: The request does not fit the contract.\n" + "".join(
        f"  {path}: {'; '.join(messages)}\n" for path, messages in fields.items())


@pytest.mark.parametrize("doc", [GOOD["an extension with its permit"], GOOD["a new intracompany transfer"]],
                         ids=["extension", "intracompany transfer"])
def test_the_api_and_the_cli_judge_the_new_fields(client, runner, doc):
    response = client.post("/v1/rulings", json=doc)
    assert response.status_code == 201, response.get_json()
    res = runner.invoke(main, ["rule", "-"], input=json.dumps(doc))
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["outcome"] == response.get_json()["outcome"]


def test_the_openapi_description_shows_the_new_fields_with_examples(client):
    spec = client.get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    application = schemas["Application"]["properties"]
    assert application["current_permit"]["anyOf"][0] == {"$ref": "#/components/schemas/CurrentPermit"}
    assert application["transfer"]["anyOf"][0] == {"$ref": "#/components/schemas/Transfer"}
    assert set(schemas["CurrentPermit"]["required"]) == {"number", "issued_on", "expires_on", "extensions"}
    assert schemas["CurrentPermit"]["properties"]["expires_on"]["format"] == "date"
    assert schemas["CurrentPermit"]["properties"]["extensions"]["minimum"] == 0
    assert set(schemas["Transfer"]["required"]) == {"sending_country", "employed_since"}
    assert schemas["Transfer"]["properties"]["sending_country"]["pattern"] == "^[A-Z]{3}$"
    examples = spec["paths"]["/v1/rulings"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    shown = [e["value"]["application"] for e in examples.values()]
    assert any(a["kind"] == "extension" and "current_permit" in a for a in shown)
    assert any(a["route"] == "intracompany_transfer" and a["kind"] == "issue" and "transfer" in a for a in shown)
