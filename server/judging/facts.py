"""A validated request plus registry data, as flat engine facts.

Dates become day numbers here (see `server.rules.calendar`) so the engine only
ever compares numbers.
"""
from server.rules.calendar import FIRST_DAY, LAST_DAY, day_number, shift_reach, with_shifts
from server.rules.facts import INPUT_FACTS, REGISTRIES, quota_category
from server.rules.nodes import Arith, Const, Field, walk

_DATE_FIELDS = {name: tuple(f for f, t in ft.fields.items() if t == "date") for name, ft in INPUT_FACTS.items()}
_reach = {}     # (version key, digest) -> days
_OK = tuple((f"ok_{name}", name) for name in REGISTRIES)
_NONE_READ = {key: False for key, _ in _OK}


def own(request):
    """The request's own facts (the application, then its workers) before any registry is read:
    what `needed_registries` reads scopes on, and what `build` completes."""
    app = request["application"]
    workers = app.get("foreign_workers") or []
    facts = [_application(app, workers)]
    for i, w in enumerate(workers):
        c = w.get("contract") or {}
        facts.append({"t": "worker", "id": f"worker:{i}", "index": i, "passport": w["passport"],
                      "iin": w.get("iin") or "", "has_iin": bool(w.get("iin")),
                      "citizenship": w.get("citizenship") or "",
                      "contract_number": c.get("number") or "", "contract_kind": c.get("kind") or ""})
    return facts


def build(request, registry_data, available=(), shifts=None, own_facts=None):
    """Turn a validated request and registry data into a list of engine facts.

    `shifts` maps (fact type, field) to the calendar shifts a rule set needs
    precomputed (months cannot be added in the engine). `own_facts`: the request's
    `own` facts if already built; they are copied, never changed.
    """
    app = request["application"]
    application, *workers = own(request) if own_facts is None else own_facts
    facts = [{**application, **{key: name in available for key, name in _OK}}, *workers]
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
    if shifts:
        # A fact that gains shifted dates is a new dict: the own facts may be shared.
        facts = [with_shifts(f, shifts[f["t"]]) if f["t"] in shifts else f for f in facts]
    return facts


def _application(app, workers):
    """The application fact: the request's fields, flat; absent parts as has_*=false with safe values,
    and no registry read yet (every ok_*=false)."""
    emp = app["employer"]
    staff = emp.get("staff") or {}
    permit, transfer = app.get("current_permit") or {}, app.get("transfer") or {}
    filed = day_number(app["submitted_on"])
    return {
        "t": "application", "id": "application",
        "reference": app.get("reference") or "",
        "submitted_on": filed,
        "year": int(app["submitted_on"][:4]),
        "kind": app["kind"], "route": app["route"],
        "category": app.get("category") or 0, "region": app["region"],
        "workers_requested": app["workers_requested"],
        "vacancy_code": app.get("vacancy_code") or "",
        "has_vacancy_code": bool(app.get("vacancy_code")),
        "employer_bin": emp["bin"], "employer_type": int(emp["bin"][4]), "employer_unit": int(emp["bin"][5]),
        "headcount": emp["headcount"], "small_business": bool(emp.get("small_business")),
        "has_staff": bool(emp.get("staff")),
        "managers_citizens": staff.get("managers", {}).get("citizens", 0),
        "managers_foreigners": staff.get("managers", {}).get("foreigners", 0),
        "specialists_citizens": staff.get("specialists", {}).get("citizens", 0),
        "specialists_foreigners": staff.get("specialists", {}).get("foreigners", 0),
        "workers_count": len(workers),
        "has_current_permit": bool(permit), "permit_number": permit.get("number") or "",
        "permit_issued_on": _day(permit.get("issued_on"), filed),
        "permit_expires_on": _day(permit.get("expires_on"), filed),
        "permit_extensions": permit.get("extensions") or 0,
        "has_transfer": bool(transfer), "transfer_country": transfer.get("sending_country") or "",
        "transfer_employed_since": _day(transfer.get("employed_since"), filed),
        **_NONE_READ,
    }


def _day(iso, default):
    """A date of the request as a day number; an absent one reads as `default` (the filing date)."""
    return day_number(iso) if iso else default


def beyond_calendar(input_facts, version):
    """{fact type: (field, day number)} of the facts holding a date so near the calendar's ends
    (0001-01-01, 9999-12-31) that `version`'s date arithmetic could leave it."""
    margin = reach(version)
    low, high = FIRST_DAY + margin, LAST_DAY - margin
    out = {}
    for f in input_facts:
        for name in _DATE_FIELDS.get(f["t"], ()):
            day = f.get(name)
            if day is not None and not low <= day <= high and f["t"] not in out:
                out[f["t"]] = (name, day)
    return out


def reach(version):
    """Days at most that `version`'s date arithmetic moves a date, all of it added up (an upper bound:
    a derived date may be shifted again). Each shift is at most a century, checked with the rule file."""
    key = (version.key, version.digest)
    if key not in _reach:
        nodes = [n for d in version.derivations for n in (d.when, d.value, *d.set.values()) if n is not None]
        for r in version.requirements:
            nodes += [r.scope, r.condition, *(node for _, node in r.without.values())]
            nodes += [part[1] for texts in r.explain.values() for t in texts.values()
                      for part in t.parts if not isinstance(part, str)]
        total = 0
        for node in nodes:
            for n in walk(node):
                if isinstance(n, Field) and n.shift != (0, 0, False):
                    total += shift_reach(n.shift)
                elif isinstance(n, Arith) and n.type == "date" and isinstance(n.right, Const):
                    total += abs(n.right.value)
        _reach[key] = total
    return _reach[key]
