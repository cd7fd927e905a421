"""Registry text fields and fixture provenance at their edges: what the full mutation run
(docs/mutation.md) found unchecked."""
import re

import pytest
from marshmallow import ValidationError

from adapters import FixtureSource, Query
from adapters.records import validate_inline

pytestmark = pytest.mark.usefixtures("schemas_built_here")

BIN = "150540000106"
CONTRACT = {"employer_bin": BIN, "employee_iin": "900101300007", "passport": "N1234567", "number": "TD-15",
            "kind": "labour", "registered_on": "2025-03-04"}
QUERY = Query(employer_bin=BIN, vacancy_code="4012345", passports=("N1234567",), region="ALMATY",
              year=2025, quota_category="3")


@pytest.mark.parametrize("field", ["passport", "number", "kind"])
def test_a_one_character_text_is_a_value(field):
    contract = {**CONTRACT, field: "7"}
    assert validate_inline({"ulcrs": {"contracts": [contract]}}) == {"ulcrs": {"contracts": [contract]}}


@pytest.mark.parametrize("field", ["passport", "number", "kind"])
def test_an_empty_text_is_refused_and_named(field):
    with pytest.raises(ValidationError) as caught:
        validate_inline({"ulcrs": {"contracts": [{**CONTRACT, field: ""}]}})
    assert caught.value.messages == {"ulcrs": {"contracts": {"0": {field: ["Shorter than minimum length 1."]}}}}


def test_a_fixture_answer_says_when_it_was_read():
    data, provenance = FixtureSource().fetch("ulcrs", QUERY)
    assert data["contracts"][0]["number"] == "TD-15"
    assert provenance["source"] == "fixtures"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", provenance["fetched_at"])


@pytest.mark.parametrize("field", ["passport", "number", "kind"])
def test_a_missing_text_is_refused_and_named(field):
    with pytest.raises(ValidationError) as caught:
        validate_inline({"ulcrs": {"contracts": [{k: v for k, v in CONTRACT.items() if k != field}]}})
    assert caught.value.messages == {"ulcrs": {"contracts": {"0": {field: ["Missing data for required field."]}}}}
