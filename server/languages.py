"""The languages Ereje speaks: which one a client asks for, and which text it gets of a rule file's texts.

A text missing in the asked language falls back along FALLBACK (kk -> ru -> en: never
English while Russian exists), then to any language the text has. While `track()` is on
(one API request), every text chosen notes its language, so that the response can say
which languages it actually used (Content-Language).
"""
import contextvars

LANGUAGES = ("en", "ru", "kk")
REQUIRED = ("en", "ru")      # every rule-file text has these; kk too unless the file's `languages:` leaves it out
FALLBACK = {"kk": ("kk", "ru", "en"), "ru": ("ru", "en"), "en": ("en", "ru", "kk")}
NAMES = {"en": "English", "ru": "Russian", "kk": "Kazakh"}

_used = contextvars.ContextVar("ereje_languages_used", default=None)


def pick(texts, lang, note=True):
    """(language used, text) of `texts` ({language: text}) in `lang` or its fallback; (None, texts) for a plain value.

    `note=False` leaves the language unnoted (a text prepared ahead notes it with `noted` when shown)."""
    if not isinstance(texts, dict):
        return None, texts or ""
    for candidate in FALLBACK.get(lang, FALLBACK["en"]) + tuple(texts):
        if texts.get(candidate):
            if note:
                noted((candidate,))
            return candidate, texts[candidate]
    return None, ""


def noted(langs):
    """Note the languages `langs` (None: a plain value, none) of texts chosen, while `track()` is on."""
    used = _used.get()
    if used is not None:
        used.extend(lang for lang in langs if lang is not None)


def text_in(texts, lang):
    """The text in `lang`, else along its fallback (kk -> ru -> en), else any; a plain string is returned as is."""
    return pick(texts, lang)[1]


def negotiate(accept):
    """The language to answer in, from Accept-Language's (tag, quality) pairs (RFC 9110 s.12.5.4).

    Highest quality first (ties in the client's order); a regional tag counts as its language
    (kk-KZ is kk); q=0 rules a language out; `*` stands for any language not named otherwise,
    taken in the order en, ru, kk. Nothing acceptable: en.
    """
    ranked = sorted(accept, key=lambda pair: -pair[1])
    named = {_primary(tag) for tag, _ in accept}
    ruled_out = {_primary(tag) for tag, quality in accept if quality <= 0}
    for tag, quality in ranked:
        if quality <= 0:
            continue
        if tag == "*":
            found = next((lang for lang in LANGUAGES if lang not in named), None)
        else:
            found = _primary(tag) if _primary(tag) in LANGUAGES else None
        if found and found not in ruled_out:
            return found
    return "en"


def _primary(tag):
    return tag.split("-")[0].lower()


def track():
    """Start noting the languages of the texts chosen in this context; returns the list they go to."""
    used = []
    _used.set(used)
    return used


def content_language(asked, used):
    """The Content-Language of an answer in `asked` whose texts came in `used` (in the order chosen):
    the asked language when every text came in it (or none was chosen), else every language used,
    along the asked language's fallback."""
    seen = set(used)
    if not seen or seen == {asked}:
        return asked
    order = FALLBACK.get(asked, FALLBACK["en"]) + LANGUAGES
    return ", ".join(dict.fromkeys(lang for lang in order if lang in seen))
