"""Choose the registry source from the environment, as `ereje serve` does."""

import os

from adapters.sources.fixtures import FixtureSource
from adapters.sources.http import DEFAULT_TIMEOUT_S, HttpSource


def source_from_env(fixtures_dir=None, environ=None):
    """HttpSource when EREJE_REGISTRY_URL is set, else FixtureSource.

    EREJE_REGISTRY_TIMEOUT gives the HTTP timeout in seconds (default 3).
    `fixtures_dir` defaults to the repository's fixtures/registries/.
    """
    environ = os.environ if environ is None else environ
    url = environ.get("EREJE_REGISTRY_URL", "").strip()
    if not url:
        return FixtureSource(fixtures_dir)
    raw = environ.get("EREJE_REGISTRY_TIMEOUT", "").strip()
    try:
        timeout = float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        timeout = -1.0
    if not timeout > 0:
        raise ValueError(f"EREJE_REGISTRY_TIMEOUT must be a positive number of seconds, not {raw!r}")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"EREJE_REGISTRY_URL must be an http(s) URL, not {url!r}")
    return HttpSource(url, timeout)
