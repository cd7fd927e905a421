"""Every command and every endpoint is documented: its exact text appears in README.md or docs/*.md.

Walks the click group and the API's url_map (as sqlite-utils' test_docs walks its
CLI), so a command or endpoint added without a word in the docs fails here.
"""
import re

import click
import pytest

from server.api.app import create_app
from server.cli import main

from tests.conftest import ROOT

DOCS = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def _commands(command, path):
    yield " ".join(path)
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, [*path, name])


def _endpoints():
    app = create_app({"DB": ":memory:", "TESTING": True})
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)   # /<int:year> -> /{year}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield f"{method} {path}"


COMMANDS = list(_commands(main, ["ereje"]))[1:]
ENDPOINTS = sorted(_endpoints())


def test_the_walks_find_the_commands_and_endpoints_of_the_contract():
    assert {"ereje rule", "ereje check", "ereje test", "ereje serve", "ereje diff", "ereje compare",
            "ereje registries serve"} <= set(COMMANDS)
    assert {"POST /v1/rulings", "GET /v1/rulings/{ruling_id}", "GET /healthz", "GET /openapi.json"} <= set(ENDPOINTS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_docs(command):
    # "ereje test" but not "ereje tests": the name ends where the docs' word ends.
    found = re.search(re.escape(command) + r"(?![\w-])", DOCS) is not None
    assert found, f"`{command}` appears in no README.md or docs/*.md"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_is_in_the_docs(endpoint):
    # Path parameters may be named differently ({id} for <ruling_id>); every other
    # character must match, and the path must end there (a query string may follow).
    pattern = "".join(r"\{[^}/]+\}" if part.startswith("{") else re.escape(part)
                      for part in re.split(r"(\{[^}]+\})", endpoint))
    found = re.search(pattern + r"(?![\w/{-])", DOCS) is not None
    assert found, f"`{endpoint}` appears in no README.md or docs/*.md"
