"""Two versions side by side, as `ereje diff` computes them (server.diff.between), changed words marked."""
from flask import request

from server import errors
from server.api.common import book
from server.diff import between
from server.pages.marking import marked, parameter, shown
from server.pages.site import bp, lang, page


@bp.get("/regulations/<regulation>/diff")
def diff(regulation):
    """A form to pick versions A and B, and what changed from A to B."""
    try:
        versions = [v.version for v in book().regulation(regulation).versions]
    except errors.EREJEError as e:
        return page("error.html", 404, status=404, message=e.message)
    a = request.args.get("from") or (versions[-2] if len(versions) > 1 else versions[0])
    b = request.args.get("to") or versions[-1]
    try:
        found = between(book(), regulation, a, b, lang())
    except errors.EREJEError as e:
        return page("diff.html", 422, regulation=regulation, versions=versions, a=a, b=b, d=None, problem=e.message)
    return page("diff.html", regulation=regulation, versions=versions, a=a, b=b, problem=None,
                d=found, changed=[_changed(c) for c in found["changed"]],
                parameters=_parameters(found["parameters"]), derived=_section(found["derived_facts"]),
                readings=_readings(found["readings"]))


def _changed(change):
    """A changed requirement: each field that moved, before and after with the words marked."""
    fields = []
    for name, ba in change["changes"].items():
        before, after = marked(shown(ba["before"], lang()), shown(ba["after"], lang()))
        fields.append({"name": name, "before": before, "after": after})
    return {"id": change["id"], "title": change["title"], "fields": fields, "through": change.get("through", [])}


def _parameters(section):
    rows = [{"name": k, "kind": "added", "after": parameter(v, lang()), "before": ""} for k, v in section["added"].items()]
    rows += [{"name": k, "kind": "removed", "before": parameter(v, lang()), "after": ""}
             for k, v in section["removed"].items()]
    for k, ba in section["changed"].items():
        before, after = marked(_whole_parameter(ba["before"]), _whole_parameter(ba["after"]))
        rows.append({"name": k, "kind": "changed", "before": before, "after": after})
    return rows


def _whole_parameter(p):
    rest = [f"{k}: {shown(v, lang())}" for k, v in sorted(p.items()) if k not in ("value", "unit")]
    return "; ".join([parameter(p, lang())] + rest)


def _section(section):
    rows = [{"name": k, "kind": "added", "before": "", "after": shown(v, lang())} for k, v in section["added"].items()]
    rows += [{"name": k, "kind": "removed", "before": shown(v, lang()), "after": ""}
             for k, v in section["removed"].items()]
    for k, ba in section["changed"].items():
        before, after = marked(shown(ba["before"], lang()), shown(ba["after"], lang()))
        rows.append({"name": k, "kind": "changed", "before": before, "after": after})
    return rows


def _readings(readings):
    by_id = {r["id"]: r for r in readings["from"]} | {r["id"]: r for r in readings["to"]}
    rows = [{"name": i, "kind": "added", "before": "", "after": by_id[i]["text"], "strength": by_id[i].get("strength")}
            for i in readings["added"]]
    rows += [{"name": i, "kind": "removed", "before": by_id[i]["text"], "after": "",
              "strength": by_id[i].get("strength")} for i in readings["removed"]]
    for i, ch in readings["changed"].items():
        before, after = marked(ch["before"], ch["after"])
        rows.append({"name": i, "kind": "changed", "before": before, "after": after,
                     "strength": by_id[i].get("strength")})
    return rows
