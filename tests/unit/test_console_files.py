"""The console's files, read as text: no HTML sink anywhere in its scripts, no inline script or
handler in its page, and every API call it makes is a route of the API."""
import re
from pathlib import Path

from chalicelib.api.console_page import FILES
from chalicelib.api.router import ROUTES

SCRIPTS = sorted(FILES.glob("*.js"))
SINKS = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\s*\(|new\s+Function\s*\("
                   r"|createContextualFragment|DOMParser|\bh\(\s*\"(?:script|iframe|object|embed|style)\"|setTimeout\s*\(\s*['\"`]|setInterval\s*\(\s*['\"`]")
CALL = re.compile(r"""\b(?:call|raw)\(\s*"(GET|POST|PUT|DELETE)",\s*[`"](/v1/[^`"?]*)""")
DOWNLOAD = re.compile(r"""\bdownload\(\s*[`"](/v1/[^`"?]*)""")


def test_the_console_has_scripts_a_page_and_a_style_sheet():
    assert (FILES / "index.html").is_file() and (FILES / "console.css").is_file()
    assert {p.name for p in SCRIPTS} >= {"app.js", "h.js", "api.js", "desk-review.js", "desk-scan.js"}


def test_no_script_of_the_console_uses_an_html_sink():
    found = [(p.name, n, line.strip()) for p in SCRIPTS
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if SINKS.search(line)]
    assert found == []


def test_the_sink_check_would_see_one():
    assert SINKS.search("el.innerHTML = order.remark") and SINKS.search("node.insertAdjacentHTML('beforeend', x)")
    assert SINKS.search("document.write(x)") and SINKS.search('setTimeout("go()", 1)')
    assert SINKS.search('h("iframe", {srcdoc: x})') and SINKS.search('h("script", {}, code)')


def test_the_page_has_no_inline_script_handler_or_style():
    page = (FILES / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all('src="' in attrs and body.strip() == "" for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", page, re.I)
    assert not re.search(r"<style\b|\sstyle\s*=", page, re.I)
    assert "javascript:" not in page
    for name in re.findall(r'(?:src|href)="console/assets/([^"]+)"', page):
        assert (FILES / name).is_file(), name


def _template(path: str) -> str:
    return re.sub(r"\$\{[^}]+\}", "{}", path).rstrip("/")


def test_every_api_call_of_the_console_is_a_route():
    routes = {(r.method, re.sub(r"\{[^}]+\}", "{}", r.path)) for r in ROUTES}
    called = set()
    for script in SCRIPTS:
        text = script.read_text(encoding="utf-8")
        called |= {(m, _template(p)) for m, p in CALL.findall(text)}
        called |= {("GET", _template(p).replace("{}.xlsx", "{}")) for p in DOWNLOAD.findall(text)}
    assert len(called) > 40
    assert called <= routes, called - routes


def test_h_refuses_markup_attributes_and_script_urls():
    h = (FILES / "h.js").read_text(encoding="utf-8")
    assert 'FORBIDDEN = new Set(["srcdoc"])' in h and 'name.startsWith("on") && name !== "on"' in h
    assert 'url.protocol !== "http:" && url.protocol !== "https:"' in h
    assert "document.createTextNode(String(child))" in h
