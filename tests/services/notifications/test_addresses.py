"""Which addresses merchant webhooks may go to: public ones, by ``ipaddress``'s tables."""

from __future__ import annotations

import ipaddress

import pytest

from shipmux.services.notifications.addresses import host_refusal, refusal


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("0.0.0.0", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("255.255.255.255", "private"),  # broadcast: private to ``ipaddress``, also reserved
        ("100.64.0.1", "not globally reachable"),  # carrier-grade NAT
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fd00:ec2::254", "unique local"),  # AWS's metadata service over IPv6
        ("fc00::1", "unique local"),
        ("::", "unspecified"),
        ("ff02::1", "multicast"),
        ("4000::1", "reserved"),
        ("fec0::1", "site-local"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped: judged as the IPv4 address
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ],
)
def test_every_non_public_class_is_refused_and_named(address: str, reason: str) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("localhost", "localhost is loopback"),
        ("LOCALHOST.", "localhost is loopback"),
        ("hub.localhost", "hub.localhost is loopback"),
        ("127.0.0.1", "127.0.0.1 is loopback"),
        ("127.0.0.1.", "127.0.0.1 is loopback"),
        ("10.0.0.7", "10.0.0.7 is private"),
        ("169.254.169.254", "169.254.169.254 is link-local"),
        ("::1", "::1 is loopback"),
        ("fe80::1%eth0", "fe80::1%eth0 is link-local"),
        ("fd12:3456::1", "fd12:3456::1 is unique local"),
        # Shorthands the resolver takes for 127.0.0.1 and 10.0.0.1:
        ("127.1", "127.0.0.1 is loopback"),
        ("2130706433", "127.0.0.1 is loopback"),
        ("0x7f.0.0.1", "127.0.0.1 is loopback"),
        ("10.1", "10.0.0.1 is private"),
    ],
)
def test_hosts_refused_at_registration_say_why(host: str, why: str) -> None:
    assert host_refusal(host) == why


@pytest.mark.parametrize(
    "host",
    ["shop.example", "8.8.8.8", "2606:4700:4700::1111", "localhost.shop.example", "mylocalhost"],
)
def test_names_and_public_literals_pass_registration(host: str) -> None:
    # A name is not resolved here; the transport checks what it resolves to.
    assert host_refusal(host) is None
