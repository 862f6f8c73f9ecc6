"""The token cache on its own, against a scripted token endpoint (no sandbox needed)."""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from collections.abc import Callable

import httpx
import pytest

from shipmux.carriers.errors import CarrierAuthFailed, CarrierUnavailable
from shipmux.carriers.http import CarrierHttp, Exchange, Redactor, exchange_sink
from shipmux.carriers.parcel2go.auth import TokenCache
from shipmux.carriers.parcel2go.settings import Parcel2GoSettings

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TokenEndpoint:
    """Issues tok-1, tok-2, ... and remembers every form it was sent."""

    def __init__(self, expires_in: float = 7200, delay: float = 0.0) -> None:
        self.forms: list[dict[str, str]] = []
        self.expires_in = expires_in
        self.delay = delay
        self.answer: Callable[[], httpx.Response] | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/auth/connect/token")
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        self.forms.append(dict(urllib.parse.parse_qsl(request.content.decode())))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.answer is not None:
            return self.answer()
        token = f"tok-{len(self.forms)}-secretish"
        return httpx.Response(
            200,
            json={"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"},
        )


def settings() -> Parcel2GoSettings:
    return Parcel2GoSettings.for_sandbox("http://p2g.test/root")


def cache(endpoint: TokenEndpoint, clock: Clock, s: Parcel2GoSettings | None = None) -> TokenCache:
    s = s or settings()
    client = httpx.AsyncClient(base_url=s.base_url, transport=httpx.MockTransport(endpoint))
    http = CarrierHttp(carrier="parcel2go", client=client, redactor=Redactor(s.secret_values()))
    return TokenCache(s, http, clock=clock)


async def test_client_credentials_with_every_scope_are_sent() -> None:
    endpoint, s = TokenEndpoint(), settings()
    assert await cache(endpoint, Clock(), s).token() == "tok-1-secretish"
    [form] = endpoint.forms
    assert form == {
        "grant_type": "client_credentials",
        "client_id": s.client_id,
        "client_secret": s.client_secret.get_secret_value(),
        "scope": "public-api payment my-profile",
    }


async def test_the_token_is_reused_until_five_minutes_before_expiry() -> None:
    endpoint, clock = TokenEndpoint(expires_in=7200), Clock()
    tokens = cache(endpoint, clock)
    first = await tokens.token()
    clock.now += 7200 - 301
    assert await tokens.token() == first
    clock.now += 2
    assert await tokens.token() != first
    assert len(endpoint.forms) == 2


async def test_a_short_lived_token_is_used_for_most_of_its_life() -> None:
    endpoint, clock = TokenEndpoint(expires_in=10), Clock()
    tokens = cache(endpoint, clock)
    first = await tokens.token()
    clock.now += 8.9
    assert await tokens.token() == first
    clock.now += 0.2
    assert await tokens.token() != first


async def test_concurrent_callers_share_one_fetch() -> None:
    endpoint = TokenEndpoint(delay=0.05)
    tokens = cache(endpoint, Clock())
    got = await asyncio.gather(*(tokens.token() for _ in range(10)))
    assert set(got) == {"tok-1-secretish"}
    assert len(endpoint.forms) == 1


async def test_invalidating_the_current_token_fetches_a_new_one_but_not_an_old_one() -> None:
    endpoint = TokenEndpoint()
    tokens = cache(endpoint, Clock())
    first = await tokens.token()
    tokens.invalidate(first)
    second = await tokens.token()
    assert second != first
    tokens.invalidate(first)  # a late 401 for the old token must not drop the new one
    assert await tokens.token() == second
    assert len(endpoint.forms) == 2


@pytest.mark.parametrize("error", ["invalid_client", "invalid_scope"])
async def test_a_refused_client_is_auth_failed_without_echoing_the_body(error: str) -> None:
    endpoint = TokenEndpoint()
    s = settings()
    secret = s.client_secret.get_secret_value()
    endpoint.answer = lambda: httpx.Response(400, json={"error": error, "echo": secret})
    with pytest.raises(CarrierAuthFailed) as caught:
        await cache(endpoint, Clock(), s).token()
    assert caught.value.carrier_code == error
    assert error in caught.value.message
    assert secret not in caught.value.message
    assert secret not in (caught.value.body_excerpt or "")
    assert not caught.value.retryable


async def test_a_token_endpoint_5xx_is_retryable() -> None:
    endpoint = TokenEndpoint()
    endpoint.answer = lambda: httpx.Response(503)
    with pytest.raises(CarrierUnavailable):
        await cache(endpoint, Clock()).token()


async def test_the_token_answer_is_recorded_with_the_token_masked() -> None:
    endpoint, s = TokenEndpoint(), settings()
    sink: list[Exchange] = []
    reset = exchange_sink.set(sink)
    try:
        token = await cache(endpoint, Clock(), s).token()
    finally:
        exchange_sink.reset(reset)
    [exchange] = sink
    assert exchange.operation == "token"
    kept = json.dumps([exchange.url, exchange.request_body, exchange.response_body])
    assert token not in kept
    assert s.client_secret.get_secret_value() not in kept
    assert '"access_token": "***"' in (exchange.response_body or "").replace('":"', '": "')


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# --- the client's one retry after a 401 -------------------------------------------------------


async def test_a_401_fetches_a_new_token_and_sends_the_call_once_more() -> None:
    from shipmux.carriers.parcel2go.client import Parcel2GoClient

    endpoint = TokenEndpoint()
    seen: list[str] = []

    async def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/connect/token"):
            return await endpoint(request)
        seen.append(request.headers["authorization"])
        if len(seen) == 1:
            return httpx.Response(401, json={"Message": "Authorization has been denied"})
        return httpx.Response(200, json={"Results": []})

    s = settings()
    client = httpx.AsyncClient(base_url=s.base_url, transport=httpx.MockTransport(api))
    http = CarrierHttp(carrier="parcel2go", client=client)
    p2g = Parcel2GoClient(http, TokenCache(s, http, clock=Clock()))
    answer = await p2g.tracking("115030194")
    assert answer.results == []
    assert seen == ["Bearer tok-1-secretish", "Bearer tok-2-secretish"]


async def test_a_second_401_is_auth_failed() -> None:
    from shipmux.carriers.parcel2go.client import Parcel2GoClient

    endpoint = TokenEndpoint()
    calls = 0

    async def api(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        if request.url.path.endswith("/auth/connect/token"):
            return await endpoint(request)
        calls += 1
        return httpx.Response(401, json={"Message": "Authorization has been denied"})

    s = settings()
    client = httpx.AsyncClient(base_url=s.base_url, transport=httpx.MockTransport(api))
    http = CarrierHttp(carrier="parcel2go", client=client)
    p2g = Parcel2GoClient(http, TokenCache(s, http, clock=Clock()))
    with pytest.raises(CarrierAuthFailed):
        await p2g.tracking("1")
    assert calls == 2
