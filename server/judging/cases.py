"""The legal team's own cases: policies/<regulation>/tests/*.yaml, facts in, findings out.

A case file has `defaults` (a whole ruling request, registry facts inline) and
`cases`, each with a `name` written as a sentence, `set` (dotted paths changed
from the defaults, e.g. "application.submitted_on": 2025-09-16) and `expect`
(outcome, version, and the status of any requirement).
"""
import copy
from dataclasses import dataclass
from pathlib import Path

import yaml
from server.judging import rulings
from server.contract import request as schemas
from server.rules.source import line_of, load as load_yaml
from server.errors import EREJEError

CASE_KEYS = {"name", "set", "remove", "request", "expect"}
EXPECT_KEYS = {"outcome", "version", "findings", "error"}


@dataclass
class Case:
    file: str
    line: int
    name: str
    request: dict
    expect: dict


@dataclass
class Result:
    case: Case
    ok: bool
    problems: list
    ruling: dict | None = None


def _set(doc, path, value):
    keys = path.split(".")
    for k in keys[:-1]:
        if isinstance(doc, list):
            doc = doc[int(k)]
        else:
            doc = doc.setdefault(k, {})
    if isinstance(doc, list):
        i = int(keys[-1])
        if i == len(doc):
            doc.append(value)   # "workers.1" on a one-worker list adds a second worker
        else:
            doc[i] = value
    else:
        doc[keys[-1]] = value


def _remove(doc, path):
    keys = path.split(".")
    for k in keys[:-1]:
        doc = doc[int(k)] if isinstance(doc, list) else doc[k]
    if isinstance(doc, list):
        del doc[int(keys[-1])]
    else:
        doc.pop(keys[-1], None)


def _plain(obj):
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def collect(directory):
    """Every case under directory/*/tests/*.yaml (or directory/tests/*.yaml)."""
    directory = Path(directory)
    files = sorted(directory.glob("*/tests/*.yaml")) + sorted(directory.glob("tests/*.yaml"))
    cases, problems = [], []
    for path in files:
        try:
            doc = load_yaml(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            problems.append(f"{path}:{mark.line + 1 if mark else 1}: YAML: {getattr(e, 'problem', e)}")
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
            problems.append(f"{path}:1: a case file needs 'defaults' and a list of 'cases'")
            continue
        defaults = _plain(doc.get("defaults") or {})
        for item in doc["cases"]:
            line = line_of(item)
            if not isinstance(item, dict) or not item.get("name") or not isinstance(item.get("expect"), dict):
                problems.append(f"{path}:{line}: each case needs a 'name' and an 'expect'")
                continue
            unknown = set(item) - CASE_KEYS
            unknown_expect = set(item["expect"]) - EXPECT_KEYS
            if unknown or unknown_expect:
                problems.append(f"{path}:{line}: unknown keys {sorted(unknown | unknown_expect)}")
                continue
            request = _plain(item["request"]) if "request" in item else copy.deepcopy(defaults)
            try:
                for dotted, value in (item.get("set") or {}).items():
                    _set(request, dotted, _plain(value))
                for dotted in item.get("remove") or []:
                    _remove(request, dotted)
            except (KeyError, IndexError, ValueError, TypeError) as e:
                problems.append(f"{path}:{line}: cannot apply set/remove: {e}")
                continue
            cases.append(Case(str(path), line, str(item["name"]), request, _plain(item["expect"])))
    return cases, problems


def run_case(book, case, source=None):
    """Judge one case and compare with what it expects."""
    exp = case.expect
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
