"""The rule sets `ereje serve` publishes: checked snapshots of the policies directory.

The master copies the rule files it is about to check into a staging folder, checks
that copy in full (rule files and what the engine needs) and only then moves it to
`<store>/<set digest>/`, which is never written again, and atomically replaces the
pointer file `<store>/current` with that digest. Workers load the snapshot the pointer
names, at boot and whenever the pointer moves, so a worker never reads a half-edited
or broken policies directory. Nothing here touches the engine: the master runs it.
"""
import hashlib
import os
import shutil
from pathlib import Path

from server.engine import compile as compiler
from server.rules import rulebook
from server.rules.source import Problem

POINTER = "current"
KEEP = 10  # snapshots kept besides the current one; history lives in the decision log


def store_for(db):
    """The snapshot folder beside decision log `db`: ereje.db -> ereje.db-rules/."""
    return Path(os.path.abspath(os.fspath(db) + "-rules"))


def rule_files(policies):
    """{'<regulation>/<version>.yaml': bytes} of the files a rulebook reads under `policies`."""
    policies = Path(policies)
    found = sorted(policies.glob("*/*.yaml")) + sorted(policies.glob("*/*.yml"))
    return {str(path.relative_to(policies)): path.read_bytes() for path in found}


def signature(policies):
    """What changes when a rule file is written, added or removed (for --reload-rules)."""
    policies = Path(policies)
    found = sorted(policies.glob("*/*.yaml")) + sorted(policies.glob("*/*.yml"))
    out = []
    for path in found:
        try:
            st = path.stat()
        except FileNotFoundError:  # removed while listed
            continue
        out.append((str(path), st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(out)


def set_digest(files):
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def publish(policies, store):
    """Check the rule files under `policies` and, if they pass, make them the current set.

    Returns (set digest, book, []) on success, or (None, None, problems) with each
    problem at its file and line under `policies`; the pointer is then left as it was.
    """
    policies, store = Path(policies), Path(store)
    try:
        files = rule_files(policies)
    except OSError as e:
        return None, None, [Problem(str(policies), 0, f"cannot read the rule files: {e}")]
    if not files:
        return None, None, [Problem(str(policies), 0, "no rule files here (<regulation>/<version>.yaml)")]
    name = set_digest(files)
    store.mkdir(parents=True, exist_ok=True)
    staging = store / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    for rel, text in files.items():
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_bytes(text)
    book, problems = check(staging)
    if problems:
        shutil.rmtree(staging, ignore_errors=True)
        return None, None, [_under(p, staging, policies) for p in problems]
    if (store / name).exists():
        shutil.rmtree(staging)
        os.utime(store / name)  # newest again, so pruning keeps it
    else:
        staging.rename(store / name)
    _point(store, name)
    _prune(store, name)
    return name, book, []


def check(directory):
    """(book, problems): the rule files' own checks, then what the engine could not run."""
    book, problems = rulebook.check(directory)
    return book, problems or compiler.problems(book)


def pointer(store):
    return Path(store) / POINTER


def current(store):
    """The digest of the set the pointer names, or None before anything was published."""
    try:
        return pointer(store).read_text().strip() or None
    except FileNotFoundError:
        return None


def stamp(store):
    """A cheap token that changes whenever the pointer file is replaced."""
    try:
        st = os.stat(pointer(store))
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


def _point(store, name):
    tmp = store / f".{POINTER}-{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, pointer(store))  # atomic: a reader sees the old name or the new one


def _prune(store, keep):
    """Drop all but the KEEP newest snapshots; never the current one."""
    snapshots = [p for p in store.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != keep]
    snapshots.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in snapshots[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def _under(problem, staging, policies):
    """A problem found in the staged copy, named at the lawyer's own file."""
    file = str(problem.file)
    if file.startswith(str(staging)):
        file = str(policies) + file[len(str(staging)):]
    return Problem(file, problem.line, problem.message)
