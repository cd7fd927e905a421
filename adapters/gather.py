"""Read the registries one ruling needs: inline, recorded or fetched, never raising."""

import logging
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from adapters.turns import given_up
from adapters.base import REGISTRIES, RegistryUnavailable, utc_now

_log = logging.getLogger(__name__)


@dataclass
class Gathered:
    """The registries' data, where each came from, and which could not be read."""

    data: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)

    def record(self):
        """{name: {**provenance, "data": data}}: the ruling's `registry` object.

        A missing registry has no "data" key, so passing this back to `gather` as
        `recorded` reproduces exactly the same facts.
        """
        return {
            name: {**prov, **({"data": self.data[name]} if name in self.data else {})}
            for name, prov in self.provenance.items()
        }


def gather(source, needed, query, inline=None, recorded=None, deadline_s=None):
    """Read each registry in `needed` once and report what was found.

    `inline` (a request's validated `registry` object) is used as given, with source
    "request". `recorded` (a stored ruling's `registry` object) is used as it was and
    never refetched; an entry without "data" stays missing. The rest come from
    `source`, concurrently when the source is remote,
    within `deadline_s` in all (default: the source's own bound). A registry that
    fails or is not back in time is listed in `missing`, its reason in provenance.
    The clock is read once: every stamp of a source that answers at once is the same.
    """
    unknown = set(needed) - set(REGISTRIES)
    if unknown:
        raise ValueError(f"unknown registries: {sorted(unknown)}")
    inline, recorded = inline or {}, recorded or {}
    now = utc_now()
    gathered = Gathered()
    to_fetch = []
    for name in (n for n in REGISTRIES if n in needed):
        if name in recorded:
            entry = recorded[name]
            gathered.provenance[name] = {k: v for k, v in entry.items() if k != "data"}
            if "data" in entry:
                gathered.data[name] = entry["data"]
        elif name in inline:
            gathered.data[name] = _complete(name, inline[name], query)
            gathered.provenance[name] = {"source": "request", "fetched_at": now}
        else:
            to_fetch.append(name)
    if to_fetch:
        results = _fetch_all(source, to_fetch, query, deadline_s or source.deadline_s, now)
        for name in to_fetch:
            data, gathered.provenance[name] = results[name]
            if data is not None:
                gathered.data[name] = data
    gathered.missing = [n for n in REGISTRIES if n in gathered.provenance and n not in gathered.data]
    return gathered


def _fetch_all(source, names, query, deadline_s, now):
    """name -> (data or None, provenance); a source read in line is stamped `now`."""
    if not source.concurrent:
        return {name: _fetch_one(source, name, query, now) for name in names}
    pool = ThreadPoolExecutor(max_workers=len(names), thread_name_prefix="registry")
    try:
        futures = {name: pool.submit(_fetch_one, source, name, query) for name in names}
        with given_up():   # a server worker's other requests run while this one waits
            wait(futures.values(), timeout=deadline_s)
        late = _failed(source, f"no answer within {deadline_s:g} s")
        return {
            name: future.result() if future.done() else (None, late)
            for name, future in futures.items()
        }
    finally:
        # Do not wait for a late registry: its own timeout ends its thread.
        pool.shutdown(wait=False, cancel_futures=True)


def _fetch_one(source, name, query, now=None):
    """Read one registry; `now` (None: the source reads its own clock) stamps what it says."""
    try:
        return source.fetch(name, query) if now is None else source.fetch_at(name, query, now)
    except RegistryUnavailable as err:
        return None, {**_failed(source, err.reason, now), **err.provenance}
    except Exception as err:  # noqa: BLE001 - whatever a registry sends, the ruling goes on without it
        # A registry's answer must never fail the ruling (a 500): an adapter's own
        # mistake is logged with its traceback and the registry is unavailable.
        _log.exception("reading %s failed", name)
        return None, _failed(source, f"could not be read ({type(err).__name__})", now)


def _failed(source, reason, now=None):
    return {"source": source.name, "fetched_at": now or utc_now(), "reason": reason}


def _complete(name, data, query):
    # A request may give only a quota's `remaining`; the rest is what was asked.
    if name != "quota":
        return data
    asked = {"region": query.region, "year": query.year, "category": query.quota_category}
    return {**asked, **{k: v for k, v in data.items() if v is not None}}
