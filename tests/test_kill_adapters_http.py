"""Registry reads over HTTP at their edges (CONTRACT section 5): what the full mutation run
(docs/mutation.md) found unchecked, each asserted as the reason, data or provenance a ruling shows."""
import io
import json
import re

import pytest
import requests
from urllib3.exceptions import MaxRetryError

from adapters import HttpSource, Query, RegistryUnavailable
from adapters.sources import http

pytestmark = pytest.mark.usefixtures("schemas_built_here")

BASE = "http://gateway.test/api"
EMPLOYER = "150540000106"
QUERY = Query(employer_bin=EMPLOYER, vacancy_code="4012345", passports=("N1234567",), region="ALMATY",
              year=2025, quota_category="3")
VACANCY = {"code": "4012345", "employer_bin": EMPLOYER, "published_on": "2025-09-01", "status": "active"}
OFFENCE = {"employer_bin": EMPLOYER, "article": "519", "decided_on": "2025-02-01"}
VACANCY_URL = f"{BASE}/labour-exchange/vacancies/4012345"
OFFENCES_URL = f"{BASE}/offences?employer_bin={EMPLOYER}"
ULCRS_URL = f"{BASE}/ulcrs/contracts?employer_bin={EMPLOYER}"
QUOTA_URL = f"{BASE}/quota/ALMATY/2025/3"


@pytest.fixture(autouse=True)
def session_of_this_test(monkeypatch):
    monkeypatch.setattr(http, "_session", None)


def unavailable(source, registry, query=QUERY):
    with pytest.raises(RegistryUnavailable) as caught:
        source.fetch(registry, query)
    assert caught.value.registry == registry
    return caught.value


# What the answer's headers say

@pytest.mark.parametrize("content_type", ["application/vnd.kz.registry+json", "application/problem+JSON"])
def test_a_json_media_type_by_its_suffix_is_read_as_utf8(requests_mock, content_type):
    # No charset, and not application/json: requests finds no encoding, so JSON's own (UTF-8) applies.
    body = dict(VACANCY, status="действует")
    requests_mock.get(VACANCY_URL, content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                      headers={"Content-Type": content_type})
    assert HttpSource(BASE).fetch("labour_exchange", QUERY)[0] == {"vacancy": body}


@pytest.mark.parametrize("charset", ["UTF_8", "windows_1251", "cp1251"])
def test_a_charset_written_with_an_underscore_is_read_in_it(requests_mock, charset):
    body = dict(VACANCY, status="действует")
    requests_mock.get(VACANCY_URL, content=json.dumps(body, ensure_ascii=False).encode(charset),
                      headers={"Content-Type": f"application/json; charset={charset}"})
    assert HttpSource(BASE).fetch("labour_exchange", QUERY)[0] == {"vacancy": body}


def test_a_declared_length_at_the_cap_is_read(requests_mock):
    text = json.dumps({"records": [OFFENCE]})
    requests_mock.get(OFFENCES_URL, text=text,
                      headers={"Content-Type": "application/json", "Content-Length": str(len(text))})
    data, provenance = HttpSource(BASE, max_bytes=len(text)).fetch("offences", QUERY)
    assert data == {"records": [OFFENCE]}
    assert provenance["status"] == 200


def test_an_answer_of_several_chunks_is_read_whole(requests_mock):
    # Past 64 KiB the body arrives in more than one piece.
    records = [dict(OFFENCE, article=str(500 + n % 100)) for n in range(1500)]
    text = json.dumps({"records": records})
    assert len(text) > 64 * 1024
    requests_mock.get(OFFENCES_URL, text=text, headers={"Content-Type": "application/json"})
    assert HttpSource(BASE).fetch("offences", QUERY)[0] == {"records": records}


# How a failed read is explained

class _BrokenBody(io.RawIOBase):
    """A body whose connection is reset after the first bytes."""

    def __init__(self):
        self.sent = False

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.sent:
            raise ConnectionResetError("reset by the gateway")
        self.sent = True
        buffer[:2] = b'{"'
        return 2


def test_an_answer_that_breaks_off_says_so(requests_mock):
    requests_mock.get(OFFENCES_URL, body=_BrokenBody(), headers={"Content-Type": "application/json"})
    err = unavailable(HttpSource(BASE), "offences")
    assert err.reason.startswith("answer broke off: ")
    assert "reset by the gateway" in err.reason
    assert err.provenance["status"] == 200


def test_a_refused_connection_names_urllib3s_reason(requests_mock):
    # What requests raises when its retries are spent: the reason is urllib3's, not the retry summary.
    cause = ConnectionRefusedError(111, "Connection refused")
    requests_mock.get(OFFENCES_URL, exc=requests.ConnectionError(MaxRetryError(None, "/api/offences", cause)))
    err = unavailable(HttpSource(BASE), "offences")
    assert err.reason == "connection failed: [Errno 111] Connection refused"
    assert err.provenance["url"] == OFFENCES_URL


def test_a_connection_error_with_no_detail_is_still_unavailable(requests_mock):
    requests_mock.get(OFFENCES_URL, exc=requests.ConnectionError)
    assert unavailable(HttpSource(BASE), "offences").reason == "connection failed: "


def test_a_connection_error_with_several_details_names_the_first(requests_mock):
    requests_mock.get(OFFENCES_URL, exc=requests.ConnectionError("connection reset", "second detail"))
    assert unavailable(HttpSource(BASE), "offences").reason == "connection failed: connection reset"


def test_another_request_failure_says_what_failed(requests_mock):
    requests_mock.get(OFFENCES_URL, exc=requests.TooManyRedirects("Exceeded 30 redirects."))
    err = unavailable(HttpSource(BASE), "offences")
    assert err.reason == "request failed: Exceeded 30 redirects."
    assert err.provenance["url"] == OFFENCES_URL


@pytest.mark.parametrize("registry, url", [("ulcrs", ULCRS_URL), ("offences", OFFENCES_URL)])
def test_not_found_from_a_registry_that_lists_records_is_a_failure(requests_mock, registry, url):
    requests_mock.get(url, status_code=404, json={"error": "not found"},
                      headers={"Content-Type": "application/json"})
    err = unavailable(HttpSource(BASE), registry)
    assert err.reason == "answered HTTP 404"
    assert err.provenance["status"] == 404


def test_an_unpublished_quota_is_unavailable_and_says_which(requests_mock):
    requests_mock.get(QUOTA_URL, status_code=404, json={"error": "not found"},
                      headers={"Content-Type": "application/json"})
    err = unavailable(HttpSource(BASE), "quota")
    assert err.reason == "no quota published for ALMATY 2025 category 3"
    assert (err.provenance["url"], err.provenance["status"]) == (QUOTA_URL, 404)


# Where the gateway is and what the provenance says

def test_a_gateway_path_ending_in_x_keeps_it(requests_mock):
    requests_mock.get("http://gateway.test/TAX/quota/ALMATY/2025/3", json={"remaining": 4},
                      headers={"Content-Type": "application/json"})
    data, provenance = HttpSource("http://gateway.test/TAX/").fetch("quota", QUERY)
    assert data["remaining"] == 4
    assert provenance["url"] == "http://gateway.test/TAX/quota/ALMATY/2025/3"


class _Clock:
    """time for http.py: a read that starts at 100 s and takes 12.34 ms."""

    def __init__(self):
        self.reads = 0

    def monotonic(self):
        self.reads += 1
        return 100.0 if self.reads == 1 else 100.01234


def test_the_read_time_is_in_milliseconds_to_one_decimal(requests_mock, monkeypatch):
    monkeypatch.setattr(http, "time", _Clock())
    requests_mock.get(QUOTA_URL, json={"remaining": 4}, headers={"Content-Type": "application/json"})
    provenance = HttpSource(BASE).fetch("quota", QUERY)[1]
    assert provenance["duration_ms"] == 12.3
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", provenance["fetched_at"])
