"""What the tests share: the repo's paths and the fixtures most modules use.

Plain helpers that build requests live in tests/helpers.py; no test module imports
from another. The YAML cases beside the rule files are collected by
server/judging/caseplugin.py (loaded in pyproject.toml's addopts).
"""
import os
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters import records
from server.api.app import create_app
from server.engine import runner as engine
from server.rules import rulebook

pytest_plugins = ["pytester"]   # tests of the YAML-case plugin run pytest on a copy of policies/

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
APPLICATIONS = ROOT / "fixtures" / "applications"

# Page tests drive Debian's chromium (never a downloaded build); `.ci/run` requires it.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("EREJE_REQUIRE_BROWSER"):
    raise RuntimeError("EREJE_REQUIRE_BROWSER is set but Debian's chromium is not installed")
# A browser test module's pytestmark: skipped without chromium, and slow (it starts a browser).
IN_A_BROWSER = [pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
                pytest.mark.slow]


@pytest.fixture(scope="session")
def book():
    """The shipped rule files, loaded and registered with this process's engine."""
    loaded = rulebook.load(POLICIES)
    engine.register_all(loaded)
    return loaded


@pytest.fixture
def app(tmp_path):
    """The API over the shipped rule files, with a decision log of its own."""
    return create_app({"DB": str(tmp_path / "log.db"), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def schemas_built_here(monkeypatch):
    """The registry data schemas built in the test, not when the module was imported.

    Validation is the same; building them here is what lets a mutation run (docs/mutation.md) see a
    changed schema, which it switches on only while a test runs."""
    answers, one_record, inline_registry = records._built()
    # The adapters imported these dicts by name: their contents are replaced, wholly (a registry the
    # new build lacks must be missing here too), and restored after the test.
    for table, built in ((records.ANSWERS, answers), (records.RECORDS, one_record)):
        for name in list(table):
            monkeypatch.delitem(table, name)
        for name, schema in built.items():
            monkeypatch.setitem(table, name, schema)
    monkeypatch.setattr(records, "_INLINE_SCHEMA", inline_registry())


@pytest.fixture
def runner():
    """click's runner, to call `ereje` commands in this process."""
    return CliRunner()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def free_port():
    """A function returning a loopback port that nothing listens on right now."""
    return _free_port


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium under Playwright, with the flags this closed network needs."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()
