"""`ereje check` refuses broken and malicious rule files with file and line; nothing in them runs."""
import json
import shutil

import pytest
from click.testing import CliRunner

from server.cli import main

from .conftest import APPLICATIONS, POLICIES


def _policies(tmp_path, edit=None, name="2025-09-01.yaml"):
    dst = tmp_path / "policies"
    shutil.copytree(POLICIES, dst)
    if edit:
        path = dst / "kz-foreign-labour" / name
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return dst


def check(path):
    return CliRunner().invoke(main, ["check", str(path)])


def test_shipped_rule_files_pass():
    res = check(POLICIES)
    assert res.exit_code == 0, res.output
    assert "2 version(s)" in res.output


BROKEN = [
    ("YAML syntax", lambda t: t.replace("effect: refuse", "effect: [refuse", 1), "YAML"),
    ("unknown key", lambda t: t.replace("    - id: vacancy-published\n", "    - id: vacancy-published\n      colour: red\n", 1), "unknown key 'colour'"),
    ("unknown fact", lambda t: t.replace("matched_vacancy.applies", "matched_vacancies.applies", 1), "unknown fact 'matched_vacancies'"),
    ("unknown field", lambda t: t.replace("application.has_vacancy_code and matched", "application.vacancy_kode and matched", 1), "has no field 'vacancy_kode'"),
    ("unknown parameter", lambda t: t.replace("days(waiting_days + 1)", "days(waiting_dayz + 1)", 1), "unknown name 'waiting_dayz'"),
    ("type error", lambda t: t.replace("application.submitted_on >= matched_vacancy.earliest_filing", "application.submitted_on >= application.vacancy_code", 1), "cannot compare a date with a string"),
    ("missing citation", lambda t: t.replace("      citation: Order No. 279 as amended by Order No. 93 (from 1 September 2025), prior search", "      note: prior search", 1), "missing 'citation'"),
    ("missing Russian title", lambda t: t.replace("        ru: Вакансия размещена заявителем на электронной бирже труда\n", "", 1), "no Russian text"),
    ("duplicate id", lambda t: t.replace("    - id: vacancy-waiting-period", "    - id: vacancy-published", 1), "duplicate id 'vacancy-published'"),
    ("amends a missing version", lambda t: t.replace('amends: "2023-07-01"', 'amends: "2022-01-01"', 1), "does not exist"),
    ("bad effect", lambda t: t.replace("effect: refuse", "effect: deny", 1), "effect must be one of"),
    ("not compilable for the engine", lambda t: t.replace(
        "application.submitted_on >= matched_vacancy.earliest_filing",
        "matched_vacancy.published_on >= vacancy.published_on", 1), "cannot negate a condition over two facts"),
]


@pytest.mark.parametrize("what,edit,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_rule_file_is_refused_with_file_and_line(tmp_path, what, edit, message):
    res = check(_policies(tmp_path, edit))
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if message in ln]
    assert lines, res.output
    file, line, _ = lines[0].split(":", 2)
    assert file.endswith("2025-09-01.yaml") and int(line) > 1


def test_overlapping_versions_are_refused(tmp_path):
    res = check(_policies(tmp_path, lambda t: t.replace("effective_from: 2023-07-01", "effective_from: 2023-07-01\neffective_to: 2025-09-05"), "2023-07-01.yaml"))
    assert res.exit_code == 1 and "overlaps" in res.output


def test_gap_between_versions_is_refused(tmp_path):
    res = check(_policies(tmp_path, lambda t: t.replace("effective_from: 2023-07-01", "effective_from: 2023-07-01\neffective_to: 2025-08-01"), "2023-07-01.yaml"))
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
    policies = _policies(tmp_path, lambda t: t.replace(
        "condition: all(w.has_iin for w in workers)", "condition: " + json.dumps(payload), 1))
    res = check(policies)
    assert res.exit_code == 1
    assert "2025-09-01.yaml:" in res.output
    assert not (tmp_path / "PWNED").exists()
    # the server refuses to start on it, too
    res = CliRunner().invoke(main, ["rule", str(APPLICATIONS / "approve.json"), "--policies", str(policies)])
    assert res.exit_code == 2 and "ereje check" in res.output
