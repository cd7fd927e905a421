"""server.diff and `ereje diff` on the shipped kz-foreign-labour versions."""
import dataclasses
import json
import shutil

import pytest
from click.testing import CliRunner

from server.cli import main
from server.diff import between, diff
from server.rules import rulebook

from tests.conftest import POLICIES, ROOT

NEW = ["vacancy-published", "vacancy-waiting-period", "foreign-workers-listed", "contracts-registered",
       "workers-have-iin", "migration-data"]


def test_amendment_diff(book):
    d = between(book, "kz-foreign-labour", "2023-07-01", "2025-09-01")
    assert (d["regulation"], d["from"], d["to"]) == ("kz-foreign-labour", "2023-07-01", "2025-09-01")
    assert [r["id"] for r in d["added"]] == NEW
    assert d["removed"] == []
    # Order No. 93 narrows the small-business exemption: local content cites it, and reads the narrowed reading
    assert [(c["id"], sorted(c["changes"]), c["through"]) for c in d["changed"]] == [
        ("local-content-ratio", ["citation", "readings"],
         ["derived fact exemption-small-business", "parameter small_business_max_headcount"])]
    assert "Order No. 93" in d["changed"][0]["changes"]["citation"]["after"]["en"]
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


def test_cli_diff_text_and_json(runner):
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


def test_cli_diff_unknown_version(runner):
    res = runner.invoke(main, ["diff", "2023-07-01", "2030-01-01"])
    assert res.exit_code == 2
    assert "2030-01-01" in res.output


def test_diff_names_requirements_whose_meaning_moves_with_a_derived_fact_or_parameter(book):
    d = between(book, "kz-foreign-labour", "2023-07-01", "2025-09-01")
    # local-content-ratio's citation changed too, so the diff lists it as changed, with what it reads
    assert d["affected"] == []
    change = next(c for c in d["changed"] if c["id"] == "local-content-ratio")
    assert change["through"] == ["derived fact exemption-small-business", "parameter small_business_max_headcount"]
    assert between(book, "kz-foreign-labour", "2025-09-01", "2025-09-01")["affected"] == []


# --- the worked 2026 amendment: the diff is exactly the edit ---------------------------

AMENDMENT_2026 = ROOT / "tests" / "data" / "amendment-2026" / "2026-01-01.yaml"


@pytest.fixture(scope="module")
def policies_2026(tmp_path_factory):
    dst = tmp_path_factory.mktemp("p2026") / "policies"
    shutil.copytree(POLICIES, dst)
    shutil.copy(AMENDMENT_2026, dst / "kz-foreign-labour")
    return dst


def test_the_2026_diff_is_the_edit_and_nothing_more(policies_2026):
    d = between(rulebook.load(policies_2026), "kz-foreign-labour", "2025-09-01", "2026-01-01")
    assert d["added"] == d["removed"] == []
    assert d["changed"] == [{
        "id": "vacancy-waiting-period", "title": "20 calendar days have passed since the vacancy was posted",
        "changes": {"citation": {
            "before": {
                "en": "Order No. 279 of 30 June 2023 (registered No. 32977), annex 1 (Rules), as amended by Order No. 93 "
                      "of 28 March 2025 (from 1 September 2025), the application may be filed only after {waiting_days} "
                      "calendar days from the vacancy's posting; paragraph not identified in the sources",
                "ru": "Приказ № 279 от 30 июня 2023 года (зарегистрирован № 32977), приложение 1 (Правила), в редакции "
                      "приказа № 93 от 28 марта 2025 года (с 1 сентября 2025 года), заявление подаётся только по "
                      "истечении {waiting_days} календарных дней с размещения вакансии; пункт в источниках не установлен",
                "kk": "2023 жылғы 30 маусымдағы № 279 бұйрық (№ 32977 болып тіркелген), 1-қосымша (Қағидалар), 2025 "
                      "жылғы 28 наурыздағы № 93 бұйрықпен өзгертілген редакциясы (2025 жылғы 1 қыркүйектен бастап), "
                      "өтініш бос жұмыс орны орналастырылғаннан бастап {waiting_days} күнтізбелік күн өткеннен кейін "
                      "ғана беріледі; тармағы дереккөздерде анықталмаған"},
            "after": {
                "en": "Order No. 279 as amended from 1 January 2026, the application may be filed only after "
                      "{waiting_days} calendar days from the vacancy's posting",
                "ru": "Приказ № 279 в редакции с 1 января 2026 года, заявление подаётся только по истечении "
                      "{waiting_days} календарных дней с размещения вакансии"}}},
        "through": ["parameter waiting_days"]}]
    # vacancy-published reads matched_vacancy.applies, which waiting_days does not decide
    assert d["affected"] == []
    assert list(d["parameters"]["changed"]) == ["waiting_days"]
    change = d["parameters"]["changed"]["waiting_days"]
    assert (change["before"]["value"], change["after"]["value"]) == (15, 20)
    assert change["before"]["unit"] == change["after"]["unit"] == "calendar days"
    assert not any(d["derived_facts"].values())
    assert d["readings"]["added"] == d["readings"]["removed"] == []
    assert list(d["readings"]["changed"]) == ["waiting-period-counting"]
    assert "D + 21 (posted 2026-01-05: earliest filing 26 January 2026)" in d["readings"]["changed"]["waiting-period-counting"]["after"]


def test_the_2026_diff_as_text(policies_2026):
    res = CliRunner().invoke(main, ["diff", "2025-09-01", "2026-01-01", "--policies", str(policies_2026)])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    at = lines.index("  ~ waiting_days")
    assert lines[at:at + 3] == ["  ~ waiting_days", "      before: 15 calendar days", "      after:  20 calendar days"]
    assert "      its meaning also moves through: parameter waiting_days" in lines
    assert "vacancy-published" not in res.output
    assert "  ~ waiting-period-counting" in lines


def test_a_meaning_moves_only_through_what_is_read(book):
    a = book.version("kz-foreign-labour", "2025-09-01")
    b = dataclasses.replace(a, version="x", parameters={**a.parameters, "waiting_days": {**a.parameters["waiting_days"], "value": 20}})
    d = diff(a, b)
    assert d["affected"] == [{"id": "vacancy-waiting-period", "title": "15 calendar days have passed since the vacancy was posted",
                              "through": ["parameter waiting_days"]}]
    c = dataclasses.replace(a, version="y", parameters={**a.parameters, "waiting_days": {
        **a.parameters["waiting_days"], "description": {"en": "Other words", "ru": "Другие слова"}}})
    assert diff(a, c)["affected"] == []


def test_text_shows_expressions_as_written():
    res = CliRunner().invoke(main, ["diff", "2023-07-01", "2025-09-01"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert "  + matched-vacancy" in lines
    assert not any(ln.rstrip().endswith("=") for ln in lines)
    assert '\\"' not in res.output and '{"' not in res.output
    at = lines.index("  ~ exemption-small-business")
    assert lines[at + 1:at + 7] == [
        "      when:", "        before: application.small_business",
        "        after:  application.small_business and application.headcount <= small_business_max_headcount",
        "      readings:", "        before: small-business-exemption", "        after:  small-business-exemption-narrowed"]
    at = lines.index("  + worker-without-lawful-status")
    assert lines[at + 1:at + 7] == [
        "      fact: worker_without_lawful_status", "      collection: workers_without_lawful_status",
        "      for_each: worker in workers",
        "      when: not any(p.passport == worker.passport and p.status == \"lawful\" for p in persons)",
        "      set:", "        passport: worker.passport"]


def test_diff_speaks_kazakh_too():
    res = CliRunner().invoke(main, ["diff", "2023-07-01", "2025-09-01", "--lang", "kk", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["added"][0]["id"] == "vacancy-published"
