"""The shipped law as CONTRACT s.6 states it: requirements, order, scopes, citations in three
languages chosen by Accept-Language, and the application facts the rules read."""
import dataclasses
import json
import re
import shutil

import pytest

from server.cli import main
from server.diff import diff
from server.judging import cases as casebook
from server.judging import facts
from server.rules.nodes import TRUE

from tests.conftest import APPLICATIONS, POLICIES
from tests.helpers import sample_request

BASE = ["quota-available", "local-content-ratio", "no-unpermitted-labour", "extension-allowed", "renewal-window",
        "transfer-conditions"]
AMENDED = BASE + ["vacancy-published", "vacancy-waiting-period", "foreign-workers-listed", "contracts-registered",
                  "workers-have-iin", "migration-data"]
SCOPES = {
    "quota-available": 'application.route in ["general", "seasonal"]',
    "local-content-ratio": 'application.route == "general" and not local_content_exemption.applies',
    "no-unpermitted-labour": "true",
    "extension-allowed": 'application.kind == "extension"',
    "renewal-window": 'application.kind == "extension"',
    "transfer-conditions": 'application.route == "intracompany_transfer" and application.kind == "issue"',
    "vacancy-published": 'application.kind == "issue" and application.route in ["general", "seasonal"]',
    "vacancy-waiting-period": 'application.kind == "issue" and application.route in ["general", "seasonal"]',
    "foreign-workers-listed": 'application.route == "general" or application.has_staff',
    "contracts-registered": "true", "workers-have-iin": "true", "migration-data": "true",
}


@pytest.mark.parametrize("name,ids", [("2023-07-01", BASE), ("2025-09-01", AMENDED)])
def test_each_version_holds_the_contracts_requirements_in_order_all_refusing(book, name, ids):
    version = book.version("kz-foreign-labour", name)
    assert [r.id for r in version.requirements] == ids
    assert {r.id: " ".join(r.scope_src.split()) for r in version.requirements} == {i: SCOPES[i] for i in ids}
    assert {r.effect for r in version.requirements} == {"refuse"}


@pytest.mark.parametrize("name", ["2023-07-01", "2025-09-01"])
def test_every_requirement_and_reading_cites_its_act_in_three_languages(book, name):
    version = book.version("kz-foreign-labour", name)
    cited = [(r.id, r.citation) for r in version.requirements]
    cited += [(r["id"], version.reading_citations.get(r["id"])) for r in version.readings]
    for what, citation in cited:
        assert citation and set(citation) == {"en", "ru", "kk"}, what
        assert "{" not in "".join(citation.values()), what        # parameters quoted with their values
        # the act by number and date, and the paragraph, article or chapter, or that it is not known
        assert "No. " in citation["en"] and "№ " in citation["ru"] and "№ " in citation["kk"], what
        assert any(w in citation["en"] for w in ("paragraph", "article", "chapter", "no transitional")), what


def test_readings_carry_the_strengths_the_sources_give(book):
    strength = {r["id"]: r["strength"] for r in book.version("kz-foreign-labour", "2025-09-01").readings}
    assert {k: strength[k] for k in ("extension-limits", "renewal-window", "intracompany-transfer-conditions",
                                     "wto-non-members", "branch-from-bin", "foreign-workers-listed-count",
                                     "bar-twelve-calendar-months", "ict-ratio-not-encoded")} == {
        "extension-limits": "M", "renewal-window": "M", "intracompany-transfer-conditions": "M",
        "wto-non-members": "M", "branch-from-bin": "READING", "foreign-workers-listed-count": "READING",
        "bar-twelve-calendar-months": "READING", "ict-ratio-not-encoded": "M"}


def test_the_non_member_list_is_a_parameter_of_three_letter_codes_without_kazakhstan(book):
    p = book.version("kz-foreign-labour", "2023-07-01").parameters["wto_non_members"]
    assert p["type"] == "list" and len(p["value"]) == 34 and "UZB" in p["value"] and "PRK" in p["value"]
    assert all(len(c) == 3 and c.isupper() for c in p["value"]) and not {"KAZ", "COM", "TLS"} & set(p["value"])


@pytest.mark.parametrize("lang,words", [
    ("en", ["Order No. 279 of 30 June 2023 (registered No. 32977)", "paragraph not identified in the sources"]),
    ("ru", ["Приказ № 279 от 30 июня 2023 года (зарегистрирован № 32977)", "пункт в источниках не установлен"]),
    ("kk", ["2023 жылғы 30 маусымдағы № 279 бұйрық (№ 32977 болып тіркелген)", "тармағы дереккөздерде анықталмаған"]),
])
def test_a_rulings_citations_follow_accept_language_when_judged_and_read_back(client, lang, words):
    posted = client.post("/v1/rulings", json=sample_request(), headers={"Accept-Language": lang}).get_json()
    quota = posted["findings"][0]
    assert quota["requirement"] == "quota-available" and all(w in quota["citation"] for w in words)
    vacancy = next(f for f in posted["findings"] if f["requirement"] == "vacancy-published")
    assert {"en": "Social Code", "ru": "Социальный кодекс", "kk": "Әлеуметтік кодексі"}[lang] in vacancy["citation"]
    other = "ru" if lang == "en" else "en"
    again = client.get(f"/v1/rulings/{posted['id']}", headers={"Accept-Language": other}).get_json()
    assert [f["citation"] for f in again["findings"]] != [f["citation"] for f in posted["findings"]]
    back = client.get(f"/v1/rulings/{posted['id']}", headers={"Accept-Language": lang}).get_json()
    assert [f["citation"] for f in back["findings"]] == [f["citation"] for f in posted["findings"]]


def test_a_version_description_gives_each_reading_its_citation_and_strength(client):
    body = client.get("/v1/regulations/kz-foreign-labour/versions/2025-09-01",
                      headers={"Accept-Language": "ru"}).get_json()
    reading = next(r for r in body["readings"] if r["id"] == "contract-matching")
    assert reading["strength"] == "READING" and reading["citation"].startswith("Приказ № 353 от 3 сентября 2020")
    # every reading, not only that one: a strength of DOMAIN.md's scale, a text and a citation in Russian
    assert all(r["strength"] in ("H", "M", "L", "READING") and r["text"] and r["citation"] for r in body["readings"])
    assert all(re.search("[а-яё]", r["text"] + r["citation"], re.I) for r in body["readings"])
    # each reading a requirement or parameter relies on is described (the act relies on the version choice)
    relied_on = {x for r in body["requirements"] for x in r["readings"]}
    relied_on |= {x for p in body["parameters"].values() for x in p.get("readings", [])}
    assert {r["id"] for r in body["readings"]} == relied_on | {"version-by-submission-date"}
    local = next(r for r in body["requirements"] if r["id"] == "local-content-ratio")
    assert "в редакции приказа № 93" in local["citation"] and "не более 20 человек" in local["citation"]


def _application(**changes):
    request = sample_request()
    request["application"].update(changes)
    return request


def test_absent_permit_and_transfer_read_as_flags_and_the_filing_date():
    app = facts.build(_application(), {})[0]
    filed = app["submitted_on"]
    assert (app["has_current_permit"], app["permit_number"], app["permit_extensions"]) == (False, "", 0)
    assert app["permit_issued_on"] == app["permit_expires_on"] == app["transfer_employed_since"] == filed
    assert (app["has_transfer"], app["transfer_country"], app["has_staff"]) == (False, "", True)
    assert (app["employer_type"], app["employer_unit"]) == (4, 0)     # BIN 150540000106: resident head office


def test_a_permit_and_a_transfer_become_application_facts():
    app = facts.build(_application(
        kind="extension", current_permit={"number": "P-1", "issued_on": "2024-11-01", "expires_on": "2025-11-01",
                                          "extensions": 2},
        transfer={"sending_country": "DEU", "employed_since": "2023-01-10"}), {})[0]
    assert (app["has_current_permit"], app["permit_number"], app["permit_extensions"]) == (True, "P-1", 2)
    assert app["permit_expires_on"] - app["permit_issued_on"] == 365
    assert (app["has_transfer"], app["transfer_country"]) == (True, "DEU")


def test_every_sample_names_what_it_shows():
    for path in APPLICATIONS.glob("*.json"):
        app = json.loads(path.read_text(encoding="utf-8"))["application"]
        staff = app["employer"].get("staff")
        if staff:   # the automatic checks cover every foreign employee the staff declares
            declared = staff["managers"]["foreigners"] + staff["specialists"]["foreigners"]
            assert len(app["foreign_workers"]) == declared or path.stem == "refuse-foreign-workers-listed", path.name
        assert ("current_permit" in app) == (app["kind"] == "extension"), path.name


def test_a_case_may_name_registries_that_cannot_be_read(tmp_path):
    cases = tmp_path / "kz" / "tests" / "cases.yaml"
    cases.parent.mkdir(parents=True)
    cases.write_text("defaults: {application: {}, registry: {quota: {remaining: 1}}}\ncases:\n"
                     "  - {name: Down, unavailable: [quota], expect: {outcome: undetermined}}\n"
                     "  - {name: Misspelt, unavailable: [qouta], expect: {outcome: undetermined}}\n", encoding="utf-8")
    found, problems = casebook.load_file(cases)
    assert [(c.name, c.unavailable, c.request["registry"]) for c in found] == [("Down", ("quota",), {})]
    assert [(p.line, p.message) for p in problems] == [
        (4, "unavailable: unknown registries ['qouta']; use labour_exchange, ulcrs, migration_police, quota, offences")]


def test_the_shipped_cases_reach_every_status_a_requirement_can_have(book):
    seen = {}
    for path in sorted((POLICIES / "kz-foreign-labour" / "tests").glob("*.yaml")):
        for case in casebook.load_file(path)[0]:
            ruling = casebook.run_case(book, case).ruling
            for f in (ruling or {}).get("findings", []):
                seen.setdefault((ruling["version"], f["requirement"]), set()).add(f["status"])
    for version in book.regulation("kz-foreign-labour").versions:
        for r in version.requirements:
            can = {"met", "unmet"} | ({"unknown"} if r.registries else set()) | \
                  ({"not_applicable"} if r.scope != TRUE else set())
            assert seen.get((version.version, r.id)) == can, (version.version, r.id)


def test_a_reading_whose_citation_changes_is_in_the_diff(book):
    a = book.version("kz-foreign-labour", "2025-09-01")
    cited = {"en": "Order No. 999 of 1 January 2026, paragraph 7", "ru": "Приказ № 999 от 1 января 2026 года, пункт 7"}
    b = dataclasses.replace(
        a, version="x", reading_citations={**a.reading_citations, "contract-matching": cited},
        readings=[{**r, "citation": cited} if r["id"] == "contract-matching" else r for r in a.readings])
    text = a.reading_texts["contract-matching"]["en"]
    assert diff(a, b)["readings"]["changed"] == {"contract-matching": {
        "before": text, "after": text,
        "citation": {"before": a.reading_citations["contract-matching"]["en"], "after": cited["en"]}}}


def test_a_strength_the_sources_do_not_use_is_refused_at_its_line(tmp_path, runner):
    shutil.copytree(POLICIES, tmp_path / "policies")
    path = tmp_path / "policies" / "kz-foreign-labour" / "2023-07-01.yaml"
    text = path.read_text(encoding="utf-8").replace("    strength: M\n", "    strength: medium\n", 1)
    path.write_text(text, encoding="utf-8")
    res = runner.invoke(main, ["check", str(tmp_path / "policies")])
    line = text.splitlines().index("    strength: medium") + 1
    assert res.exit_code == 1
    assert f"2023-07-01.yaml:{line}: reading small-business-exemption: strength must be one of H, M, L, READING, " \
           f"got 'medium'" in res.output
