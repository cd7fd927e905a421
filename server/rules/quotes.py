"""A version's texts: titles, citations and readings quote parameters; explanations quote facts too.

`{waiting_days} calendar days` in a title or citation becomes `15 calendar days`
when the version is loaded (an expression of parameters, such as
`{waiting_days + 1}`, is allowed; a fact is not: its value is not known until a
ruling). Explanations become templates filled for each ruling.
"""
import re

from server.languages import LANGUAGES
from server.rules import checks, interpret
from server.rules.model import Template
from server.rules.nodes import ExpressionError, referenced_facts, type_of
from server.rules.source import Location, Problem, line_of

STATUSES = ("met", "unmet", "unknown", "not_applicable")
QUOTE = re.compile(r"\{([^{}]+)\}")


def quoted(text, at, what, known, lang=None):
    """`text` (written in `lang`) with each `{expression of parameters}` replaced by its value as `lang`
    writes it; problems go to `known`."""
    def value(m):
        try:
            node, _ = known.parse(m.group(1), _in_language(known.scope(), lang))
        except ExpressionError as e:
            known.fail(at, f"{what} {{{m.group(1)}}}: ", m.group(1), e)
            return m.group(0)
        if referenced_facts(node):
            known.report(at, f"{what} may quote parameters only, not facts: {{{m.group(1)}}}")
            return m.group(0)
        try:
            return interpret.format_value(interpret.compile_py(node, lang)({}, {}), type_of(node), lang)
        except (interpret.Missing, TypeError, ValueError, ArithmeticError):
            known.report(at, f"{what} {{{m.group(1)}}} has no value")
            return m.group(0)
    return QUOTE.sub(value, text)


def heading(entry, known, problems):
    """A requirement's (title by language, citation by language), checked, with the parameters they quote filled in."""
    who = f"requirement '{entry.id}': "
    return (_quoted_texts(entry, "title", who, known, problems),
            _quoted_texts(entry, "citation", who, known, problems))


def _quoted_texts(entry, key, who, known, problems):
    """{language: text} of `key` (en and ru required), each `{parameter}` it quotes filled in."""
    if key == "citation" and entry.written.get(key) is None:
        problems.append(Problem.at(entry.at, f"{who}missing 'citation' (the act, and its article or paragraph, "
                                             "with en and ru texts)"))
        return {}
    at = entry.where(key)
    texts = checks.texts(problems, entry.written.get(key), at, key, where=who, required=True, quotes=True,
                         langs=known.raw.languages_of(at.file))
    return {lang: quoted(t, entry.located(key, lang), f"{who}'{key}.{lang}'", known, lang)
            for lang, t in texts.items() if isinstance(t, str) and checks.braces(t) is None}


def readings(raw, known, key="text"):
    """{reading id: {language: text}} of each reading's `key` (its text, or its citation), with the
    parameters it quotes filled in."""
    out = {}
    for r in raw.readings:
        known.owner = ("reading", r.id)
        texts = r.data.get(key) if isinstance(r.data.get(key), dict) else {}
        out[r.id] = {lang: quoted(t, r.located(key, lang), f"reading {r.id}: '{key}.{lang}'", known, lang)
                     for lang, t in texts.items() if isinstance(t, str) and checks.braces(t) is None}
    return out


def explain(entry, known, problems):
    """{status: {language: Template}} of a requirement's `explain:`."""
    who, out = f"requirement '{entry.id}'", {}
    ex = entry.written.get("explain")
    if not isinstance(ex, dict):
        problems.append(Problem.at(entry.where("explain"), f"{who}: missing 'explain' with texts for {', '.join(STATUSES)}"))
        return out
    for status in ex:
        if status not in STATUSES:
            problems.append(Problem.at(entry.located("explain", status),
                                       f"{who}: explain has unknown status '{status}'; use {', '.join(STATUSES)}"))
    for status in ("met", "unmet", "unknown"):
        if status not in ex:
            problems.append(Problem.at(entry.where("explain"), f"{who}: explain has no text for '{status}'"))
    for status, texts in ex.items():
        if status not in STATUSES or not isinstance(texts, dict):
            continue
        at = entry.located("explain", status)
        checked = checks.texts(problems, texts, at, status, where=f"{who} explain ", required=True, quotes=True,
                               langs=known.raw.languages_of(at.file))
        out[status] = {}
        for lang, text in checked.items():
            if not isinstance(text, str) or checks.braces(text) is not None:
                continue
            lang_at = Location(at.file, line_of(texts, lang, at.line))
            try:
                out[status][lang] = template(text, known, lang)
            except ExpressionError as e:
                known.fail(lang_at, f"{who} explain.{status}.{lang}: ", text, e)
    return out


def template(text, known, lang="en"):
    """A text in `lang` whose `{expressions}` are filled for each ruling; raises ExpressionError."""
    parts, pos = [], 0
    for m in QUOTE.finditer(text):
        parts.append(text[pos:m.start()])
        node, _ = known.parse(m.group(1), _in_language(known.scope(allow_ifelse=True), lang))
        parts.append((m.group(1), node, interpret.compile_py(node, lang), type_of(node)))
        pos = m.end()
    parts.append(text[pos:])
    return Template(text=text, parts=tuple(parts), lang=lang)


def _in_language(scope, lang):
    """`scope` for a text in `lang`: plural() checks its forms against the language."""
    scope.lang = lang if lang in LANGUAGES else None
    return scope
