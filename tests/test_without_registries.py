"""A requirement's `without_registries:` (docs/rule-files.md): what the application alone decides while a
registry is down, checked by `ereje check`, not fetched, and shown wherever a requirement's parts are.

The statuses themselves are the YAML cases of policies/kz-foreign-labour/tests/registry-down-decided.yaml
and tests/test_engine_independent.py.
"""
import json
import shutil

import pytest
from click.testing import CliRunner

import adapters
from server.cli import main
from server.contract.request import RulingRequestSchema, load
from server.judging import rulings

from tests.conftest import POLICIES, ROOT
from tests.helpers import sample_request

V2025 = "2025-09-01.yaml"
# vacancy-published's key (vacancy-waiting-period has the same lines under another comment)
WITHOUT_VACANCY = ("whatever the exchange says.\n      without_registries:\n"
                   "        unmet: not application.has_vacancy_code\n")


def _policies(tmp_path, old=None, new=None, file=V2025):
    dst = tmp_path / "policies"
    shutil.copytree(POLICIES, dst)
    if old is not None:
        path = dst / "kz-foreign-labour" / file
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new), encoding="utf-8")
    return dst


def _line(policies, text, file=V2025):
    lines = (policies / "kz-foreign-labour" / file).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


REFUSED = [
    ("a fact read from a registry", "unmet: not any(c.employer_bin == application.employer_bin for c in contracts)",
     "without_registries unmet: may read only the application's own facts (application, workers); "
     "'contract' is read from the ulcrs registry, which may be the one that is missing"),
    ("a fact derived from a registry", "unmet: not matched_vacancy.applies",
     "without_registries unmet: may read only the application's own facts (application, workers); "
     "'matched_vacancy' is derived from the labour_exchange registry, which may be the one that is missing"),
    ("a fact derived from the application", "unmet: local_content_exemption.applies",
     "without_registries unmet: may read only the application's own facts (application, workers); "
     "'local_content_exemption' is a derived "
     "fact, and the registries to read are chosen before derived facts exist"),
    ("a number where a true/false is due", "unmet: application.workers_count",
     "without_registries unmet: expected a true/false condition, got a number"),
    ("a status it cannot decide", "unknown: not application.has_vacancy_code",
     "without_registries: unknown key 'unknown'; allowed: met, unmet"),
]


@pytest.mark.parametrize("what,written,message", REFUSED, ids=[r[0] for r in REFUSED])
def test_check_refuses_a_without_registries_expression_at_its_own_line(tmp_path, what, written, message):
    policies = _policies(tmp_path, WITHOUT_VACANCY,
                         f"whatever the exchange says.\n      without_registries:\n        {written}\n")
    res = CliRunner().invoke(main, ["check", str(policies)])
    assert res.exit_code == 1
    line = _line(policies, written)
    problems = [ln for ln in res.output.splitlines() if ".yaml:" in ln]
    assert problems == [f"{policies / 'kz-foreign-labour' / V2025}:{line}: "
                        f"requirement 'vacancy-published' {message}"], res.output


class Counting(adapters.Source):
    """The registry fixtures, counting which registries were asked."""

    name = "counting"
    concurrent = False

    def __init__(self):
        self.fixtures, self.asked = adapters.FixtureSource(), []

    def fetch(self, registry, query):
        self.asked.append(registry)
        return self.fixtures.fetch(registry, query)


def _judge(book, change):
    request = sample_request()
    request["application"].update(change)
    source = Counting()
    return rulings.judge(book, load(RulingRequestSchema, request), source=source), source.asked


def test_a_registry_the_application_makes_needless_is_not_asked(book):
    ruling, asked = _judge(book, {})
    assert asked == ["labour_exchange", "ulcrs", "migration_police", "quota", "offences"]
    ruling, asked = _judge(book, {"vacancy_code": None})
    assert asked == ["ulcrs", "migration_police", "quota", "offences"]
    assert "labour_exchange" not in ruling["registry"] and ruling["missing"] == []
    statuses = {f["requirement"]: f["status"] for f in ruling["findings"]}
    assert (statuses["vacancy-published"], statuses["vacancy-waiting-period"]) == ("unmet", "unmet")
    ruling, asked = _judge(book, {"foreign_workers": []})
    assert asked == ["labour_exchange", "quota", "offences"]
    statuses = {f["requirement"]: f["status"] for f in ruling["findings"]}
    assert (statuses["contracts-registered"], statuses["migration-data"]) == ("met", "met")


def test_the_version_description_shows_the_key_where_the_rule_file_gives_it(client):
    body = client.get("/v1/regulations/kz-foreign-labour/versions/2025-09-01").get_json()
    given = {r["id"]: r["without_registries"] for r in body["requirements"] if "without_registries" in r}
    assert given == {"vacancy-published": {"unmet": "not application.has_vacancy_code"},
                     "vacancy-waiting-period": {"unmet": "not application.has_vacancy_code"},
                     "contracts-registered": {"met": "application.workers_count == 0"},
                     "migration-data": {"met": "application.workers_count == 0"}}
    page = client.get("/regulations/kz-foreign-labour/versions/2025-09-01").get_data(as_text=True)
    assert page.count("If a registry is missing") == 4
    assert "met: <code>application.workers_count == 0</code>" in page


def test_diff_reports_a_change_to_the_key(tmp_path):
    policies = _policies(tmp_path)
    amendment = (ROOT / "tests" / "data" / "amendment-2026" / "2026-01-01.yaml").read_text(encoding="utf-8")
    amendment = amendment.replace("requirements:\n  change:\n",
                                  "requirements:\n  change:\n    - id: migration-data\n      without_registries: null\n")
    (policies / "kz-foreign-labour" / "2026-01-01.yaml").write_text(amendment, encoding="utf-8")
    res = CliRunner().invoke(main, ["diff", "2025-09-01", "2026-01-01", "--policies", str(policies), "--format", "json"])
    assert res.exit_code == 0, res.output
    changed = {c["id"]: c["changes"] for c in json.loads(res.output)["changed"]}
    assert changed["migration-data"] == {"without_registries": {"before": {"met": "application.workers_count == 0"},
                                                                "after": None}}
    res = CliRunner().invoke(main, ["diff", "2025-09-01", "2026-01-01", "--policies", str(policies)])
    assert ("      without_registries:\n        before: met: application.workers_count == 0\n"
            "        after:  (none)\n") in res.output, res.output
    res = CliRunner().invoke(main, ["diff", "2023-07-01", "2025-09-01", "--policies", str(policies)])
    assert "      registry missing:  met: application.workers_count == 0\n" in res.output, res.output
