"""Three languages everywhere a person reads: every text of the shipped rule files and of the message
catalogue has en, ru and kk; Accept-Language is negotiated by RFC 9110 quality values and texts fall
back kk -> ru -> en; the CLI's text output in ru and kk says no English word of the catalogue."""
import json
import re
import shutil
import string

import pytest
import yaml
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from server import messages
from server.api.app import create_app
from server.cli import main
from server.languages import LANGUAGES, content_language, negotiate, text_in
from server.rules import facts, quotes
from server.rules.elaborate import EFFECTS

from tests.conftest import APPLICATIONS, POLICIES
from tests.helpers import sample_request

RULE_FILES = sorted((POLICIES / "kz-foreign-labour").glob("*.yaml"))


def _texts(node, path=()):
    """(path, {language: text}) of every text by language in a loaded rule file."""
    if isinstance(node, dict):
        if node and set(node) <= set(LANGUAGES) and ("en" in node or "ru" in node):
            yield path, node
            return
        for key, value in node.items():
            yield from _texts(value, path + (str(key),))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _texts(value, path + (str(value.get("id", i)) if isinstance(value, dict) else str(i),))


def _incomplete(explain):
    out = []
    for rule_file in RULE_FILES:
        for path, texts in _texts(yaml.safe_load(rule_file.read_text(encoding="utf-8"))):
            if ("explain" in path) == explain and not all(isinstance(texts.get(lang), str) and texts[lang].strip()
                                                          for lang in LANGUAGES):
                out.append(f"{rule_file.name}: {'.'.join(path)} has {sorted(texts)}")
    return out


def test_every_text_of_the_shipped_rule_files_has_en_ru_and_kk():
    assert len(list(_texts(yaml.safe_load(RULE_FILES[0].read_text(encoding="utf-8"))))) > 50
    assert _incomplete(explain=False) == []


def test_every_explanation_of_the_shipped_rule_files_has_en_ru_and_kk():
    assert _incomplete(explain=True) == []


def _catalogue():
    for kind, values in messages.NAMES.items():
        for code, texts in values.items():
            yield f"{kind}.{code}", texts
    yield from messages.FRAMES.items()
    for code, texts in messages.ERRORS.items():
        yield f"error.{code}", texts


@pytest.mark.parametrize("key, texts", list(_catalogue()), ids=[k for k, _ in _catalogue()])
def test_every_catalogue_entry_has_the_three_languages_with_the_same_placeholders(key, texts):
    assert set(texts) == set(LANGUAGES) and all(t.strip() for t in texts.values())
    fields = {lang: {f for _, f, _, _ in string.Formatter().parse(t) if f} for lang, t in texts.items()}
    assert fields["ru"] == fields["kk"] == fields["en"]


@pytest.mark.parametrize("kind, codes", [
    ("status", quotes.STATUSES), ("outcome", ("approve", "refuse", "undetermined")), ("effect", EFFECTS),
    ("route", ("general", "seasonal", "intracompany_transfer")), ("kind", ("issue", "extension")),
    ("category", ("1", "2", "3", "4", "seasonal")), ("registry", facts.REGISTRIES)])
def test_every_enumeration_value_is_named_in_the_catalogue(kind, codes):
    assert set(messages.NAMES[kind]) == set(codes)


def test_the_units_of_the_shipped_parameters_are_named():
    units = {spec.get("unit") for f in RULE_FILES for spec in _parameters(yaml.safe_load(f.read_text(encoding="utf-8")))}
    assert units - {None} <= set(messages.NAMES["unit"])


def _parameters(doc):
    params = doc.get("parameters") or {}
    return list((params.get("add") or {}).values()) if "add" in params else list(params.values())


# --- negotiation and fallback -----------------------------------------------------------

@pytest.mark.parametrize("header, lang", [
    ("kk,ru;q=0.8", "kk"), ("ru;q=0.8, kk", "kk"), ("kk-KZ, ru;q=0.5", "kk"), ("en;q=0.5, kk-KZ", "kk"),
    ("ru;q=0", "en"), ("kk;q=0, ru;q=0.1", "ru"), ("*", "en"), ("ru;q=0, *", "en"), ("en;q=0, *", "ru"),
    ("en;q=0, ru;q=0, *;q=0.3", "kk"), ("*;q=0.1, kk;q=0.5", "kk"), ("de, fr", "en"), ("de, kk;q=0.1", "kk"),
    ("", "en")])
def test_accept_language_by_quality_values(header, lang):
    assert negotiate(parse_accept_header(header, LanguageAccept)) == lang


@pytest.mark.parametrize("texts, lang, expected", [
    ({"en": "E", "ru": "R", "kk": "K"}, "kk", "K"), ({"en": "E", "ru": "R"}, "kk", "R"), ({"en": "E"}, "kk", "E"),
    ({"en": "E", "ru": "R"}, "ru", "R"), ({"en": "E", "kk": "K"}, "ru", "E"), ({"en": "E", "ru": "R"}, "xx", "E"),
    ("plain", "kk", "plain")])
def test_a_missing_text_falls_back_kk_ru_en(texts, lang, expected):
    assert text_in(texts, lang) == expected


@pytest.mark.parametrize("asked, used, header", [
    ("kk", ["kk", "kk"], "kk"), ("kk", ["kk", "ru", "kk"], "kk, ru"), ("kk", ["ru"], "ru"), ("ru", [], "ru"),
    ("kk", ["en", "kk", "ru"], "kk, ru, en")])
def test_content_language_names_the_languages_used(asked, used, header):
    assert content_language(asked, used) == header


@pytest.fixture
def no_kk_title(tmp_path):
    """The shipped rule files, the Kazakh title of quota-available taken out (the file opting out of kk)."""
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    rule_file = policies / "kz-foreign-labour" / "2023-07-01.yaml"
    text = rule_file.read_text(encoding="utf-8")
    kk_title = "      kk: Өңірлік квотада сұралған жұмыскерлерге орын жеткілікті\n"
    assert kk_title in text
    text = text.replace(kk_title, "")
    if "\nlanguages:" not in text:
        text += "\nlanguages: [en, ru]\n"
    rule_file.write_text(text, encoding="utf-8")
    return create_app({"DB": str(tmp_path / "log.db"), "TESTING": True, "POLICIES": str(policies)}).test_client()


def _titles(client, header):
    response = client.post("/v1/rulings", json=sample_request(), headers={"Accept-Language": header} if header else {})
    assert response.status_code == 201
    return response, {f["requirement"]: f["title"] for f in response.get_json()["findings"]}


def test_a_title_without_kk_asked_in_kk_comes_in_russian_and_content_language_says_so(no_kk_title):
    response, titles = _titles(no_kk_title, "kk,ru;q=0.8")
    assert titles["quota-available"] == "В региональной квоте достаточно мест для запрашиваемых работников"
    assert titles["local-content-ratio"] == "Азаматтар жұмыскерлердің талап етілетін үлесін құрайды"
    assert response.get_json()["language"] == "kk"
    assert response.headers["Content-Language"].split(", ")[:2] == ["kk", "ru"]
    assert "en" not in response.headers["Content-Language"]


@pytest.mark.parametrize("header", ["ru;q=0", "*", "de", None])
def test_nothing_acceptable_or_anything_answers_in_english(no_kk_title, header):
    response, titles = _titles(no_kk_title, header)
    assert titles["quota-available"] == "The regional quota has room for the requested workers"
    assert response.headers["Content-Language"] == "en"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_error_messages_in_the_language_asked(client, lang):
    response = client.get("/v1/rulings/no-such-id", headers={"Accept-Language": lang})
    assert response.status_code == 404
    expected = "No ruling with id 'no-such-id'." if lang == "en" else messages.ERRORS["not_found"][lang]
    assert response.get_json()["error"]["message"] == expected
    assert response.headers["Content-Language"] == lang


def test_a_field_error_keeps_its_english_fields_under_a_kazakh_message(client):
    body = sample_request()
    body["application"]["submitted_on"] = "2025-13-01"
    error = client.post("/v1/rulings", json=body, headers={"Accept-Language": "kk"}).get_json()["error"]
    assert error["message"] == messages.ERRORS["invalid_request"]["kk"]
    assert "application.submitted_on" in error["fields"]


# --- CLI text output --------------------------------------------------------------------

def _english_words(prefix):
    """The fixed English words of the catalogue's frames under `prefix`, placeholders taken out."""
    out = set()
    for key, texts in messages.FRAMES.items():
        if key.startswith(prefix):
            out |= {part.strip(" :,.()") for part in re.split(r"\{[^}]*\}", texts["en"])}
    return {w for w in out if len(w) > 3}


STATUS_LINE = re.compile(r"^(?:[✓✗?–]) [a-z0-9-]+: (.+)$", re.M)


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_ereje_rule_text_in_ru_and_kk_has_no_english_status_or_heading(runner, lang, monkeypatch):
    monkeypatch.setenv("EREJE_REGISTRY_URL", "http://127.0.0.1:9")   # nothing listens: every registry is missing
    out = runner.invoke(main, ["rule", str(APPLICATIONS / "refuse-quota.json"), "--format", "text", "--lang", lang]).output
    head = out.splitlines()[0]
    assert head.startswith(messages.name("outcome", "undetermined", lang).upper() + "  ")
    statuses = STATUS_LINE.findall(out)
    assert statuses and set(statuses) <= {messages.name("status", s, lang) for s in quotes.STATUSES}
    assert messages.say("rule.missing", lang, registries="").strip(" :") in out
    for english in _english_words("rule.") | {messages.name("status", s, "en") for s in quotes.STATUSES}:
        assert not re.search(rf"\b{re.escape(english)}\b", out), english


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_ereje_diff_text_in_ru_and_kk_has_no_english_heading(runner, lang):
    out = runner.invoke(main, ["diff", "2023-07-01", "2025-09-01", "--lang", lang]).output
    for key in ("diff.parameters", "diff.derived", "diff.readings", "diff.citation", "diff.applies", "diff.met_when",
                "diff.if_unmet", "diff.before", "diff.after"):
        assert messages.say(key, lang) in out, key
    assert messages.say("diff.added", lang, n=6) in out
    # rule-file keys and expressions stay as the file writes them (`citation:`, `applies: true`)
    people = "\n".join(line for line in out.splitlines() if not re.match(r"\s+[a-z_]+:( |$)", line))
    for english in _english_words("diff."):
        assert not re.search(rf"(?<![.\w]){re.escape(english)}\b", people), english


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_ereje_plan_text_in_ru_and_kk_has_no_english_heading_or_status(runner, lang):
    out = runner.invoke(main, ["plan", str(APPLICATIONS / "refuse-waiting-period.json"), "--format", "text",
                               "--lang", lang]).output
    assert out.startswith(messages.say("plan.earliest", lang, day="26.09.2025", regulation="kz-foreign-labour",
                                       version="2025-09-01"))
    heads = [messages.say("plan.outcome", lang, day="26.09.2025", outcome=messages.name("outcome", o, lang))
             for o in messages.NAMES["outcome"]]
    ruling = [part for head in heads for part in out.split(head + "\n")[1:]]
    assert len(ruling) == 1
    statuses = re.findall(r"^  [✓✗?–] [a-z0-9-]+: (.+)$", ruling[0], re.M)
    assert statuses
    assert set(statuses) <= {messages.name("status", s, lang) for s in quotes.STATUSES}
    for english in _english_words("plan.") | {"approve", "refuse", "unmet", "not applicable"}:
        assert not re.search(rf"\b{re.escape(english)}\b", out), english


# --- field messages of errors -------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_every_field_message_of_an_invalid_request_is_in_the_language_asked(client, lang):
    doc = json.loads((APPLICATIONS / "approve.json").read_text(encoding="utf-8"))
    app = doc["application"]
    app["submitted_on"] = "2025-02-30"
    app["employer"]["bin"] = "150540000107"            # check digit
    app["workers_requested"] = 0
    app["kind"] = "isue"
    app["current_permit"] = {"number": "P", "issued_on": "2025-01-01", "expires_on": "2024-01-01", "extensions": 0}
    app["unknown"] = True
    del app["region"]
    body = client.post("/v1/rulings", json=doc, headers={"Accept-Language": lang}).get_json()["error"]
    english = client.post("/v1/rulings", json=doc).get_json()["error"]["fields"]
    assert set(body["fields"]) == set(english)
    for path, msgs in body["fields"].items():
        for translated, original in zip(msgs, english[path]):
            assert translated != original, (path, translated)
            assert re.search("[а-яәғқңөұүһі]", translated, re.I), (path, translated)


def test_a_message_the_catalogue_does_not_know_stays_as_written():
    from server.fieldwords import field_message
    assert field_message("Something new.", "ru") == "Something new."
    assert field_message("Not a valid date: '1.1.2025'; expected YYYY-MM-DD.", "ru") == \
        "Неверная дата: '1.1.2025'; ожидается ГГГГ-ММ-ДД."
