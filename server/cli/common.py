"""What every command shares: the default policies directory, bad input, loading a rulebook."""
from pathlib import Path

import click

from server import errors
from server.engine import runner as engine
from server.languages import LANGUAGES
from server.rules import rulebook

POLICIES = Path(__file__).resolve().parents[2] / "policies"
LANGUAGE = click.Choice(LANGUAGES)


class BadInput(click.ClickException):
    """Bad input: exit code 2, a message, never a traceback."""

    exit_code = 2


def load_book(policies, register=True):
    """The checked rulebook under `policies`, registered with this process's engine."""
    try:
        book = rulebook.load(policies)
        if register:
            engine.register_all(book)
    except errors.RuleFileError as e:
        raise BadInput(f"{e.message}\n(run `ereje check {policies}`)") from None
    return book
