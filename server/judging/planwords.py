"""The words of a plan that come from no rule file: why no date works, in each language.

Requirement titles come from the rule files (the ruling's findings); these frames only
join them with the periods a plan found. Periods are written `from – to`, dates ISO.
"""
from server.languages import text_in

FRAMES = {
    "none": {
        "en": "No filing date from {start} to {end} would be approved.",
        "ru": "Ни при одной дате подачи с {start} по {end} заявление не было бы одобрено.",
        "kk": "{start} – {end} аралығында өтініш мақұлданатын бірде-бір күн жоқ.",
    },
    "always": {
        "en": "{title}: unmet on every date.",
        "ru": "{title}: не выполнено ни на одну из дат.",
        "kk": "{title}: бірде-бір күні орындалмайды.",
    },
    "unmet": {
        "en": "{title}: unmet {periods}.",
        "ru": "{title}: не выполнено {periods}.",
        "kk": "{title}: {periods} орындалмайды.",
    },
    "unknown": {
        "en": "{title}: unknown {periods} (could not be read: {registries}; a retry may settle it).",
        "ru": "{title}: неизвестно {periods} (не удалось получить данные: {registries}; повторный запрос может это решить).",
        "kk": "{title}: {periods} белгісіз (деректер алынбады: {registries}; қайта сұрау мәселені шешуі мүмкін).",
    },
    "no_version": {
        "en": "No version of the regulation is in force {periods}.",
        "ru": "Ни одна редакция не действует {periods}.",
        "kk": "{periods} ешбір редакция қолданыста емес.",
    },
}


def frame(name, lang, **values):
    return text_in(FRAMES[name], lang).format(**values)


def periods(spans):
    """`[(from, to), ...]` of ISO dates as `from – to, from – to` (one day: the date alone)."""
    return ", ".join(a if a == b else f"{a} – {b}" for a, b in spans)
