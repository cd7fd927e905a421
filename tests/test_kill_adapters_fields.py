"""Registry text fields and fixture provenance at their edges: what the full mutation run
(docs/mutation.md) found unchecked."""
import re

import pytest
from marshmallow import ValidationError

from adapters import FixtureSource, Query, RegistryUnavailable, Source, gather
from adapters.fields import Flag
from adapters.records import validate_inline
from adapters.sources import fixtures

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


def refusal(registry_obj):
    with pytest.raises(ValidationError) as caught:
        validate_inline(registry_obj)
    return caught.value.messages


@pytest.mark.parametrize("value, message", [
    ("N\ud8001", "Not valid Unicode text."),          # a lone surrogate cannot be stored
    ("N\x001", "Must not contain NUL characters."),
])
def test_text_that_cannot_be_stored_is_refused_with_why(value, message):
    contract = {**CONTRACT, "passport": value}
    assert refusal({"ulcrs": {"contracts": [contract]}}) == {"ulcrs": {"contracts": {"0": {"passport": [message]}}}}


def test_an_identifier_with_a_wrong_check_digit_is_refused_with_why():
    contract = {**CONTRACT, "employee_iin": "900101300008"}
    assert refusal({"ulcrs": {"contracts": [contract]}}) == {
        "ulcrs": {"contracts": {"0": {"employee_iin": ["Check digit does not match (CONTRACT s.2)."]}}}}


@pytest.mark.parametrize("day", ["1900-01-01", "2099-12-31"])
def test_the_first_and_last_day_of_the_date_window_are_dates(day):
    contract = {**CONTRACT, "registered_on": day}
    assert validate_inline({"ulcrs": {"contracts": [contract]}}) == {"ulcrs": {"contracts": [contract]}}


@pytest.mark.parametrize("remaining", [True, False])
def test_a_boolean_is_not_a_count(remaining):
    assert refusal({"quota": {"remaining": remaining}}) == {"quota": {"remaining": ["Not a valid integer."]}}


@pytest.mark.parametrize("value", ["true", 1, "false", 0])
def test_a_flag_is_only_true_or_false(value):
    with pytest.raises(ValidationError) as caught:
        Flag().deserialize(value)
    assert caught.value.messages == ["Not a valid boolean; expected true or false."]
    assert Flag().deserialize(True) is True and Flag().deserialize(False) is False


class InLine(Source):
    """A source read in line that has no clock of its own: only `fetch`, as Source asks of every source."""

    name = "inline-test"
    concurrent = False

    def fetch(self, registry, query):
        return {"asked": registry, "passports": list(query.passports)}, {"source": self.name}


def test_a_source_without_its_own_fetch_at_is_asked_by_fetch():
    gathered = gather(InLine(), {"quota", "ulcrs"}, QUERY)
    assert gathered.data == {"ulcrs": {"asked": "ulcrs", "passports": ["N1234567"]},
                             "quota": {"asked": "quota", "passports": ["N1234567"]}}
    assert gathered.missing == []


def test_a_missing_fixture_file_makes_its_registry_unavailable(tmp_path):
    with pytest.raises(RegistryUnavailable) as caught:
        FixtureSource(tmp_path).fetch("ulcrs", QUERY)
    assert (caught.value.registry, caught.value.reason) == ("ulcrs", "cannot read ulcrs.json: No such file or directory")


class _Clock:
    """time for fixtures.py: each reading 5 s after the one before, past the recheck interval."""

    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        self.now += 5.0
        return self.now


def test_an_unchanged_fixture_read_after_the_recheck_interval_answers_the_same(monkeypatch):
    monkeypatch.setattr(fixtures, "time", _Clock())
    source = FixtureSource()
    first, _ = source.fetch("ulcrs", QUERY)
    again, _ = source.fetch("ulcrs", QUERY)   # the file is looked at again: unchanged
    assert again == first and first["contracts"][0]["number"] == "TD-15"
