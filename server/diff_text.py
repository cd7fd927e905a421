"""`server.diff` as text for people: values with their units, expressions as the rule file writes them."""
import json

from server.languages import text_in


def _show(value, lang):
    """A value as a rule file writes it: texts in `lang`, expressions on one line, lists comma-separated."""
    if isinstance(value, dict) and value and set(value) <= {"en", "ru", "kk"}:
        return text_in(value, lang)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(_show(v, lang) for v in value)
    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _param(p, lang):
    """A parameter's value with its unit: "15 calendar days"."""
    unit = f" {p['unit']}" if p.get("unit") else ""
    return f"{_show(p.get('value'), lang)}{unit}"


def _before_after(before, after, lang, indent):
    pad = " " * indent
    return [f"{pad}before: {_show(before, lang)}", f"{pad}after:  {_show(after, lang)}"]


def _parameter_lines(sec, lang):
    lines = [f"  + {k} = {_param(v, lang)}" for k, v in sec["added"].items()]
    lines += [f"  - {k} = {_param(v, lang)}" for k, v in sec["removed"].items()]
    for k, ba in sec["changed"].items():
        before, after = ba["before"], ba["after"]
        lines.append(f"  ~ {k}")
        if _param(before, lang) != _param(after, lang):
            lines += [f"      before: {_param(before, lang)}", f"      after:  {_param(after, lang)}"]
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


def _requirement_lines(d, lang):
    lines = [f"Requirements added ({len(d['added'])}):"]
    for r in d["added"]:
        lines += [f"  + {r['id']}: {r['title']}", f"      citation:  {r['citation']}",
                  f"      applies:   {_show(r['scope'], lang) or 'always'}",
                  f"      met when:  {_show(r['condition'], lang)}", f"      if unmet:  {r['effect']}"]
    lines += ["  (none)"] if not d["added"] else []
    lines.append(f"Requirements removed ({len(d['removed'])}):")
    for r in d["removed"]:
        lines += [f"  - {r['id']}: {r['title']}", f"      citation:  {r['citation']}"]
    lines += ["  (none)"] if not d["removed"] else []
    lines.append(f"Requirements changed ({len(d['changed'])}):")
    for c in d["changed"]:
        lines.append(f"  ~ {c['id']}: {c['title']}")
        for field_name, ba in c["changes"].items():
            lines += [f"      {field_name}:"] + _before_after(ba["before"], ba["after"], lang, 8)
        if c.get("through"):
            lines.append(f"      its meaning also moves through: {', '.join(c['through'])}")
    lines += ["  (none)"] if not d["changed"] else []
    if d.get("affected"):
        lines.append(f"Requirements whose text is unchanged but whose meaning changes ({len(d['affected'])}):")
        for a in d["affected"]:
            lines += [f"  ~ {a['id']}: {a['title']}", f"      through: {', '.join(a['through'])}"]
    return lines


def _reading_lines(readings):
    texts = {r["id"]: r["text"] for r in readings["from"] + readings["to"]}
    lines = [f"  + {i}: {texts[i]}" for i in readings["added"]]
    lines += [f"  - {i}: {texts[i]}" for i in readings["removed"]]
    for i, ba in readings.get("changed", {}).items():
        lines.append(f"  ~ {i}")
        if ba["before"] != ba["after"]:
            lines += [f"      before: {ba['before']}", f"      after:  {ba['after']}"]
        for key in ("citation", "strength"):
            if key in ba:
                lines += [f"      {key}:", f"        before: {ba[key]['before']}", f"        after:  {ba[key]['after']}"]
    return lines or ["  (no change)"]


def text_diff(d, lang="en"):
    """The diff `d` (server.diff.diff) as lines a lawyer reads."""
    lines = [f"{d['regulation']}: changes from {d['from']} to {d['to']}", ""]
    lines += _requirement_lines(d, lang)
    lines += ["", "Parameters:"] + (_parameter_lines(d["parameters"], lang) or ["  (no change)"])
    lines += ["", "Derived facts:"] + (_derived_lines(d["derived_facts"], lang) or ["  (no change)"])
    lines += ["", "Readings (how open points of law are read):"] + _reading_lines(d["readings"])
    return "\n".join(lines)
