"""The registry source `ereje serve` chooses from its environment (docs/mutation.md found these unchecked)."""
import pytest

from adapters import FixtureSource, HttpSource, source_from_env


def test_the_process_environment_is_read_when_none_is_given(monkeypatch, tmp_path):
    monkeypatch.setenv("EREJE_REGISTRY_URL", " https://registries.test/gw/ ")
    monkeypatch.setenv("EREJE_REGISTRY_TIMEOUT", "0.5")
    source = source_from_env(tmp_path)
    assert isinstance(source, HttpSource)
    assert (source.base_url, source.timeout, source.deadline_s) == ("https://registries.test/gw", 0.5, 2.0)


def test_without_a_url_in_the_process_environment_fixtures_are_read(monkeypatch, tmp_path):
    monkeypatch.delenv("EREJE_REGISTRY_URL", raising=False)
    monkeypatch.setenv("EREJE_REGISTRY_TIMEOUT", "soon")   # not read without a URL
    source = source_from_env(tmp_path)
    assert isinstance(source, FixtureSource) and source.directory == tmp_path


@pytest.mark.parametrize("url", ["http://gw", "https://gw", "ftp://gw", "gw:8090"])
def test_only_an_http_or_https_url_is_a_gateway(url):
    environ = {"EREJE_REGISTRY_URL": url}
    if url.startswith("http"):
        assert source_from_env(environ=environ).base_url == url
    else:
        with pytest.raises(ValueError) as caught:
            source_from_env(environ=environ)
        assert str(caught.value) == f"EREJE_REGISTRY_URL must be an http(s) URL, not {url!r}"


@pytest.mark.parametrize("raw", ["soon", "-1", "0", "nan"])
def test_a_timeout_that_is_not_positive_is_refused_and_quoted(raw):
    with pytest.raises(ValueError) as caught:
        source_from_env(environ={"EREJE_REGISTRY_URL": "http://gw", "EREJE_REGISTRY_TIMEOUT": raw})
    assert str(caught.value) == f"EREJE_REGISTRY_TIMEOUT must be a positive number of seconds, not {raw!r}"
