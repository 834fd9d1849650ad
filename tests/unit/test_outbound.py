"""Outbound URL safety and the pinned connection, against a loopback server (no AWS)."""
import socket

import pytest

from chalicelib.adapters import outbound
from chalicelib.adapters.erp import ErpUnavailable, read_inventory
from tests.fake_erp import FakeErp


def resolver(monkeypatch, *answers):
    """getaddrinfo answering `answers` in turn (the last one again after that); counts calls."""
    calls = []
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if _literal(host):  # urllib3 "resolves" the checked address it connects to
            return real(host, port, *args, **kwargs)
        calls.append(host)
        addresses = answers[min(len(calls), len(answers)) - 1]
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", fake)
    return calls


def _literal(host) -> bool:
    import ipaddress
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


@pytest.mark.parametrize("address", ["10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                                     "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1"])
def test_internal_addresses_are_refused(monkeypatch, address):
    resolver(monkeypatch, [address])
    with pytest.raises(outbound.UrlRefused):
        outbound.resolve("https://erp.example.com/x", allow_loopback=False)


def test_one_bad_address_among_several_refuses_the_host(monkeypatch):
    resolver(monkeypatch, ["93.184.216.34", "10.0.0.1"])
    with pytest.raises(outbound.UrlRefused):
        outbound.resolve("https://erp.example.com/x", allow_loopback=False)


def test_public_https_is_allowed(monkeypatch):
    resolver(monkeypatch, ["93.184.216.34"])
    target = outbound.resolve("https://erp.example.com:8443/x", allow_loopback=False)
    assert (target.addresses, target.host_header) == (("93.184.216.34",), "erp.example.com:8443")


def test_loopback_only_in_the_local_stack_and_plain_http_too():
    assert outbound.resolve("http://127.0.0.1:9/x", allow_loopback=True).addresses == ("127.0.0.1",)
    with pytest.raises(outbound.UrlRefused):
        outbound.resolve("https://127.0.0.1:9/x", allow_loopback=False)
    with pytest.raises(outbound.UrlRefused, match="https"):
        outbound.resolve("http://erp.example.com/x", allow_loopback=False)


@pytest.mark.parametrize("url", ["ftp://erp.example.com/x", "https://user:pw@erp.example.com/x", "erp.example.com",
                                 "https:///nohost", "https://no-such-host.invalid/x"])
def test_malformed_or_unresolvable_urls_are_refused(url):
    with pytest.raises(outbound.UrlRefused):
        outbound.resolve(url, allow_loopback=True)


def test_a_poll_resolves_once_and_stays_on_the_checked_address(monkeypatch):
    """DNS rebinding: later answers pointing at the metadata service are never asked for."""
    with FakeErp([{"erp_product_id": f"P{i}", "on_hand": i} for i in range(5)], page_size=2) as erp:
        port = int(erp.url.split(":")[2].split("/")[0])
        calls = resolver(monkeypatch, ["127.0.0.1"], ["169.254.169.254"])
        snapshot = read_inventory(f"http://erp.test:{port}/erp/inventory", "X-Key: k1", 5, 30, allow_loopback=True)
    assert len(calls) == 1 and snapshot.pages == 3 and len(snapshot.items) == 5
    assert all(headers.get("Host") == f"erp.test:{port}" and headers.get("X-Key") == "k1"
               for _, headers in erp.requests)


def test_slow_failing_and_garbage_erps_are_unavailable_with_a_reason():
    with FakeErp([{"erp_product_id": f"P{i}", "on_hand": i} for i in range(5)], page_size=2) as erp:
        erp.fail_pages = {2: 503}
        with pytest.raises(ErpUnavailable, match="page 2.*503"):
            read_inventory(erp.url, None, 5, 30, allow_loopback=True)
        erp.fail_pages, erp.garbage_pages = {}, {3}
        with pytest.raises(ErpUnavailable, match="page 3 is not UTF-8 JSON"):
            read_inventory(erp.url, None, 5, 30, allow_loopback=True)
        erp.garbage_pages, erp.delay = set(), 1.5
        with pytest.raises(ErpUnavailable, match="timed out"):
            read_inventory(erp.url, None, 0.5, 30, allow_loopback=True)


def test_redirects_are_not_followed():
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    import threading

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(ErpUnavailable, match="HTTP 302"):
            read_inventory(f"http://127.0.0.1:{server.server_address[1]}/x", None, 5, 30, allow_loopback=True)
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("url, origin", [
    ("https://ERP.Example.com/inventory?x=1", "https://erp.example.com:443"),
    ("HTTPS://erp.example.com:443/other/path", "https://erp.example.com:443"),
    ("https://erp.example.com./inventory", "https://erp.example.com:443"),
    ("http://erp.example.com/inventory", "http://erp.example.com:80"),
    ("https://erp.example.com:8443/inventory", "https://erp.example.com:8443"),
    ("http://[0:0:0:0:0:0:0:1]:8080/x", "http://[::1]:8080"),
    ("https://例子.测试/x", "https://xn--fsqu00a.xn--0zwm56d:443"),
    ("ftp://erp.example.com/x", None),
])
def test_origins_are_normalised(url, origin):
    from chalicelib.domain import urls
    assert urls.origin(url) == origin


def teredo(server: str, client: str) -> str:
    """A Teredo address (2001::/32): server IPv4, flags, port, client IPv4 (both obscured)."""
    import ipaddress
    value = (0x20010000 << 96) | (int(ipaddress.IPv4Address(server)) << 64) | (0x8000 << 48) \
        | (0xFFFF << 32) | (int(ipaddress.IPv4Address(client)) ^ 0xFFFFFFFF)
    return str(ipaddress.IPv6Address(value))


REFUSED_EVEN_LOCALLY = {
    "site-local": "fec0::1",
    "site-local, top of the range": "feff:ffff::1",
    "6to4 of 10.0.0.1": "2002:a00:1::1",
    "6to4 of 169.254.169.254": "2002:a9fe:a9fe::",
    "6to4 of loopback": "2002:7f00:1::",
    "Teredo, client 10.0.0.1": teredo("65.54.227.120", "10.0.0.1"),
    "Teredo, client 192.168.1.1": teredo("65.54.227.120", "192.168.1.1"),
    "Teredo, server 10.0.0.1": teredo("10.0.0.1", "93.184.216.34"),
    "IPv4-mapped 10.0.0.1": "::ffff:10.0.0.1",
    "IPv4-mapped metadata": "::ffff:169.254.169.254",
    "IPv4-compatible 10.0.0.1": "::10.0.0.1",
    "IPv4-compatible loopback": "::127.0.0.1",
    "NAT64 of 10.0.0.1": "64:ff9b::a00:1",
    "NAT64 of metadata": "64:ff9b::a9fe:a9fe",
    "local-use NAT64": "64:ff9b:1::5db8:d822",
    "192.0.0.0/24, first": "192.0.0.0",
    "192.0.0.0/24, PCP anycast": "192.0.0.9",
    "192.0.0.0/24, TURN anycast": "192.0.0.10",
    "192.0.0.0/24, last": "192.0.0.255",
}


@pytest.mark.parametrize("address", REFUSED_EVEN_LOCALLY.values(), ids=REFUSED_EVEN_LOCALLY.keys())
@pytest.mark.parametrize("allow_loopback", [False, True])
def test_ranges_that_reach_inside_are_refused(monkeypatch, address, allow_loopback):
    from chalicelib.domain import urls
    assert urls.address_allowed(address, allow_loopback) is False
    resolver(monkeypatch, [address])
    with pytest.raises(outbound.UrlRefused):
        outbound.resolve("https://erp.example.com/x", allow_loopback=allow_loopback)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "2002:5db8:d822::1",
                                     "::ffff:93.184.216.34", "192.0.1.1", "191.255.255.255"])
def test_public_addresses_and_public_embeddings_pass(address):
    from chalicelib.domain import urls
    assert urls.address_allowed(address, False) is True


def test_a_mapped_loopback_is_loopback():
    from chalicelib.domain import urls
    assert urls.address_allowed("::ffff:127.0.0.1", True) and not urls.address_allowed("::ffff:127.0.0.1", False)
