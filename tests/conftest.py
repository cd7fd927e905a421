from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
APPLICATIONS = ROOT / "fixtures" / "applications"


@pytest.fixture(scope="session")
def book():
    from server import rulebook
    return rulebook.load(POLICIES)
