"""Driving the console as a person does: open it, log in, go to a screen, read what it shows."""
from tests import helpers


def console_user(stack, merchant_id: str, role: str, username: str = "", password: str = "password-1") -> tuple:
    """A console user made by the platform admin: (username, password)."""
    import uuid
    username = username or f"{role}-{uuid.uuid4().hex[:6]}"
    made = helpers.admin(stack).post(f"/v1/admin/merchants/{merchant_id}/operators",
                                     {"username": username, "password": password, "role": role})
    assert made.status_code == 201, made.text
    return username, password


def login(page, stack, merchant_id: str, username: str, password: str = "password-1") -> None:
    page.goto(stack.console_url)
    page.fill("input[name=merchant_id]", merchant_id)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector("#logout")
    assert not page.locator("#login").is_visible() and page.locator("#nav a").count() >= 4


def screen(page, name: str) -> None:
    """Opens a screen from the menu, as a user clicks it."""
    page.click(f"#nav a[data-nav={name}]")
    page.wait_for_selector(f"#screen[data-screen={name}]")


def row(page, order_id: str, within: str = "#screen"):
    return page.locator(f"{within} tr[data-order-id='{order_id}']")


def results_of(page, key: str):
    return page.locator(f".results tr[data-key='{key}']")
