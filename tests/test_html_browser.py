"""The HTML compare report in a real browser: Debian's headless Chromium via Selenium.

Opens the report for seeds 000 vs 001 (real ``overlap.compare`` output), checks there are
no console errors, that the Fomin spelling conflict is marked on both sides, that clicking
a passage scrolls its partner into view inside the other pane, and takes a screenshot
(written to benchmarks/results/compare_000_001.png only when OVERLAP_UPDATE_SCREENSHOT=1,
so a test run leaves the working tree as it was).

Needs ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` (Debian packages ``chromium``
and ``chromium-driver``, installed by .ci/run); the tests skip, saying so, without them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from overlap.html import comparison_html

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT = ROOT / "benchmarks" / "results" / "compare_000_001.png"

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(
        f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (pip install -e .[test])")


def _seed_path(n: int) -> Path:
    return next((ROOT / "seeds").glob(f"{n:03d}_*.txt"))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The compare report of seeds 000 vs 001, written to a temporary file."""
    from overlap import compare_files

    pa, pb = _seed_path(0), _seed_path(1)
    cmp = compare_files(pa, pb)
    a, b = pa.read_text(encoding="utf-8"), pb.read_text(encoding="utf-8")
    doc = comparison_html(cmp, a, b, a_name=pa.name, b_name=pb.name)
    path = tmp_path_factory.mktemp("html") / "compare_000_001.html"
    path.write_text(doc, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="overlap-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1400,1000",
        "--force-device-scale-factor=1",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture()
def page(driver: Any, report: Path) -> Any:
    driver.get(report.as_uri())
    driver.get_log("browser")  # drop anything logged before the test body runs
    return driver


def _errors(drv: Any) -> list[dict[str, Any]]:
    return [e for e in drv.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


# True when el is fully inside the visible box of its scrolling pane (div.text).
_IN_PANE = """
const el = arguments[0], box = el.closest('.text');
const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
return r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
"""


def test_loads_without_console_errors(driver: Any, report: Path) -> None:
    driver.get(report.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    assert _errors(driver) == []
    assert driver.find_elements("css selector", ".pane[data-side=a] .psg")
    # Vietnamese text came through intact (no mojibake from a wrong charset).
    assert "Dẫn đầu phái đoàn Nga" in driver.find_element("css selector", "#cmp-a").text


def test_fomin_conflict_is_marked_on_both_sides(page: Any) -> None:
    marks = {}
    for side, own, other in (("a", "Alexander", "Alexandr"), ("b", "Alexandr", "Alexander")):
        # A conflict may be drawn as several elements (when it crosses another range):
        # group them by conflict id and read the text of the whole conflict.
        by_cid: dict[str, list[Any]] = {}
        for el in page.find_elements("css selector", f".pane[data-side={side}] .conf"):
            by_cid.setdefault(el.get_attribute("data-cid"), []).append(el)
        found = {cid: els for cid, els in by_cid.items() if own in "".join(e.text for e in els)}
        assert len(found) == 1, f"expected one conflict on {own!r} in pane {side}, got {sorted(found)}"
        ((cid, els),) = found.items()
        el = els[0]
        assert el.get_attribute("data-kind") == "spelling"
        title = el.get_attribute("title")
        assert title.startswith("spelling: ") and f"“{other}" in title, title
        # Marked by more than colour: a visible outline, and inside a shared passage.
        assert el.value_of_css_property("outline-style") != "none"
        assert page.execute_script("return !!arguments[0].closest('.psg')", el)
        marks[side] = cid
    assert marks["a"] == marks["b"]  # the same conflict on both sides
    assert _errors(page) == []


def test_clicking_a_passage_scrolls_its_partner_into_view(page: Any) -> None:
    left = page.find_element("css selector", ".pane[data-side=a] .psg.first")
    pid = left.get_attribute("data-pid")
    partner = page.find_element("css selector", f'.pane[data-side=b] .psg[data-pid="{pid}"]')
    # Scroll the right pane to its end so the partner is out of view before the click.
    page.execute_script("const t = document.getElementById('cmp-b'); t.scrollTop = t.scrollHeight;")
    assert not page.execute_script(_IN_PANE, partner), "partner visible before the click: not a real check"
    left.click()
    deadline = time.monotonic() + 5
    while not page.execute_script(_IN_PANE, partner) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert page.execute_script(_IN_PANE, partner)
    assert "flash" in partner.get_attribute("class")
    assert _errors(page) == []
    # Leave the report as a reader would see it after the click, and take a picture of it.
    deadline = time.monotonic() + 5  # let the flash finish, so the picture is the same each run
    while "flash" in partner.get_attribute("class") and time.monotonic() < deadline:
        time.sleep(0.1)
    shot = SCREENSHOT if os.environ.get("OVERLAP_UPDATE_SCREENSHOT") == "1" else Path(tempfile.mkdtemp()) / SCREENSHOT.name
    assert page.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_scan_report_opens_a_pair_view_at_its_conflict(driver: Any, tmp_path: Path) -> None:
    from overlap.html import scan_html
    from overlap.corpus import scan
    from overlap.sources import iter_documents

    path = tmp_path / "scan.html"
    path.write_text(scan_html(scan(iter_documents([str(ROOT / "seeds")]), workers=1)), encoding="utf-8")
    driver.get(path.as_uri())
    assert _errors(driver) == []
    overview = driver.find_element("css selector", "main.scan")
    assert overview.is_displayed()
    assert not any(v.is_displayed() for v in driver.find_elements("css selector", ".pairview"))
    # Follow the first conflict's link: its pair view replaces the overview, and the
    # conflict is in view on both sides.
    link = driver.find_element("css selector", "#conflicts a[data-then]")
    view_id = link.get_attribute("href").rsplit("#", 1)[1]
    link.click()
    view = driver.find_element("id", view_id)
    assert view.is_displayed() and not overview.is_displayed()
    for side in "ab":
        conf = view.find_element("css selector", f'.pane[data-side={side}] .conf[data-cid="1"]')
        deadline = time.monotonic() + 5
        while not driver.execute_script(_IN_PANE, conf) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert driver.execute_script(_IN_PANE, conf)
        assert "Alexand" in conf.text
    # Back to the overview: the link changes the #fragment, and the page answers on the
    # hashchange event, which the browser fires after the click returns.
    view.find_element("css selector", "a.back").click()
    deadline = time.monotonic() + 5
    while not overview.is_displayed() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert overview.is_displayed() and not view.is_displayed()
    assert _errors(driver) == []
