"""ULCRS, the unified labour contract registry: the contracts registered for an employer."""

from adapters.records import ANSWERS, fit

NAME = "ulcrs"
TABLE = "contracts"


def find(records, employer_bin):
    """The contracts registered for this employer."""
    return [r for r in records if r["employer_bin"] == employer_bin]


def from_fixtures(records, query):
    return {"contracts": find(records, query.employer_bin)}


def over_http(client, query):
    body = client.get(["ulcrs", "contracts"], params={"employer_bin": query.employer_bin})
    data = fit(NAME, ANSWERS[NAME], body)
    # Keep only this employer's contracts, whatever else the registry sends.
    return {"contracts": find(data["contracts"], query.employer_bin)}
