"""Values of a rule file as a lawyer reads them, and the words changed between two of them marked."""
import difflib
import re

from markupsafe import Markup, escape

from server.diff_text import shown

# Spaces, words (with the hyphens, braces and % of ids and placeholders), and each other sign alone,
# so "a, b" to "a, b, c" marks only ", c".
_WORDS = re.compile(r"\s+|[\w{}%-]+|[^\w\s]")


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
