"""The ruling request schema: strict, normalised, errors named by dotted path."""

import copy
import json

import pytest
from marshmallow import ValidationError

from server import errors
from server.contract.request import (
    ComparisonRequestSchema,
    ReplayRequestSchema,
    RulingRequestSchema,
    field_errors,
    load,
    valid_kz_id,
)


def sample_request():
    """A complete, valid general-route application (the employer of the registry fixtures)."""
    return {
        "application": {
            "reference": "APP-2025-000123",
            "submitted_on": "2025-09-20",
            "kind": "issue",
            "route": "general",
            "category": 3,
            "region": "ALMATY",
            "workers_requested": 1,
            "vacancy_code": "4012345",
            "employer": {
                "bin": "150540000106",
                "name": "Example LLP",
                "headcount": 120,
                "small_business": False,
                "staff": {
                    "managers": {"citizens": 9, "foreigners": 1},
                    "specialists": {"citizens": 95, "foreigners": 5},
                },
            },
            "foreign_workers": [
                {"passport": "N1234567", "iin": "900101300007", "citizenship": "UZB",
                 "contract": {"number": "TD-15", "signed_on": "2025-03-01", "kind": "labour"}},
            ],
        }
    }


def errors_of(request, schema=RulingRequestSchema):
    with pytest.raises(errors.InvalidRequest) as caught:
        load(schema, request)
    return caught.value.fields


@pytest.mark.parametrize("value, ok", [
    ("850808310738", True),
    ("150540000106", True),
    ("850808310737", False),   # wrong check digit
    ("85080831073", False),    # 11 digits
    ("8508083107380", False),  # 13 digits
    ("85080831073a", False),
    ("８５０８０８３１０７３８", False),  # full-width digits are not ASCII digits
    (850808310738, False),
    (None, False),
])
def test_valid_kz_id(value, ok):
    assert valid_kz_id(value) is ok


@pytest.mark.parametrize("value, ok", [
    # First pass: 1 * weight 10 = 10, so the second weights decide: 1 * 1 = 1.
    ("000000000101", True),
    ("000000000100", False),
    # Both passes give 10 (2*8 + 8*9 + 1*10 = 98; 2*10 + 8*11 + 1*1 = 109): never valid.
    *[(f"00000000281{d}", False) for d in range(10)],
])
def test_the_second_weights_decide_when_the_first_pass_gives_ten(value, ok):
    assert valid_kz_id(value) is ok


def test_a_valid_request_loads_to_plain_json_with_defaults():
    request = sample_request()
    del request["application"]["employer"]["small_business"]
    del request["application"]["foreign_workers"]
    loaded = load(RulingRequestSchema, request)
    assert json.loads(json.dumps(loaded)) == loaded
    assert loaded["application"]["submitted_on"] == "2025-09-20"
    assert loaded["application"]["employer"]["small_business"] is False
    assert loaded["application"]["foreign_workers"] == []
    assert loaded["registry"] == {}
    assert (loaded["regulation"], loaded["version"], loaded["as_of"]) == (None, None, None)


def test_a_seasonal_application_needs_no_category_or_staff():
    request = sample_request()
    app = request["application"]
    app["route"] = "seasonal"
    del app["category"], app["employer"]["staff"]
    loaded = load(RulingRequestSchema, request)
    assert loaded["application"]["category"] is None
    assert loaded["application"]["employer"]["staff"] is None


def change(path, value):
    """A sample request with the value at dotted `path` replaced (or deleted when value is ...)."""
    request = sample_request()
    *parents, last = path.split(".")
    node = request
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return request


@pytest.mark.parametrize("path, value, field", [
    ("application.employer.bin", "150540000107", "application.employer.bin"),
    ("application.employer.bin", "15054000010", "application.employer.bin"),
    ("application.employer.bin", 150540000106, "application.employer.bin"),
    ("application.foreign_workers.0.iin", "900101300008", "application.foreign_workers.0.iin"),
    ("application.submitted_on", "2025-02-30", "application.submitted_on"),
    ("application.submitted_on", "20250920", "application.submitted_on"),
    ("application.submitted_on", "2025-09-20T10:00:00", "application.submitted_on"),
    ("application.foreign_workers.0.contract.signed_on", "1 March 2025",
     "application.foreign_workers.0.contract.signed_on"),
    ("application.submitted_on", ..., "application.submitted_on"),
    ("application.kind", "renewal", "application.kind"),
    ("application.route", "express", "application.route"),
    ("application.category", 5, "application.category"),
    ("application.category", 0, "application.category"),
    ("application.category", "3", "application.category"),
    ("application.category", ..., "application.category"),
    ("application.workers_requested", 0, "application.workers_requested"),
    ("application.workers_requested", 1.5, "application.workers_requested"),
    ("application.workers_requested", True, "application.workers_requested"),
    ("application.workers_requested", 10**12, "application.workers_requested"),
    ("application.employer.headcount", -1, "application.employer.headcount"),
    ("application.employer.small_business", "no", "application.employer.small_business"),
    ("application.employer.staff", ..., "application.employer.staff"),
    ("application.employer.staff.managers", ..., "application.employer.staff.managers"),
    ("application.foreign_workers.0.passport", ..., "application.foreign_workers.0.passport"),
    ("application.foreign_workers.0.contract.kind", "civil", "application.foreign_workers.0.contract.kind"),
    ("application.region", "", "application.region"),
    ("application.reference", "bad\x00ref", "application.reference"),
    ("application.reference", "\ud800", "application.reference"),
    ("application.employer.emploees", 3, "application.employer.emploees"),
    ("application.typo", 1, "application.typo"),
    ("extra", 1, "extra"),
    ("as_of", "yesterday", "as_of"),
    ("application", ..., "application"),
    ("application", [], "application"),
])
def test_bad_input_is_named_by_its_path(path, value, field):
    assert field in errors_of(change(path, value))


def test_category_is_rejected_for_other_routes():
    request = change("application.route", "seasonal")
    assert errors_of(request) == {"application.category": ["Must be absent for route seasonal."]}


def test_every_problem_is_reported_at_once():
    request = change("application.employer.bin", "150540000107")
    request["application"]["route"] = "intracompany_transfer"
    request["application"]["unknown"] = True
    assert set(errors_of(request)) == {"application.employer.bin", "application.category", "application.unknown"}


def test_a_body_that_is_not_an_object_is_a_root_error():
    assert errors_of([sample_request()]) == {"$": ["Invalid input type."]}


def test_inline_registry_is_checked_by_the_adapters():
    request = sample_request()
    request["registry"] = {"labour_exchange": {"vacancy": {"code": "4012345", "employer_bin": "150540000106",
                                                           "published_on": "2025-09-01", "status": "active"}}}
    assert load(RulingRequestSchema, request)["registry"]["labour_exchange"]["vacancy"]["code"] == "4012345"
    request["registry"]["labour_exchange"]["vacancy"]["published_on"] = "1 Sept"
    request["registry"]["quotas"] = {}
    fields = errors_of(request)
    assert "registry.labour_exchange.vacancy.published_on" in fields
    assert "registry.quotas" in fields


def test_replay_body_is_optional_and_strict():
    assert ReplayRequestSchema().load({}) == {"version": None, "as_of": None}
    assert ReplayRequestSchema().load({"version": "2023-07-01"})["version"] == "2023-07-01"
    assert errors_of({"versions": ["x"]}, ReplayRequestSchema) == {"versions": ["Unknown field."]}
    assert "as_of" in errors_of({"as_of": "2025-13-01"}, ReplayRequestSchema)


def test_comparison_body_is_a_ruling_request_with_versions():
    request = sample_request()
    assert ComparisonRequestSchema().load(request)["versions"] is None
    request["versions"] = ["2023-07-01", "2025-09-01"]
    assert ComparisonRequestSchema().load(request)["versions"] == ["2023-07-01", "2025-09-01"]
    request["versions"] = []
    assert "versions" in errors_of(request, ComparisonRequestSchema)


def test_field_errors_flattens_nested_messages():
    messages = {"application": {"employer": {"bin": ["bad"]}, "foreign_workers": {0: {"iin": ["short"]}},
                                "_schema": ["whole"]}}
    assert field_errors(messages) == {
        "application.employer.bin": ["bad"],
        "application.foreign_workers.0.iin": ["short"],
        "application": ["whole"],
    }
    assert field_errors(["top"]) == {"$": ["top"]}


def test_the_schema_itself_raises_marshmallow_errors():
    with pytest.raises(ValidationError):
        RulingRequestSchema().load(copy.deepcopy(change("application.kind", "x")))


def test_load_takes_a_schema_class_or_instance():
    assert load(RulingRequestSchema, sample_request()) == load(RulingRequestSchema(), sample_request())
