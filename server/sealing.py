"""Personal data in the decision log, sealed with Fernet keys from EREJE_LOG_KEY.

EREJE_LOG_KEY holds one or more Fernet keys (`ereje log new-key` prints one),
comma-separated: the first seals what is written, every one opens what was
sealed with it, so a key is rotated by putting the new one first and running
`ereje log rekey`. Fernet is authenticated encryption (AES-128-CBC with
HMAC-SHA256, cryptography's implementation): a sealed value that was altered
does not open. Each sealed row names its key by a fingerprint (a hash of the
key, which tells nothing about it), so a row whose key is not held is told apart
from a row that was altered.
"""
import functools
import hashlib
import logging
import os
import threading

from cryptography.fernet import Fernet, InvalidToken

ENV = "EREJE_LOG_KEY"


class KeyProblem(ValueError):
    """EREJE_LOG_KEY is set but is not a list of Fernet keys (the message never shows a key)."""


class Unreadable(Exception):
    """A sealed value that cannot be opened here."""

    def __init__(self, message, altered=False):
        super().__init__(message)
        self.message = message
        self.altered = altered   # True: the key is held and the bytes do not open: they were changed


class Keys:
    """The keys of EREJE_LOG_KEY: the first seals, each opens its own."""

    def __init__(self, keys):
        self._by_id = {fingerprint(key): Fernet(key) for key in keys}
        self.sealing_id = fingerprint(keys[0])
        self._sealer = self._by_id[self.sealing_id]

    def __len__(self):
        return len(self._by_id)

    def seal(self, text):
        """`text` sealed with the first key, as ASCII text."""
        return self._sealer.encrypt(text.encode("utf-8", "surrogatepass")).decode("ascii")

    def open(self, token, key_id):
        """The text sealed as `token` with the key `key_id`; raises Unreadable."""
        fernet = self._by_id.get(key_id)
        if fernet is None:
            raise Unreadable(f"sealed with key {key_id}, which {ENV} does not hold")
        try:
            return fernet.decrypt(token).decode("utf-8", "surrogatepass")
        except (InvalidToken, ValueError, TypeError):
            raise Unreadable(f"does not open with its key {key_id}: the stored bytes were altered",
                             altered=True) from None


def fingerprint(key):
    """A key's public name: 16 hex digits of a hash of it."""
    raw = key.encode("ascii") if isinstance(key, str) else key
    return hashlib.sha256(b"ereje-log-key\n" + raw).hexdigest()[:16]


def new_key():
    """A fresh Fernet key, as text."""
    return Fernet.generate_key().decode("ascii")


def keys_from_env(environ=None):
    """The Keys EREJE_LOG_KEY names, or None when it is unset or empty (the log stays clear).

    Raises KeyProblem when it is set to anything that is not Fernet keys: a
    misspelt key must not silently leave personal data in clear.
    """
    value = (os.environ if environ is None else environ).get(ENV, "")
    return _parse(value) if value else None


@functools.cache
def _parse(value):
    items = [item.strip() for item in value.split(",")]
    keys = []
    for n, item in enumerate(items, 1):
        if not item:
            raise KeyProblem(f"{ENV}: key {n} of {len(items)} is blank")
        try:
            Fernet(item)
        except (ValueError, TypeError):
            raise KeyProblem(f"{ENV}: key {n} of {len(items)} is not a Fernet key "
                             f"(32 url-safe base64-encoded bytes; `ereje log new-key` prints one)") from None
        keys.append(item)
    return Keys(keys)


def seal_row(keys, row, columns):
    """`row` with its `columns` sealed with the first of `keys`, `sealed_with` naming it (None: clear)."""
    if keys is None:
        return {**row, "sealed_with": None}
    return {**row, **{c: keys.seal(row[c]) for c in columns if row.get(c) is not None},
            "sealed_with": keys.sealing_id}


def open_row(keys, row, columns):
    """`row` with those of its `columns` it holds opened; raises Unreadable."""
    key_id = row.get("sealed_with")
    if key_id is None:
        return row
    if keys is None:
        raise Unreadable(f"sealed with key {key_id}, and {ENV} is not set")
    return {**row, **{c: keys.open(row[c], key_id) for c in columns if row.get(c) is not None}}


def protection_mode():
    """How personal data is kept, in a few words (for a start-up line). Raises KeyProblem."""
    keys = keys_from_env()
    if keys is None:
        return f"clear ({ENV} not set: IINs and passports are stored readable)"
    older = f", {len(keys) - 1} older key(s) to read" if len(keys) > 1 else ""
    return f"sealed (Fernet key {keys.sealing_id}{older})"


_ANNOUNCED = threading.Event()


def announce_protection(logger):
    """Say once per process how personal data is kept: a warning when in clear."""
    if _ANNOUNCED.is_set():
        return
    _ANNOUNCED.set()
    mode = protection_mode()
    logger.log(logging.WARNING if mode.startswith("clear") else logging.INFO, "decision log: %s", mode)
