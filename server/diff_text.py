"""`server.diff` as text for people: values with their units, expressions as the rule file writes them,
headings and labels in the language asked (server/messages.py); rule-file keys stay as written."""
import json

from server.languages import LANGUAGES, text_in
from server.messages import name, say


def shown(value, lang, none="", fields=None):
    """A value as a rule file writes it: texts in `lang`, expressions on one line, lists comma-separated,
    a mapping as "key: value; ..." (only one whose keys are among `fields`, if given; others as JSON),
    nothing as `none`."""
    if isinstance(value, dict) and value and set(value) <= set(LANGUAGES):
        return text_in(value, lang)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(shown(v, lang) for v in value)
    if value is None:
        return none
    if isinstance(value, dict) and (fields is None or (value and set(value) <= fields)):
        return "; ".join(f"{k}: {shown(v, lang, none, fields)}" for k, v in value.items())
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _show(value, lang):
    # In the diff, nothing is said as "none", and only without_registries is a mapping to spell out.
    return shown(value, lang, say("diff.none", lang), {"met", "unmet"})


def _param(p, lang):
    """A parameter's value with its unit: "15 calendar days"."""
    unit = f" {name('unit', p['unit'], lang)}" if p.get("unit") else ""
    return f"{_show(p.get('value'), lang)}{unit}"


def _labels(lang, *keys):
    """The labels `keys` in `lang`, padded to one width so that the values line up."""
    words = [say(k, lang) for k in keys]
    width = max(len(w) for w in words)
    return [w.ljust(width) for w in words]


def _before_after(before, after, lang, indent):
    pad = " " * indent
    was, now = _labels(lang, "diff.before", "diff.after")
    return [f"{pad}{was} {_show(before, lang)}", f"{pad}{now} {_show(after, lang)}"]


def _parameter_lines(sec, lang):
    lines = [f"  + {k} = {_param(v, lang)}" for k, v in sec["added"].items()]
    lines += [f"  - {k} = {_param(v, lang)}" for k, v in sec["removed"].items()]
    for k, ba in sec["changed"].items():
        before, after = ba["before"], ba["after"]
        lines.append(f"  ~ {k}")
        if _param(before, lang) != _param(after, lang):
            was, now = _labels(lang, "diff.before", "diff.after")
            lines += [f"      {was} {_param(before, lang)}", f"      {now} {_param(after, lang)}"]
        for key in sorted((set(before) | set(after)) - {"value", "unit"}):
            if before.get(key) != after.get(key):
                lines += [f"      {key}:"] + _before_after(before.get(key), after.get(key), lang, 8)
    return lines


_ORDER = ("fact", "collection", "for_each", "when", "value", "readings")


def _derived_rule(v, lang):
    """A derived fact's rule on indented lines: fact, for_each, when or value, set, readings."""
    lines = []
    for key in _ORDER:
        if key in v:
            lines.append(f"      {key}: {_show(v[key], lang)}")
    if isinstance(v.get("set"), dict):
        lines.append("      set:")
        lines += [f"        {f}: {_show(x, lang)}" for f, x in v["set"].items()]
    return lines


def _derived_lines(sec, lang):
    lines = []
    for sign, items in (("+", sec["added"]), ("-", sec["removed"])):
        for k, v in items.items():
            lines += [f"  {sign} {k}"] + _derived_rule(v, lang)
    for k, ba in sec["changed"].items():
        before, after = ba["before"], ba["after"]
        lines.append(f"  ~ {k}")
        keys = set(before) | set(after)
        for key in [k for k in _ORDER if k in keys] + sorted(keys - set(_ORDER) - {"set"}):
            if before.get(key) != after.get(key):
                lines += [f"      {key}:"] + _before_after(before.get(key), after.get(key), lang, 8)
        sa, sb = before.get("set") or {}, after.get("set") or {}
        for f in list(sa) + [f for f in sb if f not in sa]:
            if sa.get(f) != sb.get(f):
                lines += [f"      set {f}:"] + _before_after(sa.get(f), sb.get(f), lang, 8)
    return lines


def _moved(through, lang):
    """server.diff's "derived fact x", "parameter y" with the kind named in `lang`."""
    named = []
    for item in through:
        kind = next((k for k in ("derived fact", "parameter") if item.startswith(k + " ")), None)
        named.append(f"{name('moved', kind, lang)} {item[len(kind) + 1:]}" if kind else item)
    return ", ".join(named)


def _requirement_lines(d, lang):
    cited, applies, met_when, without, if_unmet = _labels(lang, "diff.citation", "diff.applies", "diff.met_when",
                                                          "diff.without_registries", "diff.if_unmet")
    none = [f"  {say('diff.none', lang)}"]
    lines = [say("diff.added", lang, n=len(d["added"]))]
    for r in d["added"]:
        lines += [f"  + {r['id']}: {r['title']}", f"      {cited}  {r['citation']}",
                  f"      {applies}  {_show(r['scope'], lang) or say('diff.always', lang)}",
                  f"      {met_when}  {_show(r['condition'], lang)}",
                  *([f"      {without}  {_show(r['without_registries'], lang)}"] if r.get("without_registries") else []),
                  f"      {if_unmet}  {name('effect', r['effect'], lang)}"]
    lines += none if not d["added"] else []
    lines.append(say("diff.removed", lang, n=len(d["removed"])))
    for r in d["removed"]:
        lines += [f"  - {r['id']}: {r['title']}", f"      {cited}  {r['citation']}"]
    lines += none if not d["removed"] else []
    lines.append(say("diff.changed", lang, n=len(d["changed"])))
    for c in d["changed"]:
        lines.append(f"  ~ {c['id']}: {c['title']}")
        for field_name, ba in c["changes"].items():
            lines += [f"      {field_name}:"] + _before_after(ba["before"], ba["after"], lang, 8)
        if c.get("through"):
            lines.append(f"      {say('diff.moves_through', lang, names=_moved(c['through'], lang))}")
    lines += none if not d["changed"] else []
    if d.get("affected"):
        lines.append(say("diff.affected", lang, n=len(d["affected"])))
        for a in d["affected"]:
            lines += [f"  ~ {a['id']}: {a['title']}", f"      {say('diff.through', lang, names=_moved(a['through'], lang))}"]
    return lines


def _reading_lines(readings, lang):
    texts = {r["id"]: r["text"] for r in readings["from"] + readings["to"]}
    lines = [f"  + {i}: {texts[i]}" for i in readings["added"]]
    lines += [f"  - {i}: {texts[i]}" for i in readings["removed"]]
    for i, ba in readings.get("changed", {}).items():
        lines.append(f"  ~ {i}")
        if ba["before"] != ba["after"]:
            lines += _before_after(ba["before"], ba["after"], lang, 6)
        for key in ("citation", "strength"):
            if key in ba:
                lines += [f"      {key}:"] + _before_after(ba[key]["before"], ba[key]["after"], lang, 8)
    return lines or [f"  {say('diff.no_change', lang)}"]


def text_diff(d, lang="en"):
    """The diff `d` (server.diff.diff) as lines a lawyer reads, in `lang`."""
    lines = [say("diff.head", lang, regulation=d["regulation"], start=d["from"], end=d["to"]), ""]
    lines += _requirement_lines(d, lang)
    no_change = [f"  {say('diff.no_change', lang)}"]
    lines += ["", say("diff.parameters", lang)] + (_parameter_lines(d["parameters"], lang) or no_change)
    lines += ["", say("diff.derived", lang)] + (_derived_lines(d["derived_facts"], lang) or no_change)
    lines += ["", say("diff.readings", lang)] + _reading_lines(d["readings"], lang)
    return "\n".join(lines)
