"""Outbound URL safety (webhooks, the ERP connection), as pure rules.

A URL may be http or https with a host name; every address its host resolves to must be a public
unicast address. Loopback is allowed only in the local stack (`allow_loopback`), so that a
developer's own ERP or webhook receiver can be reached; private, link-local (cloud metadata),
shared (100.64/10), multicast, reserved and unspecified addresses never are.
"""
import ipaddress
from typing import Optional, Tuple
from urllib.parse import urlsplit

SCHEMES = {"http": 80, "https": 443}
_SHARED = ipaddress.ip_network("100.64.0.0/10")


def split(url: str) -> Optional[Tuple[str, int]]:
    """(host, port) of an acceptable URL shape, else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in SCHEMES or not parts.hostname:
        return None
    return parts.hostname, port or SCHEMES[parts.scheme]


def origin(url: str) -> Optional[str]:
    """`scheme://host:port` of an acceptable URL, normalised (lower case, the default port
    written out, no trailing dot, IPv6 compressed and bracketed): where a credential may go."""
    found = split(url)
    if found is None:
        return None
    host, port = found
    host = host.rstrip(".").lower()
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
        host = f"[{ip.compressed}]" if ip.version == 6 else ip.compressed
    except ValueError:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return f"{urlsplit(url).scheme.lower()}://{host}:{port}"


def address_allowed(address: str, allow_loopback: bool) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    if ip.is_loopback:
        return allow_loopback
    if ip.version == 4 and ip in _SHARED:
        return False
    return ip.is_global and not ip.is_multicast and not ip.is_reserved
