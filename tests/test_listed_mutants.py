"""The mutants issue 15 lists, each caught by what a user sees: a ruling's statuses, a
response body, an exit code, a CSV value. Expected values are written from CONTRACT s.6
and DOMAIN.md (or tests/independent.py), never taken from the server's own answers.
"""
import copy
import csv
import json
import re
import shutil

import pytest

from server.cli import main

from . import independent
from .conftest import POLICIES
from .helpers import BIN, sample_request

OLD, NEW = "2023-07-01", "2025-09-01"
REP_OFFICE, BRANCH, FOREIGN_HEAD_OFFICE, RESIDENT_BRANCH = "150552000002", "150551000007", "150550000001", "150541000002"
ARABIC_IIN = "\u0669\u0660\u0660\u0661\u0660\u0661\u0663\u0660\u0660\u0660\u0660\u0667"   # 900101300007 in Arabic-Indic digits
FULLWIDTH_IIN = "".join(chr(0xFF10 + int(d)) for d in "900101300007")
NOT_APPLICABLE_TO_A_NEW_GENERAL_PERMIT = {"extension-allowed": "not_applicable", "renewal-window": "not_applicable",
                                          "transfer-conditions": "not_applicable"}


def application(*, bin_=BIN, submitted_on="2025-09-20", category=3, requested=1, staff=None, workers=None,
                headcount=120):
    """A new general permit with every registry answering inline, all in the applicant's favour."""
    request = sample_request()
    app = request["application"]
    app.update(submitted_on=submitted_on, category=category, workers_requested=requested)
    app["employer"].update(bin=bin_, headcount=headcount)
    if staff is not None:
        app["employer"]["staff"] = staff
    if workers is not None:
        app["foreign_workers"] = workers
    year = int(submitted_on[:4])
    request["registry"] = {
        "labour_exchange": {"vacancy": {"code": "4012345", "employer_bin": bin_, "published_on": "2025-09-01",
                                        "status": "active"}},
        "ulcrs": {"contracts": [{"employer_bin": bin_, "employee_iin": "900101300007", "passport": "N1234567",
                                 "number": "TD-15", "kind": "labour", "registered_on": "2025-03-04"}]},
        "migration_police": {"persons": [{"passport": "N1234567", "iin": "900101300007", "status": "lawful"}]},
        "quota": {"region": "ALMATY", "year": year, "category": str(category), "remaining": 10},
        "offences": {"records": []},
    }
    return request


def ruled(client, request, version=None):
    """(statuses by requirement, outcome) of POST /v1/rulings."""
    body = dict(request, version=version) if version else request
    response = client.post("/v1/rulings", json=body)
    assert response.status_code == 201, response.get_json()
    ruling = response.get_json()
    return {f["requirement"]: f["status"] for f in ruling["findings"]}, ruling["outcome"]


def expected(version, **changed):
    """Every requirement of `version` met (as for application()), but for `changed` (dashes as underscores)."""
    out = {rid: "met" for rid in independent.REQUIREMENTS[version]}
    out.update(NOT_APPLICABLE_TO_A_NEW_GENERAL_PERMIT)
    out.update({k.replace("_", "-"): v for k, v in changed.items()})
    return out


def cli_rule(runner, request, *args):
    res = runner.invoke(main, ["rule", "-", *args], input=json.dumps(request))
    assert res.exit_code == 0, res.output
    ruling = json.loads(res.output)
    return {f["requirement"]: f["status"] for f in ruling["findings"]}, ruling


# --- rule files: representative offices in the branch exemption (2023-07-01.yaml:342) ----------------

# Nobody but foreigners: local content fails unless the employer is exempt.
ALL_FOREIGN = {"managers": {"citizens": 0, "foreigners": 0}, "specialists": {"citizens": 0, "foreigners": 1}}


@pytest.mark.parametrize("version", [OLD, NEW])
@pytest.mark.parametrize("bin_,headcount,status", [
    (REP_OFFICE, 10, "not_applicable"),          # a foreign entity's representative office, 10 employees: exempt
    (BRANCH, 10, "not_applicable"),              # its branch: exempt
    (REP_OFFICE, 11, "unmet"),                   # more than 10 employees: bound
    (FOREIGN_HEAD_OFFICE, 10, "unmet"),          # a non-resident's head office is neither
    (RESIDENT_BRANCH, 10, "unmet"),              # a branch of a Kazakh company is not exempt
])
def test_branches_and_representative_offices_of_foreign_entities_are_exempt(client, version, bin_, headcount, status):
    request = application(bin_=bin_, headcount=headcount, staff=ALL_FOREIGN)
    outcome = "approve" if status == "not_applicable" else "refuse"
    assert ruled(client, request, version) == (expected(version, local_content_ratio=status), outcome)


# --- rule files: requested category-4 workers count in local content (2023-07-01.yaml:366) ------------

NINE_CITIZEN_SPECIALISTS = {"managers": {"citizens": 0, "foreigners": 0}, "specialists": {"citizens": 9, "foreigners": 0}}


@pytest.mark.parametrize("version", [OLD, NEW])
@pytest.mark.parametrize("category", [3, 4])
@pytest.mark.parametrize("requested,status", [(1, "met"), (2, "unmet")])
def test_requested_category_3_and_4_workers_count_among_specialists(client, version, category, requested, status):
    # 9 citizens and 1 requested foreigner: 90%, enough; 2 requested: 9 of 11, 81.8%, too few.
    request = application(category=category, requested=requested, staff=NINE_CITIZEN_SPECIALISTS, workers=[])
    outcome = "approve" if status == "met" else "refuse"
    assert ruled(client, request, version) == (expected(version, local_content_ratio=status), outcome)


def test_requested_category_4_workers_count_through_ereje_rule(runner):
    request = application(category=4, requested=2, staff=NINE_CITIZEN_SPECIALISTS, workers=[])
    statuses, ruling = cli_rule(runner, request, "--version", OLD)
    assert statuses == expected(OLD, local_content_ratio="unmet") and ruling["outcome"] == "refuse"


# --- rule files and calendar: 2024-02-29 + 12 months is 2025-02-28 (server/rules/calendar.py:74) -------

@pytest.mark.parametrize("filed,status", [("2025-02-27", "unmet"), ("2025-02-28", "unmet"), ("2025-03-01", "met")])
def test_a_bar_from_29_february_ends_on_28_february(runner, filed, status):
    request = application(submitted_on=filed)
    request["registry"]["offences"] = {"records": [{"employer_bin": BIN, "article": "519", "decided_on": "2024-02-29"}]}
    statuses, ruling = cli_rule(runner, request)
    assert ruling["version"] == OLD
    assert statuses == expected(OLD, no_unpermitted_labour=status)
    assert ruling["outcome"] == ("refuse" if status == "unmet" else "approve")


@pytest.mark.parametrize("filed,status", [("2025-02-27", "unmet"), ("2025-02-28", "met")])
def test_a_transfer_from_29_february_is_possible_on_28_february(client, filed, status):
    request = application(submitted_on=filed)
    app = request["application"]
    app.update(route="intracompany_transfer", transfer={"sending_country": "DEU", "employed_since": "2024-02-29"})
    del app["category"], request["registry"]["quota"]
    want = expected(OLD, quota_available="not_applicable", local_content_ratio="not_applicable",
                    transfer_conditions=status)
    assert ruled(client, request) == (want, "approve" if status == "met" else "refuse")


# --- calendar: the next working day skips public holidays (server/rules/calendar.py:61) ----------------

@pytest.fixture(scope="module")
def switched_on(tmp_path_factory):
    """The shipped policies with the waiting period moving to the next working day."""
    directory = tmp_path_factory.mktemp("switch") / "policies"
    shutil.copytree(POLICIES, directory)
    path = directory / "kz-foreign-labour" / f"{NEW}.yaml"
    text, n = re.subn(r"(waiting_period_moves_to_working_day:\n\s+value:) false", r"\1 true",
                      path.read_text(encoding="utf-8"))
    assert n == 1
    path.write_text(text, encoding="utf-8")
    return directory


# Posted 2025-12-01: the 15 days end on Tuesday 16 December, Independence Day, so filing opens on the 18th;
# posted 2025-10-13: they end on Tuesday 28 October, a working day (the holiday is 27 October): filing from the 29th.
@pytest.mark.parametrize("published,filed,status", [
    ("2025-12-01", "2025-12-17", "unmet"), ("2025-12-01", "2025-12-18", "met"),
    ("2025-10-13", "2025-10-28", "unmet"), ("2025-10-13", "2025-10-29", "met"),
    ("2025-09-19", "2025-10-06", "unmet"), ("2025-09-19", "2025-10-07", "met"),   # ends Saturday 4 October
])
def test_with_the_switch_on_the_waiting_period_skips_holidays(runner, switched_on, published, filed, status):
    request = application(submitted_on=filed)
    request["registry"]["labour_exchange"]["vacancy"]["published_on"] = published
    statuses, _ = cli_rule(runner, request, "--policies", str(switched_on))
    assert statuses == expected(NEW, vacancy_waiting_period=status)
    assert statuses == independent.statuses(NEW, request, request["registry"], waiting_moves_to_working_day=True)


# --- a version description reports its parameters (server/rules/describe.py:14) ------------------------

PARAMETERS_2023 = {
    "managers_min_citizens_percent": 70, "specialists_min_citizens_percent": 90, "branch_max_headcount": 10,
    "bar_months": 12, "extension_limit_categories_2_3": 3, "extension_limit_intracompany_transfer": 1,
    "renewal_window_opens_days": 60, "renewal_window_closes_days": 30, "transfer_min_employment_months": 12,
    "wto_non_members": sorted(independent.NOT_WTO_MEMBERS),
}
PARAMETERS_2025 = {**PARAMETERS_2023, "waiting_days": 15, "waiting_period_moves_to_working_day": False,
                   "small_business_max_headcount": 20}


@pytest.mark.parametrize("version,want", [(OLD, PARAMETERS_2023), (NEW, PARAMETERS_2025)])
def test_a_version_description_gives_every_parameter_and_its_value(client, version, want):
    response = client.get(f"/v1/regulations/kz-foreign-labour/versions/{version}")
    assert response.status_code == 200
    got = {name: p["value"] for name, p in response.get_json()["parameters"].items()}
    assert {**got, "wto_non_members": sorted(got["wto_non_members"])} == want


# --- Accept-Language: q=0 rules a language out (server/languages.py:45) --------------------------------

TITLES = {"en": "Permits to hire foreign labour (Order No. 279 as amended by Order No. 93)",
          "ru": "Разрешения на привлечение иностранной рабочей силы (Приказ № 279 в редакции Приказа № 93)",
          "kk": "Шетелдік жұмыс күшін тартуға рұқсаттар (№ 93 бұйрықпен өзгертілген № 279 бұйрық)"}


@pytest.mark.parametrize("accept,lang", [("ru;q=0", "en"), ("ru;q=0, kk", "kk"), ("kk;q=0, ru;q=0.5", "ru"),
                                         ("*, ru;q=0", "en"), ("ru", "ru")])
def test_a_language_with_quality_zero_is_never_chosen(client, accept, lang):
    response = client.get(f"/v1/regulations/kz-foreign-labour/versions/{NEW}", headers={"Accept-Language": accept})
    assert response.status_code == 200
    assert (response.headers["Content-Language"], response.get_json()["title"]) == (lang, TITLES[lang])


# --- a replay without a choice keeps the stored version (server/api/rulings.py:81) ---------------------

@pytest.mark.parametrize("body", [None, {}, {"version": None, "as_of": None}])
def test_a_replay_without_a_version_keeps_the_one_asked_for(client, body):
    request = application()          # filed under 2025-09-01, judged under 2023-07-01 as asked
    first = client.post("/v1/rulings", json=dict(request, version=OLD))
    assert first.status_code == 201
    kwargs = {} if body is None else {"json": body}
    again = client.post(f"/v1/rulings/{first.get_json()['id']}/replay", **kwargs)
    assert again.status_code == 201
    ruling = again.get_json()
    assert (ruling["version"], ruling["outcome"], ruling["outcome_changed"]) == (OLD, "approve", False)
    assert [f["requirement"] for f in ruling["findings"]] == independent.REQUIREMENTS[OLD]


# --- identifiers in inline registry facts: ASCII digits and the check digit (adapters/fields.py) -------

@pytest.mark.parametrize("where,path", [
    (("ulcrs", "contracts", 0, "employee_iin"), "registry.ulcrs.contracts.0.employee_iin"),
    (("migration_police", "persons", 0, "iin"), "registry.migration_police.persons.0.iin"),
    (("ulcrs", "contracts", 0, "employer_bin"), "registry.ulcrs.contracts.0.employer_bin"),
    (("labour_exchange", "vacancy", "employer_bin"), "registry.labour_exchange.vacancy.employer_bin"),
])
@pytest.mark.parametrize("value,message", [
    (ARABIC_IIN, "Must be exactly 12 digits."), (FULLWIDTH_IIN, "Must be exactly 12 digits."),
    ("900101300008", "Check digit does not match (CONTRACT s.2)."),
])
def test_inline_registry_identifiers_are_checked_like_the_applications(client, runner, where, path, value, message):
    request = application()
    node = request["registry"]
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    body = {"error": {"code": "invalid_request", "message": "The request does not fit the contract.",
                      "fields": {path: [message]}}}
    for send in (lambda: client.post("/v1/rulings", json=request),
                 lambda: client.post("/v1/rulings", data=json.dumps(request, ensure_ascii=False).encode(),
                                     content_type="application/json")):
        response = send()
        assert (response.status_code, response.get_json()) == (422, body)
    res = runner.invoke(main, ["rule", "-"], input=json.dumps(request))
    assert res.exit_code == 2 and path in res.output and message in res.output, res.output


# --- `ereje check` and `ereje test` on what is not a rule set (server/cli/rulefiles.py) ----------------

def test_check_on_a_directory_without_rule_files_fails(tmp_path, runner):
    res = runner.invoke(main, ["check", str(tmp_path)])
    assert res.exit_code == 1
    assert res.output == f"{tmp_path}: no rule files found\n"


@pytest.mark.parametrize("text", ["- name: [unclosed\n", "just a string\n", "cases: {name: x}\n"])
def test_ereje_test_fails_on_a_case_file_it_cannot_read(tmp_path, runner, text):
    dst = tmp_path / "policies"
    shutil.copytree(POLICIES, dst)
    broken = dst / "kz-foreign-labour" / "tests" / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    res = runner.invoke(main, ["test", str(dst)])
    assert res.exit_code == 1, res.output
    assert str(broken) in res.output


# --- CSV: `false` is false (server/batch/inputs.py:158) ----------------------------------------------

def test_a_small_business_column_reading_false_is_false(tmp_path, runner):
    cols = ["application.reference", "application.submitted_on", "application.kind", "application.route",
            "application.category", "application.region", "application.workers_requested",
            "application.employer.bin", "application.employer.headcount", "application.employer.small_business",
            "application.employer.staff.managers.citizens", "application.employer.staff.managers.foreigners",
            "application.employer.staff.specialists.citizens", "application.employer.staff.specialists.foreigners",
            "registry.quota.region", "registry.quota.year", "registry.quota.category", "registry.quota.remaining"]
    f = tmp_path / "apps.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        # 50 citizens of 100 specialists: local content fails unless the employer is an exempt small business
        for ref, flag in [("F1", "false"), ("F2", "FALSE"), ("F3", "no"), ("F4", "0"), ("T1", "true"), ("T2", "yes")]:
            w.writerow([ref, "2025-05-20", "issue", "general", "3", "ALMATY", "1", BIN, "15", flag,
                        "0", "0", "50", "50", "ALMATY", "2025", "3", "10"])
    out = tmp_path / "out.jsonl"
    res = runner.invoke(main, ["compare", str(f), "--versions", OLD, "--jobs", "1", "--format", "json",
                               "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = {r["reference"]: r["outcomes"][OLD] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows == {"F1": "refuse", "F2": "refuse", "F3": "refuse", "F4": "refuse", "T1": "approve", "T2": "approve"}


def test_the_independent_reading_agrees_on_the_requests_above(client):
    # the expectations above are the contract's: the independent judge reads them the same way
    for request in (application(bin_=REP_OFFICE, headcount=10, staff=ALL_FOREIGN),
                    application(category=4, requested=2, staff=NINE_CITIZEN_SPECIALISTS, workers=[])):
        for version in (OLD, NEW):
            statuses, _ = ruled(client, copy.deepcopy(request), version)
            assert statuses == independent.statuses(version, request, request["registry"])
