"""Headless Chromium for the browser tests: Debian's chromium and chromium-driver via Selenium.

Tests call :func:`chromium` and skip, saying why, where either is missing (CI installs both).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@contextlib.contextmanager
def chromium(profile: Path, width: int = 1280, height: int = 900) -> Iterator:
    """A headless Chromium window of ``width`` x ``height`` CSS pixels, closed afterwards."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("no chromium/chromedriver on this machine (CI installs Debian's chromium)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--force-device-scale-factor=1",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver) -> list[dict]:
    """Browser console messages of level error since the last call."""
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


#: Every element whose box sticks out of its container's sides (a container that does not scroll
#: or clip), and the page when it is wider than the window. ``pre`` blocks scroll on purpose;
#: positioned elements (a slider's thumb, a menu) are placed over their container on purpose.
_OVERFLOWING = """
const out = [];
for (const el of document.body.querySelectorAll('*')) {
  const parent = el.parentElement;
  if (!parent || el.closest('pre') || el.closest('details:not([open])')) continue;
  const position = getComputedStyle(el).position;
  if (position === 'absolute' || position === 'fixed') continue;
  if (getComputedStyle(parent).overflowX !== 'visible') continue;
  const box = el.getBoundingClientRect(), outer = parent.getBoundingClientRect();
  if (box.width === 0 || outer.width === 0) continue;
  if (box.right > outer.right + 1 || box.left < outer.left - 1)
    out.push(`${el.tagName}.${el.className} in ${parent.tagName}.${parent.className}: ` +
             `${box.left}-${box.right} outside ${outer.left}-${outer.right}`);
}
if (document.documentElement.scrollWidth > window.innerWidth)
  out.push(`page ${document.documentElement.scrollWidth} wide in ${window.innerWidth}`);
return out;
"""


def overflowing(driver) -> list[str]:
    """Elements of the page that stick out of their container (empty when none does)."""
    return driver.execute_script(_OVERFLOWING)
