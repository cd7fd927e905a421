"""One ruling end to end: version -> registries -> engine -> findings, outcome, texts.

`judge` takes a validated request (server.schemas output), picks the version,
reads only the registries that the applicable requirements need, runs the engine
and assembles the ruling of CONTRACT 4.1 (without id and created_at: the store
gives those).
"""
import adapters

from . import engine, errors, facts, reading
from .model import text_in

_HIDDEN = {"t", "id", "sid"}


def judge(book, request, *, source=None, lang="en", recorded=None):
    """Judge one request; returns the ruling dict."""
    app = request["application"]
    version = book.select(request.get("regulation"), request.get("version"), request.get("as_of"), app["submitted_on"])
    return judge_under(version, request, source=source, lang=lang, recorded=recorded)


def judge_under(version, request, *, source=None, lang="en", recorded=None, gathered=None, detail=True,
                input_facts=None):
    """Judge under one version. `detail=False` leaves out each finding's facts and
    explanation (batch comparisons need statuses only); `input_facts` may be given
    when several versions judge the same facts."""
    app = request["application"]
    if gathered is None:
        gathered = adapters.gather(source or adapters.source_from_env(), needed_registries(version, request),
                                   query_for(app), inline=request.get("registry"), recorded=recorded)
    if input_facts is None:
        input_facts = facts.build(request, gathered.data, available=set(gathered.data), shifts=version.shifts)
    run = engine.run(version, input_facts)
    by_type = _by_type(input_facts, run.derived)
    findings = []
    seen = {}
    for r in version.requirements:
        status = run.findings.get(r.id)
        if status is None:
            raise errors.EngineError(f"{version.key}: requirement '{r.id}' reached no conclusion")
        findings.append({"requirement": r.id, "status": status, "effect": r.effect,
                         "title": "", "citation": r.citation, "explanation": "",
                         "facts": finding_facts(r, by_type, seen) if detail else {}})
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
            f["title"] = text_in(r.title, lang)
        return ruling
    return localize_under(ruling, version, lang, by_type)


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
        region=app["region"], year=int(app["submitted_on"][:4]), quota_category=facts.quota_category(app))


def needed_registries(version, request, by_type=None):
    """Registries read by the requirements that apply to this application.

    `by_type`: the application's own facts, if already built (they do not depend
    on the version).
    """
    if by_type is None:
        by_type = _by_type(facts.build(request, {}), {})
    needed = set()
    for r in version.requirements:
        if not r.registries:
            continue
        if r.scope_facts <= {"application", "worker"} and not reading.evaluate(r.scope, {}, by_type):
            continue
        needed |= r.registries
    return [name for name in adapters.REGISTRIES if name in needed]


def _by_type(input_facts, derived):
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
    for fact, singleton, only, dates in req.shown:
        found = []
        for f in by_type.get(fact, ()):
            if only is not None:
                found.append({k: facts.readable(f[k], k in dates) for k in only if k in f})
                continue
            row = seen.get(id(f))
            if row is None:
                row = seen[id(f)] = {k: facts.readable(v, k in dates) for k, v in f.items()
                                     if k not in _HIDDEN and "@" not in k and not k.startswith("ok_")}
            found.append(row)
        out[fact] = (found[0] if found else None) if singleton else found
    return out


# --- texts ------------------------------------------------------------------------

def localize(ruling, book, lang):
    """Re-render a ruling's titles and explanations in another language."""
    try:
        version = book.version(ruling["regulation"], ruling["version"])
    except errors.EREJEError:
        return ruling
    return localize_under(ruling, version, lang)


def localize_under(ruling, version, lang, by_type=None):
    """Titles and explanations in `lang`; `by_type` is the engine's view when judging now."""
    for f in ruling["findings"]:
        r = version.requirement(f["requirement"])
        if r is None:
            continue
        f["title"] = text_in(r.title, lang)
        templates = r.explain.get(f["status"]) or {}
        tpl = templates.get(lang) or templates.get("en")
        if tpl is None:
            f["explanation"] = ""
        else:
            f["explanation"] = render(tpl, by_type if by_type is not None else _engine_view(version, f["facts"]))
    ruling["language"] = lang if lang in ("en", "ru", "kk") else "en"
    return ruling


def _engine_view(version, finding_facts_):
    """Finding facts back in engine form (day numbers, calendar shifts) for templates."""
    by_type = {}
    for name, val in finding_facts_.items():
        ft = version.fact_types.get(name)
        if ft is None or val is None:
            continue
        rows = val if isinstance(val, list) else [val]
        conv = []
        for row in rows:
            row = {k: facts.day_number(v) if ft.fields.get(k) == "date" and isinstance(v, str) else v for k, v in row.items()}
            facts.add_shifts(row, version.shifts.get(name, ()))
            conv.append(row)
        by_type[name] = conv
    return by_type


def render(template, by_type):
    """Fill a text's {expressions} from facts in engine form."""
    out = []
    for part in template.parts:
        if part.__class__ is str:
            out.append(part)
            continue
        _, _, fn, kind = part
        try:
            value = fn({}, by_type)
        except (reading.Missing, KeyError, ZeroDivisionError, TypeError):
            out.append("?")
            continue
        out.append(reading.format_value(value, kind) if value != "" else "—")
    return "".join(out)


def compare(book, request, *, source=None, versions=None, lang="en", detail=True):
    """Judge one request under several versions (default: all) and line up the statuses."""
    reg = book.regulation(request.get("regulation"))
    chosen = [book.version(reg.id, v, "versions") for v in versions] if versions else list(reg.versions)
    app = request["application"]
    own = _by_type(facts.build(request, {}), {})
    needed = sorted({g for v in chosen for g in needed_registries(v, request, own)}, key=adapters.REGISTRIES.index)
    gathered = adapters.gather(source or adapters.source_from_env(), needed, query_for(app), inline=request.get("registry"))
    # One set of facts for every version: each version's calendar shifts are all
    # precomputed, and a version only reads the fields its rules name.
    shifts = {}
    for v in chosen:
        for fact, wanted in v.shifts.items():
            shifts.setdefault(fact, set()).update(wanted)
    input_facts = facts.build(request, gathered.data, available=set(gathered.data), shifts=shifts)
    rulings = {v.version: judge_under(v, request, lang=lang, gathered=gathered, detail=detail, input_facts=input_facts)
               for v in chosen}
    requirements = {}
    for v in chosen:
        for f in rulings[v.version]["findings"]:
            requirements.setdefault(f["requirement"], {"title": f["title"], "statuses": {}})
    for rid, row in requirements.items():
        for v in chosen:
            f = next((f for f in rulings[v.version]["findings"] if f["requirement"] == rid), None)
            row["statuses"][v.version] = f["status"] if f else "absent"
    outcomes = {v: r["outcome"] for v, r in rulings.items()}
    changes = []
    for a, b in zip(chosen, chosen[1:]):
        ra, rb = rulings[a.version], rulings[b.version]
        if ra["outcome"] != rb["outcome"]:
            changes.append({"from": a.version, "to": b.version, "outcome": {"from": ra["outcome"], "to": rb["outcome"]},
                            "because": _causes(ra, rb)})
    return {"regulation": reg.id, "versions": [v.version for v in chosen], "outcomes": outcomes,
            "outcome_changed": len(set(outcomes.values())) > 1, "changes": changes,
            "requirements": requirements, "rulings": rulings}


def _causes(ra, rb):
    """Requirements whose status moves the outcome between two rulings."""
    sa = {f["requirement"]: f for f in ra["findings"]}
    out = []
    for f in rb["findings"]:
        before = sa.get(f["requirement"], {}).get("status", "absent")
        if f["effect"] == "refuse" and before != f["status"] and {"unmet", "unknown"} & {before, f["status"]}:
            out.append({"requirement": f["requirement"], "title": f["title"], "from": before, "to": f["status"]})
    for rid, f in sa.items():
        if rid not in {x["requirement"] for x in rb["findings"]} and f["status"] in ("unmet", "unknown"):
            out.append({"requirement": rid, "title": f["title"], "from": f["status"], "to": "absent"})
    return out
