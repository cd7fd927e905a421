"""The languages Ereje speaks, and how a text is chosen from a rule file's texts."""

LANGUAGES = ("en", "ru", "kk")
REQUIRED = ("en", "ru")      # every rule-file text has these; kk where the file gives it


def text_in(texts, lang):
    """The text in `lang`, else English, else any; a plain string is returned as is."""
    if isinstance(texts, dict):
        return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")
    return texts or ""
