"""The fact model: which facts rule files may name, their fields' types and registries.

Rule files speak of facts (`application.submitted_on`, `vacancy.published_on`, a
`contract` in `contracts`); this module is the one place that says which exist.
How a request becomes such facts is `server.judging.facts`.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class FactType:
    """One kind of fact: its fields and types, and the registry that holds it."""

    name: str
    fields: dict
    collection: str | None = None   # name used in `any(... for x in <collection>)`
    registry: str | None = None
    singleton: bool = True


def _t(**fields):
    return fields


INPUT_FACTS = {
    "application": FactType("application", _t(
        reference="string", submitted_on="date", year="number", kind="string",
        route="string", category="number", region="string", workers_requested="number",
        vacancy_code="string", has_vacancy_code="bool", employer_bin="string",
        employer_type="number", employer_unit="number", headcount="number", small_business="bool",
        has_staff="bool",
        managers_citizens="number", managers_foreigners="number",
        specialists_citizens="number", specialists_foreigners="number",
        workers_count="number",
        # the permit an extension extends and the transfer a new ICT makes: absent ones read as
        # has_*=false, dates as the filing date and counts as 0, so no rule meets a missing field
        has_current_permit="bool", permit_number="string", permit_issued_on="date",
        permit_expires_on="date", permit_extensions="number",
        has_transfer="bool", transfer_country="string", transfer_employed_since="date",
        # availability of each registry for this ruling: set by the ruling, read by `unknown` rules
        ok_labour_exchange="bool", ok_ulcrs="bool", ok_migration_police="bool",
        ok_quota="bool", ok_offences="bool")),
    "worker": FactType("worker", _t(
        index="number", passport="string", iin="string", has_iin="bool",
        citizenship="string", contract_number="string", contract_kind="string"),
        collection="workers", singleton=False),
    "vacancy": FactType("vacancy", _t(
        code="string", employer_bin="string", published_on="date", status="string"),
        registry="labour_exchange"),
    "contract": FactType("contract", _t(
        employer_bin="string", employee_iin="string", has_employee_iin="bool",
        passport="string", number="string", kind="string", registered_on="date"),
        collection="contracts", registry="ulcrs", singleton=False),
    "person": FactType("person", _t(
        passport="string", iin="string", status="string"),
        collection="persons", registry="migration_police", singleton=False),
    "quota": FactType("quota", _t(
        region="string", year="number", category="string", remaining="number"),
        registry="quota"),
    "offence": FactType("offence", _t(
        employer_bin="string", article="string", decided_on="date"),
        collection="offences", registry="offences", singleton=False),
}

REGISTRIES = ("labour_exchange", "ulcrs", "migration_police", "quota", "offences")

# Text fields whose every value is known (the request schema admits no other; the
# quota's category is the application's, as text): a rule comparing one with any
# other text is a typo that would silently never match. Region and statuses are open.
CLOSED_VALUES = {
    ("application", "kind"): ("issue", "extension"),
    ("application", "route"): ("general", "seasonal", "intracompany_transfer"),
    ("quota", "category"): ("1", "2", "3", "4", "seasonal"),
}



def quota_category(app):
    return "seasonal" if app["route"] == "seasonal" else str(app.get("category") or "")
