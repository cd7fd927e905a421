"""Values of a rule file as a lawyer reads them, and the words changed between two of them marked."""
import difflib
import json
import re

from markupsafe import Markup, escape

from server.languages import LANGUAGES, text_in

# Spaces, words (with the hyphens, braces and % of ids and placeholders), and each other sign alone,
# so "a, b" to "a, b, c" marks only ", c".
_WORDS = re.compile(r"\s+|[\w{}%-]+|[^\w\s]")


def shown(value, lang):
    """A value as the rule file writes it: a text in `lang`, an expression on one line, a list comma-separated."""
    if isinstance(value, dict) and value and set(value) <= set(LANGUAGES):
        return text_in(value, lang)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(shown(v, lang) for v in value)
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {shown(v, lang)}" for k, v in value.items())
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def marked(before, after):
    """(before, after) as HTML, the words only in `before` in <del>, those only in `after` in <ins>."""
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old, new = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(old)
            right.append(new)
            continue
        if old:
            left.append(Markup("<del>%s</del>") % old)
        if new:
            right.append(Markup("<ins>%s</ins>") % new)
    return Markup("").join(left), Markup("").join(right)


def parameter(p, lang):
    """A parameter's value with its unit: "15 calendar_days"."""
    unit = f" {p['unit']}" if p.get("unit") else ""
    return f"{shown(p.get('value'), lang)}{unit}"
