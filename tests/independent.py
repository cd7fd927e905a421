"""An independent reading of CONTRACT section 6: what each requirement's status should be.

Written from the contract and shared/DOMAIN.md alone, in plain Python: it shares no
code with the rule files, their parser, the fact model or the engine's calendar
(dates are `datetime.date`, months are dateutil's, holidays come from `holidays`).
The golden test (tests/test_engine_golden.py) judges thousands of applications both
ways; where they disagree, one of the two misreads the law.

`statuses(version, request, registry)`: `request` is a ruling request (its
`application`), `registry` the registries that answered ({name: data}); a registry
absent from it could not be read. Returns {requirement id: status} in file order.
"""
import datetime as dt

import holidays
from dateutil.relativedelta import relativedelta

# CONTRACT s.6 and DOMAIN.md, as the shipped rule files set their parameters.
MANAGERS_MIN_PERCENT = 70
SPECIALISTS_MIN_PERCENT = 90
BRANCH_MAX_HEADCOUNT = 10
SMALL_BUSINESS_MAX_HEADCOUNT_2025 = 20
BAR_MONTHS = 12
EXTENSIONS_CATEGORIES_2_3 = 3
EXTENSIONS_TRANSFER = 1
WINDOW_OPENS_DAYS = 60
WINDOW_CLOSES_DAYS = 30
TRANSFER_MIN_MONTHS = 12
WAITING_DAYS = 15
NOT_WTO_MEMBERS = frozenset(
    "DZA AND AZE BHS BLR BTN BIH CUW GNQ ETH VAT IRN IRQ LBN LBY STP SRB SOM SSD SDN SYR TKM UZB "
    "ERI KIR MHL FSM MCO NRU PRK PLW SMR TUV PSE".split())

REQUIREMENTS = {
    "2023-07-01": ["quota-available", "local-content-ratio", "no-unpermitted-labour", "extension-allowed",
                   "renewal-window", "transfer-conditions"],
}
REQUIREMENTS["2025-09-01"] = REQUIREMENTS["2023-07-01"] + [
    "vacancy-published", "vacancy-waiting-period", "foreign-workers-listed", "contracts-registered",
    "workers-have-iin", "migration-data"]

# The registry each requirement reads (CONTRACT s.5 and s.6); none: decided by the application alone.
NEEDS = {"quota-available": "quota", "no-unpermitted-labour": "offences", "vacancy-published": "labour_exchange",
         "vacancy-waiting-period": "labour_exchange", "contracts-registered": "ulcrs",
         "migration-data": "migration_police"}


def day(iso):
    return dt.date.fromisoformat(iso)


def next_working_day(date):
    """The date itself if Kazakhstan works on it, else the next day it does (weekends and public holidays off)."""
    while date.weekday() >= 5 or date in holidays.country_holidays("KZ", years=date.year):
        date += dt.timedelta(days=1)
    return date


def statuses(version, request, registry, *, waiting_moves_to_working_day=False):
    """{requirement: status} for `request` under `version` ("2023-07-01" or "2025-09-01")."""
    app = request["application"]
    out = {}
    for rid in REQUIREMENTS[version]:
        if not _applies(rid, version, app):
            out[rid] = "not_applicable"
        elif rid in NEEDS and NEEDS[rid] not in registry and not _decided_without_registry(rid, app):
            out[rid] = "unknown"
        else:
            met = CONDITIONS[rid](app, registry, version, waiting_moves_to_working_day)
            out[rid] = "met" if met else "unmet"
    return out


def _applies(rid, version, app):
    route, kind = app["route"], app["kind"]
    if rid == "quota-available":
        return route in ("general", "seasonal")
    if rid == "local-content-ratio":
        return route == "general" and not _exempt(version, app["employer"])
    if rid in ("extension-allowed", "renewal-window"):
        return kind == "extension"
    if rid == "transfer-conditions":
        return route == "intracompany_transfer" and kind == "issue"
    if rid in ("vacancy-published", "vacancy-waiting-period"):
        return kind == "issue" and route in ("general", "seasonal")
    if rid == "foreign-workers-listed":
        return route == "general" or app["employer"].get("staff") is not None
    return True


def _decided_without_registry(rid, app):
    """Whether the application alone decides: no vacancy code is unmet ("met when vacancy_code is given, ..."),
    no listed worker is met ("No workers: met"), whatever the registry would have said."""
    if rid in ("vacancy-published", "vacancy-waiting-period"):
        return not app.get("vacancy_code")
    if rid in ("contracts-registered", "migration-data"):
        return not _workers(app)
    return False


def _exempt(version, employer):
    """Local content does not bind a foreign entity's small branch or office, or a small business."""
    bin_ = employer["bin"]
    branch = bin_[4] == "5" and bin_[5] in "12" and employer["headcount"] <= BRANCH_MAX_HEADCOUNT
    small = bool(employer.get("small_business"))
    if version != "2023-07-01":
        small = small and employer["headcount"] <= SMALL_BUSINESS_MAX_HEADCOUNT_2025
    return branch or small


def _quota(app, registry, version, shift):
    return registry["quota"]["remaining"] >= app["workers_requested"]


def _local_content(app, registry, version, shift):
    staff = app["employer"]["staff"]
    requested = app["workers_requested"] if app["kind"] == "issue" else 0
    groups = (("managers", (1, 2), MANAGERS_MIN_PERCENT), ("specialists", (3, 4), SPECIALISTS_MIN_PERCENT))
    for group, categories, percent in groups:
        citizens = staff[group]["citizens"]
        total = citizens + staff[group]["foreigners"] + (requested if app["category"] in categories else 0)
        if total and citizens * 100 < percent * total:
            return False
    return True


def _no_offence(app, registry, version, shift):
    filed = day(app["submitted_on"])
    for record in registry["offences"]["records"]:
        decided = day(record["decided_on"])
        if (record["article"] == "519" and record["employer_bin"] == app["employer"]["bin"]
                and decided <= filed <= decided + relativedelta(months=BAR_MONTHS)):
            return False
    return True


def _extension_allowed(app, registry, version, shift):
    done = app["current_permit"]["extensions"]
    if app["route"] == "intracompany_transfer":
        return done < EXTENSIONS_TRANSFER
    if app["route"] == "seasonal":
        return False
    return {1: True, 2: done < EXTENSIONS_CATEGORIES_2_3, 3: done < EXTENSIONS_CATEGORIES_2_3, 4: False}[app["category"]]


def _renewal_window(app, registry, version, shift):
    expires = day(app["current_permit"]["expires_on"])
    filed = day(app["submitted_on"])
    return expires - dt.timedelta(days=WINDOW_OPENS_DAYS) <= filed <= expires - dt.timedelta(days=WINDOW_CLOSES_DAYS)


def _transfer(app, registry, version, shift):
    transfer = app["transfer"]
    country = transfer["sending_country"]
    if country == "KAZ" or country in NOT_WTO_MEMBERS:
        return False
    return day(app["submitted_on"]) >= day(transfer["employed_since"]) + relativedelta(months=TRANSFER_MIN_MONTHS)


def _vacancy(app, registry):
    """The labour exchange's vacancy for the application's code when it is this employer's, else None."""
    if not app.get("vacancy_code"):
        return None
    vacancy = registry["labour_exchange"].get("vacancy")
    code = app.get("vacancy_code")
    if not code or vacancy is None or vacancy["code"] != code or vacancy["employer_bin"] != app["employer"]["bin"]:
        return None
    return vacancy


def _published(app, registry, version, shift):
    return _vacancy(app, registry) is not None


def _waited(app, registry, version, shift):
    vacancy = _vacancy(app, registry)
    if vacancy is None:
        return False
    # The 15 days start the day after publication and must have run out: filing from day 16.
    last_day = day(vacancy["published_on"]) + dt.timedelta(days=WAITING_DAYS)
    if shift:
        last_day = next_working_day(last_day)
    return day(app["submitted_on"]) > last_day


def _workers(app):
    return app.get("foreign_workers") or []


def _listed(app, registry, version, shift):
    staff = app["employer"]["staff"]
    return len(_workers(app)) == staff["managers"]["foreigners"] + staff["specialists"]["foreigners"]


def _contracts(app, registry, version, shift):
    if not _workers(app):
        return True
    filed = day(app["submitted_on"])

    def registered(worker, c):
        if c["employer_bin"] != app["employer"]["bin"] or day(c["registered_on"]) > filed:
            return False
        if worker.get("iin"):
            return c.get("employee_iin") == worker["iin"]
        return c["passport"] == worker["passport"]
    return all(any(registered(w, c) for c in registry["ulcrs"]["contracts"]) for w in _workers(app))


def _iin(app, registry, version, shift):
    return all(w.get("iin") for w in _workers(app))


def _migration(app, registry, version, shift):
    if not _workers(app):
        return True
    persons = registry["migration_police"]["persons"]
    return all(any(p["passport"] == w["passport"] and p["status"] == "lawful" for p in persons) for w in _workers(app))


CONDITIONS = {
    "quota-available": _quota, "local-content-ratio": _local_content, "no-unpermitted-labour": _no_offence,
    "extension-allowed": _extension_allowed, "renewal-window": _renewal_window, "transfer-conditions": _transfer,
    "vacancy-published": _published, "vacancy-waiting-period": _waited, "foreign-workers-listed": _listed,
    "contracts-registered": _contracts, "workers-have-iin": _iin, "migration-data": _migration,
}


def outcome(found):
    """CONTRACT 4.1, every shipped requirement refusing: refuse on unmet, else undetermined on unknown."""
    values = set(found.values())
    return "refuse" if "unmet" in values else "undetermined" if "unknown" in values else "approve"
