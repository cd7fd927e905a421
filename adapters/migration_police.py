"""Migration police: the record of each foreign worker, found by passport."""

from adapters.base import RegistryUnavailable
from adapters.records import RECORDS, fit

NAME = "migration_police"
TABLE = "persons"


def find(records, passport):
    """The person with this passport, or None."""
    return next((r for r in records if r["passport"] == passport), None)


def from_fixtures(records, query):
    found = (find(records, p) for p in dict.fromkeys(query.passports))
    return {"persons": [person for person in found if person is not None]}


def over_http(client, query):
    persons = []
    for passport in dict.fromkeys(query.passports):  # once each, in order
        body = client.get(["migration-police", "persons", passport], absent_ok=True)
        if body is None:  # no record: the person is simply absent
            continue
        person = fit(NAME, RECORDS[NAME], body)
        if person["passport"] != passport:
            raise RegistryUnavailable(
                NAME, f"asked for passport {passport}, answered {person['passport']}"
            )
        persons.append(person)
    return {"persons": persons}
