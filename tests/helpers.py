"""Requests and commands that several test modules build the same way."""
import copy
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from server import errors
from server.cli import main
from server.engine import runner as engine
from server.rules import rulebook
from server.contract.request import RulingRequestSchema, load, load_json

BIN = "150540000106"   # the employer of the registry fixtures


def sample_request():
    """A complete, valid general-route application (the employer of the registry fixtures)."""
    return {
        "application": {
            "reference": "APP-2025-000123",
            "submitted_on": "2025-09-20",
            "kind": "issue",
            "route": "general",
            "category": 3,
            "region": "ALMATY",
            "workers_requested": 1,
            "vacancy_code": "4012345",
            "employer": {
                "bin": BIN,
                "name": "Example LLP",
                "headcount": 120,
                "small_business": False,
                # as many foreigners as it lists (foreign-workers-listed, from 2025-09-01)
                "staff": {
                    "managers": {"citizens": 9, "foreigners": 0},
                    "specialists": {"citizens": 95, "foreigners": 1},
                },
            },
            "foreign_workers": [
                {"passport": "N1234567", "iin": "900101300007", "citizenship": "UZB",
                 "contract": {"number": "TD-15", "signed_on": "2025-03-01", "kind": "labour"}},
            ],
        }
    }


def change(path, value):
    """A sample request with the value at dotted `path` replaced (or deleted when value is ...)."""
    request = sample_request()
    *parents, last = path.split(".")
    node = request
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    if isinstance(node, list):
        last = int(last)
    if value is ...:
        node.pop(last, None) if isinstance(node, dict) else node.pop(last)
    else:
        node[last] = value
    return request


def batch_request(reference, *, kind="issue", vacancy=None):
    """An application for `ereje compare`, registry facts inline: approved under 2023-07-01."""
    app = {"reference": reference, "submitted_on": "2025-09-20", "kind": kind, "route": "general",
           "category": 3, "region": "ALMATY", "workers_requested": 1,
           "employer": {"bin": BIN, "headcount": 120, "small_business": False,
                        "staff": {"managers": {"citizens": 9, "foreigners": 0},
                                  "specialists": {"citizens": 95, "foreigners": 0}}},
           "foreign_workers": []}
    if vacancy:
        app["vacancy_code"] = vacancy
    if kind == "extension":   # filed within its renewal window: 30-60 days before expiry
        app["current_permit"] = {"number": "P-2024-1", "issued_on": "2024-11-01", "expires_on": "2025-11-01",
                                 "extensions": 0}
    return {"application": app, "registry": {
        "labour_exchange": {"vacancy": None}, "ulcrs": {"contracts": []}, "migration_police": {"persons": []},
        "quota": {"region": "ALMATY", "year": 2025, "category": "3", "remaining": 10},
        "offences": {"records": []}}}


FLIP = batch_request("APP-FLIP")                     # no vacancy code: refused from 2025-09-01
STAY = batch_request("APP-STAY", kind="extension")   # extensions need no vacancy: approved under both


def compare_summary(*args):
    """`ereje compare ARGS --format json`, which must succeed: its summary."""
    res = CliRunner().invoke(main, ["compare", *map(str, args), "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def loaded_three_ways(request, schema=RulingRequestSchema):
    """The request loaded by marshmallow alone, from parsed JSON and from bytes: one answer.

    Returns ("ok", value) or ("invalid", fields).
    """
    raw = json.dumps(request).encode()
    answers = []
    for how in (lambda: load(schema(), copy.deepcopy(request)), lambda: load(schema, copy.deepcopy(request)),
                lambda: load_json(schema, raw, lambda: json.loads(raw))):
        try:
            value = how()
        except errors.InvalidRequest as exc:
            answers.append(("invalid", exc.fields))
        else:
            answers.append(("ok", value))
    assert answers[1] == answers[0] and answers[2] == answers[0]
    assert [json.dumps(a[1]) for a in answers[1:]] == [json.dumps(answers[0][1])] * 2  # key order too
    return answers[0]


# An amendment as a lawyer drafts it: the waiting period raised to 20 days from 2026 (the draft pages).
_DRAFT_TITLE = """title:
  en: Draft raising the waiting period to 20 days
  ru: Проект о сроке ожидания 20 дней
  kk: Күту мерзімін 20 күнге ұзарту жобасы
act:
  title:
    en: Draft order
    ru: Проект приказа
    kk: Бұйрық жобасы
  number: "draft"
  date: 2025-12-01
  in_force: 2026-01-01
  url: https://adilet.zan.kz/rus/docs/V2300032977
"""
DRAFT_AMENDMENT = f"""regulation: kz-foreign-labour
version: "2026-01-01"
effective_from: 2026-01-01
amends: "2025-09-01"
{_DRAFT_TITLE}parameters:
  change:
    waiting_days: 20
"""


def edited_policies(tmp_path, edit=None, name="2025-09-01.yaml"):
    """A copy of the shipped policies under `tmp_path`, with rule file `name` passed through `edit(text)`."""
    dst = tmp_path / "policies"
    shutil.copytree(Path(__file__).resolve().parents[1] / "policies", dst)
    if edit:
        path = dst / "kz-foreign-labour" / name
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return dst


def edited_book(tmp_path, edit, name="2025-09-01.yaml"):
    """`edited_policies`, loaded and registered with this process's engine."""
    book = rulebook.load(edited_policies(tmp_path, edit, name))
    engine.register_all(book)
    return book
