"""A registry gateway simulator: fixtures/registries/ served in the HTTP protocol of
CONTRACT section 5, with faults to inject per registry (an error status, a delay,
a malformed body), so that a live `ereje serve` can be watched coping with them.
"""

import logging
import threading
import time

from flask import Flask, Response, abort, jsonify, request
from werkzeug.exceptions import HTTPException

from adapters import labour_exchange, masking, migration_police, offences, quota, ulcrs
from adapters.base import REGISTRIES, RegistryUnavailable
from adapters.sources.fixtures import FixtureSource

BODY_FAULTS = ("not_json", "wrong_shape")


def parse_fault(spec):
    """`503`, `delay:2.5`, `not_json`, `wrong_shape`, or several joined by commas."""
    fault = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        if part in BODY_FAULTS:
            fault["body"] = part
        elif part.startswith("delay:"):
            fault["delay"] = _number(part[len("delay:"):], part)
        elif part.isdigit() and 100 <= int(part) <= 599:
            fault["status"] = int(part)
        else:
            raise ValueError(
                f"bad fault {part!r}: expected an HTTP status, delay:SECONDS, "
                f"or one of {', '.join(BODY_FAULTS)}"
            )
    return fault


def check_fault(fault):
    """Check a fault given as JSON ({"status": 503} etc.); return it or raise ValueError."""
    if not isinstance(fault, dict):
        raise ValueError("a fault is a JSON object")
    unknown = set(fault) - {"status", "delay", "body"}
    if unknown:
        raise ValueError(f"unknown fault keys {sorted(unknown)}: use status, delay, body")
    status, delay, body = fault.get("status"), fault.get("delay"), fault.get("body")
    if status is not None and not (type(status) is int and 100 <= status <= 599):
        raise ValueError("status must be an HTTP status code")
    if delay is not None:
        _number(delay, "delay")
    if body is not None and body not in BODY_FAULTS:
        raise ValueError(f"body must be one of {', '.join(BODY_FAULTS)}")
    return {key: value for key, value in fault.items() if value is not None}


def _number(value, what):
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if isinstance(value, bool) or not seconds >= 0:
        raise ValueError(f"bad delay in {what!r}: expected seconds >= 0")
    return seconds


class MaskIdentifiers(logging.Filter):
    """Masks passports, BINs and IINs in log lines (the request line of an access log):
    the gateway's URLs carry them (CONTRACT s.5)."""

    def filter(self, record):
        record.msg, record.args = masking.mask(record.getMessage()), ()
        return True


class Faults:
    """The faults in force, per registry; read and changed from many request threads."""

    def __init__(self, faults=None):
        self._lock = threading.Lock()
        self._faults = {}
        for registry, fault in (faults or {}).items():
            self.set(registry, fault)

    def set(self, registry, fault):
        if registry not in REGISTRIES:
            raise KeyError(registry)
        with self._lock:
            if fault:
                self._faults[registry] = dict(fault)
            else:
                self._faults.pop(registry, None)

    def get(self, registry):
        with self._lock:
            return dict(self._faults.get(registry, {}))

    def all(self):
        with self._lock:
            return {name: dict(fault) for name, fault in self._faults.items()}

    def clear(self):
        with self._lock:
            self._faults.clear()


def create_simulator(fixtures_dir=None, faults=None):
    """The simulator app; `faults` maps a registry name to {"status", "delay", "body"}."""
    app = Flask(__name__)
    source = FixtureSource(fixtures_dir)
    state = Faults(faults)
    app.extensions["registry_faults"] = state

    def answer(registry, produce):
        fault = state.get(registry)
        time.sleep(fault.get("delay", 0))
        if "status" in fault:
            return jsonify(error=f"injected fault: HTTP {fault['status']}"), fault["status"]
        if fault.get("body") == "not_json":
            return Response("<html>gateway error</html>", content_type="application/json")
        if fault.get("body") == "wrong_shape":
            return jsonify(unexpected="shape")
        try:
            body = produce(source.records(registry))
        except RegistryUnavailable as err:  # a broken fixture file
            return jsonify(error=err.reason), 500
        if body is None:
            return jsonify(error="not found"), 404
        return jsonify(body)

    _registry_routes(app, answer)
    _fault_routes(app, state)

    @app.errorhandler(HTTPException)
    def json_error(err):
        return jsonify(error=err.description), err.code

    return app


def _registry_routes(app, answer):
    """The gateway protocol of CONTRACT section 5, each answer produced by `answer`."""

    @app.get("/labour-exchange/vacancies/<code>")
    def vacancy(code):
        return answer("labour_exchange", lambda rows: labour_exchange.find(rows, code))

    @app.get("/ulcrs/contracts")
    def contracts():
        bin_ = _required_arg("employer_bin")
        return answer("ulcrs", lambda rows: {"contracts": ulcrs.find(rows, bin_)})

    @app.get("/migration-police/persons/<passport>")
    def person(passport):
        return answer("migration_police", lambda rows: migration_police.find(rows, passport))

    @app.get("/quota/<region>/<int:year>/<category>")
    def quota_remaining(region, year, category):
        def remaining(rows):
            row = quota.find(rows, region, year, category)
            return None if row is None else {"remaining": row["remaining"]}

        return answer("quota", remaining)

    @app.get("/offences")
    def offence_records():
        bin_ = _required_arg("employer_bin")
        return answer("offences", lambda rows: {"records": offences.find(rows, bin_)})


def _fault_routes(app, state):
    """Reading and changing the faults in force while the simulator runs."""

    @app.get("/_faults")
    def list_faults():
        return jsonify(state.all())

    @app.put("/_faults/<registry>")
    def put_fault(registry):
        if registry not in REGISTRIES:
            abort(404, f"no registry {registry!r}; registries: {', '.join(REGISTRIES)}")
        try:
            fault = check_fault(request.get_json(silent=True))
        except ValueError as err:
            abort(400, str(err))
        state.set(registry, fault)
        return jsonify(state.all())

    @app.delete("/_faults")
    def clear_faults():
        state.clear()
        return jsonify({})


def _required_arg(name):
    value = request.args.get(name)
    if not value:
        abort(400, f"query parameter {name} is required")
    return value
