"""Outbound URL safety (webhooks, the ERP connection), as pure rules.

A URL may be http or https with a host name; every address its host resolves to must be a public
unicast address. Loopback is allowed only in the local stack (`allow_loopback`), so that a
developer's own ERP or webhook receiver can be reached; private, link-local (cloud metadata),
shared (100.64/10), IETF protocol assignments (192.0.0.0/24), site-local IPv6 (fec0::/10),
multicast, reserved and unspecified addresses never are, nor an IPv6 address carrying an IPv4
one that is refused (mapped, compatible, NAT64, 6to4, Teredo).
"""
import ipaddress
from typing import Optional, Tuple
from urllib.parse import urlsplit

SCHEMES = {"http": 80, "https": 443}
_NEVER = tuple(ipaddress.ip_network(n) for n in (
    "100.64.0.0/10",      # shared address space (carrier-grade NAT)
    "192.0.0.0/24",       # IETF protocol assignments, all of it
    "fec0::/10",          # site-local (deprecated, still routed inside some networks)
    "64:ff9b:1::/48",     # local-use NAT64
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_COMPATIBLE = ipaddress.ip_network("::/96")


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
    """Whether a connection may go to `address`. An IPv6 address that carries an IPv4 one (mapped
    `::ffff:0:0/96`, compatible `::/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo
    `2001::/32`) is judged by the IPv4 addresses inside too: a gateway would deliver it there.
    Only a mapped address is the IPv4 address itself (so its loopback counts as loopback)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return address_allowed(str(ip.ipv4_mapped), allow_loopback)
    if any(ip in network for network in _NEVER if network.version == ip.version):
        return False
    if ip.is_loopback:
        return allow_loopback
    if ip.version == 6 and not all(address_allowed(str(inner), False) for inner in embedded_ipv4(ip)):
        return False
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def embedded_ipv4(ip: ipaddress.IPv6Address) -> Tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries (compatible, NAT64, 6to4, Teredo server and
    client), empty for any other."""
    low = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _NAT64 or (ip in _COMPATIBLE and int(ip) > 1):
        return (low,)
    if ip.sixtofour is not None:
        return (ip.sixtofour,)
    if ip.teredo is not None:
        return ip.teredo
    return ()
