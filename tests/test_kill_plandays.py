"""The planner's earliest day on rule files that read the filing date in each form a rule may write
(docs/mutation.md): a date moved by days, twice, by months, to the next working day, a constant date,
a difference of two dates, a date of the application itself, and a version that is no longer the last.

Each rule book here has one requirement; each answer is checked against judging every day of the
horizon (a direct ruling per day, not the planner) and given as the date a reader can check by hand."""
import pytest

from server.contract.request import PlanRequestSchema, load
from server.engine import runner as engine
from server.judging import plans
from server.judging.cases import Unreadable
from server.rules import rulebook
from server.rules.calendar import day_number, iso_date

from .test_plans import BIN, Registries, judged_on

VERSION = """\
regulation: {regulation}
version: "{version}"
effective_from: {version}
title: {{en: Earliest filing, ru: Самая ранняя подача}}
act:
  title: {{en: Filing act, ru: Акт о подаче}}
  number: "1"
  date: 2024-12-01
  url: https://example.org/filing-act
  readings: [by-filing-date]
readings:
  - id: by-filing-date
    strength: READING
    text: {{en: Judged under the version in force when filed., ru: По редакции на дату подачи.}}
requirements:
  - id: filing-date
    title: {{en: Filed in time, ru: Подано в срок}}
    citation: {{en: "Filing act, point 1", ru: "Акт о подаче, пункт 1"}}
    condition: '{condition}'
    effect: refuse
    explain:
      met: {{en: In time., ru: В срок.}}
      unmet: {{en: Not in time., ru: Не в срок.}}
      unknown: {{en: Not known., ru: Неизвестно.}}
      not_applicable: {{en: Not concerned., ru: Не касается.}}
languages: [en, ru]
"""


def rules(tmp_path, *conditions, template=VERSION):
    """A rule book of one version per (version, condition), registered with this process's engine."""
    regulation = tmp_path.name.lower()
    folder = tmp_path / "policies" / regulation
    folder.mkdir(parents=True)
    for version, condition in conditions:
        text = template.format(regulation=regulation, version=version, condition=condition)
        (folder / f"{version}.yaml").write_text(text, encoding="utf-8")
    book = rulebook.load(tmp_path / "policies")
    engine.register_all(book)
    return book


def request(on, *, published=None, expires=None, issued="2024-06-01"):
    """A plan request; `published` posts a vacancy on that date, `expires` makes it an extension of a
    permit that expires then."""
    app = {"reference": "APP-EARLIEST", "kind": "issue", "route": "general", "category": 3, "region": "ALMATY",
           "workers_requested": 1, "foreign_workers": [], "submitted_on": on, "vacancy_code": "V-1",
           "employer": {"bin": BIN, "headcount": 120, "small_business": False,
                        "staff": {"managers": {"citizens": 9, "foreigners": 0},
                                  "specialists": {"citizens": 95, "foreigners": 0}}}}
    if expires:
        app["kind"] = "extension"
        app["current_permit"] = {"number": "P-1", "issued_on": issued, "expires_on": expires, "extensions": 0}
    registry = {"labour_exchange": {"vacancy": None if published is None else {
        "code": "V-1", "employer_bin": BIN, "published_on": published, "status": "active"}}}
    return load(PlanRequestSchema, {"application": app, "registry": registry})


def earliest_both_ways(book, req, days):
    """(the first day judging each day approves, the planner's earliest day) over `days` days."""
    on = req["application"]["submitted_on"]
    each = (iso_date(day_number(on) + n) for n in range(days + 1))
    first = next((d for d in each if judged_on(book, req, d)["outcome"] == "approve"), None)
    return first, plans.plan(book, req, horizon_days=days, source=Registries())["earliest"]


FORMS = {
    # The day after a date moved by days (a strict comparison turns one day later).
    "strictly-after": ("application.permit_expires_on - days(30) < application.submitted_on",
                       dict(expires="2025-11-20"), "2025-10-22"),
    # A constant date itself, with no arithmetic at all.
    "on-the-day": ('application.submitted_on >= date("2025-10-09")', {}, "2025-10-09"),
    # A date moved twice: 20 and 10 days, 30 in all.
    "moved-twice": ("application.submitted_on >= application.permit_expires_on - days(20) - days(10)",
                    dict(expires="2025-11-23"), "2025-10-24"),
    # The filing date moved back by days.
    "filing-moved-back": ("application.submitted_on - days(15) >= application.permit_issued_on",
                          dict(expires="2026-06-01", issued="2025-10-03"), "2025-10-18"),
    # The application's own date (not the filing date), moved back by days.
    "before-expiry": ("application.submitted_on >= application.permit_expires_on - days(30)",
                      dict(expires="2025-11-20"), "2025-10-21"),
    # The filing date moved by a month.
    "a-month-before-expiry": ("application.submitted_on + months(1) >= application.permit_expires_on",
                              dict(expires="2025-11-20"), "2025-10-20"),
    # ... and by a month and days.
    "a-month-and-5-days-after": ("application.submitted_on - months(1) - days(5) >= application.permit_issued_on",
                                 dict(expires="2026-06-01", issued="2025-09-10"), "2025-10-15"),
}


@pytest.mark.parametrize("form", FORMS)
def test_the_earliest_day_follows_each_form_of_date_arithmetic(tmp_path, form):
    condition, given, earliest = FORMS[form]
    book = rules(tmp_path, ("2025-01-01", condition))
    assert earliest_both_ways(book, request("2025-10-01", **given), 60) == (earliest, earliest)


# Nauryz 2025: 21-25 March (Friday to Tuesday) are not working days, the next is Wednesday 26 March.
NEXT_WORKING_DAY = 'next_working_day(application.submitted_on) >= date("2025-03-26")'


def test_a_filing_deemed_made_on_the_next_working_day_may_be_made_before_a_long_holiday(tmp_path):
    book = rules(tmp_path, ("2025-01-01", NEXT_WORKING_DAY))
    # Filed on Friday 21 March, it counts as filed on 26 March, the posting's day.
    assert earliest_both_ways(book, request("2025-02-20"), 40) == ("2025-03-21", "2025-03-21")


def test_a_month_after_a_posting_that_ends_on_a_holiday(tmp_path):
    book = rules(tmp_path, ("2025-01-01", 'application.submitted_on - months(1) >= date("2025-02-21")'))
    # 21 February + 1 month is Friday 21 March, the first day of Nauryz: the holiday changes nothing here.
    assert earliest_both_ways(book, request("2025-03-01"), 40) == ("2025-03-21", "2025-03-21")


CLAMPED = "application.submitted_on + months(1) > application.permit_expires_on"


@pytest.mark.parametrize("expires, earliest", [
    ("2026-02-28", "2026-02-01"),   # 28 to 31 January + 1 month are all 28 February: 1 February is the first day after
    ("2026-04-30", "2026-04-01"),   # 30 and 31 March + 1 month are 30 April
    ("2026-03-10", "2026-02-11"),   # no month end: 10 February + 1 month is 10 March
])
def test_less_than_a_month_before_expiry_begins_after_the_month_ends_that_clamp(tmp_path, expires, earliest):
    book = rules(tmp_path, ("2025-01-01", CLAMPED))
    assert earliest_both_ways(book, request("2026-01-10", expires=expires), 120) == (earliest, earliest)


EARLIER = {
    "days": ("application.submitted_on - days(15) >= application.permit_issued_on",
             dict(expires="2026-06-01", issued="2025-10-03"), "2025-10-18"),
    "constant": ('application.submitted_on >= date("2025-10-17")', {}, "2025-10-17"),
    "months": ("application.submitted_on + months(1) >= application.permit_expires_on", dict(expires="2025-11-20"),
               "2025-10-20"),
}


@pytest.mark.parametrize("form", EARLIER)
def test_the_arithmetic_of_a_version_that_is_not_the_last_is_followed(tmp_path, form):
    # From 1 November any filing is in time: the planner must still find the earlier day of the version before.
    condition, given, earliest = EARLIER[form]
    book = rules(tmp_path, ("2025-01-01", condition), ("2025-11-01", "application.workers_requested >= 1"))
    assert earliest_both_ways(book, request("2025-10-01", **given), 60) == (earliest, earliest)


# The requirement in scope only for filings before 10 October 2025.
SCOPED = VERSION.replace("    condition: '{condition}'", """    scope: 'application.submitted_on < date("2025-10-10")'
    condition: '{condition}'""")


def test_a_requirement_that_goes_out_of_scope_is_what_decides_the_earliest_day(tmp_path):
    book = rules(tmp_path, ("2025-01-01", "application.workers_requested > 5"), template=SCOPED)
    planned = plans.plan(book, request("2025-10-01"), horizon_days=30, source=Registries())
    assert planned["earliest"] == "2025-10-10"
    assert [(f["requirement"], f["status"], f["explanation"]) for f in planned["deciding"]] == [
        ("filing-date", "not_applicable", "Not concerned.")]


# A version that ends on 15 October 2025, with nothing after it.
ENDS = VERSION.replace("effective_from: {version}\n", "effective_from: {version}\neffective_to: 2025-10-15\n")
NOT_FOUND = {
    "en": "No filing date from 2025-10-01 to 2025-10-31 would be approved. Filed in time: unknown 2025-10-01 – "
          "2025-10-15 (could not be read: offences, quota; a retry may settle it). No version of the regulation "
          "is in force 2025-10-16 – 2025-10-31.",
    "ru": "Ни при одной дате подачи с 2025-10-01 по 2025-10-31 заявление не было бы одобрено. Подано в срок: "
          "неизвестно 2025-10-01 – 2025-10-15 (не удалось получить данные: offences, quota; повторный запрос может "
          "это решить). Ни одна редакция не действует 2025-10-16 – 2025-10-31.",
}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_no_day_found_names_every_registry_unread_and_the_days_no_version_covers(tmp_path, lang):
    book = rules(tmp_path, ("2025-01-01", 'quota.remaining >= 100 and any(o.article == "x" for o in offences)'),
                 template=ENDS)
    planned = plans.plan(book, request("2025-10-01"), horizon_days=30, lang=lang,
                         source=Unreadable(["quota", "offences"], Registries()))
    assert (planned["earliest"], planned["reason"]) == (None, NOT_FOUND[lang])


# A warning written before the refusing requirement: findings come in the rule file's order.
WARNED = VERSION.replace("requirements:\n", """requirements:
  - id: many-workers
    title: {{en: Few workers, ru: Мало работников}}
    citation: {{en: "Filing act, point 2", ru: "Акт о подаче, пункт 2"}}
    condition: application.workers_requested < 5
    effect: warn
    explain:
      met: {{en: Few., ru: Мало.}}
      unmet: {{en: Many., ru: Много.}}
      unknown: {{en: Not known., ru: Неизвестно.}}
      not_applicable: {{en: Not concerned., ru: Не касается.}}
""")


def test_a_warning_before_the_refusing_requirement_does_not_hide_it_from_the_reason(tmp_path):
    book = rules(tmp_path, ("2025-01-01", "application.workers_requested > 5"), template=WARNED)
    planned = plans.plan(book, request("2025-10-01"), horizon_days=30, source=Registries())
    assert (planned["earliest"], planned["reason"]) == (
        None, "No filing date from 2025-10-01 to 2025-10-31 would be approved. Filed in time: unmet on every date.")
