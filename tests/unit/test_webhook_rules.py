"""Webhook rules and outbound URL safety without AWS."""
import hashlib
import hmac
import json

from chalicelib.domain import urls
from chalicelib.domain import webhooks as rules


def test_the_envelope_is_the_contract_body_and_stable():
    body = rules.envelope("evt_1", "order.paid", "2026-01-01T00:00:00.000Z", {"order_id": "o1", "x": "中"})
    assert json.loads(body) == {"id": "evt_1", "type": "order.paid", "created_at": "2026-01-01T00:00:00.000Z",
                                "data": {"order_id": "o1", "x": "中"}}
    assert body == rules.envelope("evt_1", "order.paid", "2026-01-01T00:00:00.000Z", {"x": "中", "order_id": "o1"})


def test_signature_is_hmac_of_timestamp_dot_body():
    headers = rules.headers("whsec_x", "evt_1", "order.paid", "1700000000", b'{"a":1}')
    expected = hmac.new(b"whsec_x", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert headers["X-Onceship-Signature"] == expected
    assert (headers["X-Onceship-Event-Id"], headers["X-Onceship-Event"], headers["X-Onceship-Timestamp"]) == \
        ("evt_1", "order.paid", "1700000000")


def test_backoff_grows_and_stops_after_24_hours():
    delays = [rules.next_delay(n) for n in range(1, 15)]
    assert delays[:3] == [1, 2, 5] and delays == sorted(delays) and delays[-1] == 6 * 3600
    now, deadline = 1000.0, 1000.0 + rules.RETRY_WINDOW_SECONDS
    attempts, at = 0, now
    while at is not None:
        attempts += 1
        last, at = at, rules.next_attempt(attempts, at, deadline)
    assert 10 <= attempts <= 20 and last <= deadline
    assert rules.next_attempt(1, now, now) is None  # a one-shot retry gives up after its attempt
    assert rules.succeeded(204) and not rules.succeeded(302) and not rules.succeeded(None)


def test_only_public_addresses_unless_loopback_is_allowed_locally():
    assert urls.address_allowed("93.184.216.34", False)
    assert urls.address_allowed("2606:2800:220:1:248:1893:25c8:1946", False)
    for address in ("127.0.0.1", "::1"):
        assert not urls.address_allowed(address, False) and urls.address_allowed(address, True)
    for address in ("10.0.0.1", "192.168.1.1", "172.16.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                    "224.0.0.1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "not-an-ip"):
        assert not urls.address_allowed(address, True), address
    assert urls.split("https://example.com/hook") == ("example.com", 443)
    assert urls.split("http://example.com:8080/x") == ("example.com", 8080)
    assert urls.split("ftp://example.com/") is None and urls.split("https:///nohost") is None
