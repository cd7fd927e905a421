"""Labour exchange: the vacancy an application names, or None when it has none."""

from adapters.base import RegistryUnavailable
from adapters.records import RECORDS, fit

NAME = "labour_exchange"
TABLE = "vacancies"


def find(records, code):
    """The vacancy with this code, or None."""
    return next((r for r in records if r["code"] == code), None)


def from_fixtures(records, query):
    if query.vacancy_code is None:
        return {"vacancy": None}
    return {"vacancy": find(records, query.vacancy_code)}


def over_http(client, query):
    # No code in the application: there is nothing to ask the exchange.
    if query.vacancy_code is None:
        return {"vacancy": None}
    body = client.get(["labour-exchange", "vacancies", query.vacancy_code], absent_ok=True)
    if body is None:
        return {"vacancy": None}
    vacancy = fit(NAME, RECORDS[NAME], body)
    if vacancy["code"] != query.vacancy_code:
        raise RegistryUnavailable(
            NAME, f"asked for vacancy {query.vacancy_code}, answered {vacancy['code']}"
        )
    return {"vacancy": vacancy}
