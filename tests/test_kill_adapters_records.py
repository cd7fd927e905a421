"""Every field rule of the five registries' records, as a request's inline facts, a fixture file and an
HTTP answer meet it: what the full mutation run (docs/mutation.md) found unchecked field by field."""
import json

import pytest
from marshmallow import ValidationError

from adapters import FixtureSource, Query, RegistryUnavailable
from adapters.fields import MAX_COUNT, Count, IsoDate
from adapters.records import ANSWERS, RECORDS, fit, validate_inline
from server.contract.request import RulingRequestSchema

from tests.helpers import sample_request

pytestmark = pytest.mark.usefixtures("schemas_built_here")

BIN = "150540000106"
MISSING = ["Missing data for required field."]
VACANCY = {"code": "4012345", "employer_bin": BIN, "published_on": "2025-09-01", "status": "active"}
CONTRACT = {"employer_bin": BIN, "employee_iin": "900101300007", "passport": "N1234567", "number": "TD-15",
            "kind": "labour", "registered_on": "2025-03-04"}
PERSON = {"passport": "N1234567", "iin": "900101300007", "status": "lawful"}
OFFENCE = {"employer_bin": BIN, "article": "519", "decided_on": "2025-02-01"}
QUOTA = {"region": "ALMATY", "year": 2025, "category": "3", "remaining": 12}

# (registry, inline facts holding one record, the record's path in an error, the record)
RECORD_OF = {
    "labour_exchange": (lambda r: {"vacancy": r}, ("vacancy",), VACANCY),
    "ulcrs": (lambda r: {"contracts": [r]}, ("contracts", "0"), CONTRACT),
    "migration_police": (lambda r: {"persons": [r]}, ("persons", "0"), PERSON),
    "offences": (lambda r: {"records": [r]}, ("records", "0"), OFFENCE),
}
REQUIRED = [(registry, field) for registry, (_, _, record) in RECORD_OF.items() for field in record
            if field not in ("employee_iin", "iin")]


def nested(path, leaf):
    for key in reversed(path):
        leaf = {key: leaf}
    return leaf


def refusal(registry_obj):
    with pytest.raises(ValidationError) as caught:
        validate_inline(registry_obj)
    return caught.value.messages


@pytest.mark.parametrize("registry, field", REQUIRED)
def test_a_record_without_a_required_field_is_refused_naming_it(registry, field):
    wrap, path, record = RECORD_OF[registry]
    lacking = {k: v for k, v in record.items() if k != field}
    assert refusal({registry: wrap(lacking)}) == {registry: nested(path, {field: MISSING})}
    # The same record in a fixture file or an HTTP answer makes the registry unavailable, saying why.
    with pytest.raises(RegistryUnavailable) as caught:
        fit(registry, RECORDS[registry], lacking)
    assert caught.value.reason == f"answer does not fit: {{'{field}': {MISSING}}}"


@pytest.mark.parametrize("registry, table", [("labour_exchange", "vacancy"), ("ulcrs", "contracts"),
                                             ("migration_police", "persons"), ("offences", "records")])
def test_a_registry_answer_without_its_table_is_refused_naming_it(registry, table):
    assert refusal({registry: {}}) == {registry: {table: MISSING}}
    with pytest.raises(RegistryUnavailable) as caught:
        fit(registry, ANSWERS[registry], {})
    assert caught.value.reason == f"answer does not fit: {{'{table}': {MISSING}}}"


@pytest.mark.parametrize("registry, field", [("ulcrs", "employee_iin"), ("migration_police", "iin")])
def test_a_foreigner_without_an_iin_is_a_record_with_a_null_iin(registry, field):
    wrap, _, record = RECORD_OF[registry]
    assert validate_inline({registry: wrap({**record, field: None})}) == {registry: wrap({**record, field: None})}
    lacking = {k: v for k, v in record.items() if k != field}
    assert fit(registry, RECORDS[registry], lacking) == {**record, field: None}


@pytest.mark.parametrize("field", ["region", "year", "category"])
def test_a_registry_quota_answer_names_its_region_year_and_category(field):
    lacking = {k: v for k, v in QUOTA.items() if k != field}
    with pytest.raises(RegistryUnavailable) as caught:
        fit("quota", RECORDS["quota"], lacking)
    assert caught.value.reason == f"answer does not fit: {{'{field}': {MISSING}}}"
    # A request's inline quota may state only what the ruling needs: how many remain.
    assert validate_inline({"quota": lacking}) == {"quota": lacking}


def test_an_inline_quota_needs_how_many_remain():
    assert refusal({"quota": {"region": "ALMATY"}}) == {"quota": {"remaining": MISSING}}


@pytest.mark.parametrize("remaining", [MAX_COUNT + 1, 10**12])
def test_a_registry_may_report_any_number_of_permits_remaining(remaining):
    assert fit("quota", RECORDS["quota"], {**QUOTA, "remaining": remaining})["remaining"] == remaining
    assert validate_inline({"quota": {"remaining": remaining}}) == {"quota": {"remaining": remaining}}


@pytest.mark.parametrize("year", [-1, 0, MAX_COUNT + 1])
def test_an_inline_quota_of_another_year_is_refused_as_another_question_not_as_a_bad_number(year):
    # Any whole number is a year to the registry data's schema: the request compares it with the application's.
    assert validate_inline({"quota": {**QUOTA, "year": year}}) == {"quota": {**QUOTA, "year": year}}
    doc = sample_request()
    doc["registry"] = {"quota": {**QUOTA, "year": year}}
    with pytest.raises(ValidationError) as caught:
        RulingRequestSchema().load(doc)
    assert caught.value.messages == {"registry": {"quota": {"year": [
        "Must be 2025: the quota consulted is the application's (region, year of submitted_on, category or "
        "seasonal); this record answers another question."]}}}


def test_a_count_is_refused_above_its_maximum_and_below_its_minimum_naming_both():
    message = [f"Must be greater than or equal to 0 and less than or equal to {MAX_COUNT}."]
    for value in (MAX_COUNT + 1, -1):
        with pytest.raises(ValidationError) as caught:
            Count().deserialize(value)
        assert caught.value.messages == message
    assert Count().deserialize(MAX_COUNT) == MAX_COUNT
    assert Count(minimum=None, maximum=None).deserialize(-(10**12)) == -(10**12)


def test_a_date_field_publishes_its_window_after_its_own_description():
    window = "A date YYYY-MM-DD from 1900-01-01 .. 2099-12-31."
    assert IsoDate().metadata == {"description": window}
    described = IsoDate(required=True, metadata={"description": "When the vacancy was posted", "example": "x"})
    assert described.metadata == {"description": f"When the vacancy was posted. {window}", "example": "x"}
    assert described.required is True


QUERY = Query(employer_bin=BIN, vacancy_code="4012345", passports=("N1234567",), region="ALMATY",
              year=2025, quota_category="3")


@pytest.mark.parametrize("registry", ["labour_exchange", "ulcrs", "migration_police", "quota", "offences"])
def test_each_registry_answers_from_its_fixture_file(registry):
    data, provenance = FixtureSource().fetch(registry, QUERY)
    assert provenance["source"] == "fixtures"
    if registry == "ulcrs":   # every contract of the employer, in the file's order
        assert data["contracts"][0] == CONTRACT and len(data["contracts"]) == 8
        assert {c["employer_bin"] for c in data["contracts"]} == {BIN}
    else:
        assert data == {"labour_exchange": {"vacancy": VACANCY}, "migration_police": {"persons": [PERSON]},
                        "quota": QUOTA, "offences": {"records": []}}[registry]


@pytest.mark.parametrize("registry, table, row", [("ulcrs", "contracts", CONTRACT), ("offences", "records", OFFENCE)])
def test_a_fixture_file_with_a_bad_row_names_its_registry(tmp_path, registry, table, row):
    (tmp_path / f"{registry}.json").write_text(json.dumps({table: [{**row, "employer_bin": "1"}]}))
    with pytest.raises(RegistryUnavailable) as caught:
        FixtureSource(tmp_path).fetch(registry, QUERY)
    assert str(caught.value).startswith(f"{registry}: {registry}.json does not fit: ")
    (tmp_path / f"{registry}.json").write_text("{")
    with pytest.raises(RegistryUnavailable) as caught:
        FixtureSource(tmp_path).fetch(registry, QUERY)
    assert str(caught.value).startswith(f"{registry}: cannot read {registry}.json: ")
