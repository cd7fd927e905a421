"""The fact model: what rule files may name, and how a request becomes engine facts.

Rule files speak of facts (`application.submitted_on`, `vacancy.published_on`, a
`contract` in `contracts`); this module is the one place that says which facts
exist, their field types, which registry holds them, and how a validated request
plus registry data turn into flat engine facts. Dates become day numbers here so
that the engine only ever compares numbers (durable_rules cannot do date
arithmetic on strings).
"""
import datetime as dt
from dataclasses import dataclass

import holidays
from dateutil.relativedelta import relativedelta

EPOCH = dt.date(1970, 1, 1).toordinal()


@dataclass
class FactType:
    """One kind of fact: its fields and types, and the registry that holds it."""

    name: str
    fields: dict
    collection: str | None = None   # name used in `any(... for x in <collection>)`
    registry: str | None = None
    derived: bool = False
    singleton: bool = True


def _t(**fields):
    return fields


INPUT_FACTS = {
    "application": FactType("application", _t(
        reference="string", submitted_on="date", year="number", kind="string",
        route="string", category="number", region="string", workers_requested="number",
        vacancy_code="string", has_vacancy_code="bool", employer_bin="string",
        employer_unit="number", headcount="number", small_business="bool",
        managers_citizens="number", managers_foreigners="number",
        specialists_citizens="number", specialists_foreigners="number",
        workers_count="number",
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
REGISTRY_OF = {ft.name: ft.registry for ft in INPUT_FACTS.values() if ft.registry}


def day_number(iso):
    """ISO date -> days since 1970-01-01."""
    return dt.date.fromisoformat(iso).toordinal() - EPOCH


def iso_date(day):
    return dt.date.fromordinal(int(day) + EPOCH).isoformat()


def readable(value, is_date):
    """A fact's value as rulings show it: day numbers of date fields back as ISO dates."""
    return iso_date(value) if is_date and isinstance(value, (int, float)) else value


_KZ = {}


def next_working_day(day):
    """The day itself if it is a working day in Kazakhstan, else the next one."""
    d = dt.date.fromordinal(int(day) + EPOCH)
    while True:
        cal = _KZ.get(d.year)
        if cal is None:
            cal = _KZ[d.year] = holidays.country_holidays("KZ", years=d.year)
        if d.weekday() < 5 and d not in cal:
            return d.toordinal() - EPOCH
        d += dt.timedelta(days=1)


def shifted(day, shift):
    """Apply a precomputed shift `(months, days, working)` to a day number."""
    months, days, working = shift
    d = dt.date.fromordinal(int(day) + EPOCH) + relativedelta(months=months) + dt.timedelta(days=days)
    n = d.toordinal() - EPOCH
    return next_working_day(n) if working else n


def shift_field_name(fieldname, shift):
    months, days, working = shift
    return f"{fieldname}@{months}m{days}d{'w' if working else ''}"


def quota_category(app):
    return "seasonal" if app["route"] == "seasonal" else str(app.get("category") or "")


def build(request, registry_data, available=(), shifts=None):
    """Turn a validated request and registry data into a list of engine facts.

    `shifts` maps (fact type, field) to the calendar shifts a rule set needs
    precomputed (months cannot be added in the engine).
    """
    app = request["application"]
    emp = app["employer"]
    staff = emp.get("staff") or {}
    workers = app.get("foreign_workers") or []
    facts = [{
        "t": "application", "id": "application",
        "reference": app.get("reference") or "",
        "submitted_on": day_number(app["submitted_on"]),
        "year": int(app["submitted_on"][:4]),
        "kind": app["kind"], "route": app["route"],
        "category": app.get("category") or 0, "region": app["region"],
        "workers_requested": app["workers_requested"],
        "vacancy_code": app.get("vacancy_code") or "",
        "has_vacancy_code": bool(app.get("vacancy_code")),
        "employer_bin": emp["bin"], "employer_unit": int(emp["bin"][5]),
        "headcount": emp["headcount"], "small_business": bool(emp.get("small_business")),
        "managers_citizens": staff.get("managers", {}).get("citizens", 0),
        "managers_foreigners": staff.get("managers", {}).get("foreigners", 0),
        "specialists_citizens": staff.get("specialists", {}).get("citizens", 0),
        "specialists_foreigners": staff.get("specialists", {}).get("foreigners", 0),
        "workers_count": len(workers),
        **{f"ok_{name}": name in available for name in REGISTRIES},
    }]
    for i, w in enumerate(workers):
        c = w.get("contract") or {}
        facts.append({"t": "worker", "id": f"worker:{i}", "index": i, "passport": w["passport"],
                      "iin": w.get("iin") or "", "has_iin": bool(w.get("iin")),
                      "citizenship": w.get("citizenship") or "",
                      "contract_number": c.get("number") or "", "contract_kind": c.get("kind") or ""})
    le = registry_data.get("labour_exchange")
    if le and le.get("vacancy"):
        v = le["vacancy"]
        facts.append({"t": "vacancy", "id": "vacancy", "code": v["code"], "employer_bin": v["employer_bin"],
                      "published_on": day_number(v["published_on"]), "status": v.get("status") or ""})
    for i, c in enumerate((registry_data.get("ulcrs") or {}).get("contracts") or []):
        facts.append({"t": "contract", "id": f"contract:{i}", "employer_bin": c["employer_bin"],
                      "employee_iin": c.get("employee_iin") or "", "has_employee_iin": bool(c.get("employee_iin")),
                      "passport": c.get("passport") or "", "number": c.get("number") or "",
                      "kind": c.get("kind") or "", "registered_on": day_number(c["registered_on"])})
    for i, p in enumerate((registry_data.get("migration_police") or {}).get("persons") or []):
        facts.append({"t": "person", "id": f"person:{i}", "passport": p["passport"],
                      "iin": p.get("iin") or "", "status": p.get("status") or ""})
    q = registry_data.get("quota")
    if q is not None:
        facts.append({"t": "quota", "id": "quota", "region": q.get("region", app["region"]),
                      "year": q.get("year", int(app["submitted_on"][:4])),
                      "category": str(q.get("category", quota_category(app))), "remaining": q["remaining"]})
    for i, r in enumerate((registry_data.get("offences") or {}).get("records") or []):
        facts.append({"t": "offence", "id": f"offence:{i}", "employer_bin": r["employer_bin"],
                      "article": str(r["article"]), "decided_on": day_number(r["decided_on"])})
    for f in facts:
        add_shifts(f, (shifts or {}).get(f["t"], ()))
    return facts


def add_shifts(fact, wanted):
    """Add the precomputed calendar shifts `wanted` ((field, shift) pairs) to one engine fact."""
    for fname, sh in wanted:
        if fname in fact:
            fact[shift_field_name(fname, sh)] = shifted(fact[fname], sh)
