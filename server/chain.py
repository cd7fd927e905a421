"""The decision log's hash chain: each ruling's hash covers its clear content and the hash before it.

hash = sha256(previous hash + sha256(content)), where the content is every
stored column of the ruling in clear (the JSON texts as written, before any
sealing), so sealing or re-sealing a row with another key leaves its hash as it
was. The first chained ruling follows GENESIS. Rows written before the chain
existed carry no hash; the chain starts after them.

What a chain shows: a row edited, deleted, inserted or moved among the chained
ones breaks it at that row or the next one. What it cannot show alone: a log
cut off at its end, or rewritten whole with new hashes; `ereje log verify`
prints the head hash so an auditor can record it and compare later.
"""
import hashlib
import json
from dataclasses import dataclass

import orjson

from server.sealing import Unreadable

GENESIS = "sha256:" + "0" * 64
SCHEME = "ereje-log-chain-v1"

# The columns a hash covers, in this order (never reorder: stored hashes depend on it).
COVERED = ("id", "created_at", "reference", "regulation", "version", "ruleset_digest", "outcome", "lang",
           "replay_of", "request", "registry", "findings", "trace", "ruling", "idempotency_key", "request_hash")


def content_digest(row):
    """sha256 of a row's covered columns (clear values), as bytes."""
    # ASCII escapes: the same text whatever the values hold, lone surrogates included.
    values = [SCHEME, *(row.get(column) for column in COVERED)]
    if all(v is None or (v.__class__ is str and v.isascii() and "\x7f" not in v) for v in values):
        # The usual row: orjson writes exactly the bytes json.dumps would (it escapes
        # the same control characters the same way; only DEL and non-ASCII differ), 4x faster.
        return hashlib.sha256(orjson.dumps(values)).digest()
    text = json.dumps(values, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).digest()


def link(previous, digest):
    """The hash of a row whose content digest is `digest`, following the hash `previous`."""
    return "sha256:" + hashlib.sha256(previous.encode("ascii") + b"\n" + digest).hexdigest()


@dataclass(frozen=True)
class Break:
    rowid: int
    ruling_id: str
    problem: str

    def __str__(self):
        return f"row {self.rowid} (ruling {self.ruling_id}): {self.problem}"


@dataclass(frozen=True)
class Report:
    rulings: int          # rows read, chained or not
    unchained: int        # rows before the chain began
    head: str             # the last chained row's hash (GENESIS when none)
    broken: Break = None  # the first broken link, if any
    blocked: Break = None  # the row the walk stopped at, unable to read it (its key is not held)


class Row:
    """One stored row for the walk: rowid, id, its link columns and a way to read its clear content."""

    def __init__(self, rowid, ruling_id, prev_hash, hash_, clear):
        self.rowid, self.id, self.prev_hash, self.hash, self.clear = rowid, ruling_id, prev_hash, hash_, clear


def walk(rows):
    """Check `rows` (Row values in insertion order) link by link; a Report with the first Break.

    `row.clear()` returns the covered columns in clear, or raises Unreadable:
    altered content is a break; a row whose key is not held stops the walk (blocked).
    """
    count, unchained, head, previous_row = 0, 0, GENESIS, None
    for row in rows:
        count += 1
        try:
            problem = _problem(row, head, previous_row, unchained)
        except Unreadable as exc:
            return Report(count, unchained, head, blocked=Break(row.rowid, row.id, exc.message))
        if problem:
            return Report(count, unchained, head, Break(row.rowid, row.id, problem))
        if row.hash is None:
            unchained += 1
            continue
        head, previous_row = row.hash, row
    return Report(count, unchained, head)


def _problem(row, head, previous_row, unchained):
    """What is wrong with `row` coming after `previous_row` (None: nothing)."""
    if row.hash is None:
        if previous_row is None:
            return None   # before the chain began
        return f"carries no hash, though row {previous_row.rowid} before it is chained: added around the chain"
    if row.prev_hash != head:
        if previous_row is None:
            before = "the chain's start" + (f" (after {unchained} unchained rows)" if unchained else "")
            return f"its previous hash is not {before}: a ruling before it was deleted, or its link was edited"
        return (f"its previous hash does not match row {previous_row.rowid}'s hash: a ruling between them "
                f"was deleted or moved, or its link was edited")
    try:
        clear = row.clear()
    except Unreadable as exc:
        if exc.altered:
            return f"its sealed content {exc.message}"
        raise
    if link(row.prev_hash, content_digest(clear)) != row.hash:
        return "its content does not match its hash: the row was edited"
    return None
