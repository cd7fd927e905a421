"""Plan reasons the mutation run found unchecked (docs/mutation.md): a version starting on the horizon's
last day, a registry that cannot be read, and days no version covers."""
import random
import shutil

import pytest

import adapters
from server.engine import runner as engine
from server.rules import rulebook
from server.rules.calendar import day_number, iso_date

from .conftest import POLICIES
from .test_plans import Registries, judged_on, plan, request, shift

VACANCY = "The vacancy was posted on the electronic labour exchange by the applicant"
LOCAL = "Citizens make up the required share of staff"


def _horizon(req, days):
    return {**req, "horizon_days": days}


def test_a_version_starting_on_the_horizons_last_day_judges_that_day(book):
    # No vacancy (required from the amendment on) and too few citizens (required throughout).
    found = plan(book, _horizon(request("2025-08-20", specialists=(50, 50)), 12))
    assert found["horizon"] == {"from": "2025-08-20", "to": "2025-09-01"}
    assert found["earliest"] is None
    assert found["reason"].startswith("No filing date from 2025-08-20 to 2025-09-01 would be approved. "
                                      f"{LOCAL}: unmet on every date. {VACANCY}: unmet 2025-09-01.")
    assert "No version of the regulation is in force" not in found["reason"]


class _OffencesDown(Registries):
    def fetch(self, registry, query):
        if registry == "offences":
            raise adapters.RegistryUnavailable(registry, "down")
        return super().fetch(registry, query)


def test_a_registry_that_cannot_be_read_is_named_with_the_days_it_leaves_unknown(book):
    req = request("2025-10-01", vacancy="V-1", published="2025-09-01")
    req["registry"] = {k: v for k, v in req["registry"].items() if k != "offences"}
    found = plan(book, _horizon(req, 30), source=_OffencesDown())
    assert found["earliest"] is None
    assert found["reason"] == (
        "No filing date from 2025-10-01 to 2025-10-31 would be approved. No decision under article 519 in the "
        "last 12 months: unknown 2025-10-01 – 2025-10-31 (could not be read: offences; a retry may settle it).")


def test_days_no_version_covers_are_named_as_one_period(tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    path = policies / "kz-foreign-labour" / "2025-09-01.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\neffective_from: 2025-09-01\n" in text
    path.write_text(text.replace("\neffective_from: 2025-09-01\n",
                                 "\neffective_from: 2025-09-01\neffective_to: 2025-12-30\n", 1), encoding="utf-8")
    ending = rulebook.load(policies)
    engine.register_all(ending)
    found = plan(ending, _horizon(request("2025-12-20", specialists=(50, 50)), 30))
    assert found["earliest"] is None
    assert found["reason"].startswith("No filing date from 2025-12-20 to 2026-01-19 would be approved. "
                                      f"{LOCAL}: unmet 2025-12-20 – 2025-12-30. ")
    assert found["reason"].endswith(" No version of the regulation is in force 2025-12-31 – 2026-01-19.")


class _NextYearsQuotaDown(Registries):
    def fetch(self, registry, query):
        if registry == "quota" and query.year == 2026:
            raise adapters.RegistryUnavailable(registry, "not published yet")
        return super().fetch(registry, query)


def _inline_quota_exhausted(on):
    req = request(on, vacancy="V-1", published="2025-09-01")
    req["registry"]["quota"] = {"remaining": 0}   # inline: the planned date's year only
    return req


def test_a_later_years_quota_that_cannot_be_read_is_unknown_not_the_inline_one(book):
    found = plan(book, _horizon(_inline_quota_exhausted("2025-12-20"), 20), source=_NextYearsQuotaDown())
    assert found["earliest"] is None
    assert found["reason"] == (
        "No filing date from 2025-12-20 to 2026-01-09 would be approved. The regional quota has room for the "
        "requested workers: unmet 2025-12-20 – 2025-12-31. The regional quota has room for the requested workers: "
        "unknown 2026-01-01 – 2026-01-09 (could not be read: quota; a retry may settle it).")


def test_a_later_years_quota_is_shown_as_fetched_beside_the_registries_the_request_gave(book):
    found = plan(book, _horizon(_inline_quota_exhausted("2025-12-20"), 20))
    assert found["earliest"] == "2026-01-01"
    shown = {name: (r["source"], r["data"]) for name, r in found["ruling"]["registry"].items()}
    assert shown == {
        "labour_exchange": ("request", {"vacancy": {"code": "V-1", "employer_bin": "150540000106",
                                                    "published_on": "2025-09-01", "status": "active"}}),
        "quota": ("fixtures", {"region": "ALMATY", "year": 2026, "category": "3", "remaining": 10}),
        "offences": ("request", {"records": []}),
    }


def test_a_requirement_unmet_in_two_periods_names_both(book):
    # Barred until 10 October by a decision of 2024, and again from a decision of 20 October 2025.
    req = request("2025-10-01", vacancy="V-1", published="2025-09-01", specialists=(50, 50),
                  barred_from=["2024-10-10", "2025-10-20"])
    found = plan(book, _horizon(req, 30))
    assert found["reason"] == (
        f"No filing date from 2025-10-01 to 2025-10-31 would be approved. {LOCAL}: unmet on every date. "
        "No decision under article 519 in the last 12 months: unmet 2025-10-01 – 2025-10-10, 2025-10-20 – 2025-10-31. "
        "Every foreign employee the staff declares is listed for the automatic checks: unmet on every date.")


def _bar_rewritten(tmp_path_factory, condition):
    """The shipped rules with the article 519 bar's dates written as `condition`, which the planner's
    candidate dates must follow. The dates the explanation shows become the decision's own, so nothing
    in the facts is the bar's end: only the condition's arithmetic leads the planner to it."""
    policies = tmp_path_factory.mktemp("plans") / "policies"
    shutil.copytree(POLICIES, policies)
    path = policies / "kz-foreign-labour" / "2023-07-01.yaml"
    text = path.read_text(encoding="utf-8")
    forward = ("      and offence.decided_on <= application.submitted_on\n"
               "      and application.submitted_on <= offence.decided_on + months(bar_months)\n")
    shown = ("      barred_through: offence.decided_on + months(bar_months)\n"
             "      free_from: offence.decided_on + months(bar_months) + days(1)\n")
    assert forward in text and shown in text
    path.write_text(text.replace(forward, condition)
                    .replace(shown, "      barred_through: offence.decided_on\n      free_from: offence.decided_on\n"),
                    encoding="utf-8")
    rewritten = rulebook.load(policies)
    engine.register_all(rewritten)
    return rewritten


@pytest.fixture(scope="module")
def bar_from_the_filing_date(tmp_path_factory):
    """Barred while the filing date less 12 months is on or before the decision (the filing date moved)."""
    return _bar_rewritten(tmp_path_factory, "      and application.submitted_on - offence.decided_on >= 0\n"
                                            "      and application.submitted_on - months(bar_months) <= offence.decided_on\n")


@pytest.fixture(scope="module")
def bar_of_400_days(tmp_path_factory):
    """Barred from the decision for 400 days (a difference of two dates compared with a number)."""
    return _bar_rewritten(tmp_path_factory, "      and application.submitted_on - offence.decided_on >= 0\n"
                                            "      and application.submitted_on - offence.decided_on <= 400\n")


@pytest.fixture(scope="module")
def bar_of_400_days_counted_from_the_decision(tmp_path_factory):
    """The same bar with the difference taken the other way: the decision less the filing date."""
    return _bar_rewritten(tmp_path_factory, "      and offence.decided_on - application.submitted_on <= 0\n"
                                            "      and offence.decided_on - application.submitted_on >= -400\n")


def _earliest_both_ways(book, on, decided):
    req = _horizon(request(on, vacancy="V-1", published="2025-01-10", barred_from=[decided]), 60)
    first = next(d for d in (shift(on, n) for n in range(61)) if judged_on(book, req, d)["outcome"] == "approve")
    return first, plan(book, req)["earliest"]


@pytest.mark.parametrize("on, decided, earliest", [
    ("2025-10-01", "2024-10-15", "2025-10-16"),   # barred through 15 October 2025
    ("2025-02-20", "2024-02-29", "2025-03-01"),   # 28 February 2025 less 12 months is still on or before 29 February 2024
    ("2025-10-01", "2025-10-20", "2025-10-01"),   # a decision after the filing date does not bar it yet
])
def test_a_bar_counted_back_from_the_filing_date_ends_where_judging_each_day_finds(
        bar_from_the_filing_date, on, decided, earliest):
    assert _earliest_both_ways(bar_from_the_filing_date, on, decided) == (earliest, earliest)


def test_a_bar_of_a_number_of_days_ends_where_judging_each_day_finds(bar_of_400_days):
    # 1 September 2024 + 400 days = 6 October 2025, the bar's last day
    assert _earliest_both_ways(bar_of_400_days, "2025-10-01", "2024-09-01") == ("2025-10-07", "2025-10-07")


def test_a_bar_of_a_number_of_days_counted_from_the_decision_ends_where_judging_each_day_finds(
        bar_of_400_days_counted_from_the_decision):
    assert _earliest_both_ways(bar_of_400_days_counted_from_the_decision, "2025-10-01", "2024-09-01") == (
        "2025-10-07", "2025-10-07")


def test_a_plan_no_date_saves_says_why_and_what_to_do_in_russian(book):
    req = request("2025-10-01", vacancy="V-1", published="2025-09-01", specialists=(50, 50),
                  barred_from=["2024-10-10", "2025-10-20"])
    found = plan(book, _horizon(req, 30), lang="ru")
    assert found["reason"] == (
        "Ни при одной дате подачи с 2025-10-01 по 2025-10-31 заявление не было бы одобрено. Граждане РК составляют "
        "требуемую долю работников: не выполнено ни на одну из дат. Нет постановления по статье 519 за последние "
        "12 месяцев: не выполнено 2025-10-01 – 2025-10-10, 2025-10-20 – 2025-10-31. Для автоматических проверок "
        "указаны все иностранные работники из заявленной численности: не выполнено ни на одну из дат.")
    assert found["actions"] == [
        {"requirement": "local-content-ratio", "title": "Граждане РК составляют требуемую долю работников",
         "explanation": "Условие о местном содержании в кадрах не выполнено (с учётом запрашиваемых работников). "
                        "Специалисты (3-4 категории): граждан РК — 50 из 101 (49,5\u00a0%), а требуется не менее 90\u00a0%. "
                        "Для выполнения условия нужно принять на должности специалистов ещё 409 граждан РК "
                        "(уменьшить число запрашиваемых иностранных работников недостаточно)."},
        {"requirement": "foreign-workers-listed",
         "title": "Для автоматических проверок указаны все иностранные работники из заявленной численности",
         "explanation": "В заявленной численности иностранцев — 50, а в списке не указан ни один: в списке не "
                        "хватает 50 иностранных работников; для проверки необходимо указать каждого."}]


class _QuotaAndOffencesDown(Registries):
    def fetch(self, registry, query):
        if registry in ("offences", "quota"):
            raise adapters.RegistryUnavailable(registry, "down")
        return super().fetch(registry, query)


def test_registries_that_cannot_be_read_are_named_in_russian(book):
    req = request("2025-10-01", vacancy="V-1", published="2025-09-01")
    req["registry"] = {k: v for k, v in req["registry"].items() if k != "offences"}
    found = plan(book, _horizon(req, 10), source=_QuotaAndOffencesDown(), lang="ru")
    assert (found["earliest"], found["actions"]) == (None, [])
    assert found["reason"] == (
        "Ни при одной дате подачи с 2025-10-01 по 2025-10-11 заявление не было бы одобрено. В региональной квоте "
        "достаточно мест для запрашиваемых работников: неизвестно 2025-10-01 – 2025-10-11 (не удалось получить "
        "данные: quota; повторный запрос может это решить). Нет постановления по статье 519 за последние 12 месяцев: "
        "неизвестно 2025-10-01 – 2025-10-11 (не удалось получить данные: offences; повторный запрос может это решить).")


def test_what_to_do_about_a_requirement_of_a_later_version_is_said_as_on_its_first_day(book):
    # Before 1 September no vacancy is required; from then on none is given: the remedy of that day, in Russian.
    found = plan(book, _horizon(request("2025-08-20", specialists=(50, 50)), 30), lang="ru")
    assert [a["requirement"] for a in found["actions"]] == [
        "local-content-ratio", "vacancy-published", "vacancy-waiting-period", "foreign-workers-listed"]
    assert found["actions"][1:3] == [
        {"requirement": "vacancy-published", "title": "Вакансия размещена заявителем на электронной бирже труда",
         "explanation": "В заявлении не указан код вакансии: необходимо разместить вакансию на электронной бирже "
                        "труда (enbek.kz) и указать код её публикации; при размещении 01.09.2025 подача заявления "
                        "возможна с 17.09.2025."},
        {"requirement": "vacancy-waiting-period", "title": "С размещения вакансии прошло 15 календарных дней",
         "explanation": "В заявлении не указан код вакансии, срок ожидания не начался: сначала необходимо "
                        "разместить вакансию; подано 01.09.2025."}]


@pytest.mark.parametrize("seed", range(24))
def test_the_planner_finds_the_first_day_judging_each_day_finds(book, bar_from_the_filing_date, seed):
    # Dates near the planned one, so that waiting periods, bars and a year's quota end within the horizon.
    rnd = random.Random(seed)
    rules = bar_from_the_filing_date if seed % 2 else book

    def near(start, end):
        return shift(on, rnd.randint(start, end))

    on = iso_date(rnd.randint(day_number("2025-07-20"), day_number("2025-12-25")))
    req = _horizon(request(on, vacancy="V-1", published=rnd.choice([None, near(-20, 25), near(-20, 25)]),
                           barred_from=[near(-380, 20) for _ in range(rnd.randint(0, 2))]), 40)
    source = Registries(remaining=rnd.choice([1, 3, {int(on[:4]): 0}]))
    first = next((d for d in (shift(on, n) for n in range(41))
                  if judged_on(rules, req, d, source)["outcome"] == "approve"), None)
    assert plan(rules, req, source=source)["earliest"] == first
