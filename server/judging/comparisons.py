"""One request judged under several versions, the statuses lined up, the changes explained."""
import adapters
from server.engine import runner as engine
from server.judging import facts
from server.judging.rulings import group_by_type, judge_under, needed_registries, query_for


def compare(book, request, *, source=None, versions=None, lang="en", detail=True):
    """Judge one request under several versions (default: all) and line up the statuses."""
    reg, chosen, gathered, input_facts = _prepared(book, request, source, versions)
    rulings = {v.version: judge_under(v, request, lang=lang, gathered=gathered, detail=detail, input_facts=input_facts)
               for v in chosen}
    return _lined_up(reg, chosen, rulings)


def compare_many(book, requests, *, source=None, versions=None, lang="en"):
    """`compare(..., detail=False)` of each request, each version judging all of them in one
    engine session: a list with, in each request's place, its comparison or the exception
    `compare` would have raised for it."""
    prepared = []
    for request in requests:
        try:
            prepared.append(_prepared(book, request, source, versions))
        except Exception as e:   # one request's failure is its own
            prepared.append(e)
    ok = [p for p in prepared if not isinstance(p, Exception)]
    runs = {}   # (version, id of the facts) -> Run or exception, for the facts a version judges as built
    for v in {v.key: v for p in ok for v in p[1]}.values():
        plain = [p[3] for p in ok if any(c.key == v.key for c in p[1]) and not facts.beyond_calendar(p[3], v)]
        runs.update(((v.key, id(f)), r) for f, r in zip(plain, engine.run_many(v, plain)))
    out = []
    for request, p in zip(requests, prepared):
        out.append(p if isinstance(p, Exception) else _judged(request, p, runs, lang))
    return out


def _judged(request, prepared, runs, lang):
    reg, chosen, gathered, input_facts = prepared
    try:
        rulings = {}
        for v in chosen:
            ran = runs.get((v.key, id(input_facts)))
            # A failed run is judged again alone, raising as `compare` would.
            rulings[v.version] = judge_under(v, request, lang=lang, gathered=gathered, detail=False,
                                             input_facts=input_facts, ran=None if isinstance(ran, Exception) else ran)
        return _lined_up(reg, chosen, rulings)
    except Exception as e:
        return e


def _prepared(book, request, source, versions):
    """(regulation, versions chosen, registries gathered, input facts) of one request."""
    reg = book.regulation(request.get("regulation"))
    chosen = [book.version(reg.id, v, "versions") for v in versions] if versions else list(reg.versions)
    app = request["application"]
    own = group_by_type(facts.build(request, {}), {})
    needed = sorted({g for v in chosen for g in needed_registries(v, request, own)}, key=adapters.REGISTRIES.index)
    gathered = adapters.gather(source or adapters.source_from_env(), needed, query_for(app), inline=request.get("registry"))
    # One set of facts for every version: each version's calendar shifts are all
    # precomputed, and a version only reads the fields its rules name.
    shifts = {}
    for v in chosen:
        for fact, wanted in v.shifts.items():
            shifts.setdefault(fact, set()).update(wanted)
    return reg, chosen, gathered, facts.build(request, gathered.data, available=set(gathered.data), shifts=shifts)


def _lined_up(reg, chosen, rulings):
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
