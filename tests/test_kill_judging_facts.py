"""The request's own facts as a ruling shows them (server/judging/facts): each listed worker
with its contract, and what an absent part of the application reads as."""
import json

from server.contract import request as schemas
from server.judging import rulings

from .conftest import APPLICATIONS


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
