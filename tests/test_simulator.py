"""The registry gateway simulator, through Flask's test client and click's runner."""

import time

import pytest
from click.testing import CliRunner

from adapters.simulator import create_simulator, parse_fault
from server.cli.registries import registries

EMPLOYER = "150540000106"


@pytest.fixture
def simulator():
    """The simulator app through Flask's test client."""
    return create_simulator().test_client()


def test_a_vacancy_by_code(simulator):
    response = simulator.get("/labour-exchange/vacancies/4012345")
    assert response.status_code == 200
    assert response.json == {
        "code": "4012345", "employer_bin": EMPLOYER, "published_on": "2025-09-01", "status": "active",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/labour-exchange/vacancies/0000000",
        "/migration-police/persons/UNKNOWN",
        "/quota/ALMATY/2031/3",
        "/quota/ALMATY/next/3",
    ],
)
def test_what_the_registry_does_not_hold_is_404(simulator, path):
    response = simulator.get(path)
    assert response.status_code == 404
    assert "error" in response.json


def test_contracts_and_offences_of_one_employer(simulator):
    contracts = simulator.get(f"/ulcrs/contracts?employer_bin={EMPLOYER}").json["contracts"]
    assert {"TD-15", "TD-16", "TD-17"} <= {c["number"] for c in contracts}
    assert {c["employer_bin"] for c in contracts} == {EMPLOYER}
    records = simulator.get("/offences?employer_bin=200540000108").json["records"]
    assert [r["article"] for r in records] == ["519", "517"]
    assert simulator.get(f"/offences?employer_bin={EMPLOYER}").json == {"records": []}


@pytest.mark.parametrize("path", ["/ulcrs/contracts", "/offences?employer_bin="])
def test_employer_bin_is_required(simulator, path):
    response = simulator.get(path)
    assert response.status_code == 400
    assert "employer_bin" in response.json["error"]


def test_a_person_and_a_quota(simulator):
    assert simulator.get("/migration-police/persons/P9990002").json == {
        "passport": "P9990002", "iin": "950707300000", "status": "overstay",
    }
    assert simulator.get("/quota/SHYMKENT/2025/seasonal").json == {"remaining": 40}


def test_faults_given_at_creation_apply_at_once():
    simulator = create_simulator(faults={"ulcrs": {"status": 503}}).test_client()
    assert simulator.get(f"/ulcrs/contracts?employer_bin={EMPLOYER}").status_code == 503
    assert simulator.get("/quota/ALMATY/2025/3").status_code == 200


def test_a_status_fault_set_at_runtime_and_cleared(simulator):
    assert simulator.put("/_faults/quota", json={"status": 500}).json == {"quota": {"status": 500}}
    assert simulator.get("/quota/ALMATY/2025/3").status_code == 500
    assert simulator.delete("/_faults").status_code == 200
    assert simulator.get("/quota/ALMATY/2025/3").status_code == 200


def test_an_empty_fault_clears_that_registry(simulator):
    simulator.put("/_faults/quota", json={"status": 500})
    simulator.put("/_faults/offences", json={"status": 503})
    assert simulator.put("/_faults/quota", json={}).json == {"offences": {"status": 503}}


def test_a_not_json_body_claims_to_be_json(simulator):
    simulator.put("/_faults/migration_police", json={"body": "not_json"})
    response = simulator.get("/migration-police/persons/N1234567")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json(silent=True) is None


def test_a_wrong_shape_body(simulator):
    simulator.put("/_faults/ulcrs", json={"body": "wrong_shape"})
    assert "contracts" not in simulator.get(f"/ulcrs/contracts?employer_bin={EMPLOYER}").json


def test_a_delay(simulator):
    simulator.put("/_faults/labour_exchange", json={"delay": 0.3})
    started = time.monotonic()
    assert simulator.get("/labour-exchange/vacancies/4012345").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_faults_of_unknown_registries_are_404(simulator):
    assert simulator.put("/_faults/tax", json={"status": 503}).status_code == 404


@pytest.mark.parametrize(
    "fault",
    [{"status": 42}, {"status": "503"}, {"delay": -1}, {"delay": True}, {"body": "empty"}, {"slow": 1}, [1]],
)
def test_bad_faults_are_400_and_say_why(simulator, fault):
    response = simulator.put("/_faults/ulcrs", json=fault)
    assert response.status_code == 400
    assert response.json["error"]
    assert simulator.get("/_faults").json == {}


@pytest.mark.parametrize(
    "spec, fault",
    [
        ("503", {"status": 503}),
        ("delay:5", {"delay": 5.0}),
        ("delay:0.25", {"delay": 0.25}),
        ("not_json", {"body": "not_json"}),
        ("delay:1,wrong_shape", {"delay": 1.0, "body": "wrong_shape"}),
    ],
)
def test_fault_specs(spec, fault):
    assert parse_fault(spec) == fault


@pytest.mark.parametrize("spec", ["99", "slow", "delay:", "delay:-1", "delay:x", "not-json"])
def test_bad_fault_specs(spec):
    with pytest.raises(ValueError, match="bad"):
        parse_fault(spec)


@pytest.mark.parametrize("option", ["ulcrs", "tax=503", "ulcrs=slow"])
def test_serve_refuses_bad_fault_options(option):
    result = CliRunner().invoke(registries, ["serve", "--fault", option])
    assert result.exit_code == 2
    assert "--fault" in result.output


@pytest.mark.parametrize(
    "command, summary",
    [([], "The state registries a ruling reads facts from."),
     (["serve"], "Serve registry fixtures over HTTP as the registry gateway would.")],
)
def test_every_command_is_documented(command, summary):
    result = CliRunner().invoke(registries, [*command, "--help"])
    assert result.exit_code == 0
    assert summary in result.output
