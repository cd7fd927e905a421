"""A ruling's titles, citations and explanations in one language, rendered from the rule file's texts.

A stored ruling is rendered under the version that judged it (`history.version_of`).
Each version's texts are prepared once per language asked: the text every requirement
shows in it (along the fallback), and each explanation as one renderer over its compiled
parts, so a ruling only evaluates the expressions of the texts it shows.
"""
import threading
from typing import NamedTuple

from server.languages import LANGUAGES, noted, pick
from server.rules import calendar, interpret
from server.rules.nodes import IfElse

_MAX_PREPARED = 64   # (version, language) pairs kept; a workbench draft is a new version each time
_prepared = {}       # (id(version), lang) -> (version, {requirement id: Prepared})
_guard = threading.Lock()


class Prepared(NamedTuple):
    """One requirement's texts in one language: title, citation, status -> (language, renderer)."""

    title: str
    citation: str
    explain: dict
    used: tuple          # the languages the title and citation came in (None: a plain value)


def localize_under(ruling, version, lang, by_type=None):
    """Titles, citations and explanations in `lang`; `by_type` is the engine's view when judging now."""
    prepared = prepared_for(version, lang)
    for f in ruling["findings"]:
        p = prepared.get(f["requirement"])
        if p is None:
            continue
        f["title"], f["citation"] = p.title, p.citation
        tpl_lang, renderer = p.explain.get(f["status"], _NO_TEXT)
        noted(p.used + (tpl_lang,))
        if renderer is None:
            f["explanation"] = ""
        else:
            f["explanation"] = renderer(by_type if by_type is not None else _engine_view(version, f["facts"]))
    ruling["language"] = lang if lang in LANGUAGES else "en"
    return ruling


_NO_TEXT = (None, None)


def prepared_for(version, lang):
    """{requirement id: Prepared} of `version` in `lang`, made once per version object and language."""
    key = (id(version), lang)
    found = _prepared.get(key)
    if found is not None and found[0] is version:
        return found[1]
    table = {r.id: _prepare(r, lang) for r in version.requirements}
    with _guard:
        if len(_prepared) >= _MAX_PREPARED:
            _prepared.clear()
        _prepared[key] = (version, table)   # the version is kept with it: its id is not reused meanwhile
    return table


def _prepare(requirement, lang):
    (title_lang, title), (citation_lang, citation) = _quiet_pick(requirement.title, lang), \
        _quiet_pick(requirement.citation, lang)
    explain = {}
    for status, templates in requirement.explain.items():
        tpl_lang, tpl = _quiet_pick(templates or {}, lang)   # kk -> ru -> en, as every text falls back
        explain[status] = (tpl_lang, renderer(tpl) if tpl else None)
    return Prepared(title, citation, explain, (title_lang, citation_lang))


def _quiet_pick(texts, lang):
    """`pick` without noting the language: a prepared text notes it each time it is shown."""
    return pick(texts, lang, note=False)


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
            conv.append(calendar.with_shifts(row, version.shifts.get(name, ())))
        by_type[name] = conv
    return by_type


def renderer(template):
    """A function of facts in engine form that fills `template`'s {expressions}, in the template's language."""
    lang = template.lang
    # (text, None) for a literal part, else (compiled expression, what an empty value reads as, type)
    parts = tuple((part, None, None) if part.__class__ is str
                  # an empty list or field reads as a dash; `x if c else ''` leaves nothing, as written
                  else (part[2], "" if isinstance(part[1], IfElse) else "—", part[3])
                  for part in template.parts)
    fmt = interpret.format_value

    def render(by_type):
        out = []
        for fn, blank, kind in parts:
            if blank is None:
                out.append(fn)
                continue
            try:
                value = fn({}, by_type)
            except (interpret.Missing, KeyError, ZeroDivisionError, TypeError):
                out.append("?")
                continue
            out.append(blank if value == "" else fmt(value, kind, lang))
        return "".join(out)

    return render

