"""Numbers, dates, percentages and plural forms as each language writes them (Babel, CLDR).

A text's `{expression}` is shown by `format_value` in the language of the text;
without a language (a derived fact's value, a log) dates stay ISO. `plural` picks a
CLDR plural form: Russian has one/few/many (1 работник, 2 работника, 5 работников),
English and Kazakh one/other.
"""
import datetime as dt
import functools
import math

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from server.rules.calendar import EPOCH, iso_date

# ru and kk write 17.09.2025 in official texts; English writes 17 September 2025.
DATE_PATTERNS = {"en": "d MMMM yyyy", "ru": "dd.MM.yyyy", "kk": "dd.MM.yyyy"}
CATEGORIES = ("zero", "one", "two", "few", "many", "other")
_YES_NO = {"en": ("yes", "no"), "ru": ("да", "нет"), "kk": ("иә", "жоқ")}
_LOCALES = {}


def locale(lang):
    found = _LOCALES.get(lang)
    if found is None:
        found = _LOCALES[lang] = Locale.parse(lang)
    return found


@functools.lru_cache(maxsize=None)   # 200 CLDR evaluations per call, made for every plural() in every text
def needed_forms(lang):
    """The plural categories whole numbers reach in `lang` (en, kk: one, other; ru: one, few, many)."""
    rule = locale(lang).plural_form
    return tuple(c for c in CATEGORIES if any(rule(n) == c for n in range(200)))


def plural(n, forms, lang):
    """The form of `forms` ({category: text}) that number `n` takes in `lang`; `#` in it is `n`.

    A category the text does not give (a fraction in Russian is `other`) falls back to
    `other`, then `many`."""
    rules = lang or "en"
    category = _category(n, rules) if type(n) in (int, float) else locale(rules).plural_form(n)
    text = forms.get(category) or forms.get("other") or forms.get("many") or next(iter(forms.values()))
    return text.replace("#", number(n, lang))


@functools.lru_cache(maxsize=4096, typed=True)
def _category(n, lang):
    """CLDR plural category of `n` in `lang`; typed: 1 reads "one" where 1.0 may read "other"."""
    return locale(lang).plural_form(n)


def number(value, lang):
    """A number with the language's decimal sign and no grouping (a year stays 2025)."""
    if float(value).is_integer():
        return str(int(value))    # en, ru and kk write whole numbers alike; Babel is slow beside str()
    if lang is None:
        return f"{value:.2f}".rstrip("0")
    return format_decimal(value, format="0.##", locale=locale(lang))


@functools.lru_cache(maxsize=4096)
def percent(value, lang):
    """`value` percent (63.63...) as the language writes a share: 63.6% / 63,6 %; cut, never rounded
    up, to one decimal, so a share just under a required 70% never reads as 70%."""
    cut = math.floor(round(value * 10, 6)) / 10
    pattern = locale(lang or "en").percent_formats[None].pattern.replace("#,##0", "#,##0.#", 1)
    return format_percent(cut / 100, format=pattern, locale=locale(lang or "en"))


@functools.lru_cache(maxsize=4096)
def date(day, lang):
    """Day number `day` as a date of `lang` (ISO without a language)."""
    if lang is None:
        return iso_date(day)
    return format_date(dt.date.fromordinal(int(day) + EPOCH), DATE_PATTERNS.get(lang, "yyyy-MM-dd"),
                       locale=locale(lang))


def yes_no(value, lang):
    yes, no = _YES_NO.get(lang, _YES_NO["en"])
    return yes if value else no


def ceil(value):
    """The smallest whole number not below `value`; float noise (2.0000000001) is not a unit."""
    return math.ceil(round(value, 9))
