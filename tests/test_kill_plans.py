"""Plan reasons the mutation run found unchecked (docs/mutation.md): a version starting on the horizon's
last day, a registry that cannot be read, and days no version covers."""
import shutil

import adapters
from server.engine import runner as engine
from server.rules import rulebook

from .conftest import POLICIES
from .test_plans import Registries, plan, request

VACANCY = "The vacancy was posted on the electronic labour exchange by the applicant"
LOCAL = "Citizens make up the required share of staff"


def _horizon(req, days):
    return {**req, "horizon_days": days}


def test_a_version_starting_on_the_horizons_last_day_judges_that_day(book):
    # No vacancy (required from the amendment on) and too few citizens (required throughout).
    found = plan(book, _horizon(request("2025-08-20", specialists=(50, 50)), 12))
    assert found["horizon"] == {"from": "2025-08-20", "to": "2025-09-01"}
    assert found["earliest"] is None
    assert found["reason"].startswith("No filing date from 2025-08-20 to 2025-09-01 would be approved. "
                                      f"{LOCAL}: unmet on every date. {VACANCY}: unmet 2025-09-01.")
    assert "No version of the regulation is in force" not in found["reason"]


class _OffencesDown(Registries):
    def fetch(self, registry, query):
        if registry == "offences":
            raise adapters.RegistryUnavailable(registry, "down")
        return super().fetch(registry, query)


def test_a_registry_that_cannot_be_read_is_named_with_the_days_it_leaves_unknown(book):
    req = request("2025-10-01", vacancy="V-1", published="2025-09-01")
    req["registry"] = {k: v for k, v in req["registry"].items() if k != "offences"}
    found = plan(book, _horizon(req, 30), source=_OffencesDown())
    assert found["earliest"] is None
    assert found["reason"] == (
        "No filing date from 2025-10-01 to 2025-10-31 would be approved. No decision under article 519 in the "
        "last 12 months: unknown 2025-10-01 – 2025-10-31 (could not be read: offences; a retry may settle it).")


def test_days_no_version_covers_are_named_as_one_period(tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    path = policies / "kz-foreign-labour" / "2025-09-01.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\neffective_from: 2025-09-01\n" in text
    path.write_text(text.replace("\neffective_from: 2025-09-01\n",
                                 "\neffective_from: 2025-09-01\neffective_to: 2025-12-30\n", 1), encoding="utf-8")
    ending = rulebook.load(policies)
    engine.register_all(ending)
    found = plan(ending, _horizon(request("2025-12-20", specialists=(50, 50)), 30))
    assert found["earliest"] is None
    assert found["reason"].startswith("No filing date from 2025-12-20 to 2026-01-19 would be approved. "
                                      f"{LOCAL}: unmet 2025-12-20 – 2025-12-30. ")
    assert found["reason"].endswith(" No version of the regulation is in force 2025-12-31 – 2026-01-19.")


class _NextYearsQuotaDown(Registries):
    def fetch(self, registry, query):
        if registry == "quota" and query.year == 2026:
            raise adapters.RegistryUnavailable(registry, "not published yet")
        return super().fetch(registry, query)


def _inline_quota_exhausted(on):
    req = request(on, vacancy="V-1", published="2025-09-01")
    req["registry"]["quota"] = {"remaining": 0}   # inline: the planned date's year only
    return req


def test_a_later_years_quota_that_cannot_be_read_is_unknown_not_the_inline_one(book):
    found = plan(book, _horizon(_inline_quota_exhausted("2025-12-20"), 20), source=_NextYearsQuotaDown())
    assert found["earliest"] is None
    assert found["reason"] == (
        "No filing date from 2025-12-20 to 2026-01-09 would be approved. The regional quota has room for the "
        "requested workers: unmet 2025-12-20 – 2025-12-31. The regional quota has room for the requested workers: "
        "unknown 2026-01-01 – 2026-01-09 (could not be read: quota; a retry may settle it).")


def test_a_later_years_quota_is_shown_as_fetched_beside_the_registries_the_request_gave(book):
    found = plan(book, _horizon(_inline_quota_exhausted("2025-12-20"), 20))
    assert found["earliest"] == "2026-01-01"
    shown = {name: (r["source"], r["data"]) for name, r in found["ruling"]["registry"].items()}
    assert shown == {
        "labour_exchange": ("request", {"vacancy": {"code": "V-1", "employer_bin": "150540000106",
                                                    "published_on": "2025-09-01", "status": "active"}}),
        "quota": ("fixtures", {"region": "ALMATY", "year": 2026, "category": "3", "remaining": 10}),
        "offences": ("request", {"records": []}),
    }


def test_a_requirement_unmet_in_two_periods_names_both(book):
    # Barred until 10 October by a decision of 2024, and again from a decision of 20 October 2025.
    req = request("2025-10-01", vacancy="V-1", published="2025-09-01", specialists=(50, 50),
                  barred_from=["2024-10-10", "2025-10-20"])
    found = plan(book, _horizon(req, 30))
    assert found["reason"] == (
        f"No filing date from 2025-10-01 to 2025-10-31 would be approved. {LOCAL}: unmet on every date. "
        "No decision under article 519 in the last 12 months: unmet 2025-10-01 – 2025-10-10, 2025-10-20 – 2025-10-31. "
        "Every foreign employee the staff declares is listed for the automatic checks: unmet on every date.")
