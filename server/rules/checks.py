"""Checks shared by the stages that read rule files: texts by language, allowed keys, dates, close names.

Each adds what it finds to a list of Problems and returns the checked value.
"""
import datetime as dt
import difflib
import re

from server.languages import LANGUAGES, NAMES, REQUIRED
from server.rules.source import Location, Problem, line_of

# A text a lawyer left to be written later: TODO, TBD, FIXME anywhere, or only dots, dashes, question marks.
_PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b|^[\s.…\-–—?]*$")


def texts(problems, val, at, key, where="", required=False, quotes=False, langs=LANGUAGES):
    """`val` (the value of `key`, written at Location `at`) as {language: text}; {} if it is not one.

    Each language of `langs` (the file's `languages:`) must be there. With `quotes`, `{...}` quotes
    something (checked by the caller); without, braces are refused.
    """
    if val is None:
        if required:
            problems.append(Problem.at(at, f"{where}missing '{key}' (with {_listed(langs)} texts)"))
        return {}
    if not isinstance(val, dict):
        wanted = "en, ru (and optionally kk)" if "kk" not in langs else ", ".join(langs)
        problems.append(Problem.at(at, f"{where}'{key}' must have texts by language: {wanted}"))
        return {}
    for lang in val:
        lang_at = Location(at.file, line_of(val, lang, at.line))
        if lang not in LANGUAGES:
            problems.append(Problem.at(lang_at, f"{where}unknown language '{lang}' in '{key}'; use en, ru, kk"))
        elif not isinstance(val[lang], str) or not val[lang].strip():
            problems.append(Problem.at(lang_at, f"{where}'{key}.{lang}' must be non-empty text"))
        else:
            text(problems, val[lang], lang_at, f"{key}.{lang}", where, quotes)
    for lang in langs:
        if lang not in val:
            hint = "" if lang in REQUIRED else "; write it, or opt out with the top-level key 'languages: [en, ru]'"
            problems.append(Problem.at(at, f"{where}'{key}' has no {NAMES[lang]} text ({lang}){hint}"))
    return dict(val)


def languages(problems, file, doc):
    """The languages every text of rule file `doc` must have: its top-level `languages:` (en and ru at
    least), by default all of LANGUAGES."""
    if "languages" not in doc:
        return LANGUAGES
    given, at = doc["languages"], line_of(doc, "languages")
    if not isinstance(given, list) or not all(isinstance(lang, str) for lang in given):
        problems.append(Problem(file, at, f"'languages' must be a list of languages, e.g. [{', '.join(LANGUAGES)}]"))
        return LANGUAGES
    unknown = [lang for lang in given if lang not in LANGUAGES]
    if unknown:
        problems.append(Problem(file, at, f"'languages': unknown language '{unknown[0]}'; use {', '.join(LANGUAGES)}"))
    for lang in REQUIRED:
        if lang not in given:
            problems.append(Problem(file, at, f"'languages' must include {lang}: every text has {_listed(REQUIRED)}"))
    return tuple(lang for lang in LANGUAGES if lang in given or lang in REQUIRED)


def _listed(langs):
    return ", ".join(langs[:-1]) + " and " + langs[-1] if len(langs) > 1 else "".join(langs)


def text(problems, value, at, key, where="", quotes=False):
    """Report a placeholder left in a text, and braces that do not pair (or, without `quotes`, any brace).

    Returns True when the text is fine."""
    before = len(problems)
    if _PLACEHOLDER.search(value):
        problems.append(Problem.at(at, f"{where}'{key}' is a placeholder ({value.strip()[:40] or 'empty'}); write the text"))
    elif not quotes and ("{" in value or "}" in value):
        problems.append(Problem.at(at, f"{where}'{key}' cannot quote with {{...}}: only titles, citations, "
                                       "readings and explanations do"))
    elif quotes:
        unpaired = braces(value)
        if unpaired:
            problems.append(Problem.at(at, f"{where}'{key}': {unpaired}"))
    return len(problems) == before


def braces(value):
    """What is wrong with the `{...}` quotes of a text, or None."""
    depth = 0
    for ch in value:
        if ch == "{":
            if depth:
                return "a '{' is not closed by '}' before the next '{'"
            depth = 1
        elif ch == "}":
            if not depth:
                return "a '}' closes no '{'"
            depth = 0
    if depth:
        return "a '{' is never closed by '}'"
    if "{}" in value or re.search(r"\{\s+\}", value):
        return "'{}' quotes nothing"
    return None


def keys(problems, file, obj, allowed, where):
    """Report each key of loaded mapping `obj` that is not in `allowed`."""
    for key in obj:
        if key not in allowed:
            problems.append(Problem(file, line_of(obj, key),
                                    f"{where}: unknown key '{key}'{did_you_mean(key, allowed)}; allowed: {', '.join(sorted(allowed))}"))


def did_you_mean(name, known):
    """' (did you mean 'x'?)' when `name` is close to one of `known`, else ''."""
    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def date(problems, file, doc, key, required=False):
    """`doc[key]` as an ISO date text, or None (reported when required or malformed)."""
    if key not in doc:
        if required:
            problems.append(Problem(file, doc.line, f"missing '{key}' (YYYY-MM-DD)"))
        return None
    try:
        return dt.date.fromisoformat(str(doc[key])).isoformat()
    except ValueError:
        problems.append(Problem(file, line_of(doc, key), f"'{key}' must be a date YYYY-MM-DD, got {doc[key]!r}"))
        return None
