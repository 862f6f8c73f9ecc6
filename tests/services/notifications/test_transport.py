"""The webhook transport: resolve, refuse any private answer, connect to what was checked."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx
import pytest

from shipmux.services.notifications.addresses import IPAddress
from shipmux.services.notifications.transport import (
    AddressNotAllowed,
    PublicAddressesOnly,
    PublicOnlyTransport,
    checked_addresses,
    resolve,
)
from tests.support.live_server import serve
from tests.support.merchant import Merchant


def ips(*addresses: str) -> list[IPAddress]:
    return [ipaddress.ip_address(a) for a in addresses]


class Recorder(httpcore.AsyncNetworkBackend):
    """Stands in for the network: records where it was asked to connect."""

    def __init__(self, refusing: Iterable[str] = ()) -> None:
        self.refusing = set(refusing)
        self.connected: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connected.append((host, port))
        if host in self.refusing:
            raise httpcore.ConnectError("connection refused")
        return httpcore.AsyncMockStream([])


def answering(*addresses: str) -> Any:
    async def resolver(host: str, port: int) -> list[IPAddress]:
        return ips(*addresses)

    return resolver


def test_a_name_with_one_private_answer_among_public_ones_is_refused() -> None:
    assert checked_addresses("shop.example", ips("8.8.8.8")) == ips("8.8.8.8")
    with pytest.raises(AddressNotAllowed) as caught:
        checked_addresses("shop.example", ips("93.184.216.34", "10.0.0.5"))
    assert str(caught.value) == "address not allowed: shop.example resolves to 10.0.0.5 (private)"
    with pytest.raises(AddressNotAllowed, match=r"^address not allowed: ::1 \(loopback\)$"):
        checked_addresses("::1", ips("::1"))


def test_the_socket_goes_to_the_checked_address_not_the_name() -> None:
    network = Recorder(refusing={"93.184.216.34"})
    backend = PublicAddressesOnly(answering("93.184.216.34", "8.8.8.8"), network)
    asyncio.run(backend.connect_tcp("shop.example", 443, timeout=5))
    # The first refused, so the next checked address; never the name (no second lookup).
    assert network.connected == [("93.184.216.34", 443), ("8.8.8.8", 443)]


def test_a_private_answer_is_refused_before_any_connection() -> None:
    network = Recorder()
    backend = PublicAddressesOnly(answering("8.8.8.8", "169.254.169.254"), network)
    with pytest.raises(AddressNotAllowed, match=r"169\.254\.169\.254 \(link-local\)"):
        asyncio.run(backend.connect_tcp("rebind.example", 80, timeout=5))
    assert network.connected == []


def test_resolver_failures_and_slowness_are_connection_errors() -> None:
    async def no_such_name(host: str, port: int) -> list[IPAddress]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async def slow(host: str, port: int) -> list[IPAddress]:
        await asyncio.sleep(5)
        return ips("8.8.8.8")

    unknown = PublicAddressesOnly(no_such_name, Recorder())
    with pytest.raises(httpcore.ConnectError, match=r"^cannot resolve nowhere\.example: "):
        asyncio.run(unknown.connect_tcp("nowhere.example", 80))
    with pytest.raises(httpcore.ConnectTimeout):
        asyncio.run(PublicAddressesOnly(slow, Recorder()).connect_tcp("slow.example", 80, 0.05))


def test_localhost_really_resolves_to_loopback_and_is_refused() -> None:
    found = asyncio.run(resolve("localhost", 80))
    assert found
    assert all(a.is_loopback for a in found)
    with pytest.raises(AddressNotAllowed, match=r"^address not allowed: localhost resolves to "):
        asyncio.run(PublicAddressesOnly(inner=Recorder()).connect_tcp("localhost", 80, 5))


@pytest.fixture
def merchant() -> Iterator[tuple[Merchant, str]]:
    shop = Merchant()
    with serve(shop.app) as root:
        yield shop, root


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.1"])
def test_through_httpx_nothing_reaches_a_loopback_merchant(
    merchant: tuple[Merchant, str], host: str
) -> None:
    shop, root = merchant
    port = httpx.URL(root).port

    async def post() -> None:
        async with httpx.AsyncClient(transport=PublicOnlyTransport()) as client:
            await client.post(f"http://{host}:{port}/hooks/x", content=b"{}")

    with pytest.raises(AddressNotAllowed):
        asyncio.run(post())
    assert shop.received == []
