"""The comparison report in a real browser (Debian's chromium, driven by Playwright).

The page must load nothing but itself, fit a laptop screen without sideways
scrolling, and draw bars whose heights follow the numbers in its tables.
`.ci/run` installs chromium and requires these tests to run (EREJE_REQUIRE_BROWSER);
elsewhere they are skipped when chromium is absent.
"""
import json

import pytest

from tests.conftest import IN_A_BROWSER
from tests.helpers import FLIP, STAY, compare_summary

pytestmark = IN_A_BROWSER


@pytest.fixture
def report(tmp_path):
    f = tmp_path / "apps.jsonl"
    f.write_text("\n".join([json.dumps(FLIP), json.dumps(FLIP), json.dumps(STAY), "oops"]) + "\n", encoding="utf-8")
    page = tmp_path / "report.html"
    return page, compare_summary(f, "--jobs", 1, "--report", page)


def test_the_report_is_self_contained_and_fits_a_laptop_screen(browser, report):
    path, _ = report
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    asked = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert asked == [path.as_uri()]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page.locator("h1").inner_text().startswith("kz-foreign-labour")
    page.close()


def test_the_bars_are_drawn_in_proportion_to_the_numbers(browser, report):
    path, s = report
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(path.as_uri())
    bars = page.evaluate("""() => Array.from(document.querySelectorAll('svg[aria-label="Outcomes by version"] rect'))
        .filter(r => r.querySelector('title'))
        .map(r => [r.querySelector('title').textContent, r.getBoundingClientRect().height])""")
    heights = {title: h for title, h in bars}
    tallest = max(heights.values())
    top = max(n for v in s["versions"] for n in s["outcomes"][v].values())
    for v in s["versions"]:
        for outcome in ("approve", "refuse"):
            n = s["outcomes"][v].get(outcome, 0)
            assert heights[f"{v} {outcome}: {n}"] == pytest.approx(tallest * n / top, abs=1.5)
    page.close()
