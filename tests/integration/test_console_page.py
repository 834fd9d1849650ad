"""The console's files over HTTP: the page and its assets with a strict CSP, no framing, no
sniffing; nothing outside the console's folder is served."""
import pytest

from tests.helpers import anonymous

SECURITY = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def _csp(answer) -> dict:
    policy = answer.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


def test_the_page_is_served_with_a_policy_that_allows_no_inline_or_foreign_script(stack):
    page = anonymous(stack).get("/v1/console")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'name="merchant_id"' in page.text and 'name="username"' in page.text and 'name="password"' in page.text
    for name, value in SECURITY.items():
        assert page.headers[name] == value
    csp = _csp(page)
    assert csp["script-src"] == ["'self'"] and csp["default-src"] == ["'none'"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"] and csp["style-src"] == ["'self'"]
    # the browser PUTs spreadsheets to the bucket's presigned URLs: that origin, nothing more
    assert csp["connect-src"] == ["'self'", stack.aws_endpoint.rstrip("/")]


@pytest.mark.parametrize("name,kind", [("app.js", "text/javascript"), ("h.js", "text/javascript"),
                                       ("console.css", "text/css"), ("icon.svg", "image/svg+xml")])
def test_assets_are_served_with_their_types_and_the_same_headers(stack, name, kind):
    answer = anonymous(stack).get(f"/v1/console/assets/{name}")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(kind)
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["index.html", "nope.js", "..%2Fconsole_page.py", "%2E%2E%2Frouter.py",
                                  "app.js%00.css", "APP.JS"])
def test_nothing_else_is_served(stack, name):
    """An unknown name is 404; an encoded "/" is refused by the path decoding itself (422)."""
    answer = anonymous(stack).get(f"/v1/console/assets/{name}")
    assert answer.status_code == (422 if "%2F" in name else 404), answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert "import" not in answer.text and "def " not in answer.text
