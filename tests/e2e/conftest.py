"""Browser journeys: Debian's Chromium driven by Playwright's sync API against a live server.

Debian's Chromium only: never let Playwright download a browser of its own (that fails on this
machine). The tests skip when /usr/bin/chromium is missing, and fail instead when CI=true.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import require
from tests.factories import PASSWORD, code_for, enrol

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the tests of this package, stopped before the rest of the suite runs."""
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio event loop in the test thread; without this, Django
    # refuses database calls there (SynchronousOnlyOperation). Set here only, never in settings,
    # and only while Playwright runs, so that the rest of the suite keeps Django's check.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if saved is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


class Problems(list):
    """Console errors, uncaught page errors and failed requests seen by one page."""

    def csp_violations(self) -> list[str]:
        return [p for p in self if "Content Security Policy" in p]


def is_favicon(url: str | None) -> bool:
    # The browser asks for /favicon.ico on its own; that is not the page's doing.
    return (url or "").endswith("/favicon.ico")


@pytest.fixture
def expected_statuses() -> set:
    """(status, path) answers a journey means to meet (the lock-out page's 429): not problems."""
    return set()


@pytest.fixture
def page(browser, live_server, expected_statuses):
    """A fresh English-speaking browser tab on the live server; it must end without errors."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = Problems()

    def on_console(message):
        url = message.location.get("url")
        # The browser reports each error answer in the console too: an expected one is not.
        expected = any(
            f"status of {status} " in message.text and urlsplit(url or "").path == path
            for status, path in expected_statuses
        )
        if message.type in {"error", "warning"} and not is_favicon(url) and not expected:
            problems.append(f"console {message.type}: {message.text}")

    def on_response(response):
        expected = (response.status, urlsplit(response.url).path) in expected_statuses
        if response.status >= 400 and not is_favicon(response.url) and not expected:
            problems.append(f"HTTP {response.status}: {response.url}")

    def on_request_failed(request):
        # "Aborted" is the browser cancelling a request itself: a download ends its navigation
        # that way, and leaving a page cancels what it was still loading (its icon, say). An
        # answer the server got wrong arrives as a response and is caught above.
        if request.failure != "net::ERR_ABORTED":
            problems.append(f"request failed: {request.url} {request.failure}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", on_request_failed)
    yield page
    context.close()
    assert not problems.csp_violations(), "CSP violations:\n" + "\n".join(problems)
    assert not problems, "The browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
def log_in(page):
    """Log in through the real login form, as a person would."""

    def log_in_as(user):
        device = enrol(user)  # the user's phone, set up earlier
        type(device).objects.filter(pk=device.pk).update(last_t=-1)
        response = page.goto("/login/")
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, csp
        page.get_by_label("User name").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_label(re.compile("^Code")).fill(code_for(device))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(re.compile(r"^(?!.*/(login|two-factor)/)"))
        return page

    return log_in_as
