"""The ruling request schema: strict, normalised, errors named by dotted path.

Every request is loaded three ways, which must agree: by marshmallow alone (a schema
instance), through the generated fast path from parsed JSON (`load` with the class)
and from the body's bytes (`load_json`, as the API does).
"""

import copy
import json

import pytest
from marshmallow import ValidationError

from tests.conftest import APPLICATIONS

from adapters.fields import valid_kz_id
from server.batch.inputs import row_to_request
from server.contract import fastpath
from server.contract.request import (
    ComparisonRequestSchema,
    ReplayRequestSchema,
    RulingRequestSchema,
    field_errors,
    load,
)

from tests.helpers import change, loaded_three_ways, sample_request


def errors_of(request, schema=RulingRequestSchema):
    answer, fields = loaded_three_ways(request, schema)
    assert answer == "invalid"
    return fields


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
    assert set(errors_of(request)) == {"application.employer.bin", "application.category", "application.unknown",
                                         "application.transfer"}


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


ARABIC_INDIC_IIN = "".join(chr(0x0660 + int(c)) for c in "850808310738")  # a valid IIN, other digits
MUST_BE_DATE = "Not a valid date: {!r}; expected YYYY-MM-DD."
OUT_OF_WINDOW = "Out of range: {!r}; dates must lie within 1900-01-01 .. 2099-12-31."
STRING = ["Not a valid string."]
INTEGER = ["Not a valid integer."]
MISSING = ["Missing data for required field."]
NULL = ["Field may not be null."]
UNKNOWN = ["Unknown field."]
COUNT = "Must be greater than or equal to {} and less than or equal to 1000000000."


@pytest.mark.parametrize("path, value, expected", [
    ("version", 1, STRING),
    ("as_of", "2025-13-01", [MUST_BE_DATE.format("2025-13-01")]),
    ("regulation", [], STRING),
    ("application", None, NULL),
    ("application", ..., MISSING),
    ("application", [], ["Invalid input type."]),
    ("application.reference", "a\x00b", ["Must not contain NUL characters."]),
    ("application.reference", "\ud800", ["Not valid Unicode text."]),
    ("application.submitted_on", ..., MISSING),
    ("application.submitted_on", None, NULL),
    ("application.submitted_on", "2025-02-30", [MUST_BE_DATE.format("2025-02-30")]),
    ("application.submitted_on", "٢٠٢٥-09-20", [MUST_BE_DATE.format("٢٠٢٥-09-20")]),
    ("application.submitted_on", 20250920, STRING),
    ("application.submitted_on", "2100-01-01", [OUT_OF_WINDOW.format("2100-01-01")]),
    ("application.submitted_on", "1899-12-31", [OUT_OF_WINDOW.format("1899-12-31")]),
    ("application.submitted_on", "9999-12-31", [OUT_OF_WINDOW.format("9999-12-31")]),
    ("as_of", "0001-01-01", [OUT_OF_WINDOW.format("0001-01-01")]),
    ("application.kind", "renewal", ["Must be one of: issue, extension."]),
    ("application.route", "express", ["Must be one of: general, seasonal, intracompany_transfer."]),
    ("application.category", 5, ["Must be greater than or equal to 1 and less than or equal to 4."]),
    ("application.category", "3", INTEGER),
    ("application.category", 3.0, INTEGER),
    ("application.category", ..., ["Required for route general (1..4)."]),
    ("application.category", None, ["Required for route general (1..4)."]),
    ("application.region", "", ["Shorter than minimum length 1."]),
    ("application.workers_requested", 0, [COUNT.format(1)]),
    ("application.workers_requested", True, INTEGER),
    ("application.workers_requested", 10**9 + 1, [COUNT.format(1)]),
    ("application.vacancy_code", 4012345, STRING),
    ("application.employer", ..., MISSING),
    ("application.employer.bin", "150540000107", ["Check digit does not match (CONTRACT s.2)."]),
    ("application.employer.bin", "15054000010", ["Must be exactly 12 digits."]),
    ("application.employer.bin", ARABIC_INDIC_IIN, ["Must be exactly 12 digits."]),
    ("application.employer.bin", None, NULL),
    ("application.employer.name", 1, STRING),
    ("application.employer.headcount", -1, [COUNT.format(0)]),
    ("application.employer.headcount", ..., MISSING),
    ("application.employer.small_business", "no", ["Not a valid boolean; expected true or false."]),
    ("application.employer.small_business", None, NULL),
    ("application.employer.staff", ..., ["Required for route general."]),
    ("application.employer.staff", None, ["Required for route general."]),
    ("application.employer.staff.managers", ..., MISSING),
    ("application.employer.staff.specialists.foreigners", -1, [COUNT.format(0)]),
    ("application.employer.staff.specialists.citizens", None, NULL),
    ("application.foreign_workers", None, NULL),
    ("application.foreign_workers", {}, ["Not a valid list."]),
    ("application.foreign_workers.0", "N1", ["Invalid input type."]),
    ("application.foreign_workers.0.passport", "", ["Shorter than minimum length 1."]),
    ("application.foreign_workers.0.passport", ..., MISSING),
    ("application.foreign_workers.0.iin", "900101300008", ["Check digit does not match (CONTRACT s.2)."]),
    ("application.foreign_workers.0.iin", ARABIC_INDIC_IIN, ["Must be exactly 12 digits."]),
    ("application.foreign_workers.0.citizenship", 1, STRING),
    ("application.foreign_workers.0.contract", [], ["Invalid input type."]),
    ("application.foreign_workers.0.contract.kind", "civil", ["Must be one of: labour, intracompany_transfer."]),
    ("application.foreign_workers.0.contract.signed_on", "1 March 2025", [MUST_BE_DATE.format("1 March 2025")]),
    ("application.foreign_workers.0.contract.number", 15, STRING),
    ("application.foreign_workers.0.contract.signed_on", "2100-02-29", [MUST_BE_DATE.format("2100-02-29")]),
    ("application.foreign_workers.0.contract.signed_on", "9999-12-31", [OUT_OF_WINDOW.format("9999-12-31")]),
    ("registry", None, NULL),
    ("registry", [], ["Invalid input type."]),
    ("registry.quotas", {}, UNKNOWN),
    ("registry.quota", {"remaining": -1}, None),   # the registries' own fields: tests/test_adapters_schemas.py
])
def test_every_field_names_its_path_and_words_its_error(path, value, expected):
    fields = errors_of(change(path, value))
    if expected is None:
        assert list(fields) == [f"{path}.remaining"]
    else:
        assert fields == {path: expected}


@pytest.mark.parametrize("where", ["", "application", "application.employer", "application.employer.staff",
                                   "application.employer.staff.managers", "application.foreign_workers.0",
                                   "application.foreign_workers.0.contract"])
def test_an_unknown_field_is_rejected_at_every_level(where):
    path = f"{where}.extra" if where else "extra"
    assert errors_of(change(path, 1)) == {path: UNKNOWN}


@pytest.mark.parametrize("path", ["version", "as_of", "regulation", "application.reference",
                                  "application.vacancy_code", "application.employer.name",
                                  "application.foreign_workers.0.iin", "application.foreign_workers.0.citizenship",
                                  "application.foreign_workers.0.contract",
                                  "application.foreign_workers.0.contract.number",
                                  "application.foreign_workers.0.contract.signed_on"])
def test_optional_fields_accept_null_and_absence_alike(path):
    nulled = loaded_three_ways(change(path, None))
    absent = loaded_three_ways(change(path, ...))
    assert nulled == absent and nulled[0] == "ok"


@pytest.mark.parametrize("day", ["1900-01-01", "2000-02-29", "2099-12-31"])
def test_the_window_holds_its_first_and_last_day(day):
    assert loaded_three_ways(change("application.foreign_workers.0.contract.signed_on", day))[0] == "ok"


def test_comparison_versions_are_each_named_once_and_at_most_64():
    request = dict(sample_request(), versions=["2023-07-01", "2025-09-01", "2023-07-01"])
    assert errors_of(request, ComparisonRequestSchema) == {
        "versions": ["Names '2023-07-01' more than once; name each version once."]}
    request["versions"] = [f"v{i}" for i in range(65)]
    assert errors_of(request, ComparisonRequestSchema) == {"versions": ["Length must be between 1 and 64."]}
    request["versions"] = [f"v{i}" for i in range(64)]
    assert loaded_three_ways(request, ComparisonRequestSchema)[0] == "ok"


@pytest.mark.parametrize("name, value", [("version", "2023-07-01"), ("as_of", "2025-01-01"), ("as_of", None)])
def test_a_comparison_is_judged_under_versions_only(name, value):
    refused = ["Unknown field.", "A comparison judges under `versions`: name the version there."]
    assert errors_of(dict(sample_request(), **{name: value}), ComparisonRequestSchema) == {name: refused}
    assert set(loaded_three_ways(sample_request(), ComparisonRequestSchema)[1]) == {
        "application", "registry", "regulation", "versions"}


def test_comparison_versions_are_named_by_position():
    request = dict(sample_request(), versions=["2025-09-01", 7])
    assert errors_of(request, ComparisonRequestSchema) == {"versions.1": STRING}
    assert errors_of(dict(request, versions=None), RulingRequestSchema) == {"versions": UNKNOWN}


def every_sample_request():
    for file in sorted(APPLICATIONS.glob("*.json")):
        doc = json.loads(file.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and "application" in doc:
            yield pytest.param(doc, id=file.stem)


@pytest.mark.parametrize("doc", list(every_sample_request()))
def test_valid_requests_take_the_fast_path_and_load_as_marshmallow_does(doc):
    reordered = {k: doc[k] for k in reversed(list(doc))}      # key order in, declared order out
    assert loaded_three_ways(reordered)[0] == "ok"
    fast = fastpath.loader(RulingRequestSchema)
    assert fast.from_bytes(json.dumps(reordered).encode()) == RulingRequestSchema().load(copy.deepcopy(doc))


def test_csv_cells_are_typed_as_the_request_schema_types_them():
    header = ["application.workers_requested", "application.employer.small_business",
              "application.employer.staff.managers.citizens", "registry.quota.year", "application.region"]
    assert row_to_request(header, ["2", "yes", "9", "2025", "7"]) == {
        "application": {"workers_requested": 2, "employer": {"small_business": True,
                                                             "staff": {"managers": {"citizens": 9}}},
                        "region": "7"},
        "registry": {"quota": {"year": 2025}},
    }
