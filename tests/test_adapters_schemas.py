"""Inline registry facts in a ruling request: what is accepted, and how errors read."""

import pytest
from marshmallow import ValidationError

from adapters.base import RegistryUnavailable
from adapters.fields import valid_kz_id
from adapters.records import ANSWERS, RECORDS, fit, validate_inline

# The registry data schemas are built afresh in each test (conftest.py, schemas_built_here).
pytestmark = pytest.mark.usefixtures("schemas_built_here")

BIN = "150540000106"
IIN = "900101300007"
ARABIC_INDIC_IIN = "".join(chr(0x0660 + int(c)) for c in "850808310738")  # ٨٥٠٨٠٨٣١٠٧٣٨

CONTRACT = {
    "employer_bin": BIN,
    "employee_iin": IIN,
    "passport": "N1234567",
    "number": "TD-15",
    "kind": "labour",
    "registered_on": "2025-03-04",
}

FULL = {
    "labour_exchange": {
        "vacancy": {"code": "4012345", "employer_bin": BIN, "published_on": "2025-09-01", "status": "active"}
    },
    "ulcrs": {"contracts": [CONTRACT]},
    "migration_police": {"persons": [{"passport": "N1234567", "iin": None, "status": "lawful"}]},
    "quota": {"region": "ALMATY", "year": 2025, "category": "3", "remaining": 12},
    "offences": {"records": [{"employer_bin": BIN, "article": "519", "decided_on": "2025-02-01"}]},
}


def errors_of(registry_obj):
    with pytest.raises(ValidationError) as caught:
        validate_inline(registry_obj)
    return caught.value.messages


@pytest.mark.parametrize(
    "value, valid",
    [
        ("850808310738", True),  # the contract's example IIN
        ("850808301804", True),  # first weights give 10: valid by the second weights
        ("850808310739", False),  # wrong check digit
        ("85080831073", False),  # 11 digits
        ("8508083107380", False),  # 13 digits
        ("85080831073a", False),
        (850808310738, False),  # a number, not a string
        ("８５０８０８３１０７３８", False),  # full-width digits
        (ARABIC_INDIC_IIN, False),  # the contract's 12 digits are ASCII digits
        (None, False),
        # First pass: 1 * weight 10 = 10, so the second weights decide: 1 * 1 = 1.
        ("000000000101", True),
        ("000000000100", False),
        # Both passes give 10 (2*8 + 8*9 + 1*10 = 98; 2*10 + 8*11 + 1*1 = 109): never valid.
        *[(f"00000000281{d}", False) for d in range(10)],
    ],
)
def test_identifier_check_digit(value, valid):
    assert valid_kz_id(value) is valid


def test_an_iin_in_other_digits_is_rejected_in_registry_data_as_in_a_request():
    person = {"passport": "N1234567", "iin": ARABIC_INDIC_IIN, "status": "lawful"}
    assert errors_of({"migration_police": {"persons": [person]}}) == {
        "migration_police": {"persons": {"0": {"iin": ["Must be exactly 12 digits."]}}}
    }
    with pytest.raises(RegistryUnavailable, match="Must be exactly 12 digits"):
        fit("migration_police", RECORDS["migration_police"], person)
    contract = dict(CONTRACT, employee_iin=ARABIC_INDIC_IIN)
    with pytest.raises(RegistryUnavailable, match="employee_iin"):
        fit("ulcrs", ANSWERS["ulcrs"], {"contracts": [contract]})


def test_every_registry_in_the_contract_shape_is_accepted_as_given():
    assert validate_inline(FULL) == FULL


def test_missing_optional_identifiers_become_none():
    contract = {k: v for k, v in CONTRACT.items() if k != "employee_iin"}
    loaded = validate_inline({
        "ulcrs": {"contracts": [contract]},
        "migration_police": {"persons": [{"passport": "P1", "status": "overstay"}]},
    })
    assert loaded["ulcrs"]["contracts"][0]["employee_iin"] is None
    assert loaded["migration_police"]["persons"][0]["iin"] is None


def test_a_vacancy_the_exchange_does_not_have_is_null():
    assert validate_inline({"labour_exchange": {"vacancy": None}}) == {"labour_exchange": {"vacancy": None}}


def test_a_quota_may_state_only_what_remains():
    assert validate_inline({"quota": {"remaining": 0}}) == {"quota": {"remaining": 0}}


def test_errors_are_keyed_by_path_with_string_indexes():
    bad = dict(CONTRACT, registered_on="2025-02-30")
    assert errors_of({"ulcrs": {"contracts": [CONTRACT, bad]}}) == {
        "ulcrs": {"contracts": {"1": {"registered_on": ["Not a valid date: '2025-02-30'; expected YYYY-MM-DD."]}}}
    }


@pytest.mark.parametrize("day", ["2025-02-30", "20250201", "2025-2-1", "01.02.2025", "٢٠٢٥-02-01"])
def test_dates_must_be_iso(day):
    record = {"employer_bin": BIN, "article": "519", "decided_on": day}
    assert errors_of({"offences": {"records": [record]}}) == {
        "offences": {"records": {"0": {"decided_on": [f"Not a valid date: {day!r}; expected YYYY-MM-DD."]}}}
    }


def test_a_date_that_is_not_a_string_is_not_a_valid_string():
    record = {"employer_bin": BIN, "article": "519", "decided_on": 20250201}
    assert errors_of({"offences": {"records": [record]}}) == {
        "offences": {"records": {"0": {"decided_on": ["Not a valid string."]}}}
    }


@pytest.mark.parametrize("bin_", ["150540000107", "15054000010", "BIN150540001", None])
def test_a_malformed_employer_bin_names_the_field(bin_):
    vacancy = dict(FULL["labour_exchange"]["vacancy"], employer_bin=bin_)
    messages = errors_of({"labour_exchange": {"vacancy": vacancy}})
    assert list(messages["labour_exchange"]["vacancy"]) == ["employer_bin"]


def test_unknown_registries_and_fields_are_rejected():
    messages = errors_of({"tax": {}, "ulcrs": {"contracts": [dict(CONTRACT, extra=1)]}})
    assert messages == {
        "tax": ["Unknown field."],
        "ulcrs": {"contracts": {"0": {"extra": ["Unknown field."]}}},
    }


@pytest.mark.parametrize(
    "quota, field",
    [
        ({"remaining": -1}, "remaining"),
        ({"remaining": "12"}, "remaining"),
        ({"remaining": 1.5}, "remaining"),
        ({"remaining": True}, "remaining"),
        ({}, "remaining"),
        ({"remaining": 1, "category": "5"}, "category"),
        ({"remaining": 1, "category": 3}, "category"),
        ({"remaining": 1, "year": "2025"}, "year"),
    ],
)
def test_quota_values_are_checked(quota, field):
    assert list(errors_of({"quota": quota})["quota"]) == [field]


@pytest.mark.parametrize(
    "registry_obj",
    [
        {"labour_exchange": {}},
        {"ulcrs": {"contracts": None}},
        {"migration_police": {"persons": [{"passport": "", "status": "lawful"}]}},
        {"migration_police": {"persons": [{"passport": "N1\x00", "status": "lawful"}]}},
        {"offences": []},
        {"ulcrs": None},
    ],
)
def test_wrong_shapes_are_rejected(registry_obj):
    assert set(errors_of(registry_obj)) == set(registry_obj)


def test_the_registry_object_itself_must_be_an_object():
    assert errors_of(["ulcrs"]) == {"_schema": ["Invalid input type."]}
