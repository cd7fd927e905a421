"""The filing planner: the earliest date within a horizon on which a request, as it stands, is approved.

The request's `submitted_on` is the planned filing date. Registry facts are gathered
once for every version in force within the horizon; each candidate date
(`plandays.candidates`) is judged by the engine under the version in force on it,
earliest first, until one is approved. The quota is the year's: for dates in a later
year that year's quota is fetched, once, from the source (a quota given inline answers
the planned date's year only; if the source cannot answer, the quota findings of those
dates are `unknown`, which the reason says). Nothing is stored.
"""
import dataclasses

import adapters
from server.judging import facts, plandays, planwords, rulings
from server.languages import LANGUAGES
from server.rules.calendar import LAST_DAY, day_number, iso_date

_NOT_MET = ("unmet", "unknown")


def plan(book, request, *, horizon_days=365, source=None, lang="en"):
    """The plan of CONTRACT s.4 `POST /v1/plans` for a validated plan request."""
    app = request["application"]
    reg = book.regulation(request.get("regulation"))
    book.select(reg.id, None, None, app["submitted_on"])   # no version on the planned date: 422, as a ruling
    start = day_number(app["submitted_on"])
    # Not so near the calendar's end that a date's arithmetic would leave it (facts.reach).
    end = max(start, min(start + horizon_days, LAST_DAY - max(facts.reach(v) for v in reg.versions)))
    versions = [v for v in reg.versions if _overlaps(v, start, end)]
    by_year = gather_years(source or adapters.source_from_env(), versions, request, start, end)
    shifts = {}
    for v in versions:
        for fact, wanted in v.shifts.items():
            shifts.setdefault(fact, set()).update(wanted)
    first = by_year[int(app["submitted_on"][:4])]
    own = facts.build(request, first.data, available=set(first.data), shifts=shifts)
    judged = []
    for day in plandays.candidates(versions, own, start, end):
        version = _in_force(versions, day)
        ruling = None if version is None else _judge(version, request, day, by_year, lang, detail=False)
        judged.append((day, version, ruling))
        if ruling is not None and ruling["outcome"] == "approve":
            return _found(request, judged, by_year, lang, (start, end))
    return _not_found(request, judged, by_year, lang, (start, end))


def gather_years(source, versions, request, start, end):
    """{year: Gathered} from `start`'s year to `end`'s: each registry read once, the quota once a year,
    a later year's when a date in it is first judged."""
    app = request["application"]
    own = rulings.group_by_type(facts.build(request, {}), {})
    needed = sorted({g for v in versions for g in rulings.needed_registries(v, request, own)},
                    key=adapters.REGISTRIES.index)
    query = rulings.query_for(app)
    base = adapters.gather(source, needed, query, inline=request.get("registry"))
    later = None if "quota" not in needed else (lambda year: _with_quota_of(year, base, source, query))
    return _Years({query.year: base}, later)


class _Years(dict):
    """Gathered registries by year; a year not there yet is the first year's with that year's quota."""

    def __init__(self, known, later):
        super().__init__(known)
        self.first = next(iter(known.values()))
        self.later = later

    def __missing__(self, year):
        self[year] = self.first if self.later is None else self.later(year)
        return self[year]


def _with_quota_of(year, base, source, query):
    """`base` with `year`'s quota in place of the planned year's, fetched: a request's inline quota
    answers the planned date's year only, and a fact a request does not give is fetched."""
    fetched = adapters.gather(source, ["quota"], dataclasses.replace(query, year=year))
    data = {**{k: v for k, v in base.data.items() if k != "quota"}, **fetched.data}
    provenance = {**base.provenance, "quota": fetched.provenance["quota"]}
    missing = [n for n in adapters.REGISTRIES if n in provenance and n not in data]
    return dataclasses.replace(base, data=data, provenance=provenance, missing=missing)


def _judge(version, request, day, by_year, lang, detail):
    on = iso_date(day)
    dated = {**request, "application": {**request["application"], "submitted_on": on}}
    return rulings.judge_under(version, dated, gathered=by_year[int(on[:4])], lang=lang, detail=detail)


def _found(request, judged, by_year, lang, horizon):
    day, version, _ = judged[-1]
    ruling = _judge(version, request, day, by_year, lang, detail=True)
    before = {f["requirement"]: f["status"] for f in judged[0][2]["findings"]}
    deciding = [f for f in ruling["findings"]
                if f["status"] in ("met", "not_applicable") and before.get(f["requirement"]) in _NOT_MET]
    return _shape(request, horizon, lang, earliest=iso_date(day), version=version.version, deciding=deciding,
                  actions=[], reason=None, ruling=ruling)


def _not_found(request, judged, by_year, lang, horizon):
    start, end = horizon
    _, version, _ = judged[0]
    ruling = _judge(version, request, start, by_year, lang, detail=True)
    spans = _spans(judged, end)
    always = [rid for rid, s in spans.items() if s["unmet"] and s["unmet"] == s["judged"]]
    detailed = {start: ruling}
    actions = [_action(rid, detailed, judged, request, by_year, lang) for rid in always]
    return _shape(request, horizon, lang, earliest=None, version=None, deciding=[], actions=actions,
                  reason=_reason(spans, judged, end, lang, horizon), ruling=ruling)


def _shape(request, horizon, lang, **parts):
    return {"planned_on": request["application"]["submitted_on"],
            "horizon": {"from": iso_date(horizon[0]), "to": iso_date(horizon[1])},
            "earliest": parts["earliest"], "version": parts["version"], "deciding": parts["deciding"],
            "actions": parts["actions"], "reason": parts["reason"], "ruling": parts["ruling"],
            "language": lang if lang in LANGUAGES else "en"}


def _spans(judged, end):
    """{requirement: {"title", "judged", "unmet", "unknown", "registries"}} over the refusing requirements
    that fail somewhere: the periods (from, to) each status holds, judged for the periods its version has it."""
    out = {}
    for i, (day, version, ruling) in enumerate(judged):
        if ruling is None:
            continue
        period = (day, judged[i + 1][0] - 1 if i + 1 < len(judged) else end)
        for f in ruling["findings"]:
            if f["effect"] != "refuse":
                continue
            row = out.setdefault(f["requirement"], {"title": f["title"], "judged": [], "unmet": [], "unknown": [],
                                                    "registries": set()})
            _extend(row["judged"], period)
            if f["status"] in _NOT_MET:
                _extend(row[f["status"]], period)
            if f["status"] == "unknown":
                row["registries"] |= set(ruling["missing"]) & version.requirement(f["requirement"]).registries
    return {rid: row for rid, row in out.items() if row["unmet"] or row["unknown"]}


def _extend(periods, period):
    """Add `period` to a list of periods, joining it to the last one when they touch."""
    if periods and periods[-1][1] + 1 == period[0]:
        periods[-1] = (periods[-1][0], period[1])
    else:
        periods.append(period)


def _action(rid, detailed, judged, request, by_year, lang):
    """What to do about a requirement no date meets: its title and unmet explanation (rule files word
    that as the remedy), on the first date its version has it; `detailed` keeps the rulings judged in full."""
    day, version = next((d, v) for d, v, r in judged if r is not None and v.requirement(rid) is not None)
    if day not in detailed:
        detailed[day] = _judge(version, request, day, by_year, lang, detail=True)
    finding = next(f for f in detailed[day]["findings"] if f["requirement"] == rid)
    return {"requirement": rid, "title": finding["title"],
            "explanation": finding["explanation"]}


def _reason(spans, judged, end, lang, horizon):
    iso = _iso_periods
    lines = [planwords.frame("none", lang, start=iso_date(horizon[0]), end=iso_date(horizon[1]))]
    for row in spans.values():
        if row["unmet"] and row["unmet"] == [horizon]:
            lines.append(planwords.frame("always", lang, title=row["title"]))
        elif row["unmet"]:
            lines.append(planwords.frame("unmet", lang, title=row["title"], periods=iso(row["unmet"])))
        if row["unknown"]:
            lines.append(planwords.frame("unknown", lang, title=row["title"], periods=iso(row["unknown"]),
                                         registries=", ".join(sorted(row["registries"])) or "?"))
    gaps = []
    for i, (day, version, _) in enumerate(judged):
        if version is None:
            _extend(gaps, (day, judged[i + 1][0] - 1 if i + 1 < len(judged) else end))
    if gaps:
        lines.append(planwords.frame("no_version", lang, periods=iso(gaps)))
    return " ".join(lines)


def _iso_periods(periods):
    return planwords.periods([(iso_date(a), iso_date(b)) for a, b in periods])


def _in_force(versions, day):
    on = iso_date(day)
    return next((v for v in versions if v.in_force_on(on)), None)


def _overlaps(version, start, end):
    return day_number(version.effective_from) <= end and (
        version.effective_to is None or day_number(version.effective_to) >= start)
