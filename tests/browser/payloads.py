"""HTML and script payloads for every text a client sends, and how to check the console showed
them as text: literally visible, no element made from them, no script run."""
import uuid

IMG = "<img src=x onerror=alert(1)>"


def texts() -> dict:
    tag = uuid.uuid4().hex[:4]
    return {
        "buyer": f"<script>alert('buyer')</script>{IMG}",
        "recipient": f"<b>收件人</b>{IMG}",
        "province": f"<i>省</i>{IMG}",
        "city": f"<u>市</u>{IMG}",
        "district": f"<s>区</s>{IMG}",
        "detail": "\"><svg onload=alert(1)><script>alert('detail')</script>",
        "remark": f"<script>alert('remark')</script>{IMG}",
        "merchant_remark": f"</textarea><script>alert('mremark')</script>{IMG}",
        "product_id": f"<img src=x onerror=alert({tag})>",   # a code: any printable text but / and \\
        "product_name": f"<iframe src=javascript:alert(1)>药</iframe>{IMG}",
        "barcode": f"<b>690{tag}</b>",
        "spec": "<style>*{display:none}</style>0.25g",
        "manufacturer": f"<a href=javascript:alert(1)>厂</a>{IMG}",
        "base_name": f"<marquee>基础</marquee>{IMG}",
        "filename": f"<img src=x onerror=alert({tag})>.csv",
    }


HOOK = """
window.__alerts = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (...args) => { window.__alerts.push([name, ...args]); };
}
"""


def hook(page) -> None:
    """Records any call of alert/confirm/prompt in window.__alerts (before the page's scripts)."""
    page.context.add_init_script(HOOK)


def assert_shown_as_text(page, *shown: str) -> None:
    for text in shown:
        found = page.get_by_text(text, exact=False)
        assert found.count() >= 1, f"not shown literally: {text!r}"
        assert found.first.is_visible(), f"not visible: {text!r}"
    assert_no_script_ran(page)


def assert_no_script_ran(page) -> None:
    assert page.evaluate("window.__alerts") == []
    made = page.locator("img, svg, iframe, marquee, #screen script, #screen style, #screen a[href^='javascript']")
    assert made.count() == 0, [made.nth(i).evaluate("e => e.outerHTML") for i in range(made.count())]
    assert page.evaluate("document.querySelectorAll('script').length") == 1  # the console's own module
