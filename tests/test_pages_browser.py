"""The workbench pages in a real browser (Debian's chromium, driven by Playwright).

Each page must load with no console error and no request to another host, fit a
1366 px screen without sideways scrolling, and be usable with the keyboard; a
screenshot of each at 1366 x 768 is kept as a test artifact (EREJE_ARTIFACTS, else
the system's temporary directory). `.ci/run` requires chromium (EREJE_REQUIRE_BROWSER).
"""
import json
import os
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from server.api.app import create_app
from server.pages.words import WORDS
from tests.conftest import APPLICATIONS, IN_A_BROWSER
from tests.helpers import DRAFT_AMENDMENT

pytestmark = IN_A_BROWSER

REG = "kz-foreign-labour"
PAGES = {"index": "/", "version": f"/regulations/{REG}/versions/2025-09-01",
         "diff": f"/regulations/{REG}/diff?from=2023-07-01&to=2025-09-01", "try": "/try?sample=approve.json",
         "log": "/log?reference=APP-APPROVE", "index-ru": "/?lang=ru", "drafts": "/drafts", "reports": "/reports"}
SHOTS = Path(os.environ.get("EREJE_ARTIFACTS") or tempfile.gettempdir()) / "ereje-pages"


def _serve(directory):
    """The app served on a loopback port in a thread, with one stored ruling (approve.json)."""
    app = create_app({"DB": str(directory / "log.db"), "TESTING": True})
    app.test_client().post("/v1/rulings", json=json.loads((APPLICATIONS / "approve.json").read_text()))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return app, server, thread


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The pages of one app for the whole module (tests may store rulings in it); its base URL."""
    app, server, thread = _serve(tmp_path_factory.mktemp("pages"))
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def fresh_site(tmp_path):
    """An app of this test's own, holding exactly one stored ruling; its base URL."""
    app, server, thread = _serve(tmp_path)
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def open_page(browser, base, path):
    """A 1366 x 768 page at `path`, with the console errors and foreign requests it met."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    seen = {"errors": [], "foreign": []}
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: r.url.startswith(base) or seen["foreign"].append(r.url))
    response = page.goto(base + path)
    page.wait_for_load_state("load")
    return page, response, seen


@pytest.mark.parametrize("name", PAGES)
def test_each_page_loads_alone_fits_the_screen_and_is_kept_as_a_screenshot(browser, site, name):
    _, base = site
    page, response, seen = open_page(browser, base, PAGES[name])
    assert response.status == 200
    assert seen == {"errors": [], "foreign": []}
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != ""   # the stylesheet was applied
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    assert (SHOTS / f"{name}.png").stat().st_size > 1000
    page.close()


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_or_critical_violation(browser, site, name):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    _, base = site
    page, _, _ = open_page(browser, base, PAGES[name])
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")   # check what opens too
    checked = axe.Axe().run(page).response
    assert checked["passes"]   # axe ran its rules on the page
    violations = checked["violations"]
    grave = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
             for v in violations if v["impact"] in ("serious", "critical")]
    assert grave == []
    page.close()


@pytest.mark.parametrize("name", PAGES)
def test_the_keyboard_alone_reaches_every_control_of_each_page(browser, site, name):
    _, base = site
    page, _, _ = open_page(browser, base, PAGES[name])
    # A control inside a closed <details> is reached by opening it: its summary is the control then.
    wanted = page.evaluate("""() => Array.from(document.querySelectorAll(
            'main select, main textarea, main button, main summary, main input:not([type=hidden])'))
        .filter(e => !(e.tagName === 'SUMMARY' ? e.parentElement.parentElement : e).closest('details:not([open])'))
        .map(e => e.id || e.name || e.textContent.trim())""")
    reached = set()
    for _ in range(len(wanted) + page.evaluate("document.querySelectorAll('a[href]').length") + 5):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id || document.activeElement.name "
                                  "|| document.activeElement.textContent.trim()"))
    assert set(wanted) <= reached
    page.close()


@pytest.mark.parametrize("name", PAGES)
def test_the_language_switch_changes_every_word_of_the_page_itself(browser, site, name):
    """Every word of the pages' catalogue that the English page shows is replaced on the Kazakh one."""
    _, base = site
    path = PAGES[name].replace("?lang=ru", "").replace("/?", "/?")
    sep = "&" if "?" in path else "?"
    page, _, _ = open_page(browser, base, f"{path}{sep}lang=en")
    english = page.locator("body").inner_text()
    page.goto(f"{base}{path}{sep}lang=kk")
    page.wait_for_load_state("load")
    kazakh = page.locator("body").inner_text()
    page.close()
    # Phrases of two words or more: a single short word ("from") also occurs inside rule texts and codes.
    shown = [w["en"] for w in WORDS.values() if " " in w["en"].strip() and "{" not in w["en"] and w["en"] != w["kk"]
             and w["en"] in english]
    assert shown, "the page shows none of the catalogue's phrases"
    assert [phrase for phrase in shown if phrase in kazakh] == []


@pytest.mark.parametrize("sample", ["approve.json", "pre-amendment.json"])
def test_try_a_case_in_the_browser_shows_the_outcome_the_api_gives(browser, site, sample):
    app, base = site
    api = app.test_client().post("/v1/rulings", json=json.loads((APPLICATIONS / sample).read_text())).get_json()
    page, _, seen = open_page(browser, base, "/try")
    page.select_option("#sample", sample)
    page.get_by_role("button", name="Load", exact=True).click()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Judge", exact=True).click()
    page.wait_for_load_state("load")
    assert page.locator("p.outcome").get_attribute("class") == f"outcome outcome-{api['outcome']}"
    assert api["version"] in page.locator("p.outcome").inner_text()
    assert seen["errors"] == []
    page.close()


def test_the_language_switch_changes_the_pages_words(browser, site):
    _, base = site
    page, _, _ = open_page(browser, base, "/log")
    page.get_by_role("link", name="Русский").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Журнал решений"
    page.get_by_role("link", name="Проверить заявление").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Проверить заявление"   # remembered across pages
    page.close()





def submit_draft(page, text):
    page.fill("#draft", text)
    page.fill("#last", "20")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("load")


def test_the_draft_page_flags_a_broken_draft_at_its_line_and_counts_flips_of_a_valid_one(browser, fresh_site):
    _, base = fresh_site
    broken = DRAFT_AMENDMENT.replace("    waiting_days: 20", "    waiting_days: 20\n  bogus: 1")
    bad_line = broken.splitlines().index("  bogus: 1") + 1
    page, _, seen = open_page(browser, base, "/drafts")
    submit_draft(page, broken)
    assert page.locator(f"li#line-{bad_line}.bad-line").count() == 1
    assert "bogus" in page.locator(f'a[href="#line-{bad_line}"]').first.locator("xpath=..").inner_text()
    submit_draft(page, DRAFT_AMENDMENT)
    # The site holds one stored ruling, approve.json: filed 19 days after its vacancy, too early under 20.
    assert page.locator('.impact-all [data-count="flipped"]').first.inner_text().strip() == "1"
    assert page.locator('.impact-all [data-flips="vacancy-waiting-period"]').first.inner_text().strip() == "1"
    # The broken draft's page is answered with 422, which the browser reports; nothing else may fail.
    assert [e for e in seen["errors"] if "status of 422" not in e] == [] and seen["foreign"] == []
