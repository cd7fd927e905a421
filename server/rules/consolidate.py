"""Consolidate one rule file, on top of the version it amends, into one version's raw content.

A version may be written whole, or as an amendment of an earlier one (`amends:`)
that adds, changes, replaces and removes requirements, derived facts, readings
(`entries`) and parameters (`parameters`). Here each is checked for its keys, ids,
values and texts; `elaborate` then types its expressions.
"""
import hashlib
from dataclasses import dataclass, field

from server.documents import plain
from server.languages import LANGUAGES
from server.rules import checks, entries, parameters
from server.rules.source import Location, Problem, line_of

TOP_KEYS = {"regulation", "version", "effective_from", "effective_to", "title", "act", "amends", "languages",
            "readings", "parameters", "derive", "requirements", "sources", "open_questions", "notes"}
REQ_KEYS = {"id", "title", "citation", "scope", "condition", "without_registries", "effect", "explain", "readings", "note",
            "after"}
DERIVE_KEYS = {"id", "fact", "collection", "for_each", "when", "value", "set", "readings", "note", "after"}
ACT_KEYS = {"title", "number", "date", "registration", "url", "in_force", "note", "readings"}
READING_KEYS = {"id", "text", "citation", "source", "strength"}
STRENGTHS = ("H", "M", "L", "READING")   # shared/DOMAIN.md: how well the sources support a reading


@dataclass(frozen=True)
class Head:
    """What a rule file says of itself: its period, title and legal act."""

    effective_from: str | None
    effective_to: str | None
    title: dict
    act: dict | None
    languages: tuple = LANGUAGES   # the languages every text this file writes must have


@dataclass(frozen=True)
class Consolidated:
    """A version's content with its amendments applied: checked keys, ids and texts; expressions still text."""

    regulation: str
    version: str
    head: Head
    acts: list
    readings: list           # [entries.Written]
    parameters: object       # parameters.Parameters: values, where each was set and added
    derive: list             # [entries.Written]
    requirements: list       # [entries.Written]
    files: list              # [(path, bytes)]: the amended versions' files, then this one
    amends: str | None = None
    amends_at: Location | None = None
    languages: dict = field(default_factory=dict)   # file -> the languages its texts must have

    def languages_of(self, file):
        """The languages the texts written in `file` must have."""
        return self.languages.get(file, LANGUAGES)

    @property
    def file(self):
        """The file this version is written in (the one a lawyer edits)."""
        return self.files[-1][0]

    @property
    def digest(self):
        digest = hashlib.sha256()
        for _, text in self.files:
            digest.update(hashlib.sha256(text).digest())
        return "sha256:" + digest.hexdigest()


def head(rel, doc, problems):
    """Check a file's own keys, dates, title and act."""
    for key in doc:
        if key not in TOP_KEYS:
            problems.append(Problem(rel, line_of(doc, key), f"unknown key '{key}'; allowed: {', '.join(sorted(TOP_KEYS))}"))
    eff_from = checks.date(problems, rel, doc, "effective_from", required=True)
    eff_to = checks.date(problems, rel, doc, "effective_to")
    langs = checks.languages(problems, rel, doc)
    title = checks.texts(problems, doc.get("title"), _at(rel, doc, "title"), "title", required=True, langs=langs)
    return Head(eff_from, eff_to, title, _act(rel, doc, langs, problems), langs)


def consolidate(reg_id, name, file, head, base, problems):
    """Version `name` from `file` (path, loaded document, bytes) and its checked `head`, on top of
    `base` (the Consolidated version it amends, or None)."""
    rel, doc, text = file
    amended = f"version {base.version}" if base else None
    readings = _readings(rel, doc, base.readings if base else None, amended, head.languages, problems)
    reading_ids = {r.id for r in readings}
    _act_readings(rel, doc, head.act, reading_ids, problems)
    params = parameters.read(rel, doc, base.parameters if base else None, amended, reading_ids, problems,
                             langs=head.languages)
    return Consolidated(
        regulation=reg_id, version=name, head=head,
        acts=(base.acts if base else []) + ([head.act] if head.act else []),
        readings=readings, parameters=params,
        derive=entries.section(rel, doc, "derive", DERIVE_KEYS, base.derive if base else None, amended, problems),
        requirements=entries.section(rel, doc, "requirements", REQ_KEYS,
                                     base.requirements if base else None, amended, problems),
        files=(base.files if base else []) + [(rel, text)],
        amends=base.version if base else None,
        amends_at=Location(rel, line_of(doc, "amends")) if base else None,
        languages={**(base.languages if base else {}), rel: head.languages})


def _at(rel, obj, key):
    return Location(rel, line_of(obj, key))


def _act(rel, doc, langs, problems):
    act = doc.get("act")
    if act is None:
        problems.append(Problem(rel, doc.line, "missing 'act': the legal act this version encodes (title, number, date, url)"))
        return None
    if not isinstance(act, dict):
        problems.append(Problem(rel, line_of(doc, "act"), "'act' must be a mapping"))
        return None
    checks.keys(problems, rel, act, ACT_KEYS, "act")
    checks.texts(problems, act.get("title"), _at(rel, act, "title"), "title", where="act: ", required=True, langs=langs)
    for k in ("number", "date", "url"):
        if not act.get(k):
            problems.append(Problem(rel, act.line, f"act: missing '{k}'"))
    return plain(act)


def _readings(rel, doc, base, amended, langs, problems):
    """The readings: `base`'s with this file's added, changed or removed; each text this file writes checked."""
    out = entries.section(rel, doc, "readings", READING_KEYS, base, amended, problems)
    for r in out:
        if r.where("text").file == rel or r.at.file == rel and "text" not in r.data:
            checks.texts(problems, r.written.get("text"), r.where("text"), "text",
                         where=f"reading {r.id}: ", required=True, quotes=True, langs=langs)
        if r.where("strength").file == rel and "strength" in r.data and r.data["strength"] not in STRENGTHS:
            problems.append(Problem.at(r.where("strength"), f"reading {r.id}: strength must be one of "
                                                            f"{', '.join(STRENGTHS)}, got {r.data['strength']!r}"))
        if r.where("citation").file == rel and "citation" in r.data:   # optional: what the reading reads
            checks.texts(problems, r.written.get("citation"), r.where("citation"), "citation",
                         where=f"reading {r.id}: ", quotes=True, langs=langs)
    return out


def _act_readings(rel, doc, act, reading_ids, problems):
    readings = act.get("readings") or [] if act else []
    for rid in readings if isinstance(readings, list) else [readings]:
        if rid not in reading_ids:
            problems.append(Problem(rel, line_of(doc["act"], "readings"), f"act: unknown reading '{rid}'"
                                                                         f"{checks.did_you_mean(rid, reading_ids)}"))
