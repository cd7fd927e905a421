"""Registry answers over HTTP that the mutation run found unchecked (docs/mutation.md)."""
import pytest

from adapters import HttpSource, Query, RegistryUnavailable

BASE = "http://gateway.test/api"
QUERY = Query(employer_bin="150540000106", vacancy_code="4012345", passports=("N1234567",), region="ALMATY",
              year=2025, quota_category="3")


def test_an_answer_with_no_content_type_is_unavailable_and_says_so(requests_mock):
    requests_mock.get(f"{BASE}/labour-exchange/vacancies/4012345", content=b"{}", headers={})
    with pytest.raises(RegistryUnavailable) as caught:
        HttpSource(BASE, timeout=0.5).fetch("labour_exchange", QUERY)
    assert caught.value.registry == "labour_exchange"
    assert caught.value.reason == "answered no content type, not JSON"
