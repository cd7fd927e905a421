"""The report `ereje test --mutants` gives a lawyer, exactly (server/judging/mutants.py, variants.py).

Two regulations: `annex` (sorted first, so it is the default a request without `regulation` gets),
amended from 2025-06-01 and tested by one case that names its day with `as_of` and cannot read a
registry; and the demo rules, whose derived fact also names the regions it applies in. The survivors'
suggested cases are the lawyer's next step: their facts, `as_of`, `unavailable`, an error to expect, the
case file's defaults left out, all as printed. The search is seeded with each change, so they are the
same on every run."""
import pytest
import yaml

from server.cli import main
from server.judging import variants
from server.rules import rulebook

from tests.demo import CASES, DEFAULTS, RULES

DEMO = RULES.replace(
    "when: application.workers_requested > seasonal_cap\n",
    'when: application.workers_requested > seasonal_cap and application.region in ["ALMATY", "ASTANA"]\n')
ANNEX = """\
regulation: annex
version: "2025-01-01"
effective_from: 2025-01-01
title: {en: Annex, ru: Приложение}
act: {title: {en: Annex act, ru: Акт}, number: "2", date: 2024-12-01, url: https://example.org/annex}
requirements:
  - id: room
    title: {en: Room, ru: Места}
    citation: {en: "Annex, point 1", ru: "Приложение, пункт 1"}
    condition: quota.remaining >= application.workers_requested
    effect: refuse
    explain:
      met: {en: Room., ru: Есть.}
      unmet: {en: No room., ru: Нет.}
      unknown: {en: Not known., ru: Неизвестно.}
      not_applicable: {en: Outside., ru: Вне.}
languages: [en, ru]
"""
AMENDED = """\
regulation: annex
version: "2025-06-01"
effective_from: 2025-06-01
amends: "2025-01-01"
title: {en: Annex amended, ru: Приложение изменённое}
act: {title: {en: Annex act 2, ru: Акт 2}, number: "3", date: 2025-05-01, url: https://example.org/annex2}
requirements:
  change:
    - id: room
      condition: quota.remaining > application.workers_requested
languages: [en, ru]
"""
EARLY = {"name": "Filed the day after the rules took effect, no quota published",
         "set": {"application.submitted_on": "2025-01-02", "application.region": "AKTOBE"},
         "remove": ["registry.quota"], "expect": {"findings": {"quota-available": "unknown"}}}
AS_OF = {"name": "Judged as of the amendment", "set": {"as_of": "2025-06-02"}, "unavailable": ["offences"],
         "expect": {"version": "2025-06-01", "findings": {"room": "met"}}}


def _write(folder, rules, cases, defaults):
    (folder / "tests").mkdir(parents=True)
    for name, text in rules.items():
        (folder / name).write_text(text, encoding="utf-8")
    doc = {"defaults": defaults, "cases": cases}
    (folder / "tests" / "cases.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def two_regulations(tmp_path):
    policies = tmp_path / "policies"
    _write(policies / "demo", {"2025-01-01.yaml": DEMO},
           [CASES[n] for n in ("room", "full", "unpublished", "within", "transfer")] + [EARLY], DEFAULTS)
    _write(policies / "annex", {"2025-01-01.yaml": ANNEX, "2025-06-01.yaml": AMENDED}, [AS_OF],
           dict(DEFAULTS, regulation="annex"))
    return policies


REPORT = """\
SURVIVED P/annex/2025-01-01.yaml:10: quota.remaining >= application.workers_requested -> quota.remaining > application.workers_requested
  (comparison in requirement room condition; requirement: room)
no case is judged under a version this change affects
SURVIVED P/annex/2025-01-01.yaml:3: 2025-01-01 -> 2025-01-02
  (date in version effective_from; requirement: room)
no case is judged under a version this change affects
SURVIVED P/annex/2025-01-01.yaml:3: 2025-01-01 -> 2024-12-31
  (date in version effective_from; requirement: room)
no case is judged under a version this change affects
SURVIVED P/annex/2025-06-01.yaml:10: quota.remaining > application.workers_requested -> quota.remaining >= application.workers_requested
  (comparison in requirement room condition; requirement: room)
# a case that kills it, to paste under `cases:` in P/annex/tests/cases.yaml:
  - name: 'TODO: say what this pins down (requirement room condition)'
    set: {registry.quota.remaining: 2, as_of: '2025-06-02'}
    unavailable: [offences]
    expect:
      version: '2025-06-01'
      outcome: refuse
      findings: {room: unmet}
SURVIVED P/annex/2025-06-01.yaml:3: 2025-06-01 -> 2025-06-02
  (date in version effective_from; requirement: room)
# a case that kills it, to paste under `cases:` in P/annex/tests/cases.yaml:
  - name: 'TODO: say what this pins down (version effective_from)'
    set: {as_of: '2025-06-01'}
    unavailable: [offences]
    expect: {version: '2025-06-01', outcome: approve}
SURVIVED P/annex/2025-06-01.yaml:3: 2025-06-01 -> 2025-05-31
  (date in version effective_from; requirement: room)
# a case that kills it, to paste under `cases:` in P/annex/tests/cases.yaml:
  - name: 'TODO: say what this pins down (version effective_from)'
    set: {application.employer.staff.specialists.foreigners: 0, as_of: '2025-05-31'}
    unavailable: [offences]
    expect: {version: '2025-01-01', outcome: approve}
SURVIVED P/demo/2025-01-01.yaml:39: ["general", "seasonal"] -> ['general']
  (list-member in requirement quota-available scope; requirement: quota-available)
# a case that kills it, to paste under `cases:` in P/demo/tests/cases.yaml:
  - name: 'TODO: say what this pins down (requirement quota-available scope)'
    set: {application.region: AKTOBE, application.route: seasonal, application.workers_requested: 3, registry.quota.category: seasonal,
      registry.quota.region: AKTOBE}
    remove: [application.category, application.employer.staff]
    expect:
      version: '2025-01-01'
      outcome: approve
      findings: {quota-available: met}
SURVIVED P/demo/2025-01-01.yaml:40: quota.remaining >= application.workers_requested -> quota.remaining > application.workers_requested
  (comparison in requirement quota-available condition; requirement: quota-available)
# a case that kills it, to paste under `cases:` in P/demo/tests/cases.yaml:
  - name: 'TODO: say what this pins down (requirement quota-available condition)'
    set: {registry.quota.remaining: 2}
    expect:
      version: '2025-01-01'
      outcome: approve
      findings: {quota-available: met}
SURVIVED P/demo/2025-01-01.yaml:31: ["ALMATY", "ASTANA"] -> ['ASTANA']
  (list-member in derive over-the-cap when; requirement: seasonal-cap)
# a case that kills it, to paste under `cases:` in P/demo/tests/cases.yaml:
  - name: 'TODO: say what this pins down (derive over-the-cap when)'
    set: {application.employer.bin: '150530000101', application.route: seasonal, application.workers_requested: 4,
      registry.quota.category: seasonal}
    remove: [application.category, application.employer.staff]
    expect:
      version: '2025-01-01'
      outcome: refuse
      findings: {seasonal-cap: unmet}
SURVIVED P/demo/2025-01-01.yaml:31: ["ALMATY", "ASTANA"] -> ['ALMATY']
  (list-member in derive over-the-cap when; requirement: seasonal-cap)
# a case that kills it, to paste under `cases:` in P/demo/tests/cases.yaml:
  - name: 'TODO: say what this pins down (derive over-the-cap when)'
    set: {application.region: ASTANA, application.route: seasonal, application.workers_requested: 4, registry.quota.category: seasonal,
      registry.quota.region: ASTANA}
    remove: [application.category, application.employer.staff]
    expect:
      version: '2025-01-01'
      outcome: refuse
      findings: {seasonal-cap: unmet}
SURVIVED P/demo/2025-01-01.yaml:24: 3 -> 4
  (number in parameter seasonal_cap; requirement: seasonal-cap)
# a case that kills it, to paste under `cases:` in P/demo/tests/cases.yaml:
  - name: 'TODO: say what this pins down (parameter seasonal_cap)'
    set: {application.employer.headcount: 0, application.route: seasonal, application.workers_requested: 4, registry.quota.category: seasonal}
    remove: [application.category, application.employer.staff]
    expect:
      version: '2025-01-01'
      outcome: refuse
      findings: {seasonal-cap: unmet}
SURVIVED P/demo/2025-01-01.yaml:3: 2025-01-01 -> 2025-01-02
  (date in version effective_from; requirement: quota-available, seasonal-cap)
# a case that kills it, to paste under `cases:` in P/demo/tests/cases.yaml:
  - name: 'TODO: say what this pins down (version effective_from)'
    set: {application.region: AKTOBE, application.submitted_on: '2025-01-01'}
    remove: [registry.quota]
    expect:
      version: '2025-01-01'
      outcome: undetermined
      findings: {quota-available: unknown, seasonal-cap: not_applicable}
SURVIVED P/demo/2025-01-01.yaml:3: 2025-01-01 -> 2024-12-31
  (date in version effective_from; requirement: quota-available, seasonal-cap)
# a case that kills it, to paste under `cases:` in P/demo/tests/cases.yaml:
  - name: 'TODO: say what this pins down (version effective_from)'
    set: {application.region: AKTOBE, application.submitted_on: '2024-12-31'}
    remove: [registry.quota]
    expect: {error: no_version_in_force}
19 mutants, 6 killed, 13 survived, 0 refused by check, 0 equivalent (no version's rules change)
"""


def test_the_report_names_each_survivor_and_the_case_that_would_kill_it(two_regulations, runner):
    res = runner.invoke(main, ["test", "--mutants", "--strict", "--jobs", "1", str(two_regulations)])
    assert res.exit_code == 1
    assert res.output.replace(str(two_regulations), "P") == REPORT


def test_a_generated_application_moves_a_date_by_the_rules_numbers_of_days_and_months():
    # 2024 is a leap year: a month before 31 March is 29 February. 2.5 is no number of days; 401 is too far.
    request = {"application": {"submitted_on": "2024-03-31", "region": "ALMATY", "workers_requested": 2}}
    seen = {("region",): {"AKTOBE", "Aktobe"}}
    dates = ["2023-12-30", "2023-12-31", "2024-01-01", "2024-02-28", "2024-02-29", "2024-03-01", "2024-03-27",
             "2024-03-28", "2024-03-29", "2024-03-30", "2024-04-01", "2024-04-02", "2024-04-03", "2024-04-04",
             "2024-04-29", "2024-04-30", "2024-05-01", "2024-06-29", "2024-06-30", "2024-07-01"]
    assert variants.changes(request, [1, 2.5, 3, 401], {"ASTANA", "astana"}, seen) == [
        [(("application", "submitted_on"), "2024-03-31", d) for d in dates],
        [(None, "ALMATY", "AKTOBE"), (None, "ALMATY", "ASTANA")],
        [(("application", "workers_requested"), 2, n) for n in (0, 1, 1.5, 2.5, 3, 3.5, 4, 400, 401, 402)]]


def test_the_numbers_and_codes_a_version_compares_facts_with(tmp_path):
    rules = DEMO.replace('scope: application.route == "seasonal"\n',
                         'scope: application.route == "seasonal" and application.workers_requested <= 50\n')
    _write(tmp_path / "policies" / "demo", {"2025-01-01.yaml": rules}, [CASES["room"]], DEFAULTS)
    version, = rulebook.load(tmp_path / "policies").regulations["demo"].versions
    assert variants.vocabulary(version) == ([0, 1, 3, 50], ["ALMATY", "ASTANA", "general", "seasonal"])


def test_every_fact_of_a_request_with_its_path_and_a_case_written_against_the_defaults():
    request = {"a": [{"b": 1}, 2], "c": "x"}
    assert list(variants.leaves(request)) == [
        (("a",), [{"b": 1}, 2]), (("a", 0, "b"), 1), (("a", 1), 2), (("c",), "x")]
    defaults = {"gone": 1, "same": [1, 2], "one": [1, 2], "longer": [1, 2], "o": {"p": 1}}
    request = {"same": [1, 2], "one": [1, 3], "longer": [1, 2, 3], "o": {"p": 1, "q": 2}, "new": {"x": 1}}
    assert variants.diff(defaults, request) == ({"one.1": 3, "longer": [1, 2, 3], "o.q": 2, "new": {"x": 1}}, ["gone"])
    assert variants.changed(request, (("new",), {"x": 1}, 5)) == dict(request, new=5)
