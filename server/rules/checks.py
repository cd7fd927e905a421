"""Checks shared by the stages that read rule files: texts by language, allowed keys, dates.

Each adds what it finds to a list of Problems and returns the checked value.
"""
import datetime as dt

from server.languages import LANGUAGES, REQUIRED
from server.rules.source import Location, Problem, line_of

_LANGUAGE_NAMES = {"en": "English", "ru": "Russian"}


def texts(problems, val, at, key, where="", required=False):
    """`val` (the value of `key`, written at Location `at`) as {language: text}; {} if it is not one."""
    if val is None:
        if required:
            problems.append(Problem.at(at, f"{where}missing '{key}' (with en and ru texts)"))
        return {}
    if not isinstance(val, dict):
        problems.append(Problem.at(at, f"{where}'{key}' must have texts by language: en, ru (and optionally kk)"))
        return {}
    for lang in val:
        lang_at = Location(at.file, line_of(val, lang))
        if lang not in LANGUAGES:
            problems.append(Problem.at(lang_at, f"{where}unknown language '{lang}' in '{key}'; use en, ru, kk"))
        elif not isinstance(val[lang], str) or not val[lang].strip():
            problems.append(Problem.at(lang_at, f"{where}'{key}.{lang}' must be non-empty text"))
    for lang in REQUIRED:
        if lang not in val:
            problems.append(Problem.at(at, f"{where}'{key}' has no {_LANGUAGE_NAMES[lang]} text ({lang})"))
    return dict(val)


def keys(problems, file, obj, allowed, where):
    """Report each key of loaded mapping `obj` that is not in `allowed`."""
    for key in obj:
        if key not in allowed:
            problems.append(Problem(file, line_of(obj, key),
                                    f"{where}: unknown key '{key}'; allowed: {', '.join(sorted(allowed))}"))


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
