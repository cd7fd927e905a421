"""Identifiers masked in what is logged: IINs and BINs (12 digits) and passport numbers.

An access log line must not identify a person or an employer. A path or query string
is masked wherever such a number may stand, whether or not the route put it there.
"""
import re

MASK = "***"

# A 12-digit IIN or BIN, or something shaped like a passport number (letters then
# digits, N1234567), standing on its own: a ruling id (32 hex characters) never is.
_IDENTIFIER = re.compile(r"(?<![0-9A-Za-z])(?:\d{12}|[A-Za-z]{1,3}\d{5,10})(?![0-9A-Za-z])")
# Where the registry protocol (CONTRACT s.5) carries one, whatever its shape.
_CARRIERS = re.compile(r"(/persons/|[?&](?:employer_bin|bin|iin|passport)=)[^/?&#\s\"]*")


def mask(text):
    """`text` (a path, a URL or a request line) with every identifier replaced by ***."""
    if not text:
        return text
    return _IDENTIFIER.sub(MASK, _CARRIERS.sub(lambda m: m.group(1) + MASK, text))
