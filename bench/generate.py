"""Generate N random but valid ruling requests as JSON Lines, with inline registry facts.

Deterministic for a given --seed. Dates spread around 2025-09-01, every route and
kind, categories 1-4, vacancy posting dates before and after the 15-day wait,
0-5 foreign workers with and without IIN, contracts and migration records that
sometimes do not match, so both versions' requirements are exercised.

    python bench/generate.py -n 100000 --seed 1 -o /tmp/apps.jsonl
"""
import argparse
import datetime as dt
import json
import random
import sys

REGIONS = ["ALMATY", "ASTANA", "SHYMKENT", "ATYRAU", "KARAGANDA"]
CITIZENSHIPS = ["UZB", "CHN", "TUR", "RUS", "IND", "KGZ"]
BASE = dt.date(2025, 9, 1)


def kz_id(rng, head):
    """A 12-digit BIN/IIN starting with `head` (str of digits) and a valid check digit."""
    while True:
        digits = [int(c) for c in head] + [rng.randrange(10) for _ in range(11 - len(head))]
        for weights in (range(1, 12), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)):
            check = sum(d * w for d, w in zip(digits, weights)) % 11
            if check != 10:
                return "".join(map(str, digits)) + str(check)
        # check digit 10 twice: this number is invalid, draw again


def day(d):
    return d.isoformat()


def application(rng, i):
    submitted = BASE + dt.timedelta(days=rng.randint(-60, 60))
    route = rng.choices(["general", "seasonal", "intracompany_transfer"], [6, 2, 2])[0]
    kind = rng.choices(["issue", "extension"], [4, 1])[0]
    small = rng.random() < 0.25
    headcount = rng.randint(3, 40) if small else rng.randint(5, 500)
    unit = rng.choices(["0", "1", "2", "4"], [6, 1, 1, 2])[0]     # BIN digit 6: 1/2 branch or rep. office
    bin_ = kz_id(rng, f"{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}{unit}")
    requested = rng.randint(1, 4)
    app = {"reference": f"GEN-{i:07d}", "submitted_on": day(submitted), "kind": kind, "route": route,
           "region": rng.choice(REGIONS), "workers_requested": requested,
           "employer": {"bin": bin_, "headcount": headcount, "small_business": small}}
    if kind == "extension":
        expires = submitted + dt.timedelta(days=rng.randint(20, 70))
        app["current_permit"] = {"number": f"P-{i}", "issued_on": day(expires - dt.timedelta(days=365)),
                                 "expires_on": day(expires), "extensions": rng.randint(0, 4)}
    elif route == "intracompany_transfer":
        app["transfer"] = {"sending_country": rng.choice(["DEU", "TUR", "CHN", "UZB", "KAZ"]),
                           "employed_since": day(submitted - dt.timedelta(days=rng.randint(200, 700)))}
    if route == "general":
        app["category"] = rng.randint(1, 4)
        mc, ms = rng.randint(0, 30), rng.randint(0, 300)
        app["employer"]["staff"] = {
            "managers": {"citizens": mc, "foreigners": rng.randint(0, max(1, mc // 4))},
            "specialists": {"citizens": ms, "foreigners": rng.randint(0, max(1, ms // 12))}}
    registry = {}
    if rng.random() < 0.75:
        code = str(4000000 + rng.randrange(100000))
        app["vacancy_code"] = code
        posted = submitted - dt.timedelta(days=rng.randint(0, 40))
        other = rng.random() < 0.05
        registry["labour_exchange"] = {"vacancy": None if rng.random() < 0.05 else {
            "code": code, "employer_bin": kz_id(rng, "99") if other else bin_,
            "published_on": day(posted), "status": "active"}}
    else:
        registry["labour_exchange"] = {"vacancy": None}
    workers, contracts, persons = [], [], []
    for w in range(rng.randint(0, 5)):
        passport = f"N{rng.randrange(10**7):07d}"
        iin = kz_id(rng, f"{rng.randint(60, 99):02d}") if rng.random() < 0.85 else None
        ckind = "intracompany_transfer" if route == "intracompany_transfer" else "labour"
        workers.append({"passport": passport, "iin": iin, "citizenship": rng.choice(CITIZENSHIPS),
                        "contract": {"number": f"TD-{i}-{w}", "signed_on": day(submitted - dt.timedelta(days=rng.randint(30, 400))),
                                     "kind": ckind}})
        if rng.random() < 0.92:
            contracts.append({"employer_bin": bin_, "employee_iin": iin, "passport": passport,
                              "number": f"TD-{i}-{w}", "kind": ckind,
                              "registered_on": day(submitted - dt.timedelta(days=rng.randint(1, 300)))})
        if rng.random() < 0.95:
            persons.append({"passport": passport, "iin": iin,
                            "status": "lawful" if rng.random() < 0.95 else "overstay"})
    app["foreign_workers"] = workers
    registry["ulcrs"] = {"contracts": contracts}
    registry["migration_police"] = {"persons": persons}
    registry["quota"] = {"region": app["region"], "year": submitted.year,
                         "category": str(app["category"]) if route == "general" else "seasonal",
                         "remaining": rng.choices([0, rng.randint(1, 3), rng.randint(5, 200)], [1, 2, 12])[0]}
    records = []
    if rng.random() < 0.05:
        records.append({"employer_bin": bin_, "article": "519",
                        "decided_on": day(submitted - dt.timedelta(days=rng.randint(0, 500)))})
    registry["offences"] = {"records": records}
    return {"application": app, "registry": registry}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000, help="number of applications")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--out", help="output file (default: stdout)")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for i in range(1, args.n + 1):
            out.write(json.dumps(application(rng, i), ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()


if __name__ == "__main__":
    main()
