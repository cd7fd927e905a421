"""The legal team's own cases: policies/<regulation>/tests/*.yaml, facts in, findings out.

A case file has `defaults` (a whole ruling request, registry facts inline) and
`cases`, each with a `name` written as a sentence, `set` (dotted paths changed
from the defaults, e.g. "application.submitted_on": 2025-09-16), `unavailable`
(registries that cannot be read in this case, to reach `unknown`) and `expect`
(outcome, version, and the status of any requirement).

This module reads a case file and judges one case; server/judging/caseplugin.py
makes each case a pytest item, for the repo's tests and for `ereje test`.
"""
import copy
from dataclasses import dataclass
from pathlib import Path

import yaml

import adapters

from server.contract import request as schemas
from server.documents import plain, remove_path, set_path
from server.errors import EREJEError
from server.judging import rulings
from server.rules.source import Problem, line_of, load as load_yaml

CASE_KEYS = {"name", "set", "remove", "request", "expect", "unavailable"}
EXPECT_KEYS = {"outcome", "version", "findings", "error"}
SUFFIXES = (".yaml", ".yml")


@dataclass
class Case:
    file: str
    line: int
    name: str
    request: dict
    expect: dict
    unavailable: tuple = ()   # registries that cannot be read in this case


class Unreadable(adapters.Source):
    """A case's registry source: the `names` cannot be read (as if down); the others come from `fallback`."""

    name = "case"
    concurrent = False

    def __init__(self, names, fallback):
        self.names, self.fallback = frozenset(names), fallback

    def fetch(self, registry, query):
        if registry in self.names:
            raise adapters.RegistryUnavailable(registry, "unavailable in this case")
        return self.fallback.fetch(registry, query)


@dataclass
class Result:
    case: Case
    ok: bool
    problems: list
    ruling: dict | None = None


def is_case_file(path):
    """A YAML file in the `tests` folder of a regulation (a folder that holds rule files)."""
    path = Path(path)
    return (path.suffix in SUFFIXES and path.parent.name == "tests"
            and any(p.suffix in SUFFIXES for p in path.parent.parent.iterdir()))


def rules_directory(path):
    """The policies directory whose rule files a case file's cases are judged by."""
    return Path(path).resolve().parents[2]


def load_file(path):
    """The cases of one case file and the problems of those that cannot be read: (cases, problems)."""
    try:
        doc = load_yaml(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        return [], [Problem(str(path), mark.line + 1 if mark else 1, f"YAML: {getattr(e, 'problem', e)}")]
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        return [], [Problem(str(path), 1, "a case file needs 'defaults' and a list of 'cases'")]
    defaults = plain(doc.get("defaults") or {})
    cases, problems = [], []
    for item in doc["cases"]:
        case = _case(path, item, defaults)
        (cases if isinstance(case, Case) else problems).append(case)
    return cases, problems


def _case(path, item, defaults):
    """One case built from its entry, or the Problem that keeps it from being built."""
    line = line_of(item)
    if not isinstance(item, dict) or not item.get("name") or not isinstance(item.get("expect"), dict):
        return Problem(str(path), line, "each case needs a 'name' and an 'expect'")
    unknown = (set(item) - CASE_KEYS) | (set(item["expect"]) - EXPECT_KEYS)
    if unknown:
        return Problem(str(path), line, f"unknown keys {sorted(unknown)}")
    request = plain(item["request"]) if "request" in item else copy.deepcopy(defaults)
    try:
        for dotted, value in (item.get("set") or {}).items():
            set_path(request, dotted, plain(value))
        for dotted in item.get("remove") or []:
            remove_path(request, dotted)
    except (KeyError, IndexError, ValueError, TypeError) as e:
        return Problem(str(path), line, f"cannot apply set/remove: {e}")
    unavailable = item.get("unavailable") or []
    wrong = [n for n in unavailable if n not in adapters.REGISTRIES] if isinstance(unavailable, list) else [unavailable]
    if wrong:
        return Problem(str(path), line, f"unavailable: unknown registries {wrong}; use {', '.join(adapters.REGISTRIES)}")
    for name in unavailable:   # an unreadable registry has no facts to give inline
        (request.get("registry") or {}).pop(name, None)
    return Case(str(path), line, str(item["name"]), request, plain(item["expect"]), tuple(unavailable))


def run_case(book, case, source=None):
    """Judge one case and compare with what it expects."""
    exp = case.expect
    if case.unavailable:
        source = Unreadable(case.unavailable, source or adapters.source_from_env())
    try:
        request = schemas.load(schemas.RulingRequestSchema(), case.request)
        ruling = rulings.judge(book, request, source=source)
    except EREJEError as e:
        ok = exp.get("error") == e.code
        detail = f"{e.message} {e.fields}" if e.fields else e.message
        return Result(case, ok, [] if ok else [f"expected {exp}, got error {e.code}: {detail}"])
    problems = []
    if "error" in exp:
        problems.append(f"expected error {exp['error']}, got a ruling ({ruling['outcome']})")
    if "outcome" in exp and exp["outcome"] != ruling["outcome"]:
        problems.append(f"outcome: expected {exp['outcome']}, got {ruling['outcome']}")
    if "version" in exp and str(exp["version"]) != ruling["version"]:
        problems.append(f"version: expected {exp['version']}, got {ruling['version']}")
    statuses = {f["requirement"]: f for f in ruling["findings"]}
    for rid, want in (exp.get("findings") or {}).items():
        got = statuses.get(rid)
        if got is None:
            problems.append(f"{rid}: expected {want}, but this version has no such requirement")
        elif got["status"] != want:
            problems.append(f"{rid}: expected {want}, got {got['status']} ({got['explanation']})")
    return Result(case, not problems, problems, ruling)


def explain(result):
    """What a failed case expected and what came out: its problems, then every status side by side."""
    lines = list(result.problems)
    ruling = result.ruling
    if ruling is None:
        return lines
    exp = result.case.expect
    wanted = exp.get("findings") or {}
    rows = [("", "expected", "found"),
            ("outcome", exp.get("outcome", "-"), ruling["outcome"]),
            ("version", str(exp.get("version", "-")), ruling["version"])]
    rows += [(f["requirement"], wanted.get(f["requirement"], "-"), f["status"]) for f in ruling["findings"]]
    rows += [(rid, want, "(none)") for rid, want in wanted.items()
             if rid not in {f["requirement"] for f in ruling["findings"]}]
    width = max(len(r[0]) for r in rows)
    for name, want, got in rows:
        differs = want not in ("-", "expected") and want != got
        lines.append(f"{name:<{width}}  {want:<12} {got}{'   <- differs' if differs else ''}".rstrip())
    return lines
