"""`ereje log`: the decision log's hash chain verified, its sealing key rotated, a new key made."""
import os
import sqlite3

import click

from server import audit, sealing, store
from server.cli.common import BadInput

_DB = click.option("--db", "db_path", default="ereje.db", show_default=True, type=click.Path(dir_okay=False),
                   help="SQLite decision log.")


@click.group("log")
def log_group():
    """The decision log: verify its hash chain, rotate the key that seals personal data."""


@log_group.command("verify")
@_DB
def verify(db_path):
    """Walk the hash chain of the decision log and report the first broken link.

    Changes nothing (the file is opened read-only). Exit 0 when the chain is
    intact, 1 at a broken link (row, ruling id and what is wrong), 2 when there
    is no log to read or a row is sealed with a key EREJE_LOG_KEY does not hold.
    """
    keys = _keys()
    try:
        report = audit.verify(db_path, keys)
    except audit.NotALog as exc:
        raise BadInput(str(exc)) from None
    if report.blocked:
        raise BadInput(f"cannot verify {report.blocked}; set {sealing.ENV} to the keys the log was sealed with")
    if report.broken:
        click.echo(f"broken: {report.broken}")
        click.echo(f"({report.rulings - 1} rulings before it are intact)")
        raise click.exceptions.Exit(1)
    older = (f" ({report.unchained} older rulings, stored before the chain began, are not chained)"
             if report.unchained else "")
    click.echo(f"ok: {report.rulings} rulings, chain intact{older}")
    # The chain cannot show a log cut off at its end or rewritten whole: record the head, compare later.
    click.echo(f"head: {report.head}")


@log_group.command("rekey")
@_DB
def rekey(db_path):
    """Seal every ruling with the first key of EREJE_LOG_KEY.

    Run after putting a new key first (EREJE_LOG_KEY=new,old), or after setting a
    key on a log kept in clear; then drop the old key. The hash chain is not
    touched (it covers the clear content). Exit 1 if some rows could not be
    opened with the keys given: they are listed and left as they were.
    """
    keys = _keys()
    if keys is None:
        raise BadInput(f"{sealing.ENV} is not set: there is no key to seal with (`ereje log new-key` makes one)")
    if not os.path.isfile(db_path):
        raise BadInput(f"no decision log at {db_path}")
    try:
        db = store.open_db(db_path)
        try:
            done = audit.rekey(db)
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise BadInput(f"{db_path} cannot be read as a decision log: {exc}") from None
    click.echo(f"sealed {done.sealed} rulings with key {keys.sealing_id} ({done.were_clear} of them were in clear)")
    for problem in done.unreadable:
        click.echo(f"left as it was: {problem}")
    if done.unreadable:
        raise click.exceptions.Exit(1)


@log_group.command("new-key")
def new_key():
    """Print a new random key for EREJE_LOG_KEY (keep it as you keep the log's backups: apart)."""
    click.echo(sealing.new_key())


def _keys():
    try:
        return sealing.keys_from_env()
    except sealing.KeyProblem as exc:
        raise BadInput(str(exc)) from None
