"""The version that judged a stored ruling, even after its rule files were edited.

Each version's rule files (its own and those it amends) are kept in the decision log
under its digest when it is first loaded; a stored ruling is rendered with the
version whose digest it carries: the loaded one if the digest still matches, else
one rebuilt from the kept files. Replays judge under the current set as before.
"""
import hashlib
import tempfile
import threading
from pathlib import Path

from server import errors
from server.rules import rulebook

_CACHE_SIZE = 16
_rebuilt = {}  # digest -> Version (or None when the kept files no longer load)
_guard = threading.Lock()


def versions(book):
    return [v for reg in book.regulations.values() for v in reg.versions]


def files_of(version):
    """The row to keep for `version`: digest, names and its files' texts in order;
    None if the files on disk no longer match its digest (edited since loading)."""
    try:
        texts = [Path(f).read_bytes() for f in version.files]
    except OSError:
        return None
    if _digest(texts) != version.digest:
        return None
    names = [f"{Path(f).parent.name}/{Path(f).name}" for f in version.files]
    return {"digest": version.digest, "regulation": version.regulation, "version": version.version,
            "files": [[name, text.decode("utf-8")] for name, text in zip(names, texts)]}


def version_of(ruling, book, kept):
    """The version that judged `ruling` (by its ruleset_digest), or None if it is unknown
    (`book`: the loaded rulebook, or None to look only among kept files);
    `kept(digest)` reads a row written by `files_of` back from the log (None if absent)."""
    digest = ruling.get("ruleset_digest")
    try:
        loaded = None if book is None else book.version(ruling.get("regulation"), ruling.get("version"))
    except errors.EREJEError:
        loaded = None
    if loaded is not None and loaded.digest == digest:
        return loaded
    if not digest:
        return None
    with _guard:
        if digest in _rebuilt:
            return _rebuilt[digest]
    row = kept(digest)
    if row is None:
        return None  # judged before versions were kept: the ruling is shown as stored
    version = _rebuild(row)
    with _guard:
        if len(_rebuilt) >= _CACHE_SIZE:
            _rebuilt.pop(next(iter(_rebuilt)))
        _rebuilt[digest] = version
    return version


def _rebuild(row):
    """The version written in a kept row, loaded from a scratch copy of its files."""
    with tempfile.TemporaryDirectory(prefix="ereje-history-") as scratch:
        for name, text in row["files"]:
            path = Path(scratch) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))   # byte for byte as kept, whatever the locale
        book, problems = rulebook.check(scratch)
    if problems:
        return None  # written under rules this Ereje no longer accepts: shown as stored
    for v in versions(book):
        if v.digest == row["digest"]:
            return v
    return None


def _digest(texts):
    digest = hashlib.sha256()
    for text in texts:
        digest.update(hashlib.sha256(text).digest())
    return "sha256:" + digest.hexdigest()
