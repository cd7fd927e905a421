"""A draft rule file tried in a throwaway copy of the policies directory.

The draft is written into a temporary copy only (never into policies/, never into
the rule set the API serves); the copy is checked as `ereje check` checks it,
and, if it has no problems, its rule book gives the diff and the cases re-run.
"""
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from server import errors
from server.diff import between
from server.engine import compile as compiler
from server.engine import runner as engine
from server.judging import cases as case_files
from server.rules import rulebook

PLACEHOLDER = "draft"   # the file name of a draft whose version cannot be read


@dataclass
class Tried:
    """What a draft gave: its lines, problems by line, and (when it loads) the rest."""
    lines: list
    problems: list                              # [(line, message)] in the draft itself
    elsewhere: list = field(default_factory=list)   # [(file, line, message)] in other files
    version: object = None                      # the draft's model.Version, when it loads
    base: str | None = None
    diff: dict | None = None
    cases: list = field(default_factory=list)   # [cases.Result]
    case_problems: list = field(default_factory=list)


def version_name(text):
    """The draft's `version:` (its file name in the copy), or the placeholder."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return PLACEHOLDER
    found = doc.get("version") if isinstance(doc, dict) else None
    name = str(found) if found is not None else ""
    # A file name, not a path: anything else leaves the checker to say what is wrong.
    return name if name and "/" not in name and "\\" not in name and not name.startswith(".") else PLACEHOLDER


def attempt(policies, regulation, text, source, lang):
    """Try `text` as a rule file of `regulation` beside the rule files of `policies`."""
    with tempfile.TemporaryDirectory(prefix="ereje-draft-") as tmp:
        copy = Path(tmp) / "policies"
        shutil.copytree(policies, copy)
        folder = copy / regulation
        folder.mkdir(exist_ok=True)
        name = version_name(text)
        path = folder / f"{name}.yaml"
        (folder / f"{name}.yml").unlink(missing_ok=True)   # the draft replaces a version of that name
        path.write_text(text, encoding="utf-8")
        book, problems = rulebook.check(copy)
        if not problems:
            problems = compiler.problems(book)
        tried = Tried(lines=text.splitlines(), problems=[], elsewhere=[])
        for p in problems:
            if Path(p.file) == path:
                tried.problems.append((p.line, p.message))
            else:
                tried.elsewhere.append((_relative(p.file, copy), p.line, p.message))
        if problems:
            return tried
        return _loaded(tried, book, regulation, name, folder, source, lang)


def _relative(file, copy):
    try:
        return str(Path(file).relative_to(copy))
    except ValueError:
        return str(file)


def _loaded(tried, book, regulation, name, folder, source, lang):
    """The draft's version, its diff against its base, and the regulation's cases re-run."""
    try:
        version = book.version(regulation, name)
    except errors.EREJEError as e:
        tried.problems.append((1, e.message))
        return tried
    engine.register_all(book)   # per digest: the shipped versions are already there
    tried.version = version
    tried.base = version.amends or _latest_other(book, regulation, name)
    if tried.base:
        tried.diff = between(book, regulation, tried.base, name, lang)
    for case_file in sorted(folder.glob("tests/*.y*ml")):
        found, problems = case_files.load_file(case_file)
        tried.case_problems += [(case_file.name, p.line, p.message) for p in problems]
        tried.cases += [case_files.run_case(book, case, source) for case in found]
    return tried


def _latest_other(book, regulation, name):
    others = [v.version for v in book.regulation(regulation).versions if v.version != name]
    return others[-1] if others else None
