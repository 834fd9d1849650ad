"""The console in a real browser: Debian's Chromium driven by Playwright for Python.

`browser` (session): one Chromium for the whole run (`/usr/bin/chromium`, headless, never a
downloaded build). `page` (per test): a fresh context (its own sessionStorage) at 1280×800 whose
uncaught script errors, console errors and JavaScript dialogs are collected in `page.seen`; a
test fails at teardown when a script error happened or a dialog opened (nothing in the console
may call alert/confirm/prompt, so a dialog can only come from injected script).
"""
import os
import shutil

import pytest

CHROMIUM = os.environ.get("ONCESHIP_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Seen:
    def __init__(self):
        self.page_errors: list = []
        self.console_errors: list = []
        self.dialogs: list = []


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("Debian chromium is not installed (scripts/ensure-system-deps.sh installs it as root)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, request):
    size = getattr(request, "param", None) or {"width": 1280, "height": 800}
    context = browser.new_context(viewport=size, accept_downloads=True, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(30_000)   # a loaded 2-core machine answers slowly, never wrongly
    tab = context.new_page()
    seen = Seen()
    tab.on("pageerror", lambda error: seen.page_errors.append(str(error)))
    tab.on("console", lambda message: message.type == "error" and seen.console_errors.append(message.text))

    def on_dialog(dialog):
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.seen = seen
    try:
        yield tab
        assert not seen.page_errors, f"script errors in the console: {seen.page_errors}"
        assert not seen.dialogs, f"a JavaScript dialog opened: {seen.dialogs}"
        assert not [e for e in seen.console_errors if "Content Security Policy" in e or "Refused" in e], \
            seen.console_errors
    finally:
        context.close()
