"""The law in force: regulations on a timeline of their versions, and one version in plain words."""
import datetime
from pathlib import Path

from werkzeug.exceptions import NotFound

from server import errors
from server.api.common import book
from server.diff import reads
from server.judging import cases as shipped_cases
from server.languages import text_in
from server.pages.site import bp, lang, page
from server.rules.describe import describe

_OPEN_END_DAYS = 365   # an open-ended version is drawn a year past today or its start


@bp.get("/")
def index():
    """Every regulation and its versions as bars on one time axis, in proportion to their periods."""
    today = datetime.date.today()
    regulations = list(book().regulations.values())
    spans = [(_day(v.effective_from), _end(v, today)) for r in regulations for v in r.versions]
    start = min((s for s, _ in spans), default=today)
    stop = max((e for _, e in spans), default=today + datetime.timedelta(days=1))
    width = max((stop - start).days, 1)
    rows = [{"id": r.id, "title": text_in(r.title, lang()),
             "versions": [_bar(v, start, width, today) for v in r.versions]} for r in regulations]
    years = [{"year": y, "left": _percent((datetime.date(y, 1, 1) - start).days, width)}
             for y in range(start.year + 1, stop.year + 1)]
    return page("index.html", regulations=rows, years=years, today=today.isoformat(),
                today_left=_percent((today - start).days, width))


@bp.get("/regulations/<regulation>/versions/<version>")
def version(regulation, version):
    """Each requirement: its words, citation, readings, parameters and the cases that test it."""
    chosen = found_version(regulation, version)
    described = describe(chosen, lang())
    readings = {r["id"]: r for r in described["readings"]}
    parameters = described["parameters"]
    tests = version_cases(chosen)
    requirements = []
    for r, shown in zip(chosen.requirements, described["requirements"]):
        used = sorted(reads(chosen, r)[0])
        requirements.append({
            **shown,
            "readings": [readings.get(i, {"id": i, "text": ""}) for i in shown["readings"]],
            "parameters": [_parameter(name, parameters.get(name, {})) for name in used],
            "cases": [(c.name, c.expect["findings"][r.id]) for c in tests if r.id in (c.expect.get("findings") or {})],
        })
    return page("version.html", v=described, requirements=requirements,
                parameters=[_parameter(n, p) for n, p in parameters.items()], cases=tests,
                versions=[v.version for v in book().regulation(regulation).versions])


def found_version(regulation, version):
    """The version named in a page's URL, or a 404 page."""
    try:
        return book().version(regulation, version)
    except errors.EREJEError as e:
        raise NotFound(e.message) from None


def version_cases(chosen):
    """The shipped cases (policies/<regulation>/tests/) that are judged under `chosen`."""
    folder = Path(book().directory) / chosen.regulation / "tests"
    found = []
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else ():
        cases, _ = shipped_cases.load_file(path)   # unreadable cases are `ereje test`'s to report
        found += [c for c in cases if _judged_under(c, chosen)]
    return found


def _judged_under(case, chosen):
    if "version" in case.expect:
        return str(case.expect["version"]) == chosen.version
    req = case.request
    try:
        picked = book().select(req.get("regulation") or chosen.regulation, req.get("version"), req.get("as_of"),
                               str(req["application"]["submitted_on"]))
    except (errors.EREJEError, KeyError, TypeError):
        return False
    return picked is chosen


def _parameter(name, p):
    return {"name": name, "value": p.get("value"), "unit": p.get("unit") or "",
            "description": text_in(p.get("description") or "", lang())}


def _bar(v, start, width, today):
    begin, end = _day(v.effective_from), _end(v, today)
    return {"version": v.version, "from": v.effective_from, "to": v.effective_to,
            "title": text_in(v.title, lang()), "in_force": v.in_force_on(today.isoformat()),
            "left": _percent((begin - start).days, width), "width": _percent((end - begin).days, width)}


def _end(v, today):
    """The day after a version's last day; open-ended ones run a year past today (or their start)."""
    if v.effective_to:
        return _day(v.effective_to) + datetime.timedelta(days=1)
    return max(today, _day(v.effective_from)) + datetime.timedelta(days=_OPEN_END_DAYS)


def _day(iso):
    return datetime.date.fromisoformat(str(iso))


def _percent(days, width):
    return round(100 * days / width, 3)
