"""Screenshot a kg page in headless Chromium (for the README pictures).

Usage: python bench/screenshot.py PAGE.html OUT.png [SEARCH]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

page_path, out = Path(sys.argv[1]).resolve(), sys.argv[2]
with sync_playwright() as p:
    b = p.chromium.launch(
        executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    )
    page = b.new_page(viewport={"width": 1400, "height": 860})
    page.goto(page_path.as_uri())
    page.wait_for_function("window.kgDrawn !== undefined")
    page.wait_for_timeout(5000)
    page.evaluate("window.kgNetwork.fit()")
    if len(sys.argv) > 3:
        page.evaluate(f"window.kgSearch({sys.argv[3]!r})")
        page.evaluate("window.kgNetwork.fit()")
    page.wait_for_timeout(800)
    page.screenshot(path=out)
    b.close()
