"""server.diff and `ereje diff` on the shipped kz-foreign-labour versions."""
import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.rules import rulebook
from server.cli import main
from server.diff import between, diff

POLICIES = Path(__file__).resolve().parents[1] / "policies"
NEW = ["vacancy-published", "vacancy-waiting-period", "contracts-registered", "workers-have-iin", "migration-data"]


@pytest.fixture(scope="module")
def book():
    return rulebook.load(POLICIES)


def test_amendment_diff(book):
    d = between(book, "kz-foreign-labour", "2023-07-01", "2025-09-01")
    assert (d["regulation"], d["from"], d["to"]) == ("kz-foreign-labour", "2023-07-01", "2025-09-01")
    assert [r["id"] for r in d["added"]] == NEW
    assert d["removed"] == []
    assert d["changed"] == []
    added = {r["id"]: r for r in d["added"]}
    assert added["vacancy-published"]["effect"] == "refuse"
    assert "application.kind" in added["vacancy-published"]["scope"]
    assert set(d["parameters"]["added"]) == {"waiting_days", "waiting_period_moves_to_working_day",
                                             "small_business_max_headcount"}
    assert d["parameters"]["added"]["waiting_days"]["value"] == 15
    assert "line" not in d["parameters"]["added"]["waiting_days"]
    assert d["parameters"]["removed"] == {} and d["parameters"]["changed"] == {}
    df = d["derived_facts"]
    assert list(df["changed"]) == ["exemption-small-business"]
    change = df["changed"]["exemption-small-business"]
    assert change["before"]["when"] == "application.small_business"
    assert "small_business_max_headcount" in change["after"]["when"]
    assert not any(k.startswith("__") for k in change["after"])
    assert {"matched-vacancy", "worker-without-registered-contract", "worker-without-lawful-status"} <= set(df["added"])
    assert df["removed"] == {}
    assert len(d["readings"]["to"]) > len(d["readings"]["from"])
    assert "waiting-period-counting" in d["readings"]["added"]
    assert json.loads(json.dumps(d)) == d


def test_diff_backwards_and_same(book):
    reg = book.regulation("kz-foreign-labour")
    a, b = reg.versions
    back = diff(b, a)
    assert [r["id"] for r in back["removed"]] == NEW and back["added"] == []
    assert "waiting_days" in back["parameters"]["removed"]
    same = diff(a, a)
    assert same["added"] == same["removed"] == same["changed"] == []
    assert not any(same["parameters"].values()) and not any(same["derived_facts"].values())


def test_changed_requirement_fields(book):
    a = book.version("kz-foreign-labour", "2023-07-01")
    r = a.requirement("quota-available")
    changed = dataclasses.replace(r, raw={**r.raw, "condition": "quota.remaining > application.workers_requested"})
    b = dataclasses.replace(a, version="x", requirements=[changed if q is r else q for q in a.requirements])
    d = diff(a, b)
    assert d["changed"] == [{"id": "quota-available", "title": d["changed"][0]["title"], "changes": {
        "condition": {"before": "quota.remaining >= application.workers_requested",
                      "after": "quota.remaining > application.workers_requested"}}}]


def test_cli_diff_text_and_json():
    runner = CliRunner()
    res = runner.invoke(main, ["diff", "2023-07-01", "2025-09-01"])
    assert res.exit_code == 0, res.output
    for rid in NEW:
        assert f"+ {rid}" in res.output
    assert "~ exemption-small-business" in res.output
    assert "before: " in res.output and "after:  " in res.output
    assert "+ waiting_days = 15 calendar days" in res.output
    res = runner.invoke(main, ["diff", "2023-07-01", "2025-09-01", "--format", "json", "--lang", "ru",
                               "--regulation", "kz-foreign-labour"])
    assert res.exit_code == 0
    d = json.loads(res.output)
    assert [r["id"] for r in d["added"]] == NEW
    assert "вакан" in d["added"][0]["title"].lower()


def test_cli_diff_unknown_version():
    res = CliRunner().invoke(main, ["diff", "2023-07-01", "2030-01-01"])
    assert res.exit_code == 2
    assert "2030-01-01" in res.output


def test_diff_names_requirements_whose_meaning_moves_with_a_derived_fact_or_parameter(book):
    d = between(book, "kz-foreign-labour", "2023-07-01", "2025-09-01")
    affected = {a["id"]: a["through"] for a in d["affected"]}
    assert affected == {"local-content-ratio": ["derived fact exemption-small-business",
                                                 "parameter small_business_max_headcount"]}
    assert between(book, "kz-foreign-labour", "2025-09-01", "2025-09-01")["affected"] == []
