"""Sessions and problems in the console: a session that ends sends the user back to the login
with a clear message; problem+json answers are shown with their title, code, detail and fields."""
from tests.browser.console_support import login, screen
from tests.integration.desk_support import Desk


def test_an_ended_session_goes_back_to_the_login_with_a_message(stack, page):
    desk = Desk(stack)
    login(page, stack, desk.mid, desk.operator.username)
    assert page.evaluate("JSON.parse(sessionStorage.getItem('onceship.console.session')).role") == "operator"
    page.evaluate("""() => {
      const s = JSON.parse(sessionStorage.getItem('onceship.console.session'));
      s.token = 'sess_' + 'x'.repeat(40);    // a token the server no longer knows
      sessionStorage.setItem('onceship.console.session', JSON.stringify(s));
    }""")
    # The next request answers 401: the print screen's, or the first screen's own if it is still
    # loading (then the menu is already gone, so the screen is opened by its address, not a click).
    page.evaluate("location.hash = '#/print'")
    page.locator("#login-message", has_text="登录已失效").wait_for()
    assert page.locator("#login").is_visible() and page.locator("#nav a").count() == 0
    assert page.evaluate("sessionStorage.getItem('onceship.console.session')") is None
    assert page.input_value("input[name=merchant_id]") == desk.mid


def test_a_wrong_password_is_said_plainly(stack, page):
    desk = Desk(stack)
    page.goto(stack.console_url)
    page.fill("input[name=merchant_id]", desk.mid)
    page.fill("input[name=username]", desk.operator.username)
    page.fill("input[name=password]", "wrong-password")
    page.press("input[name=password]", "Enter")
    page.locator("#login-message", has_text="密码错误").wait_for()
    assert page.evaluate("sessionStorage.length") == 0


def test_problems_show_title_code_detail_and_field_errors(stack, page):
    desk = Desk(stack)
    login(page, stack, desk.mid, desk.supervisor.username)
    screen(page, "settings")
    ranges = page.locator("section.panel", has_text="运单号段")
    ranges.locator("td.remaining").first.wait_for()
    assert ranges.locator("td.remaining").first.inner_text() == "1000"
    ranges.locator("select[name=carrier_code]").select_option("SF")
    ranges.locator("input[name=prefix]").fill(desk.prefix)
    ranges.locator("input[name=first]").fill("500")
    ranges.locator("input[name=last]").fill("1500")
    ranges.locator("button[type=submit]").click()
    note = page.locator(".note.error").first
    note.wait_for()
    assert "waybill_range_overlap" in note.inner_text() and "号段重叠" in note.inner_text()

    users = page.locator("section.panel", has_text="用户 Users")
    users.locator("input[name=username]").fill("new-operator")
    users.locator("input[name=password]").evaluate("e => e.removeAttribute('minlength')")
    users.locator("input[name=password]").fill("short")
    users.locator("button[type=submit]").click()
    invalid = page.locator(".note.error", has_text="validation_error")
    invalid.wait_for()
    assert "password" in invalid.locator("li").first.inner_text()


def _fail_logins(stack, merchant_id: str, username: str, times: int = 10) -> None:
    from tests.helpers import anonymous
    for _ in range(times):
        answer = anonymous(stack).post("/v1/console/sessions", {"merchant_id": merchant_id, "username": username,
                                                                "password": "not-the-password"})
        assert answer.status_code in (401, 429), answer.text


def test_a_throttled_user_is_told_when_to_retry_at_login_and_in_a_reprint_authorization(stack, page):
    desk = Desk(stack)
    (order_id,) = desk.printed(1)
    login(page, stack, desk.mid, desk.operator.username)
    _fail_logins(stack, desk.mid, desk.supervisor.username)   # the supervisor's password checks lock
    screen(page, "print")
    page.locator(f".printed tr[data-order-id='{order_id}'] button.reprint").click()
    dialog = page.locator("dialog.dialog")
    dialog.locator("input[name=reason]").fill("卡纸")
    dialog.locator("input[name=supervisor_username]").fill(desk.supervisor.username)
    dialog.locator("input[name=supervisor_password]").fill("password-1")
    dialog.locator("button[type=submit]").click()
    refusal = dialog.locator(".dialog-outcome .problem")
    refusal.wait_for()
    assert "too_many_attempts" in refusal.inner_text() and "Retry after" in refusal.inner_text()
    assert desk.order(order_id)["print_count"] == 1
    page.keyboard.press("Escape")

    page.click("#logout")
    page.fill("input[name=merchant_id]", desk.mid)
    page.fill("input[name=username]", desk.supervisor.username)
    page.fill("input[name=password]", "password-1")          # right, but locked for now
    page.press("input[name=password]", "Enter")
    message = page.locator("#login-message", has_text="尝试次数过多")
    message.wait_for()
    seconds = int(message.inner_text().split("请 ")[1].split(" ")[0])
    assert 0 < seconds <= 15 * 60


def test_a_supervisor_creates_disables_and_resets_a_user(stack, page):
    from tests.helpers import anonymous
    desk = Desk(stack)
    login(page, stack, desk.mid, desk.supervisor.username)
    screen(page, "settings")
    users = page.locator("section.panel", has_text="用户 Users")
    users.locator("input[name=username]").fill("packer-1")
    users.locator("input[name=password]").fill("first-password")
    users.locator("select[name=role]").select_option("operator")
    users.locator("button[type=submit]").click()
    made = users.locator("tr[data-username='packer-1']")
    made.wait_for()
    assert "操作员" in made.inner_text() and "正常" in made.inner_text()

    def can_log_in(password):
        return anonymous(stack).post("/v1/console/sessions", {"merchant_id": desk.mid, "username": "packer-1",
                                                              "password": password}).status_code == 201

    assert can_log_in("first-password")
    made.get_by_role("button", name="停用 Disable").click()
    users.locator("tr[data-username='packer-1']", has_text="已停用").wait_for()
    assert not can_log_in("first-password")
    users.locator("tr[data-username='packer-1']").get_by_role("button", name="启用 Enable").click()
    users.locator("tr[data-username='packer-1']", has_text="正常").wait_for()
    users.locator("tr[data-username='packer-1']").get_by_role("button", name="重置密码 Reset password").click()
    dialog = page.locator("dialog.dialog")
    dialog.locator("input[name=password]").fill("second-password")
    dialog.locator("button[type=submit]").click()
    page.locator(".note", has_text="密码已重置").wait_for()
    assert can_log_in("second-password") and not can_log_in("first-password")
