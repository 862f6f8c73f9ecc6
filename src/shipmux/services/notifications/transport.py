"""The HTTP transport merchant webhooks go out on: it connects to public addresses only.

When a connection is made, the URL's host is resolved (on the event loop's
resolver, so nothing blocks), every address it answers is checked by
``addresses.refusal``, and the socket is opened to one of those checked addresses,
never to the name again. So a name that answers a public address to a check and a
private one a moment later (DNS rebinding) cannot slip through. TLS still checks
the certificate against the name: httpcore sends the URL's host as SNI whatever
address the socket went to. Kept-alive connections were checked when they opened.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import httpcore
import httpx

from shipmux.services.notifications.addresses import IPAddress, refusal

__all__ = [
    "AddressNotAllowed",
    "PublicAddressesOnly",
    "PublicOnlyTransport",
    "checked_addresses",
    "resolve",
]

Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


class AddressNotAllowed(Exception):
    """A webhook's host is, or resolves to, an address the hub must not call."""


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` answers, in the resolver's order, without blocking the loop."""
    answers = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(sockaddr[0]) for *_, sockaddr in answers))


def checked_addresses(host: str, addresses: Sequence[IPAddress]) -> list[IPAddress]:
    """``addresses`` if every one is public, else ``AddressNotAllowed``.

    One private answer refuses them all rather than being skipped: a name that
    mixes the two is an attack or a mistake, and the tenant should see it.
    """
    for address in addresses:
        reason = refusal(address)
        if reason is None:
            continue
        shown = str(address) if host == str(address) else f"{host} resolves to {address}"
        raise AddressNotAllowed(f"address not allowed: {shown} ({reason})")
    return list(addresses)


class PublicAddressesOnly(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting to checked public addresses only."""

    def __init__(
        self, resolver: Resolver = resolve, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self._resolve = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # One budget for resolving and connecting, as the default backend has one for
        # connecting alone.
        try:
            async with asyncio.timeout(timeout):
                return await self._connect(host, port, local_address, socket_options)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"connecting to {host} timed out") from exc

    async def _connect(
        self,
        host: str,
        port: int,
        local_address: str | None,
        socket_options: Iterable[Any] | None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            found = await self._resolve(host, port)
        except OSError as exc:  # socket.gaierror: no such name, or no answer
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        failure: httpcore.ConnectError | None = None
        for address in checked_addresses(host, found):
            try:
                return await self._inner.connect_tcp(
                    str(address), port, None, local_address, socket_options
                )
            except httpcore.ConnectError as exc:  # refused or unreachable: try the next
                failure = exc
        raise failure or httpcore.ConnectError(f"{host} resolved to no address")

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("merchant webhooks go over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PublicOnlyTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (its defaults), its connections made by ``PublicAddressesOnly``."""

    def __init__(self, backend: httpcore.AsyncNetworkBackend | None = None) -> None:
        super().__init__()
        # httpx (0.28) takes no network backend, so the pool it built is replaced by one
        # that has ours. ``_pool`` is httpx's private name: if it ever changes, refuse to
        # start rather than send unchecked.
        if not isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            raise RuntimeError("this httpx cannot pin webhook connections to checked addresses")
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend or PublicAddressesOnly(),
        )
