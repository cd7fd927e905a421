"""One ruling end to end: version -> registries -> engine -> findings, outcome, texts.

`judge` takes a validated request (server.schemas output), picks the version,
reads only the registries that the applicable requirements need, runs the engine
and assembles the ruling of CONTRACT 4.1 (without id and created_at: the store
gives those).
"""
import dataclasses
import functools

import adapters

from server.engine import runner as engine
from server import errors
from server.judging import facts
from server.judging import texts
from server.rules import calendar, decided, facts as factmodel
from server.rules import interpret
from server.languages import text_in

_HIDDEN = {"t", "id", "sid"}


def judge(book, request, *, source=None, lang="en", recorded=None):
    """Judge one request; returns the ruling dict."""
    app = request["application"]
    version = book.select(request.get("regulation"), request.get("version"), request.get("as_of"), app["submitted_on"])
    return judge_under(version, request, source=source, lang=lang, recorded=recorded)


def judge_under(version, request, *, source=None, lang="en", recorded=None, gathered=None, detail=True,
                input_facts=None, ran=None):
    """Judge under one version. `detail=False` leaves out each finding's facts and
    explanation (batch comparisons need statuses only); `input_facts` may be given
    when several versions judge the same facts."""
    app = request["application"]
    own = None   # the request's own facts, built once: they choose the registries and start the input facts
    if gathered is None:
        own = facts.own(request)
        gathered = adapters.gather(source or adapters.source_from_env(),
                                   needed_registries(version, request, group_by_type(own, {})),
                                   query_for(app), inline=request.get("registry"), recorded=recorded)
    if input_facts is None:
        input_facts = facts.build(request, gathered.data, available=set(gathered.data), shifts=version.shifts,
                                  own_facts=own)
    beyond = facts.beyond_calendar(input_facts, version)
    if beyond:
        gathered = _set_aside(version, beyond, gathered)
        input_facts = facts.build(request, gathered.data, available=set(gathered.data), shifts=version.shifts,
                                  own_facts=own)
    run = ran if ran is not None and not beyond else engine.run(version, input_facts)   # ran: engine.run_many's
    types = group_by_type(input_facts, run.derived)
    findings = []
    seen = {}
    for r in version.requirements:
        status = run.findings.get(r.id)
        if status is None:
            raise errors.EngineError(f"{version.key}: requirement '{r.id}' reached no conclusion")
        findings.append({"requirement": r.id, "status": status, "effect": r.effect,
                         "title": "", "citation": "", "explanation": "",
                         "facts": finding_facts(r, types, seen) if detail else {}})
    ruling = {
        "outcome": outcome(findings),
        "regulation": version.regulation,
        "version": version.version,
        "effective": {"from": version.effective_from, "to": version.effective_to},
        "judged_on": request.get("as_of") or app["submitted_on"],
        "ruleset_digest": version.digest,
        "findings": findings,
        "missing": list(gathered.missing),
        "registry": _in_order(gathered.record()),
        "trace": run.trace,
    }
    if not detail:
        for f, r in zip(findings, version.requirements):
            f["title"], f["citation"] = text_in(r.title, lang), text_in(r.citation, lang)
        return ruling
    return texts.localize_under(ruling, version, lang, types)


def _set_aside(version, beyond, gathered):
    """`gathered` without the registries whose answer holds a date the version's calendar arithmetic
    would carry past 9999-12-31 (or before year 1): such an answer is garbage, and the findings that
    need it are `unknown` with the reason in `registry`, never a failed ruling."""
    if "application" in beyond:
        name, day = beyond["application"]
        raise errors.InvalidRequest(
            f"application.{name} {calendar.iso_date(day)} is too near the end of the calendar for {version.key}",
            {f"application.{name}": [f"Too near the end of the calendar for the date arithmetic of {version.key}."]})
    data, provenance = dict(gathered.data), dict(gathered.provenance)
    for fact, (name, day) in beyond.items():
        registry = factmodel.INPUT_FACTS[fact].registry
        data.pop(registry, None)
        provenance[registry] = {**provenance.get(registry, {}), "reason":
                                f"{fact}.{name} {calendar.iso_date(day)} is too near the end of the calendar "
                                f"for the date arithmetic of {version.key}"}
    missing = [n for n in adapters.REGISTRIES if n in provenance and n not in data]
    return dataclasses.replace(gathered, data=data, provenance=provenance, missing=missing)


def _in_order(registry):
    return {name: registry[name] for name in adapters.REGISTRIES if name in registry}


def outcome(findings):
    """CONTRACT 4.1: refuse if a refusing requirement is unmet, undetermined if unknown, else approve."""
    refusing = [f["status"] for f in findings if f["effect"] == "refuse"]
    if "unmet" in refusing:
        return "refuse"
    if "unknown" in refusing:
        return "undetermined"
    return "approve"


def query_for(app):
    return adapters.Query(
        employer_bin=app["employer"]["bin"], vacancy_code=app.get("vacancy_code") or None,
        passports=tuple(w["passport"] for w in app.get("foreign_workers") or ()),
        region=app["region"], year=int(app["submitted_on"][:4]), quota_category=factmodel.quota_category(app))


def needed_registries(version, request, by_type=None):
    """Registries read by the requirements that apply to this application.

    `by_type`: the application's own facts, if already built (they do not depend
    on the version).
    """
    if by_type is None:
        by_type = group_by_type(facts.own(request), {})
    needed = set()
    for registries, scope in _registry_scopes(version):
        if scope is None or scope({}, by_type):
            needed |= registries
    return [name for name in adapters.REGISTRIES if name in needed]


_MAX_SCOPES = 64
_scopes = {}    # id(version) -> (version, ((registries, compiled scope or None: always read), ...))


def _registry_scopes(version):
    """Each registry-reading requirement's registries, with when it reads them compiled when the request alone
    decides it (its scope reads only the application and its workers): in scope, and not decided by its
    `without_registries:` (server.rules.decided); made once per version object."""
    found = _scopes.get(id(version))
    if found is not None and found[0] is version:
        return found[1]
    plan = tuple((r.registries, interpret.compile_py(decided.reads_registries(r))
                  if r.scope_facts <= {"application", "worker"} else None)
                 for r in version.requirements if r.registries)
    if len(_scopes) >= _MAX_SCOPES:
        _scopes.clear()
    _scopes[id(version)] = (version, plan)   # the version is kept with it: its id is not reused meanwhile
    return plan


def group_by_type(input_facts, derived):
    out = {}
    for f in input_facts:
        out.setdefault(f["t"], []).append(f)
    for name, bucket in derived.items():
        out[name] = list(bucket.values())
    return out


def finding_facts(req, by_type, seen=None):
    """The facts a finding rests on: the application fields it reads and the facts it names.

    `seen` caches each fact's readable form across the findings of one ruling.
    """
    seen = {} if seen is None else seen
    out = {}
    readable = calendar.readable
    for fact, singleton, only, dates in req.shown:
        found = []
        for f in by_type.get(fact, ()):
            if only is not None:
                found.append({k: readable(f[k], k in dates) for k in only if k in f})
                continue
            row = seen.get(id(f))
            if row is None:
                row = seen[id(f)] = _readable_row(f, dates)
            found.append(row)
        out[fact] = (found[0] if found else None) if singleton else found
    return out


def _readable_row(fact, dates):
    """A whole fact as a finding shows it: no engine bookkeeping, shifts or ok_* flags; dates as ISO."""
    row = {k: fact[k] for k in _shown_keys(tuple(fact))}
    for k in dates:
        if k in row:
            row[k] = calendar.readable(row[k], True)
    return row


@functools.lru_cache(maxsize=1024)
def _shown_keys(keys):
    return tuple(k for k in keys if k not in _HIDDEN and "@" not in k and not k.startswith("ok_"))
