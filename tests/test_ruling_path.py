"""The in-process ruling path keeps per-process caches (calendar shifts, texts per version and language,
registry scopes, fixture answers): rulings in a row must each get their own answer."""
import copy
import json

import pytest

from adapters import FixtureSource, Query, gather
from server import errors, languages
from server.contract.jsonbody import parse_body
from server.contract.request import RulingRequestSchema, load_json
from server.judging import rulings, texts
from server.rules import wording
from tests.helpers import BIN, change, sample_request


def barred(submitted_on, decided_on):
    """The sample request, filed on `submitted_on`, by an employer with an article 519 decision of `decided_on`."""
    request = change("application.submitted_on", submitted_on)
    request["registry"] = {"offences": {"records": [
        {"employer_bin": BIN, "article": "519", "decided_on": decided_on}]}}
    return request


def finding(ruling, requirement):
    return next(f for f in ruling["findings"] if f["requirement"] == requirement)


def judged(book, request, lang="en"):
    raw = json.dumps(request).encode()
    return rulings.judge(book, load_json(RulingRequestSchema, raw, lambda: parse_body(raw)), lang=lang,
                         source=FixtureSource())


A = ("2025-09-20", "2025-01-31")   # the bar runs 12 calendar months: through 2026-01-31
B = ("2025-02-10", "2024-02-29")   # a leap day plus 12 months is the last of February: 2025-02-28


def test_rulings_on_different_dates_in_a_row_each_get_their_own_dates(book):
    first, second, again = (judged(book, barred(*dates)) for dates in (A, B, A))
    assert finding(first, "no-unpermitted-labour")["explanation"] == (
        "An article 519 decision of 31 January 2025 bars new permits through 31 January 2026; "
        "the bar lifts on 1 February 2026, the first day on which filing would meet this requirement.")
    assert finding(second, "no-unpermitted-labour")["explanation"] == (
        "An article 519 decision of 29 February 2024 bars new permits through 28 February 2025; "
        "the bar lifts on 1 March 2025, the first day on which filing would meet this requirement.")
    assert finding(first, "no-unpermitted-labour")["facts"]["barring_offence"] == [
        {"of": "offence:0", "applies": True, "article": "519", "decided_on": "2025-01-31", "barred_through": "2026-01-31",
         "free_from": "2026-02-01"}]
    assert finding(second, "no-unpermitted-labour")["facts"]["barring_offence"][0]["barred_through"] == "2025-02-28"
    assert (first["version"], second["version"]) == ("2025-09-01", "2023-07-01")
    assert again["findings"] == first["findings"]


def test_rulings_in_different_languages_in_a_row_each_get_their_own_texts(book):
    request = barred(*A)
    rows = {}
    for lang in ("en", "ru", "kk", "en", "ru"):
        used = languages.track()
        ruling = judged(book, request, lang)
        rows.setdefault(lang, []).append((ruling, set(used)))
    (en, en_used), (en_again, _) = rows["en"]
    (ru, ru_used), (ru_again, _) = rows["ru"]
    (kk, kk_used), = rows["kk"]
    assert finding(ru, "no-unpermitted-labour")["explanation"].startswith(
        "Постановление по статье 519 от 31.01.2025 препятствует выдаче разрешений по 31.01.2026 включительно")
    assert finding(kk, "no-unpermitted-labour")["explanation"].startswith(
        "31.01.2025 жылғы 519-бап бойынша қаулы 31.01.2026")
    assert finding(en, "no-unpermitted-labour")["title"] != finding(ru, "no-unpermitted-labour")["title"]
    assert (en["language"], ru["language"], kk["language"]) == ("en", "ru", "kk")
    assert (en_used, ru_used, kk_used) == ({"en"}, {"ru"}, {"kk"})
    assert en_again["findings"] == en["findings"] and ru_again["findings"] == ru["findings"]


def test_a_stored_ruling_is_rendered_again_in_each_language_asked(book):
    ruling = judged(book, barred(*A))
    version = book.version(ruling["regulation"], ruling["version"])
    stored = json.loads(json.dumps(ruling))
    in_ru = texts.localize_under(copy.deepcopy(stored), version, "ru")
    in_en = texts.localize_under(copy.deepcopy(stored), version, "en")
    assert in_en["findings"] == ruling["findings"]
    assert finding(in_ru, "no-unpermitted-labour")["explanation"] == finding(
        judged(book, barred(*A), "ru"), "no-unpermitted-labour")["explanation"]


def test_each_version_in_a_row_renders_its_own_requirements(book):
    request = load_json(RulingRequestSchema, json.dumps(sample_request()).encode(), lambda: sample_request())
    old, new = (book.version(None, v) for v in ("2023-07-01", "2025-09-01"))
    read = {"2023-07-01": ["quota", "offences"], "2025-09-01": ["labour_exchange", "ulcrs", "migration_police", "quota", "offences"]}
    for version in (old, new, old, new):
        ruling = rulings.judge_under(version, request, source=FixtureSource(), lang="en")
        assert [f["requirement"] for f in ruling["findings"]] == [r.id for r in version.requirements]
        assert all(f["title"] and f["citation"] for f in ruling["findings"])
        assert list(ruling["registry"]) == read[version.version]   # the 2023 rules read two registries
    assert {r.id for r in new.requirements} - {r.id for r in old.requirements}   # the test compares two rule sets


def test_registries_are_read_only_where_the_application_needs_them(book):
    """Registry scopes are compiled once per version: an extension and an issue still differ."""
    version = book.version(None, "2025-09-01")
    issue = load_json(RulingRequestSchema, json.dumps(sample_request()).encode(), lambda: None)
    extension = change("application.kind", "extension")
    extension["application"]["current_permit"] = {"number": "P-1", "issued_on": "2024-10-01",
                                                  "expires_on": "2025-10-01", "extensions": 0}
    extension = load_json(RulingRequestSchema, json.dumps(extension).encode(), lambda: None)
    assert "labour_exchange" in rulings.needed_registries(version, issue)
    assert "labour_exchange" not in rulings.needed_registries(version, extension)
    assert "labour_exchange" in rulings.needed_registries(version, issue)


def test_one_gather_stamps_every_registry_it_reads_with_one_time():
    query = Query(employer_bin=BIN, vacancy_code="4012345", passports=("N1234567",), region="ALMATY",
                  year=2025, quota_category="3")
    got = gather(FixtureSource(), ["labour_exchange", "ulcrs", "migration_police", "quota", "offences"], query,
                 inline={"offences": {"records": []}})
    stamps = {p["fetched_at"] for p in got.provenance.values()}
    assert len(stamps) == 1 and {p["source"] for p in got.provenance.values()} == {"fixtures", "request"}


def test_answers_of_the_fixture_source_are_each_callers_own():
    source = FixtureSource()
    query = Query(employer_bin=BIN, vacancy_code="4012345", passports=("N1234567",), region="ALMATY",
                  year=2025, quota_category="3")
    first = source.fetch("migration_police", query)[0]
    first["persons"][0]["status"] = "edited"
    assert source.fetch("migration_police", query)[0]["persons"][0]["status"] != "edited"
    other = Query(**{**query.__dict__, "passports": ("N7654321",)})
    assert [p["passport"] for p in source.fetch("migration_police", other)[0]["persons"]] == ["N7654321"]


# A repeated key is refused with its path, however the body is parsed

@pytest.mark.parametrize("body, path", [
    (b'{"application": {"kind": "issue", "kind": "extension"}}', "application.kind"),
    (b'{"a": [{"b": 1}, {"b": 1, "b": 2}]}', "a.1.b"),
    # the dropped value holds colons: the count of ':' alone would still differ
    (b'{"t": "12:00", "t": "13:00:00"}', "t"),
    # a colon written as an escape: the check cannot count it and parses strictly
    (b'{"t": "a\\u003ab", "t": "c"}', "t"),
    (b'{"x": 1, "y": {"x": 1}, "x": 2}', "x"),
])
def test_a_repeated_key_is_400_naming_its_path(body, path):
    with pytest.raises(errors.NotJSON) as caught:
        parse_body(body)
    assert caught.value.fields == {path: ["Given more than once."]}


def test_a_repeated_key_in_a_ruling_request_is_refused_before_judging():
    raw = json.dumps(sample_request()).replace('"region": "ALMATY"', '"region": "ALMATY", "region": "ASTANA"').encode()
    with pytest.raises(errors.NotJSON) as caught:
        load_json(RulingRequestSchema, raw, lambda: parse_body(raw))
    assert caught.value.fields == {"application.region": ["Given more than once."]}


@pytest.mark.parametrize("body, value", [
    (b'{"t": "12:00", "u": {"v": "a:b:c"}}', {"t": "12:00", "u": {"v": "a:b:c"}}),
    (b'{"n": 123456789012345678901234567890}', {"n": 123456789012345678901234567890}),
    (b'{"t": "a\\u003ab"}', {"t": "a:b"}),
])
def test_a_body_without_a_repeated_key_reads_exactly(body, value):
    assert parse_body(body) == value


def test_plural_forms_in_a_row_follow_each_number_and_language():
    forms = {"ru": {"one": "# работник", "few": "# работника", "many": "# работников", "other": "# работника"},
             "en": {"one": "# worker", "other": "# workers"}}
    asked = [(1, "ru"), (2, "ru"), (5, "ru"), (21, "ru"), (1.5, "ru"), (1, "en"), (2, "en"), (2, "ru")]
    assert [wording.plural(n, forms[lang], lang) for n, lang in asked] == [
        "1 работник", "2 работника", "5 работников", "21 работник", "1,5 работника", "1 worker", "2 workers",
        "2 работника"]
