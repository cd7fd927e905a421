"""Quota: how many permits remain for a region, year and category.

A quota that was never published is not a quota of zero: refusing for it would
decide a legal question on missing data, so the registry is unavailable instead.
"""

from adapters.base import RegistryUnavailable
from adapters.records import RECORDS, fit

NAME = "quota"
TABLE = "quotas"


def find(records, region, year, category):
    """The quota row for (region, year, category), or None."""
    key = (region, year, category)
    return next((r for r in records if (r["region"], r["year"], r["category"]) == key), None)


def from_fixtures(records, query):
    row = find(records, query.region, query.year, query.quota_category)
    if row is None:
        raise RegistryUnavailable(NAME, _unpublished(query))
    return row


def over_http(client, query):
    asked = {"region": query.region, "year": query.year, "category": query.quota_category}
    body = client.get(
        ["quota", query.region, str(query.year), query.quota_category], absent_ok=True
    )
    if body is None:
        raise RegistryUnavailable(NAME, _unpublished(query))
    row = fit(NAME, RECORDS[NAME], {**asked, **body})
    if any(row[key] != value for key, value in asked.items()):
        raise RegistryUnavailable(NAME, f"asked for {asked}, answered {body}")
    return row


def _unpublished(query):
    return (
        f"no quota published for {query.region} {query.year} "
        f"category {query.quota_category}"
    )
