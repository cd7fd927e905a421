"""What the legal team's cases reach (`ereje test --coverage`): for each requirement of
each version, the statuses the cases find, and the parameters and readings no case exercises.

A status can occur: met and unmet always; unknown when the requirement needs a
registry (which may be unavailable); not_applicable when it has a scope. A parameter
is exercised when some case reaches met or unmet on a requirement whose scope or
condition reads it, directly or through derived facts (server.diff.reads, the same
dependency the diff's "affected through" follows). A reading is exercised when a
requirement, derived fact or parameter citing it is; a reading the act cites (how
the version is chosen) when any case is judged under the version.
"""
from dataclasses import dataclass

from server.diff import reads
from server.rules.nodes import TRUE

STATUSES = ("met", "unmet", "unknown", "not_applicable")
_WIDTH = {s: max(len(s), len("missing")) for s in STATUSES}   # table columns
DECIDED = ("met", "unmet")


@dataclass(frozen=True)
class Row:
    """One requirement: how many cases found each status, and which statuses can occur."""

    requirement: object      # model.Requirement
    found: dict              # status -> number of cases
    possible: tuple

    @property
    def missing(self):
        return tuple(s for s in self.possible if not self.found.get(s))


@dataclass(frozen=True)
class VersionCoverage:
    version: object          # model.Version
    cases: int               # cases judged under this version
    rows: tuple
    parameters: tuple        # names no case exercises, in the file's order
    readings: tuple          # ids no case exercises, in the file's order

    @property
    def missing(self):
        return [(row.requirement, status) for row in self.rows for status in row.missing]


def possible(r):
    """The statuses requirement `r` can reach."""
    can = {"met", "unmet"}
    if r.registries:
        can.add("unknown")
    if r.scope != TRUE:
        can.add("not_applicable")
    return tuple(s for s in STATUSES if s in can)


def coverage(book, rulings):
    """[VersionCoverage] of every version in `book` (regulations by id), from the cases' `rulings`."""
    found = {}
    for ruling in rulings:
        found.setdefault((ruling["regulation"], ruling["version"]), []).append(ruling)
    return [of_version(v, found.get((v.regulation, v.version), []))
            for _, regulation in sorted(book.regulations.items()) for v in regulation.versions]


def of_version(version, rulings):
    """What `rulings` (all judged under `version`) reach of it."""
    counts = {r.id: {} for r in version.requirements}
    for ruling in rulings:
        for f in ruling["findings"]:
            if f["requirement"] in counts:
                counts[f["requirement"]][f["status"]] = counts[f["requirement"]].get(f["status"], 0) + 1
    rows = tuple(Row(r, counts[r.id], possible(r)) for r in version.requirements)
    params, cited = _exercised(version, [row.requirement for row in rows
                                         if any(row.found.get(s) for s in DECIDED)])
    if rulings:
        cited |= {rid for act in version.acts if act for rid in _ids(act.get("readings"))}
    return VersionCoverage(version, len(rulings), rows,
                           tuple(p for p in version.parameters if p not in params),
                           tuple(r["id"] for r in version.readings if r["id"] not in cited))


def _exercised(version, decided):
    """(parameters, reading ids) that the requirements in `decided` exercise."""
    derivations = {d.id: d for d in version.derivations}
    params, cited = set(), set()
    for r in decided:
        read_params, parts = reads(version, r)
        params |= read_params
        cited |= set(_ids(r.readings))
        cited |= {rid for i, _ in parts for rid in _ids(derivations[i].raw.get("readings"))}
    cited |= {rid for p in params for rid in _ids(version.parameters[p].get("readings"))}
    return params, cited


def _ids(names):
    return names if isinstance(names, list) else [names] if names else []


def render(report):
    """The text `ereje test --coverage` prints for [VersionCoverage]: one table per version,
    then one `file:line: ...` per status no case reaches, then the count."""
    lines = []
    for vc in report:
        lines += _table(vc)
    missing = [(vc.version, r, status) for vc in report for r, status in vc.missing]
    lines += [f"{r.at.file}:{r.at.line}: {r.id} ({v.regulation} {v.version}): no case reaches {status}"
              for v, r, status in missing]
    lines.append(f"coverage: {len(missing)} reachable status(es) no case reaches" if missing
                 else "coverage: every reachable status is reached")
    return lines


def _table(vc):
    v = vc.version
    width = max([len("requirement")] + [len(row.requirement.id) for row in vc.rows])
    lines = [f"coverage of {v.regulation} {v.version}: {vc.cases} case(s)",
             "  " + "  ".join(["requirement".ljust(width), *(s.rjust(_WIDTH[s]) for s in STATUSES)])]
    for row in vc.rows:
        cells = [_cell(row, s).rjust(_WIDTH[s]) for s in STATUSES]
        lines.append("  " + "  ".join([row.requirement.id.ljust(width), *cells]))
    lines.append("  parameters no case exercises: " + (", ".join(vc.parameters) or "none"))
    lines.append("  readings no case exercises: " + (", ".join(vc.readings) or "none"))
    return lines


def _cell(row, status):
    """The number of cases that found `status`; `missing` when it can occur and none does, `-` when it cannot."""
    n = row.found.get(status, 0)
    if n:
        return str(n)
    return "missing" if status in row.possible else "-"
