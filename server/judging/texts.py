"""A ruling's titles, citations and explanations in one language, rendered from the rule file's texts.

A stored ruling is rendered under the version that judged it (`history.version_of`).
"""
from server.languages import LANGUAGES, pick, text_in
from server.rules import calendar, interpret
from server.rules.nodes import IfElse


def localize_under(ruling, version, lang, by_type=None):
    """Titles, citations and explanations in `lang`; `by_type` is the engine's view when judging now."""
    for f in ruling["findings"]:
        r = version.requirement(f["requirement"])
        if r is None:
            continue
        f["title"], f["citation"] = text_in(r.title, lang), text_in(r.citation, lang)
        templates = r.explain.get(f["status"]) or {}
        tpl = pick(templates, lang)[1] or None   # kk -> ru -> en, as every text falls back
        if tpl is None:
            f["explanation"] = ""
        else:
            f["explanation"] = render(tpl, by_type if by_type is not None else _engine_view(version, f["facts"]))
    ruling["language"] = lang if lang in LANGUAGES else "en"
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
            row = {k: calendar.day_number(v) if ft.fields.get(k) == "date" and isinstance(v, str) else v for k, v in row.items()}
            calendar.add_shifts(row, version.shifts.get(name, ()))
            conv.append(row)
        by_type[name] = conv
    return by_type


def render(template, by_type):
    """Fill a text's {expressions} from facts in engine form, in the template's language."""
    out = []
    for part in template.parts:
        if part.__class__ is str:
            out.append(part)
            continue
        _, node, fn, kind = part
        try:
            value = fn({}, by_type)
        except (interpret.Missing, KeyError, ZeroDivisionError, TypeError):
            out.append("?")
            continue
        if value == "":
            # an empty list or field reads as a dash; `x if c else ''` leaves nothing, as written
            out.append("" if isinstance(node, IfElse) else "—")
            continue
        out.append(interpret.format_value(value, kind, template.lang))
    return "".join(out)
