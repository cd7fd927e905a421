"""The request's own facts as a ruling shows them (server/judging/facts): each listed worker
with its contract, and what an absent part of the application reads as."""
import copy
import json

from server.contract import request as schemas
from server.judging import rulings

from . import demo
from .conftest import APPLICATIONS, ROOT


def _doc(name="approve.json"):
    return json.loads((APPLICATIONS / name).read_text(encoding="utf-8"))


def _findings(book, doc):
    ruling = rulings.judge(book, schemas.load(schemas.RulingRequestSchema(), doc))
    return {f["requirement"]: f for f in ruling["findings"]}


def test_each_listed_worker_is_shown_with_its_contract(book):
    doc = _doc()
    listed = doc["application"]["foreign_workers"]
    shown = _findings(book, doc)["workers-have-iin"]["facts"]["worker"]
    assert shown == [{"index": i, "passport": w["passport"], "iin": w["iin"], "has_iin": True,
                      "citizenship": w["citizenship"], "contract_number": w["contract"]["number"],
                      "contract_kind": w["contract"]["kind"]} for i, w in enumerate(listed)]


def test_a_worker_without_iin_citizenship_or_contract_reads_as_empty(book):
    doc = _doc()
    doc["application"]["foreign_workers"] = [{"passport": "N1234567"}]
    found = _findings(book, doc)["workers-have-iin"]
    assert found["status"] == "unmet"
    assert found["facts"]["worker"] == [{"index": 0, "passport": "N1234567", "iin": "", "has_iin": False,
                                         "citizenship": "", "contract_number": "", "contract_kind": ""}]


def test_an_application_without_a_vacancy_code_shows_an_empty_code(book):
    doc = _doc()
    del doc["application"]["vacancy_code"]
    found = _findings(book, doc)["vacancy-published"]
    assert found["status"] == "unmet"
    assert found["facts"]["application"] == {"has_vacancy_code": False, "kind": "issue", "route": "general",
                                             "submitted_on": "2025-09-20", "vacancy_code": ""}


def test_the_registry_facts_a_finding_rests_on_are_shown_as_the_registry_holds_them(book):
    doc = _doc()
    found = _findings(book, doc)
    held = {p["passport"]: p for p in json.loads((ROOT / "fixtures" / "registries" / "migration_police.json")
                                                  .read_text(encoding="utf-8"))["persons"]}
    shown = found["migration-data"]["facts"]["person"]
    assert [p["passport"] for p in shown] == [w["passport"] for w in doc["application"]["foreign_workers"]]
    assert shown == [{**held[p["passport"]], "iin": held[p["passport"]]["iin"] or ""} for p in shown]
    assert shown[0] == {"passport": "N1234567", "iin": "900101300007", "status": "lawful"}
    assert found["quota-available"]["facts"]["quota"] == {"region": "ALMATY", "year": 2025, "category": "3",
                                                         "remaining": 12}   # fixtures/registries/quota.json


# The demo rules (tests/demo.py) with a `met` text that reads the application's reference and region.
REFERENCE_RULES = demo.RULES.replace(
    "met: {en: Room left., ru: Места есть.}",
    'met: {en: "Room left for {application.reference} in {application.region}.", '
    'ru: "Места есть: {application.reference}, {application.region}."}')


def test_an_explanation_may_name_the_application_by_its_reference_and_region(tmp_path):
    demo_book = demo.book_of(tmp_path, REFERENCE_RULES)
    doc = copy.deepcopy(demo.DEFAULTS)
    doc["application"]["reference"] = "APP-7"
    finding = _findings(demo_book, doc)["quota-available"]
    assert (finding["status"], finding["explanation"]) == ("met", "Room left for APP-7 in ALMATY.")
    assert finding["facts"]["application"] == {"reference": "APP-7", "region": "ALMATY", "route": "general",
                                               "workers_requested": 2}


def test_an_inline_quota_stating_only_what_remains_is_shown_for_the_application_s_region_year_and_category(book):
    doc = _doc()
    doc["registry"] = {"quota": {"remaining": 7}}
    found = _findings(book, doc)["quota-available"]
    assert found["facts"]["quota"] == {"region": "ALMATY", "year": 2025, "category": "3", "remaining": 7}
