from pathlib import Path

import pytest

from server.engine import runner as engine
from server.rules import rulebook

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
APPLICATIONS = ROOT / "fixtures" / "applications"


@pytest.fixture(scope="session")
def book():
    """The shipped rule files, loaded and registered with this process's engine."""
    loaded = rulebook.load(POLICIES)
    engine.register_all(loaded)
    return loaded
