"""Registry facts read from fixture files."""

import json
import time
import os

import pytest

from adapters import REGISTRIES, FixtureSource, Query, RegistryUnavailable

from tests.conftest import ROOT

EMPLOYER = "150540000106"


def query(**changes):
    asked = dict(
        employer_bin=EMPLOYER,
        vacancy_code="4012345",
        passports=("N1234567",),
        region="ALMATY",
        year=2025,
        quota_category="3",
    )
    return Query(**{**asked, **changes})


@pytest.fixture
def source():
    return FixtureSource()


def test_the_vacancy_is_found_by_code(source):
    data, provenance = source.fetch("labour_exchange", query())
    assert data == {"vacancy": {
        "code": "4012345", "employer_bin": EMPLOYER, "published_on": "2025-09-01", "status": "active",
    }}
    assert provenance["source"] == "fixtures"


@pytest.mark.parametrize("code", [None, "0000000"])
def test_no_vacancy_code_or_an_unknown_one_gives_none(source, code):
    assert source.fetch("labour_exchange", query(vacancy_code=code))[0] == {"vacancy": None}


def test_only_the_employers_contracts_are_returned(source):
    contracts = {c["number"]: c for c in source.fetch("ulcrs", query())[0]["contracts"]}
    assert {"TD-15", "TD-16", "TD-17"} <= set(contracts)
    assert {c["employer_bin"] for c in contracts.values()} == {EMPLOYER}
    assert contracts["TD-17"]["employee_iin"] is None


def test_persons_are_found_once_per_passport_in_order(source):
    passports = ("P9990002", "UNKNOWN1", "N1234567", "P9990002")
    persons = source.fetch("migration_police", query(passports=passports))[0]["persons"]
    assert [(p["passport"], p["status"]) for p in persons] == [
        ("P9990002", "overstay"), ("N1234567", "lawful"),
    ]


def test_no_passports_means_no_persons(source):
    assert source.fetch("migration_police", query(passports=()))[0] == {"persons": []}


@pytest.mark.parametrize(
    "region, category, remaining",
    [("ALMATY", "3", 12), ("ASTANA", "3", 0), ("SHYMKENT", "seasonal", 40)],
)
def test_the_quota_row_for_region_year_and_category(source, region, category, remaining):
    data = source.fetch("quota", query(region=region, quota_category=category))[0]
    assert data == {"region": region, "year": 2025, "category": category, "remaining": remaining}


@pytest.mark.parametrize("changes", [{"year": 2031}, {"region": "ATYRAU"}])
def test_an_unpublished_quota_is_unavailable_not_zero(source, changes):
    with pytest.raises(RegistryUnavailable) as caught:
        source.fetch("quota", query(**changes))
    assert caught.value.registry == "quota"
    assert "no quota published" in caught.value.reason


def test_offences_of_the_employer_only(source):
    records = source.fetch("offences", query(employer_bin="200540000108"))[0]["records"]
    assert [r["article"] for r in records] == ["519", "517"]
    assert source.fetch("offences", query())[0] == {"records": []}


def test_changing_returned_facts_does_not_change_the_fixtures(source):
    first = source.fetch("ulcrs", query())[0]["contracts"]
    on_file = [c for c in json.loads((ROOT / "fixtures" / "registries" / "ulcrs.json").read_text(encoding="utf-8"))
               ["contracts"] if c["employer_bin"] == EMPLOYER]
    assert first == on_file and on_file
    first.clear()
    assert source.fetch("ulcrs", query())[0]["contracts"] == on_file


@pytest.fixture
def own_dir(tmp_path):
    for name in REGISTRIES:
        (tmp_path / f"{name}.json").write_text(
            (FixtureSource().directory / f"{name}.json").read_text()
        )
    return tmp_path


def _record_an_offence(own_dir):
    """Edit offences.json, with a later mtime even on a coarse clock."""
    path = own_dir / "offences.json"
    path.write_text(json.dumps({"records": [
        {"employer_bin": EMPLOYER, "article": "519", "decided_on": "2025-01-01"},
    ]}))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


def test_an_edited_file_is_read_again(own_dir, monkeypatch):
    monkeypatch.setattr("adapters.sources.fixtures.RECHECK_S", 0.0)  # look at the file on every fetch
    source = FixtureSource(own_dir)
    assert source.fetch("offences", query())[0] == {"records": []}
    _record_an_offence(own_dir)
    assert len(source.fetch("offences", query())[0]["records"]) == 1


def test_files_are_looked_at_again_within_a_second(own_dir):
    source = FixtureSource(own_dir)
    assert source.fetch("offences", query())[0] == {"records": []}
    _record_an_offence(own_dir)
    deadline = time.monotonic() + 3
    while not source.fetch("offences", query())[0]["records"]:
        assert time.monotonic() < deadline, "the edit was not noticed"
        time.sleep(0.05)


@pytest.mark.parametrize(
    "content, reason",
    [
        (None, "cannot read ulcrs.json"),
        ("{not json", "cannot read ulcrs.json"),
        ('{"contract": []}', "has no list 'contracts'"),
        ('{"contracts": [{"employer_bin": "150540000106"}]}', "ulcrs.json does not fit"),
        (
            json.dumps({"contracts": [{
                "employer_bin": EMPLOYER, "passport": "N1", "number": "1",
                "kind": "labour", "registered_on": "04.03.2025",
            }]}),
            "'registered_on': [\"Not a valid date: '04.03.2025'; expected YYYY-MM-DD.\"]",
        ),
        (
            json.dumps({"contracts": [{
                "employer_bin": EMPLOYER, "passport": "N1", "number": "1",
                "kind": "labour", "registered_on": "9999-12-31",
            }]}),
            "dates must lie within 1900-01-01 .. 2099-12-31",
        ),
        ('{"contracts": ' + "[" * 100_000 + "]" * 100_000 + "}", "cannot read ulcrs.json"),
    ],
)
def test_a_broken_fixture_file_makes_the_registry_unavailable(own_dir, content, reason):
    path = own_dir / "ulcrs.json"
    if content is None:
        path.unlink()
    else:
        path.write_text(content)
    with pytest.raises(RegistryUnavailable) as caught:
        FixtureSource(own_dir).fetch("ulcrs", query())
    assert reason in caught.value.reason
