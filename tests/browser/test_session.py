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
    screen(page, "print")
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
