"""`ereje diff A B`: what changed from one version of a regulation to another."""
import json

import click

from server import errors
from server.cli.common import POLICIES, BadInput, load_book
from server.diff import between
from server.diff_text import text_diff


@click.command("diff")
@click.argument("from_version", metavar="A")
@click.argument("to_version", metavar="B")
@click.option("--regulation", help="Regulation id (default: kz-foreign-labour).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["en", "ru", "kk"]), default="en", show_default=True)
@click.option("--policies", type=click.Path(file_okay=False), default=None, help="Directory of rule files.")
def diff_command(from_version, to_version, regulation, fmt, lang, policies):
    """Show what changed from version A to version B of a regulation."""
    book = load_book(policies or POLICIES, register=False)
    try:
        d = between(book, regulation, from_version, to_version, lang)
    except errors.EREJEError as e:
        raise BadInput(e.message) from None
    if fmt == "json":
        click.echo(json.dumps(d, ensure_ascii=False, indent=2))
    else:
        click.echo(text_diff(d, lang))
