"""Which addresses the hub may POST a merchant's webhooks to: public ones only.

A tenant chooses the URL, so without this rule a tenant could make the hub call its
own network: the database's host, an admin port on loopback, the cloud metadata
service at 169.254.169.254 (server-side request forgery). The rule is applied twice:
to the URL's host when an endpoint is registered (here, pure: no DNS), and to every
address a name resolves to when a delivery connects (``transport``), because a name
may resolve elsewhere by then.
"""

from __future__ import annotations

import ipaddress
import socket

__all__ = ["IPAddress", "host_refusal", "refusal"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")
# NAT64 (RFC 6052): an IPv6-only network reaches IPv4 hosts through these addresses,
# so they are judged by the IPv4 address they carry.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:  # ::ffff:127.0.0.1 is 127.0.0.1 on the wire
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def refusal(address: IPAddress) -> str | None:
    """Why the hub must not connect to ``address`` (a few words), or None if it is public."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return refusal(embedded)
    # Most specific first: 127.0.0.1 is also "private" to ``ipaddress``, but
    # "loopback" tells the tenant what they did.
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv6Address) and address in _UNIQUE_LOCAL:
        return "unique local"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "site-local"
    if not address.is_global:  # e.g. 100.64.0.0/10, carrier-grade NAT
        return "not globally reachable"
    return None


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # The resolver also takes the old shorthand forms (127.1, 2130706433, 0x7f.0.0.1);
    # judge them as the address they spell. inet_aton only parses: no network.
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def host_refusal(host: str) -> str | None:
    """Why a URL's ``host`` may not be registered ("10.0.0.7 is private"), or None.

    Decided without DNS: names other than localhost pass here, and what they
    resolve to is checked on every delivery instead.
    """
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):  # RFC 6761: always loopback
        return f"{name} is loopback"
    address = _literal(name)
    if address is None:
        return None
    reason = refusal(address)
    return None if reason is None else f"{address} is {reason}"
