"""The filing planner (`ereje plan`, POST /v1/plans): the earliest approvable date, what decides it, what no date fixes.

Requests are built here to satisfy every requirement but the one a test is about, using
only requirements present in both shipped versions' rule files and their rewrite
(vacancy, waiting period, article 519 bar, quota, local content): no foreign workers
are listed or declared, so the checks on listed workers are met whatever they become.
"""
import datetime as dt
import json
import random
import re
import shutil

import pytest

import adapters
from adapters.base import utc_now
from server.cli import main
from server.contract.request import PlanRequestSchema, load
from server.engine import runner as engine
from server.judging import plans, rulings
from server.rules import rulebook
from server.rules.calendar import day_number, iso_date

from .conftest import POLICIES

BIN = "150540000106"
WAITING = 16            # 15 calendar days from the day after posting: posted D, filing from D + 16


class Registries(adapters.Source):
    """A registry source answering from a dict, and every year's quota with room: the horizon's
    later years are fetched from the source, whatever year the tests run in."""

    name = "fixtures"
    concurrent = False

    def __init__(self, **data):
        self.data = data
        self.asked = []

    def fetch(self, registry, query):
        self.asked.append((registry, query.year))
        if registry == "quota":
            remaining = self.data.get("remaining", 10)   # a number, or {year: number}
            data = {"region": query.region, "year": query.year, "category": query.quota_category,
                    "remaining": remaining.get(query.year, 10) if isinstance(remaining, dict) else remaining}
        else:
            data = self.data.get(registry, {"labour_exchange": {"vacancy": None}, "ulcrs": {"contracts": []},
                                            "migration_police": {"persons": []},
                                            "offences": {"records": []}}[registry])
        return data, {"source": self.name, "fetched_at": utc_now()}


def request(on=None, **options):
    """A plan request, loaded (see `document`)."""
    return load(PlanRequestSchema, document(on, **options))


def document(on=None, *, route="general", vacancy=None, published=None, barred_from=(), specialists=(95, 0)):
    """A plan request for the fixtures' employer; `published` posts `vacancy` on that date;
    `barred_from` are dates of article 519 decisions against the employer."""
    app = {"reference": "APP-PLAN", "kind": "issue", "route": route, "region": "ALMATY",
           "workers_requested": 1, "foreign_workers": [],
           "employer": {"bin": BIN, "headcount": 120, "small_business": False}}
    if route == "general":
        app["category"] = 3
        app["employer"]["staff"] = {"managers": {"citizens": 9, "foreigners": 0},
                                    "specialists": {"citizens": specialists[0], "foreigners": specialists[1]}}
    if on:
        app["submitted_on"] = on
    if vacancy:
        app["vacancy_code"] = vacancy
    registry = {"labour_exchange": {"vacancy": None if published is None else {
                    "code": vacancy, "employer_bin": BIN, "published_on": published, "status": "active"}},
                "offences": {"records": [{"employer_bin": BIN, "article": "519", "decided_on": d} for d in barred_from]}}
    return {"application": app, "registry": registry}


def plan(book, req, lang="en", source=None):
    req = dict(req)
    horizon = req.pop("horizon_days")
    return plans.plan(book, req, horizon_days=horizon, source=source or Registries(), lang=lang)


def judged_on(book, req, day, source=None):
    """The ruling on `day` (a direct ruling, not the planner's) of the same request."""
    dated = {k: v for k, v in req.items() if k != "horizon_days"}
    dated["application"] = {**req["application"], "submitted_on": day}
    return rulings.judge(book, dated, source=source or Registries())


def statuses(ruling):
    return {f["requirement"]: f["status"] for f in ruling["findings"]}


def shift(day, n):
    return iso_date(day_number(day) + n)


# --- the earliest date ------------------------------------------------------------------

def test_a_vacancy_posted_today_can_be_filed_on_the_sixteenth_day_after(book):
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    found = plan(book, request(vacancy="V-1", published=today))
    assert found["planned_on"] == today and found["horizon"] == {"from": today, "to": shift(today, 365)}
    assert (found["earliest"], found["version"]) == (shift(today, WAITING), "2025-09-01")
    assert [(f["requirement"], f["status"]) for f in found["deciding"]] == [("vacancy-waiting-period", "met")]
    assert found["actions"] == [] and found["reason"] is None
    assert (found["ruling"]["outcome"], found["ruling"]["judged_on"]) == ("approve", found["earliest"])
    assert judged_on(book, request(vacancy="V-1", published=today), shift(today, WAITING - 1))["outcome"] == "refuse"


def test_an_employer_barred_by_an_article_519_decision_files_the_day_after_the_bar_ends(book):
    req = request("2025-09-20", vacancy="V-1", published="2025-09-01", barred_from=["2025-05-10"])
    found = plan(book, req)
    earliest = found["earliest"]
    # The bar runs 12 calendar months from the decision; its last day is the rule file's to say.
    assert earliest in ("2026-05-10", "2026-05-11")
    assert statuses(judged_on(book, req, shift(earliest, -1)))["no-unpermitted-labour"] == "unmet"
    assert statuses(found["ruling"])["no-unpermitted-labour"] == "met" and found["ruling"]["outcome"] == "approve"
    assert [f["requirement"] for f in found["deciding"]] == ["no-unpermitted-labour"]
    assert found["version"] == "2025-09-01" and found["actions"] == []


def test_late_august_is_judged_under_the_rules_before_the_amendment(book):
    with_vacancy = plan(book, request("2025-08-25", vacancy="V-1", published="2025-08-20"))
    without = plan(book, request("2025-08-25"))
    for found in (with_vacancy, without):
        assert (found["earliest"], found["version"]) == ("2025-08-25", "2023-07-01")
        assert found["deciding"] == [] and found["ruling"]["version"] == "2023-07-01"


def test_from_the_second_of_september_no_date_saves_an_application_without_a_vacancy(book):
    found = plan(book, request("2025-09-02"))
    assert found["earliest"] is None and found["version"] is None
    actions = [a["requirement"] for a in found["actions"]]
    assert "vacancy-published" in actions and "no-unpermitted-labour" not in actions
    posted = next(a for a in found["actions"] if a["requirement"] == "vacancy-published")
    assert posted["title"] == "The vacancy was posted on the electronic labour exchange by the applicant"
    assert posted["explanation"] == (
        "The application carries no vacancy code: post the vacancy on the electronic labour exchange (enbek.kz) and "
        "give its publication code; a vacancy posted on 2 September 2025 would allow filing from 18 September 2025.")
    assert found["reason"].startswith("No filing date from 2025-09-02 to 2026-09-02 would be approved.")
    assert f"{posted['title']}: unmet on every date." in found["reason"]
    assert (found["ruling"]["judged_on"], found["ruling"]["outcome"]) == ("2025-09-02", "refuse")


def test_a_bar_lasting_past_the_amendment_waits_for_the_amended_waiting_period(book):
    # Barred through about 1 September 2025; the vacancy posted on 20 August allows filing
    # from 5 September under the amendment, which is in force by then.
    found = plan(book, request("2025-08-25", vacancy="V-1", published="2025-08-20", barred_from=["2024-09-02"]))
    assert (found["earliest"], found["version"]) == ("2025-09-05", "2025-09-01")
    assert [f["requirement"] for f in found["deciding"]] == ["no-unpermitted-labour"]
    refused = plan(book, request("2025-08-25", barred_from=["2024-09-02"]))
    assert refused["earliest"] is None
    assert "vacancy-published" in [a["requirement"] for a in refused["actions"]]
    bar = next(f for f in refused["ruling"]["findings"] if f["requirement"] == "no-unpermitted-labour")
    assert re.search(rf"{re.escape(bar['title'])}: unmet 2025-08-25 – 2025-09-0[12]\.", refused["reason"])


def test_an_application_no_date_can_save_says_why_and_what_to_do_in_the_language_asked(book):
    req = request("2025-10-01", specialists=(50, 50))   # no vacancy, and half the specialists are foreign
    found = plan(book, req, lang="ru")
    assert found["earliest"] is None and found["language"] == "ru"
    actions = {a["requirement"]: a for a in found["actions"]}
    assert {"vacancy-published", "local-content-ratio"} <= set(actions)
    local = next(f for f in found["ruling"]["findings"] if f["requirement"] == "local-content-ratio")
    assert local["status"] == "unmet"
    assert actions["local-content-ratio"] == {"requirement": "local-content-ratio", "title": local["title"],
                                              "explanation": local["explanation"]}
    assert re.search("[а-я]", local["title"])
    assert found["reason"].startswith("Ни при одной дате подачи с 2025-10-01 по 2026-10-01")
    assert all(a["title"] in found["reason"] for a in found["actions"])


def test_a_seasonal_application_waits_for_its_vacancy_like_a_general_one(book):
    found = plan(book, request("2025-09-05", route="seasonal", vacancy="V-9", published="2025-09-01"))
    assert (found["earliest"], found["version"]) == ("2025-09-17", "2025-09-01")
    assert statuses(found["ruling"])["local-content-ratio"] == "not_applicable"
    assert [f["requirement"] for f in found["deciding"]] == ["vacancy-waiting-period"]


def test_the_quota_of_each_year_is_fetched_once_for_the_dates_in_that_year(book):
    source = Registries(remaining=0)
    req = request("2025-12-20", vacancy="V-1", published="2025-12-10")
    found = plans.plan(book, {k: v for k, v in req.items() if k != "horizon_days"}, source=source)
    assert found["earliest"] is None
    assert sorted(y for r, y in source.asked if r == "quota") == [2025, 2026]
    quota = next(f for f in found["ruling"]["findings"] if f["requirement"] == "quota-available")
    assert f"{quota['title']}: unmet on every date." in found["reason"]


def test_a_quota_exhausted_this_year_leaves_the_first_of_january(book):
    source = Registries(remaining={2025: 0})
    found = plan(book, request("2025-10-15", vacancy="V-1", published="2025-09-01"), source=source)
    assert (found["earliest"], found["version"]) == ("2026-01-01", "2025-09-01")
    assert [f["requirement"] for f in found["deciding"]] == ["quota-available"]
    assert found["ruling"]["registry"]["quota"]["data"]["year"] == 2026


def test_a_waiting_period_moved_past_a_holiday_moves_the_earliest_date(book, tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    path = policies / "kz-foreign-labour" / "2025-09-01.yaml"
    text, n = re.subn(r"(?m)^(( +)waiting_period_moves_to_working_day:\n(?:\2  (?!value:).*\n)*\2  value: ).*$",
                      r"\1true", path.read_text(encoding="utf-8"))
    assert n == 1
    path.write_text(text, encoding="utf-8")
    switched = rulebook.load(policies)
    engine.register_all(switched)
    # Posted 1 December 2025: the 15 days run out on 16 December, Independence Day.
    req = request("2025-12-01", vacancy="V-1", published="2025-12-01")
    assert plan(book, req)["earliest"] == "2025-12-17"
    assert plan(switched, req)["earliest"] == "2025-12-18"


# --- the dates judged -------------------------------------------------------------------

def test_the_worst_case_for_a_year_judges_a_few_dates_not_every_day(book, monkeypatch):
    calls = []
    judge_under = rulings.judge_under
    monkeypatch.setattr(rulings, "judge_under", lambda *a, **k: calls.append(a[1]) or judge_under(*a, **k))
    # Nothing saves it (no vacancy; local content fails), with dates that move: a vacancy of
    # another code, two article 519 decisions, across the amendment and a new year.
    req = request("2025-06-15", vacancy="V-1", specialists=(50, 50), barred_from=["2024-12-01", "2025-03-03"])
    found = plan(book, req, source=Registries(labour_exchange={"vacancy": {
        "code": "V-2", "employer_bin": BIN, "published_on": "2025-07-01", "status": "active"}}))
    assert found["earliest"] is None and found["horizon"]["to"] == "2026-06-15"
    days = {c["application"]["submitted_on"] for c in calls}
    assert {"2025-06-15", "2025-09-01", "2026-01-01"} <= days
    # A fraction of the 366 days: the planned date, version and year boundaries, and the days
    # the facts' dates (and the shifts the rules compute on them) meet the filing date.
    assert len(calls) <= 100


@pytest.mark.parametrize("seed", range(6))
def test_the_earliest_date_is_the_first_day_a_ruling_approves(book, seed):
    rnd = random.Random(seed)

    def day(a, b):
        return iso_date(rnd.randint(day_number(a), day_number(b)))

    on = day("2025-07-15", "2025-12-15")
    req = request(on, vacancy="V-1", published=rnd.choice([None, day("2025-07-01", "2026-01-31")]),
                  barred_from=[day("2024-07-01", "2025-12-31") for _ in range(rnd.randint(0, 2))])
    req["horizon_days"] = 60
    source = Registries(remaining=rnd.choice([0, 1, 3]))
    first = next((d for d in (shift(on, n) for n in range(61))
                  if judged_on(book, req, d, source)["outcome"] == "approve"), None)
    assert plan(book, req, source=source)["earliest"] == first


# --- the command and the API --------------------------------------------------------------

def _file(tmp_path, req, **extra):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({**req, **extra}), encoding="utf-8")
    return str(path)


def _inline(on, published):
    doc = document(on, vacancy="V-1", published=published)
    doc["registry"].update({"ulcrs": {"contracts": []}, "migration_police": {"persons": []},
                            "quota": {"remaining": 5}})
    return doc


def test_ereje_plan_prints_the_earliest_date_as_text_and_as_json(runner, tmp_path):
    file = _file(tmp_path, _inline("2025-09-10", "2025-09-10"))
    res = runner.invoke(main, ["plan", file, "--format", "text"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[:2] == ["EARLIEST 2025-09-26  under kz-foreign-labour 2025-09-01",
                         "planned 2025-09-10, looked through 2025-09-10 to 2026-09-10"]
    assert "Deciding:" in lines and "  ✓ vacancy-waiting-period: 15 calendar days have passed since the vacancy was posted" in lines
    assert "Ruling on 2025-09-26: approve" in lines
    res = runner.invoke(main, ["plan", file, "--horizon", "10", "--lang", "ru"])
    assert res.exit_code == 0, res.output
    body = json.loads(res.output)
    assert (body["earliest"], body["horizon"]["to"], body["language"]) == (None, "2025-09-20", "ru")
    # Within ten days nothing meets the waiting period: its explanation says from when it would.
    assert [a["requirement"] for a in body["actions"]] == ["vacancy-waiting-period"]
    assert "подача возможна с 26.09.2025" in body["actions"][0]["explanation"]
    assert body["reason"].startswith("Ни при одной дате подачи с 2025-09-10 по 2025-09-20")


def test_ereje_plan_exits_2_on_a_bad_file(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    res = runner.invoke(main, ["plan", str(bad)])
    assert res.exit_code == 2 and "not JSON" in res.output
    res = runner.invoke(main, ["plan", _file(tmp_path, _inline("2025-02-30", None), version="2025-09-01")])
    assert res.exit_code == 2
    assert "application.submitted_on: Not a valid date: '2025-02-30'" in res.output
    assert "version: Unknown field." in res.output
    assert runner.invoke(main, ["plan", _file(tmp_path, _inline("2025-09-10", None)), "--horizon", "400"]).exit_code == 2


def test_post_plans_answers_200_and_stores_nothing(client):
    doc = _inline("2025-09-10", "2025-09-10")
    res = client.post("/v1/plans", json={**doc, "horizon_days": 30}, headers={"Accept-Language": "ru"})
    assert res.status_code == 200 and res.headers["Content-Language"] == "ru"
    body = res.get_json()
    assert list(body) == ["planned_on", "horizon", "earliest", "version", "deciding", "actions", "reason",
                          "ruling", "language"]
    assert (body["earliest"], body["horizon"], body["language"]) == (
        "2025-09-26", {"from": "2025-09-10", "to": "2025-10-10"}, "ru")
    assert "id" not in body["ruling"]
    assert client.get("/v1/rulings?reference=APP-PLAN").get_json() == {"rulings": [], "next": None}


def test_post_plans_refuses_a_bad_request_with_422_naming_each_field(client):
    doc = _inline("2025-09-10", None)
    res = client.post("/v1/plans", json={**doc, "horizon_days": 367, "as_of": "2025-09-01"})
    assert res.status_code == 422
    assert res.get_json() == {"error": {"code": "invalid_request", "message": "The request does not fit the contract.",
                                        "fields": {"horizon_days": ["Must be greater than or equal to 1 and less "
                                                                    "than or equal to 366."],
                                                   "as_of": ["Unknown field."]}}}
    res = client.post("/v1/plans", json={**doc, "application": {**doc["application"], "submitted_on": "1999-01-01"}})
    assert res.status_code == 422 and res.get_json()["error"]["code"] == "no_version_in_force"
