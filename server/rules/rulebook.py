"""Load rule files, check them, consolidate amendments, and choose a version by date.

A rule file is one version of one regulation (policies/<regulation>/<version>.yaml).
A version may be written whole, or as an amendment of an earlier one (`amends:`)
that adds, replaces and removes requirements, derived facts and parameters; the
loader consolidates it into a whole version. Every problem found is reported as
(file, line, message); nothing in a rule file is ever executed.
"""
import datetime as dt
from pathlib import Path

import yaml

from server import errors
from server.rules import source
from server.rules.consolidate import Consolidator
from server.rules.model import Regulation
from server.rules.source import Problem

DEFAULT_REGULATION = "kz-foreign-labour"
# The repo's own rule files: the default of `ereje serve`, the CLI and create_app.
POLICIES = Path(__file__).resolve().parents[2] / "policies"


class Rulebook:
    """Every regulation's versions, loaded from one policies directory."""

    def __init__(self, regulations, directory):
        self.regulations = regulations
        self.directory = directory
        self.default_regulation = DEFAULT_REGULATION if DEFAULT_REGULATION in regulations else next(iter(regulations), None)

    def regulation(self, rid=None):
        rid = rid or self.default_regulation
        reg = self.regulations.get(rid)
        if reg is None:
            raise errors.UnknownRegulation(
                f"unknown regulation '{rid}'; known: {', '.join(sorted(self.regulations))}",
                {"regulation": [f"must be one of: {', '.join(sorted(self.regulations))}"]})
        return reg

    def version(self, regulation, version, field_name="version"):
        reg = self.regulation(regulation)
        for v in reg.versions:
            if v.version == version:
                return v
        known = ", ".join(v.version for v in reg.versions)
        raise errors.UnknownVersion(f"regulation '{reg.id}' has no version '{version}'; versions: {known}",
                                    {field_name: [f"must be one of: {known}"]})

    def select(self, regulation=None, version=None, as_of=None, submitted_on=None):
        """The version to judge under: `version`, else in force on `as_of`, else on `submitted_on`."""
        if version:
            return self.version(regulation, version)
        reg = self.regulation(regulation)
        day, name = (as_of, "as_of") if as_of else (submitted_on, "application.submitted_on")
        for v in reg.versions:
            if v.in_force_on(day):
                return v
        periods = "; ".join(f"{v.version}: {v.effective_from} to {v.effective_to or 'open'}" for v in reg.versions)
        raise errors.NoVersionInForce(
            f"no version of '{reg.id}' was in force on {day} ({periods})",
            {name: [f"no version in force on {day}"]})



# --- loading ----------------------------------------------------------------------

def load(directory):
    """Load and check every rule file under `directory`; raise RuleFileError on any problem."""
    book, problems = check(directory)
    if problems:
        raise errors.RuleFileError(problems)
    return book


def check(directory):
    """Load every rule file; return (rulebook, problems) without raising."""
    directory = Path(directory)
    problems = []
    if not directory.is_dir():
        return Rulebook({}, directory), [Problem(str(directory), 0, "no such directory")]
    raw_by_reg = {}
    for path in sorted(directory.glob("*/*.yaml")) + sorted(directory.glob("*/*.yml")):
        rel = str(path)
        try:
            text = path.read_bytes()
            doc = source.load(text.decode("utf-8"))
        except UnicodeDecodeError:
            problems.append(Problem(rel, 1, "the file is not UTF-8 text"))
            continue
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
            msg = getattr(e, "problem", None) or str(e)
            problems.append(Problem(rel, (mark.line + 1) if mark else 1, f"YAML: {msg}"))
            continue
        if not isinstance(doc, dict):
            problems.append(Problem(rel, 1, "a rule file must be a mapping with regulation, version, ..."))
            continue
        reg_id = doc.get("regulation")
        if reg_id != path.parent.name:
            problems.append(Problem(rel, source.line_of(doc, "regulation"),
                                    f"regulation must be '{path.parent.name}' (the folder's name), got {reg_id!r}"))
            continue
        if str(doc.get("version")) != path.stem:
            problems.append(Problem(rel, source.line_of(doc, "version"),
                                    f"version must be '{path.stem}' (the file's name), got {doc.get('version')!r}"))
            continue
        raw_by_reg.setdefault(reg_id, {})[path.stem] = (rel, doc, text)
    regulations = {}
    for reg_id, raws in sorted(raw_by_reg.items()):
        versions = []
        for name in sorted(raws):
            v = Consolidator(reg_id, raws, problems).version(name)
            if v is not None:
                versions.append(v)
        versions.sort(key=lambda v: v.effective_from)
        _check_periods(versions, raws, problems)
        regulations[reg_id] = Regulation(reg_id, versions)
    return Rulebook(regulations, directory), _dedupe(problems)


def _dedupe(problems):
    seen, out = set(), []
    for p in problems:
        key = (p.file, p.line, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _check_periods(versions, raws, problems):
    for prev, nxt in zip(versions, versions[1:]):
        rel, doc, _ = raws[prev.version]
        if prev.effective_to is None:
            day = dt.date.fromisoformat(nxt.effective_from) - dt.timedelta(days=1)
            prev.effective_to = day.isoformat()
            continue
        end = dt.date.fromisoformat(prev.effective_to)
        start = dt.date.fromisoformat(nxt.effective_from)
        if end >= start:
            problems.append(Problem(rel, source.line_of(doc, "effective_to"),
                                    f"version {prev.version} (to {prev.effective_to}) overlaps version {nxt.version} (from {nxt.effective_from})"))
        elif end + dt.timedelta(days=1) != start:
            problems.append(Problem(rel, source.line_of(doc, "effective_to"),
                                    f"gap between version {prev.version} (to {prev.effective_to}) and {nxt.version} (from {nxt.effective_from})"))
