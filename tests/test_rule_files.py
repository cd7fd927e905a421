"""`ereje check` refuses broken and malicious rule files with file and line; nothing in them runs."""
import json
import shutil

import pytest
import yaml
from click.testing import CliRunner

from server.cli import main
from server.rules import rulebook

from tests.conftest import APPLICATIONS, POLICIES, ROOT
from tests.helpers import edited_policies


def check(path):
    return CliRunner().invoke(main, ["check", str(path)])


def test_shipped_rule_files_pass():
    res = check(POLICIES)
    assert res.exit_code == 0, res.output
    assert "2 version(s)" in res.output


# (what, edit, message, where): `where` finds the line the problem must name in the edited file:
# (text on that line, lines after it, whether its last occurrence).
BROKEN = [
    ("YAML syntax", lambda t: t.replace("effect: refuse", "effect: [refuse", 1), "YAML",
     ("effect: [refuse", 1, False)),   # the parser notices the open bracket on the next line
    ("unknown key", lambda t: t.replace("    - id: vacancy-published\n", "    - id: vacancy-published\n      colour: red\n", 1),
     "unknown key 'colour'", ("colour: red", 0, False)),
    ("unknown fact", lambda t: t.replace("matched_vacancy.applies", "matched_vacancies.applies", 1),
     "unknown fact 'matched_vacancies'", ("matched_vacancies.applies", 0, False)),
    ("unknown field", lambda t: t.replace("application.has_vacancy_code and matched", "application.vacancy_kode and matched", 1),
     "has no field 'vacancy_kode'", ("application.vacancy_kode", 0, False)),
    ("unknown parameter", lambda t: t.replace("days(waiting_days + 1)", "days(waiting_dayz + 1)", 1),
     "unknown name 'waiting_dayz'", ("earliest_filing: >-", 0, False)),   # a folded expression: its key's line
    ("type error", lambda t: t.replace("application.submitted_on >= matched_vacancy.earliest_filing", "application.submitted_on >= application.vacancy_code", 1),
     "cannot compare a date with a string", ("application.submitted_on >= application.vacancy_code", 0, False)),
    ("missing citation", lambda t: t.replace("      citation:\n        en: Social Code", "      note:\n        en: Social Code", 1),
     "missing 'citation'", ("    - id: vacancy-published", 0, False)),
    ("missing Russian title", lambda t: t.replace("        ru: Вакансия размещена заявителем на электронной бирже труда\n", "", 1),
     "no Russian text", ("    - id: vacancy-published", 1, False)),   # the title: line under it
    ("duplicate id", lambda t: t.replace("    - id: vacancy-waiting-period", "    - id: vacancy-published", 1),
     "duplicate id 'vacancy-published'", ("    - id: vacancy-published", 0, True)),
    ("amends a missing version", lambda t: t.replace('amends: "2023-07-01"', 'amends: "2022-01-01"', 1), "does not exist",
     ('amends: "2022-01-01"', 0, False)),
    ("bad effect", lambda t: t.replace("effect: refuse", "effect: deny", 1), "effect must be one of", ("effect: deny", 0, False)),
    ("not compilable for the engine", lambda t: t.replace(
        "application.submitted_on >= matched_vacancy.earliest_filing",
        "matched_vacancy.published_on >= vacancy.published_on", 1), "cannot negate a condition over two facts",
     ("matched_vacancy.published_on >= vacancy.published_on", 0, False)),   # the condition written wrong
]


def _line_of(text, where):
    needle, after, last = where
    found = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return (found[-1] if last else found[0]) + after


@pytest.mark.parametrize("what,edit,message,where", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_rule_file_is_refused_with_file_and_line(tmp_path, what, edit, message, where):
    policies = edited_policies(tmp_path, edit)
    path = policies / "kz-foreign-labour" / "2025-09-01.yaml"
    res = check(policies)
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if message in ln]
    assert lines, res.output
    assert lines[0].startswith(f"{path}:{_line_of(path.read_text(encoding='utf-8'), where)}: "), res.output


def test_overlapping_versions_are_refused(tmp_path):
    res = check(edited_policies(tmp_path, lambda t: t.replace("effective_from: 2023-07-01", "effective_from: 2023-07-01\neffective_to: 2025-09-05"), "2023-07-01.yaml"))
    assert res.exit_code == 1 and "overlaps" in res.output


def test_gap_between_versions_is_refused(tmp_path):
    res = check(edited_policies(tmp_path, lambda t: t.replace("effective_from: 2023-07-01", "effective_from: 2023-07-01\neffective_to: 2025-08-01"), "2023-07-01.yaml"))
    assert res.exit_code == 1 and "gap" in res.output


MALICIOUS = [
    '__import__("os").system("touch PWNED")',
    'open("PWNED", "w")',
    '().__class__.__bases__[0].__subclasses__()',
    'application.__class__',
    '(lambda: 1)()',
    '[x for x in workers]',
]


@pytest.mark.parametrize("payload", MALICIOUS)
def test_malicious_expression_is_refused_and_never_runs(tmp_path, monkeypatch, payload):
    monkeypatch.chdir(tmp_path)
    policies = edited_policies(tmp_path, lambda t: t.replace(
        "condition: all(w.has_iin for w in workers)", "condition: " + json.dumps(payload), 1))
    res = check(policies)
    assert res.exit_code == 1
    assert "2025-09-01.yaml:" in res.output
    assert not (tmp_path / "PWNED").exists()
    # the server refuses to start on it, too
    res = CliRunner().invoke(main, ["rule", str(APPLICATIONS / "approve.json"), "--policies", str(policies)])
    assert res.exit_code == 2 and "ereje check" in res.output


# --- the gate: each mistake a lawyer makes, one message at the line they wrote --------
# Each case edits a copy of the shipped files plus the worked 2026 amendment
# (tests/data/amendment-2026/2026-01-01.yaml, README "Rule files") and expects
# exactly one `file:line: message`.

AMENDMENT_2026 = ROOT / "tests" / "data" / "amendment-2026" / "2026-01-01.yaml"
V2026, V2025, V2023 = "2026-01-01.yaml", "2025-09-01.yaml", "2023-07-01.yaml"
ADD_REQUIREMENT_CHANGE = "    - id: vacancy-waiting-period\n"
CITATION_2026 = ("        en: >-\n          Order No. 279 as amended from 1 January 2026, the application may be filed only after\n"
                 "          {waiting_days} calendar days from the vacancy's posting")


def _with_2026(tmp_path, file=None, old=None, new=None):
    """A policies directory: the shipped files, the 2026 amendment, and one edit in `file`."""
    dst = edited_policies(tmp_path)
    shutil.copy(AMENDMENT_2026, dst / "kz-foreign-labour" / V2026)
    if file:
        path = dst / "kz-foreign-labour" / file
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return dst


def _messages(policies, output):
    prefix = str(policies / "kz-foreign-labour") + "/"
    return [ln.replace(prefix, "") for ln in output.splitlines() if ".yaml:" in ln]


MISTAKES = [
    ("a misspelt parameter in an amendment's change", V2026, "    waiting_days: 20", "    waiting_day: 20",
     "2026-01-01.yaml:23: parameters: 'waiting_day' is not a parameter of version 2025-09-01 "
     "(did you mean 'waiting_days'?); a new parameter goes under 'add:'"),
    ("a misspelt parameter written bare in an amendment", V2026, "  change:\n    waiting_days: 20", "  waiting_day: 20",
     "2026-01-01.yaml:22: parameters: 'waiting_day' is not a parameter of version 2025-09-01 "
     "(did you mean 'waiting_days'?); a new parameter goes under 'add:'"),
    ("an amendment in force before the version it amends", V2026, "effective_from: 2026-01-01", "effective_from: 2025-08-01",
     "2026-01-01.yaml:7: effective_from 2025-08-01 must be after 2025-09-01, when version 2025-09-01, "
     "which this one amends, takes effect"),
    ("an amendment in force the same day as the version it amends", V2026, "effective_from: 2026-01-01",
     "effective_from: 2025-09-01",
     "2026-01-01.yaml:7: effective_from 2025-09-01 must be after 2025-09-01, when version 2025-09-01, "
     "which this one amends, takes effect"),
    ("a negative number of days", V2026, "waiting_days: 20", "waiting_days: -5",
     "2026-01-01.yaml:23: parameter 'waiting_days' must be a whole number, 0 or more; got -5"),
    ("a number of days written as text, in the amendment", V2026, "waiting_days: 20", "waiting_days: twenty",
     "2026-01-01.yaml:23: parameter 'waiting_days' must be a whole number, 0 or more; got \"twenty\""),
    ("a percent written as a fraction", V2026, "    waiting_days: 20", "    waiting_days: 20\n    managers_min_citizens_percent: 0.7",
     "2026-01-01.yaml:24: parameter 'managers_min_citizens_percent' must be a percent from 0 to 100 (70 for 70%), "
     "not a fraction; got 0.7"),
    ("a percent over 100", V2023, "    value: 70\n", "    value: 700\n",
     "2023-07-01.yaml:250: parameter 'managers_min_citizens_percent' must be a percent from 0 to 100 (70 for 70%); got 700"),
    ("a switch that is not true or false", V2025, "      value: false\n", "      value: no way\n",
     "2025-09-01.yaml:194: parameter 'waiting_period_moves_to_working_day' must be true or false; got \"no way\""),
    ("a parameter without a type", V2025, "      type: days\n", "",
     "2025-09-01.yaml:184: parameter 'waiting_days': missing 'type': one of bool, count, date, days, list, months, number, "
     "percent, text"),
    ("a citation left as TODO", V2026, CITATION_2026, "        en: TODO",
     "2026-01-01.yaml:42: requirement 'vacancy-waiting-period': 'citation.en' is a placeholder (TODO); write the text"),
    ("a citation left empty", V2026, CITATION_2026, "        en: ' '",
     "2026-01-01.yaml:42: requirement 'vacancy-waiting-period': 'citation.en' must be non-empty text"),
    ("a citation written as one text, not by language", V2026, "      citation:\n        en: >-",
     "      citation: Order No. 279 as amended from 1 January 2026\n      note:\n        en: >-",
     "2026-01-01.yaml:41: requirement 'vacancy-waiting-period': 'citation' must have texts by language: en, ru "
     "(and optionally kk)"),
    ("a citation without its Russian text", V2026, "        ru: >-\n          Приказ № 279 в редакции с 1 января 2026",
     "        kk: >-\n          Приказ № 279 в редакции с 1 января 2026",
     "2026-01-01.yaml:41: requirement 'vacancy-waiting-period': 'citation' has no Russian text (ru)"),
    ("a quote that is never closed", V2026, "{date(\"2026-01-05\") + days(waiting_days + 1)}).\n        ru",
     "{date(\"2026-01-05\") + days(waiting_days + 1).\n        ru",
     "2026-01-01.yaml:29: reading waiting-period-counting: 'text.en': a '{' is never closed by '}'"),
    ("a brace in an explanation that closes nothing", V2025, "filed on {application.submitted_on}.\"\n",
     "filed on application.submitted_on}.\"\n",
     "2025-09-01.yaml:317: requirement 'vacancy-waiting-period' explain 'met.en': a '}' closes no '{'"),
    ("a Russian title missing", V2026, ADD_REQUIREMENT_CHANGE,
     ADD_REQUIREMENT_CHANGE + "      title:\n        en: \"{waiting_days} days\"\n",
     "2026-01-01.yaml:41: requirement 'vacancy-waiting-period': 'title' has no Russian text (ru)"),
    ("a Russian explanation missing", V2025, "          ru: Не удалось получить данные биржи труда, дата размещения неизвестна; повторный запрос может это решить.\n", "",
     "2025-09-01.yaml:336: requirement 'vacancy-waiting-period' explain 'unknown' has no Russian text (ru)"),
    ("a title that quotes a fact", V2026, ADD_REQUIREMENT_CHANGE,
     ADD_REQUIREMENT_CHANGE + "      title:\n        en: \"{application.kind}\"\n        ru: \"{waiting_days}\"\n",
     "2026-01-01.yaml:42: requirement 'vacancy-waiting-period': 'title.en' may quote parameters only, "
     "not facts: {application.kind}"),
    ("a parameter added and never used", V2026, "  change:\n    waiting_days: 20",
     "  change:\n    waiting_days: 20\n  add:\n    spare_days:\n      value: 3\n      type: days\n"
     "      description: {en: Spare days, ru: Запасные дни}",
     "2026-01-01.yaml:25: parameter 'spare_days' is never used: remove it, or name it where it applies"),
    ("a derived fact added and never used", V2026, "requirements:\n  change:",
     "derive:\n  add:\n    - id: spare\n      fact: spare\n      when: application.small_business\n"
     "      set: {applies: true}\nrequirements:\n  change:",
     "2026-01-01.yaml:40: derived fact 'spare' is never used: remove it, or name it where it applies"),
    ("a reading added and never used", V2026, "readings:\n  change:",
     "readings:\n  add:\n    - id: spare\n      text: {en: A spare reading, ru: Запасное толкование}\n  change:",
     "2026-01-01.yaml:27: reading 'spare' is never used: remove it, or name it where it applies"),
    ("a change to a requirement that does not exist", V2026, ADD_REQUIREMENT_CHANGE, "    - id: vacancy-waiting-periods\n",
     "2026-01-01.yaml:40: requirements: cannot change 'vacancy-waiting-periods': version 2025-09-01 has no such id "
     "(did you mean 'vacancy-waiting-period'?) (a new entry goes under 'add:')"),
    ("a misspelt key in a change", V2026, "      citation:\n", "      titel: {en: x, ru: y}\n      citation:\n",
     "2026-01-01.yaml:41: requirement vacancy-waiting-period: unknown key 'titel' (did you mean 'title'?); "
     "allowed: citation, condition, effect, explain, id, note, readings, scope, title, without_registries"),
    ("a misspelt derived fact: one message, not one per use", V2025, "      fact: matched_vacancy\n",
     "      fact: matched_vacancies\n",
     "2025-09-01.yaml:266: 'vacancy-published' condition: unknown fact 'matched_vacancy' (did you mean "
     "'matched_vacancies'?); known facts: application, local_content_exemption, local_content_gap, matched_vacancies, non_wto_sender, quota, "
     "staff, vacancy"),
    ("a wrong derived fact: what reads it is not reported again", V2025,
     "when: vacancy.code == application.vacancy_code and", "when: vacancy.code == application.vacancy_kode and",
     "2025-09-01.yaml:224: 'matched-vacancy' when: 'application' has no field 'vacancy_kode' (did you mean "
     "'vacancy_code'?); its fields: category, employer_bin, employer_type, employer_unit, has_current_permit, "
     "has_staff, has_transfer, has_vacancy_code, headcount, kind, managers_citizens, managers_foreigners, "
     "permit_expires_on, permit_extensions, permit_issued_on, permit_number, reference, region, route, "
     "small_business, specialists_citizens, specialists_foreigners, submitted_on, transfer_country, "
     "transfer_employed_since, vacancy_code, workers_count, workers_requested, year"),
    ("a misspelt reading", V2025, "readings: [labour-market-test-scope, vacancy-code-opaque, application-alone-decides]",
     "readings: [labour-market-test-scop, vacancy-code-opaque, application-alone-decides]",
     "2025-09-01.yaml:264: requirement 'vacancy-published': unknown reading 'labour-market-test-scop' "
     "(did you mean 'labour-market-test-scope'?)"),
    ("a parameter retyped so the amended version's rule cannot read it", V2026, "    waiting_days: 20",
     "    waiting_days: 20\n    small_business_max_headcount: {type: text, value: many}",
     "2026-01-01.yaml:24: with this value, 2025-09-01.yaml:216 fails: 'exemption-small-business' when: "
     "cannot compare a number with a string"),
]


@pytest.mark.parametrize("what,file,old,new,expected", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_one_message_at_the_line_written(tmp_path, what, file, old, new, expected):
    policies = _with_2026(tmp_path, file, old, new)
    res = check(policies)
    assert res.exit_code == 1
    messages = _messages(policies, res.output)
    assert messages == [expected], res.output


def test_removing_a_requirement_names_in_one_message_what_only_it_used(tmp_path):
    policies = _with_2026(tmp_path, V2026, "requirements:\n  change:", "requirements:\n  remove: [no-unpermitted-labour]\n  change:")
    res = check(policies)
    assert res.exit_code == 1
    assert _messages(policies, res.output) == [
        "2026-01-01.yaml:8: no longer used in this version: parameter 'bar_months' (2023-07-01.yaml:273), "
        "derived fact 'offence-within-bar' (2023-07-01.yaml:400), reading 'bar-twelve-calendar-months' "
        "(2023-07-01.yaml:117); remove with parameters: remove: [bar_months]; derive: remove: [offence-within-bar]; "
        "readings: remove: [bar-twelve-calendar-months]"]
    policies = _with_2026(tmp_path / "again", V2026, "requirements:\n  change:",
                          "requirements:\n  remove: [no-unpermitted-labour]\n  change:")
    path = policies / "kz-foreign-labour" / V2026
    path.write_text(path.read_text(encoding="utf-8").replace(
        "parameters:\n  change:", "parameters:\n  remove: [bar_months]\n  change:").replace(
        "readings:\n  change:", "derive:\n  remove: [offence-within-bar]\nreadings:\n  remove: [bar-twelve-calendar-months]\n"
        "  change:"), encoding="utf-8")
    res = check(policies)
    assert res.exit_code == 0, res.output


def test_the_2026_amendment_passes_and_keeps_what_it_does_not_change(tmp_path):
    policies = _with_2026(tmp_path)
    res = check(policies)
    assert res.exit_code == 0, res.output
    assert "3 version(s)" in res.output
    v = rulebook.load(policies).version("kz-foreign-labour", "2026-01-01")
    assert v.parameters["waiting_days"] == {
        "value": 20, "type": "days", "unit": "calendar days", "readings": ["waiting-period-counting"],
        "description": {"en": "Calendar days that must run out after the vacancy is posted before the application may be filed",
                        "ru": "Календарные дни, которые должны истечь после размещения вакансии до подачи заявления",
                        "kk": "Бос жұмыс орны орналастырылғаннан кейін өтініш берілгенге дейін өтуге тиіс күнтізбелік күндер"}}
    r = v.requirement("vacancy-waiting-period")
    assert r.title == {"en": "20 calendar days have passed since the vacancy was posted",
                       "ru": "С размещения вакансии прошло 20 календарных дней",
                       "kk": "Бос жұмыс орны орналастырылғаннан бері 20 күнтізбелік күн өтті"}
    assert r.citation == {"en": "Order No. 279 as amended from 1 January 2026, the application may be filed only after "
                                "20 calendar days from the vacancy's posting",
                          "ru": "Приказ № 279 в редакции с 1 января 2026 года, заявление подаётся только по истечении "
                                "20 календарных дней с размещения вакансии"}
    assert r.raw["scope"] == 'application.kind == "issue" and application.route in ["general", "seasonal"]'
    assert "D + 21 (posted 2026-01-05: earliest filing 26 January 2026)" in v.reading_texts["waiting-period-counting"]["en"]


def test_a_ruling_under_the_2026_amendment_waits_20_days_and_says_so(tmp_path):
    policies = _with_2026(tmp_path)
    request = yaml.safe_load((POLICIES / "kz-foreign-labour" / "tests" / "cases.yaml").read_text(encoding="utf-8"))["defaults"]
    request["application"]["submitted_on"] = "2026-01-22"        # 17 days after posting: enough for 15, not for 20
    request["registry"]["labour_exchange"]["vacancy"]["published_on"] = "2026-01-05"
    request["registry"]["quota"]["year"] = 2026
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request), encoding="utf-8")

    def finding(*options):
        res = CliRunner().invoke(main, ["rule", str(path), "--policies", str(policies), *options])
        assert res.exit_code == 0, res.output
        ruling = json.loads(res.output)
        return ruling["version"], next(f for f in ruling["findings"] if f["requirement"] == "vacancy-waiting-period")

    version, f = finding()
    assert version == "2026-01-01"
    assert f["status"] == "unmet"
    assert f["title"] == "20 calendar days have passed since the vacancy was posted"
    assert "filing is possible from 26 January 2026" in f["explanation"]
    assert f["citation"].endswith("only after 20 calendar days from the vacancy's posting")
    version, f = finding("--version", "2025-09-01")
    assert (version, f["status"], f["title"]) == ("2025-09-01", "met", "15 calendar days have passed since the vacancy was posted")
    _, f = finding("--lang", "ru")
    assert f["title"] == "С размещения вакансии прошло 20 календарных дней"


def test_a_change_sets_only_the_keys_it_gives(tmp_path):
    policies = _with_2026(tmp_path, V2026, "requirements:\n  change:",
                          "derive:\n  change:\n    - id: matched-vacancy\n      note: read by both vacancy requirements\n"
                          "requirements:\n  change:\n    - id: vacancy-published\n      effect: warn\n      readings: null")
    v = rulebook.load(policies).version("kz-foreign-labour", "2026-01-01")
    before = rulebook.load(POLICIES).version("kz-foreign-labour", "2025-09-01")
    r, was = v.requirement("vacancy-published"), before.requirement("vacancy-published")
    assert (r.effect, r.readings) == ("warn", [])
    assert (r.title, r.citation, r.condition_src, r.scope_src) == (was.title, was.citation, was.condition_src, was.scope_src)
    d = next(x for x in v.derivations if x.id == "matched-vacancy")
    assert d.raw["note"] == "read by both vacancy requirements"
    assert d.raw["set"] == next(x for x in before.derivations if x.id == "matched-vacancy").raw["set"]
