"""The browser engine: axe-core run in headless Chromium (the system's) through Playwright.

Optional (`pip install 'quality-gates[a11y-browser]'` plus Debian's `chromium`): Playwright is
never asked to download a browser; it launches the system Chromium by path with flags that keep
it off the network. axe-core comes from the `axe-playwright-python` package, which ships
`axe.min.js` (MPL-2.0) inside its wheel: it is read from there, never copied into this project.
Each violating node is mapped back to its source element by tag name and its rank among the
elements of that name, in document order (the browser and html5lib build the same tree).
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from quality_gates.errors import FatalError

AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BROWSER_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium")
# a closed network: without these Chromium keeps calling Google's hosts at start-up
BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PAGE_TIMEOUT_MS = 30_000
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")

# runs in the page after axe is injected: violations with each node's place in the tree
AUDIT_JS = """
async (options) => {
  const results = await axe.run(document, options);
  const out = [];
  for (const rule of results.violations) {
    for (const node of rule.nodes) {
      const target = node.target.length === 1 ? node.target[0] : null;
      const el = typeof target === "string" ? document.querySelector(target) : null;
      const rank = el ? Array.from(document.getElementsByTagName(el.localName)).indexOf(el) : -1;
      out.push({rule: rule.id, tags: rule.tags, help: rule.help,
                tag: el ? el.localName : "", rank: rank, summary: node.failureSummary || ""});
    }
  }
  return {version: axe.version, nodes: out};
}
"""


class AxeNode(NamedTuple):
    """One element axe-core found in violation of one rule."""

    rule: str
    criteria: tuple[str, ...]
    help: str
    tag: str
    rank: int  # among the page's elements with this tag name, in document order; -1 unknown


def criteria_of(tags: Sequence[str]) -> tuple[str, ...]:
    """WCAG success criteria from axe tags: `wcag412` -> `4.1.2`, `wcag1412` -> `1.4.12`."""
    found = []
    for tag in tags:
        digits = tag[4:]
        if tag.startswith("wcag") and digits.isdigit() and len(digits) >= 3:
            found.append(f"{digits[0]}.{digits[1]}.{digits[2:]}")
    return tuple(found)


def find_browser(configured: str = "") -> str | None:
    """The Chromium to launch: the configured path, else the system's."""
    for candidate in (configured,) if configured else BROWSER_CANDIDATES:
        path = candidate if "/" in candidate else shutil.which(candidate)
        if path and Path(path).is_file():
            return path
    return None


def axe_script_path() -> Path | None:
    """axe.min.js inside the installed axe-playwright-python package, if any."""
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "axe.min.js"
    return path if path.is_file() else None


def unavailable(configured: str = "") -> str | None:
    """Why the axe engine cannot run here (None when it can)."""
    extra = "pip install 'quality-gates[a11y-browser]'"
    if importlib.util.find_spec("playwright") is None:
        return f"Playwright is not installed ({extra})"
    if axe_script_path() is None:
        return f"axe-core is not installed ({extra})"
    if find_browser(configured) is None:
        where = configured or "/usr/bin/chromium"
        return f"no Chromium at {where} (Debian: apt-get install chromium)"
    return None


class Auditor:
    """One browser and one tab, many pages (a page each time: navigation replaces it)."""

    def __init__(self, browser: Any, script: str) -> None:
        self._script = script
        self._context = browser.new_context()
        self._context.route("**/*", _local_only)
        self._page = self._context.new_page()

    def audit(self, page_path: Path, *, disabled: Sequence[str] = ()) -> list[AxeNode]:
        """Load one page from disk and return axe-core's violations on it."""
        options = {
            "runOnly": {"type": "tag", "values": list(AXE_TAGS)},
            "resultTypes": ["violations"],
            "rules": {rule: {"enabled": False} for rule in disabled},
        }
        page = self._page
        try:
            page.goto(page_path.resolve().as_uri(), wait_until="load", timeout=PAGE_TIMEOUT_MS)
            page.evaluate(self._script)
            result = page.evaluate(AUDIT_JS, options)
        except Exception as exc:  # Playwright raises its own error types; name the page
            raise FatalError(f"{page_path.name}: axe-core could not audit it: {exc}") from None
        return [_node(n) for n in result["nodes"]]

    def close(self) -> None:
        """Close the tab and its context."""
        self._context.close()


def _local_only(route: Any) -> None:
    if route.request.url.startswith(LOCAL_SCHEMES):
        route.continue_()
    else:
        route.abort()


def _node(raw: dict[str, Any]) -> AxeNode:
    return AxeNode(
        rule=str(raw["rule"]),
        criteria=criteria_of(raw["tags"]),
        help=str(raw["help"]),
        tag=str(raw["tag"]),
        rank=int(raw["rank"]),
    )


@contextmanager
def auditor(configured_browser: str = "") -> Iterator[Auditor]:
    """Launch the system Chromium once and yield an Auditor (see `unavailable` first)."""
    from playwright.sync_api import Error, sync_playwright

    browser_path = find_browser(configured_browser)
    script_path = axe_script_path()
    if browser_path is None or script_path is None:
        raise FatalError(unavailable(configured_browser) or "axe engine unavailable")
    script = script_path.read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=browser_path, args=list(BROWSER_FLAGS), headless=True
            )
        except Error as exc:
            raise FatalError(f"could not start {browser_path}: {exc}") from None
        try:
            session = Auditor(browser, script)
            yield session
            session.close()
        finally:
            browser.close()
