"""Comparisons in a batch (server/judging/comparisons.compare_many) answer each request as
`compare(..., detail=False)` does: with the registry source, versions and language asked, a
request that cannot be judged answered by its own exception in its place."""
import copy
import json
import shutil

import pytest

from adapters.sources.fixtures import FixtureSource
from server import errors
from server.contract import request as schemas
from server.engine import runner as engine
from server.judging import comparisons
from server.rules import rulebook

from . import demo
from .conftest import APPLICATIONS, POLICIES, ROOT

V1, V2 = "2023-07-01", "2025-09-01"
# The registries approve.json needs, in the order a ruling lists them.
NEEDED = ["labour_exchange", "ulcrs", "migration_police", "quota", "offences"]


def _request(name="approve.json", **application):
    doc = json.loads((APPLICATIONS / name).read_text(encoding="utf-8"))
    doc["application"].update(application)
    return schemas.load(schemas.RulingRequestSchema(), doc)


@pytest.fixture
def nothing_on_record(tmp_path):
    """A registry source that holds no file: every registry is unavailable (the process's own
    source, the repository's fixtures, would approve approve.json)."""
    return FixtureSource(tmp_path / "no-registries")


def test_a_batch_reads_the_registries_of_the_source_it_is_given(book, nothing_on_record):
    [out] = comparisons.compare_many(book, [_request()], source=nothing_on_record, versions=[V2])
    assert out["outcomes"] == {V2: "undetermined"}
    assert out["rulings"][V2]["missing"] == NEEDED
    assert _untimed(out) == _untimed(comparisons.compare(book, _request(), source=nothing_on_record, versions=[V2],
                                                         detail=False))
    # and the process's own source, when none is given
    [own] = comparisons.compare_many(book, [_request()], versions=[V2])
    assert own["outcomes"] == {V2: "approve"} and own["rulings"][V2]["missing"] == []


def test_one_comparison_reads_the_registries_of_the_source_it_is_given(book, nothing_on_record):
    out = comparisons.compare(book, _request(), source=nothing_on_record, versions=[V1, V2])
    assert out["outcomes"] == {V1: "undetermined", V2: "undetermined"}
    assert out["rulings"][V2]["missing"] == NEEDED
    assert {f["status"] for f in out["rulings"][V2]["findings"] if f["requirement"] == "quota-available"} == {"unknown"}


def test_a_batch_judges_only_the_versions_asked(book):
    [out] = comparisons.compare_many(book, [_request()], versions=[V2])
    assert out["versions"] == [V2] and list(out["rulings"]) == [V2]


def test_a_batch_answers_in_the_language_asked_without_facts_or_explanations(book):
    flip = _request("refuse-vacancy-published.json")
    [out] = comparisons.compare_many(book, [flip], lang="ru")
    expected = comparisons.compare(book, flip, lang="ru", detail=False)
    assert _untimed(out) == _untimed(expected)
    findings = {f["requirement"]: f for f in out["rulings"][V2]["findings"]}
    assert findings["quota-available"]["title"] == _title(book, V2, "quota-available", "ru")
    assert findings["quota-available"]["title"] != _title(book, V2, "quota-available", "en")
    assert {f["explanation"] for f in out["rulings"][V2]["findings"]} == {""}
    assert [f["facts"] for f in out["rulings"][V2]["findings"]] == [{}] * len(findings)


def test_one_comparison_without_detail_leaves_out_facts_and_explanations(book):
    out = comparisons.compare(book, _request(), versions=[V2], detail=False)
    assert {f["explanation"] for f in out["rulings"][V2]["findings"]} == {""}
    assert {json.dumps(f["facts"]) for f in out["rulings"][V2]["findings"]} == {"{}"}
    full = comparisons.compare(book, _request(), versions=[V2])
    assert all(f["explanation"] for f in full["rulings"][V2]["findings"])


def test_a_request_that_cannot_be_judged_is_answered_by_its_exception_in_its_place(book):
    unknown = copy.deepcopy(_request())
    unknown["regulation"] = "no-such-regulation"
    good = _request()
    out = comparisons.compare_many(book, [unknown, good, unknown])
    assert isinstance(out[0], errors.EREJEError) and isinstance(out[2], errors.EREJEError)
    with pytest.raises(type(out[0])) as raised:
        comparisons.compare(book, unknown)
    assert str(out[0]) == str(raised.value)
    assert _untimed(out[1]) == _untimed(comparisons.compare(book, good, detail=False))
    assert out[1]["outcomes"] == {V1: "approve", V2: "approve"}


def test_a_batch_whose_shared_session_fails_judges_each_request_alone(book, monkeypatch):
    """`engine.run_many` answers an application whose run failed with the exception; that
    request is judged again alone, as `compare` judges it."""
    monkeypatch.setattr(engine, "run_many", lambda version, many: [RuntimeError("session lost") for _ in many])
    flip, good = _request("refuse-vacancy-published.json"), _request()
    out = comparisons.compare_many(book, [flip, good])
    assert [_untimed(c) for c in out] == [_untimed(comparisons.compare(book, flip, detail=False)),
                                          _untimed(comparisons.compare(book, good, detail=False))]
    assert out[0]["outcomes"] == {V1: "approve", V2: "refuse"}


def _title(book, version, requirement, lang):
    v = book.version(None, version)
    [r] = [r for r in v.requirements if r.id == requirement]
    return r.title[lang]


def _untimed(comparison):
    """`comparison` without the times its registries were read at (each judging reads them anew)."""
    for ruling in comparison["rulings"].values():
        for entry in ruling["registry"].values():
            entry.pop("fetched_at", None)
    return comparison


def test_a_requirement_unknown_under_both_versions_is_no_cause_of_the_change(book, tmp_path):
    """Quota unavailable: both versions leave quota-available unknown; the later one also
    refuses for the vacancy. Only the vacancy's requirements moved the outcome."""
    out = comparisons.compare(book, _request("refuse-vacancy-published.json"), source=_without(tmp_path, "quota"))
    assert out["requirements"]["quota-available"]["statuses"] == {V1: "unknown", V2: "unknown"}
    [change] = out["changes"]
    assert change["outcome"] == {"from": "undetermined", "to": "refuse"}
    assert [(c["requirement"], c["from"], c["to"]) for c in change["because"]] == [
        ("vacancy-published", "absent", "unmet"), ("vacancy-waiting-period", "absent", "unmet")]


def _without(tmp_path, registry):
    """The repository's registry fixtures without one registry's file: that registry is unavailable."""
    registries = tmp_path / "registries"
    shutil.copytree(ROOT / "fixtures" / "registries", registries)
    (registries / f"{registry}.json").unlink()
    return FixtureSource(registries)


def test_a_requirement_added_or_removed_while_unknown_is_a_cause(book, tmp_path):
    """The labour exchange unavailable: the vacancy requirements 2025-09-01 added are unknown under
    it, which makes approve.json undetermined; going back to 2023-07-01 they are gone."""
    source = _without(tmp_path, "labour_exchange")
    forward = comparisons.compare(book, _request(), source=source, versions=[V1, V2])
    [change] = forward["changes"]
    assert change["outcome"] == {"from": "approve", "to": "undetermined"}
    assert change["because"] == [
        {"requirement": r, "title": _title(book, V2, r, "en"), "from": "absent", "to": "unknown"}
        for r in ("vacancy-published", "vacancy-waiting-period")]
    back = comparisons.compare(book, _request(), source=source, versions=[V2, V1])
    [change] = back["changes"]
    assert change["outcome"] == {"from": "undetermined", "to": "approve"}
    assert change["because"] == [
        {"requirement": r, "title": _title(book, V2, r, "en"), "from": "unknown", "to": "absent"}
        for r in ("vacancy-published", "vacancy-waiting-period")]


def test_the_versions_asked_are_those_of_the_regulation_the_request_names(tmp_path):
    """Beside the shipped regulation, a second one (the 2023 rules under another name, in force
    from 2024): its version is found under its own name, not the default regulation's."""
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES / "kz-foreign-labour", policies / "kz-foreign-labour", ignore=shutil.ignore_patterns("tests"))
    text = (POLICIES / "kz-foreign-labour" / "2023-07-01.yaml").read_text(encoding="utf-8")
    text = text.replace('regulation: kz-foreign-labour\nversion: "2023-07-01"\neffective_from: 2023-07-01\n',
                        'regulation: kz-other\nversion: "2024-01-01"\neffective_from: 2024-01-01\n', 1)
    (policies / "kz-other").mkdir()
    (policies / "kz-other" / "2024-01-01.yaml").write_text(text, encoding="utf-8")
    two = rulebook.load(policies)
    engine.register_all(two)
    request = _request()
    request["regulation"] = "kz-other"
    out = comparisons.compare(two, request, versions=["2024-01-01"])
    assert (out["regulation"], out["versions"], out["outcomes"]) == ("kz-other", ["2024-01-01"],
                                                                     {"2024-01-01": "approve"})


@pytest.fixture(scope="module")
def two_regulations(tmp_path_factory):
    """The shipped regulation and the demo one (tests/demo.py) in one rule book."""
    policies = tmp_path_factory.mktemp("two") / "policies"
    shutil.copytree(POLICIES, policies)
    demo_rules = demo.demo(tmp_path_factory.mktemp("demo"))
    shutil.copytree(demo_rules / "demo", policies / "demo")
    book = rulebook.load(policies)
    engine.register_all(book)
    return book


def test_each_request_is_compared_under_its_own_regulation(two_regulations):
    ours = schemas.load(schemas.RulingRequestSchema(), copy.deepcopy(demo.DEFAULTS))
    for request, regulation, versions in ((ours, "demo", ["2025-01-01"]), (_request(), "kz-foreign-labour", [V1, V2])):
        answers = [comparisons.compare(two_regulations, request, detail=False),
                   *comparisons.compare_many(two_regulations, [request])]
        for answer in answers:
            assert (answer["regulation"], answer["versions"], list(answer["outcomes"])) == (regulation, versions, versions)
