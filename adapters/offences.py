"""Offences: administrative offence records against an employer."""

from adapters.records import ANSWERS, fit

NAME = "offences"
TABLE = "records"


def find(records, employer_bin):
    """The offence records against this employer."""
    return [r for r in records if r["employer_bin"] == employer_bin]


def from_fixtures(records, query):
    return {"records": find(records, query.employer_bin)}


def over_http(client, query):
    body = client.get(["offences"], params={"employer_bin": query.employer_bin})
    data = fit(NAME, ANSWERS[NAME], body)
    # Keep only this employer's records, whatever else the registry sends.
    return {"records": find(data["records"], query.employer_bin)}
