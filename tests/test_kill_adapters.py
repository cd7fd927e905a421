"""What the adapters answer at their edges: masked log lines, absent persons before present ones,
registry answers missing a required field (bench/mutation.py found these unchecked)."""
import pytest

from adapters import FixtureSource, HttpSource, Query, RegistryUnavailable
from adapters.masking import mask

BASE = "http://gateway.test/api"
EMPLOYER = "150540000106"
QUERY = Query(employer_bin=EMPLOYER, vacancy_code="4012345", passports=("N1234567",), region="ALMATY",
              year=2025, quota_category="3")
VACANCY = {"code": "4012345", "employer_bin": EMPLOYER, "published_on": "2025-09-01", "status": "active"}
CONTRACT = {"employer_bin": EMPLOYER, "employee_iin": "900101300007", "passport": "N1234567",
            "number": "TD-15", "kind": "labour", "registered_on": "2025-03-04"}
PERSON = {"passport": "N1234567", "iin": "900101300007", "status": "lawful"}
OFFENCE = {"employer_bin": EMPLOYER, "article": "519", "decided_on": "2025-02-01"}
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("line,masked", [
    ("GET /v1/rulings?employer_bin=150540000106 HTTP/1.1", "GET /v1/rulings?employer_bin=*** HTTP/1.1"),
    ("/migration-police/persons/P%2F55", "/migration-police/persons/***"),
    ("/v1/x/N1234567/y", "/v1/x/***/y"),
    ("/v1/rulings/0123456789abcdef0123456789abcdef", "/v1/rulings/0123456789abcdef0123456789abcdef"),
    ("", ""),
    (None, None),
])
def test_identifiers_are_masked_in_log_lines(line, masked):
    assert mask(line) == masked


def test_an_absent_person_before_a_present_one_does_not_stop_the_reads(requests_mock):
    base = f"{BASE}/migration-police/persons/"
    requests_mock.get(base + "N7654321", status_code=404, headers=JSON, json={"error": "not found"})
    requests_mock.get(base + "N1234567", json=PERSON, headers=JSON)
    query = Query(**{**QUERY.__dict__, "passports": ("N7654321", "N1234567")})
    data, provenance = HttpSource(BASE, timeout=0.5).fetch("migration_police", query)
    assert data == {"persons": [PERSON]}
    assert [c["status"] for c in provenance["requests"]] == [404, 200]


# registry -> (URL, a full answer, how to take one field out of it, where the answer nests that record)
ANSWERS = {
    "labour_exchange": (f"{BASE}/labour-exchange/vacancies/4012345", VACANCY, None),
    "ulcrs": (f"{BASE}/ulcrs/contracts?employer_bin={EMPLOYER}", CONTRACT, "contracts"),
    "migration_police": (f"{BASE}/migration-police/persons/N1234567", PERSON, None),
    "offences": (f"{BASE}/offences?employer_bin={EMPLOYER}", OFFENCE, "records"),
    "quota": (f"{BASE}/quota/ALMATY/2025/3", {"remaining": 12}, None),
}
REQUIRED = [(registry, name) for registry, (_, record, _) in ANSWERS.items() for name in record
            if name not in ("employee_iin", "iin")]


@pytest.mark.parametrize("registry,missing", REQUIRED, ids=[f"{r}-{n}" for r, n in REQUIRED])
def test_an_answer_without_a_required_field_makes_the_registry_unavailable(requests_mock, registry, missing):
    url, record, listed = ANSWERS[registry]
    partial = {k: v for k, v in record.items() if k != missing}
    requests_mock.get(url, json={listed: [partial]} if listed else partial, headers=JSON)
    with pytest.raises(RegistryUnavailable) as caught:
        HttpSource(BASE, timeout=0.5).fetch(registry, QUERY)
    where = f"{{'{listed}': {{'0': {{'{missing}'" if listed else f"{{'{missing}'"
    assert caught.value.reason == f"answer does not fit: {where}: ['Missing data for required field.']}}" + (
        "}}" if listed else "")


@pytest.mark.parametrize("registry,field", [("ulcrs", "employee_iin"), ("migration_police", "iin")])
def test_an_identifier_a_record_may_lack_can_be_null(requests_mock, registry, field):
    url, record, listed = ANSWERS[registry]
    nulled = {**record, field: None}
    requests_mock.get(url, json={listed: [nulled]} if listed else nulled, headers=JSON)
    data, _ = HttpSource(BASE, timeout=0.5).fetch(registry, QUERY)
    assert data == ({"contracts": [nulled]} if listed else {"persons": [nulled]})


def test_a_fixture_read_twice_in_a_row_answers_the_same():
    source = FixtureSource()
    first, _ = source.fetch("ulcrs", QUERY)
    again, _ = source.fetch("ulcrs", QUERY)   # within the recheck interval: from what was read
    assert again == first and first["contracts"]
