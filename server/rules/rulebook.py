"""Load rule files, check them, consolidate amendments, and choose a version by date.

A rule file is one version of one regulation (policies/<regulation>/<version>.yaml).
A version may be written whole, or as an amendment of an earlier one (`amends:`)
that adds, changes and removes requirements, derived facts, readings and parameters
and takes effect after it. Loading is a line of passes, each returning a new value:
`source.load` (YAML with lines) -> `consolidate` (one version's raw content,
amendments applied) -> `elaborate` (typed expressions and texts) -> `usage` (nothing
defined and unused) -> `model.Version`, made once its period is known. Every
problem found is reported as (file, line, message); nothing in a rule file is ever executed.
"""
import datetime as dt
from pathlib import Path

import yaml

from server import errors
from server.rules import consolidate, elaborate, source, usage
from server.rules.model import Regulation, Version
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
    """Load every rule file; return (rulebook, problems) without raising.

    The same files (by path and content) give the same answer from a small cache:
    what comes out is frozen, and a process that builds several apps, or re-checks
    on a reload signal with nothing changed, need not parse and type it all again.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return Rulebook({}, directory), [Problem(str(directory), 0, "no such directory")]
    key = (str(directory.resolve()), tuple((str(p), p.read_bytes()) for p in _rule_files(directory)))
    found = _checked.get(key)
    if found is None:
        found = _checked[key] = _check(directory)
        while len(_checked) > 8:
            _checked.pop(next(iter(_checked)))
    return found[0], list(found[1])   # a list of its own: a caller may add to it


_checked = {}   # (directory, ((path, bytes), ...)) -> (Rulebook, problems)


def _rule_files(directory):
    return sorted(directory.glob("*/*.yaml")) + sorted(directory.glob("*/*.yml"))


def _check(directory):
    problems = []
    files_by_reg = _read(directory, problems)
    book, built = build(files_by_reg, directory)
    return book, _dedupe(problems + built)


def read(directory):
    """({regulation: {version name: (path, loaded document, bytes)}}, problems) of the rule files under `directory`."""
    problems = []
    return _read(Path(directory), problems), problems


def build(files_by_reg, directory):
    """(Rulebook, problems) of rule files already read (`read`): mutation testing builds variants of them."""
    problems = []
    regulations = {reg_id: Regulation(reg_id, _versions(reg_id, files, problems))
                   for reg_id, files in sorted(files_by_reg.items())}
    return Rulebook(regulations, directory), _dedupe(problems)


def _read(directory, problems):
    """{regulation: {version name: (path, loaded document, bytes)}} of the files that parse."""
    files_by_reg = {}
    for path in _rule_files(directory):
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
        files_by_reg.setdefault(reg_id, {})[path.stem] = (rel, doc, text)
    return files_by_reg


def _versions(reg_id, files, problems):
    """The checked versions of one regulation, by date: consolidated, elaborated, then made once."""
    built = {}
    for name in sorted(files):
        _build(reg_id, files, name, (), built, problems)
    done = sorted((built[name] for name in sorted(files) if name in built),
                  key=lambda b: b[0].head.effective_from)
    ends = _periods([raw for raw, _ in done], files, problems)
    return [_version(raw, elaborated, end) for (raw, elaborated), end in zip(done, ends)]


def _build(reg_id, files, name, chain, built, problems):
    """(Consolidated, Elaborated) of version `name`, or None if it or a version it amends has problems.

    Versions that pass are kept in `built`; one that fails is tried again wherever it
    is named, and its problems (reported again) are deduplicated at the end.
    """
    if name in built:
        return built[name]
    rel, doc, _ = files[name]
    if name in chain:
        problems.append(Problem(rel, source.line_of(doc, "amends"), f"amendments form a cycle: {' -> '.join(chain + (name,))}"))
        return None
    before = len(problems)
    head = consolidate.head(rel, doc, problems)
    base = None
    if "amends" in doc:
        target = str(doc["amends"])
        if target not in files:
            problems.append(Problem(rel, source.line_of(doc, "amends"),
                                    f"amends version '{target}', which does not exist in {reg_id}/"))
            return None
        base = _build(reg_id, files, target, chain + (name,), built, problems)
        if base is None:
            return None
        _after(rel, doc, head, base[0], problems)
    raw = consolidate.consolidate(reg_id, name, files[name], head, base=base[0] if base else None, problems=problems)
    if len(problems) > before or head.effective_from is None:
        return None
    elaborated = elaborate.elaborate(raw, problems)
    if len(problems) == before:
        usage.unused(raw, elaborated, problems)
    if len(problems) > before:
        return None
    built[name] = (raw, elaborated)
    return built[name]


def _after(rel, doc, head, base, problems):
    """An amendment must take effect after the version it amends, or it would govern that version's days."""
    if head.effective_from and base.head.effective_from and head.effective_from <= base.head.effective_from:
        problems.append(Problem(rel, source.line_of(doc, "effective_from"),
                                f"effective_from {head.effective_from} must be after {base.head.effective_from}, "
                                f"when version {base.version}, which this one amends, takes effect"))


def _version(raw, elaborated, effective_to):
    return Version(
        regulation=raw.regulation, version=raw.version, effective_from=raw.head.effective_from,
        effective_to=effective_to, title=raw.head.title, acts=raw.acts, readings=[r.data for r in raw.readings],
        parameters=raw.parameters.values, derivations=elaborated.derivations, requirements=elaborated.requirements,
        fact_types=elaborated.fact_types, shifts=elaborated.shifts, digest=raw.digest,
        files=[f for f, _ in raw.files], amends=raw.amends, stages=elaborated.stages,
        reading_texts=elaborated.reading_texts, reading_citations=elaborated.reading_citations)


def _dedupe(problems):
    seen, out = set(), []
    for p in problems:
        key = (p.file, p.line, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _periods(raws, files, problems):
    """Each version's last day: as written, else the day before the next one starts.

    Written periods must meet without overlap or gap.
    """
    ends = [raw.head.effective_to for raw in raws]
    for i, (prev, nxt) in enumerate(zip(raws, raws[1:])):
        rel, doc, _ = files[prev.version]
        start = dt.date.fromisoformat(nxt.head.effective_from)
        if ends[i] is None:
            ends[i] = (start - dt.timedelta(days=1)).isoformat()
            continue
        end = dt.date.fromisoformat(ends[i])
        if end >= start:
            problems.append(Problem(rel, source.line_of(doc, "effective_to"),
                                    f"version {prev.version} (to {ends[i]}) overlaps version {nxt.version} (from {nxt.head.effective_from})"))
        elif end + dt.timedelta(days=1) != start:
            problems.append(Problem(rel, source.line_of(doc, "effective_to"),
                                    f"gap between version {prev.version} (to {ends[i]}) and {nxt.version} (from {nxt.head.effective_from})"))
    return ends
