"""Account settings: courier allocation by configuration, fresh sandbox credentials."""

from __future__ import annotations

import urllib.parse

import pytest
from pydantic import SecretStr, ValidationError

from shipmux.carriers.clickpost import ClickpostSettings, CourierAccount
from shipmux.carriers.http import MASK, Redactor


def settings(**overrides: object) -> ClickpostSettings:
    return ClickpostSettings.for_sandbox("http://sandbox.test/clickpost/", **overrides)


def test_for_sandbox_makes_fresh_credentials() -> None:
    one, two = settings(), settings()
    assert one.username != two.username
    assert one.key.get_secret_value() != two.key.get_secret_value()
    assert one.base_url == "http://sandbox.test/clickpost"
    assert one.webhook_key is not None


def test_a_service_code_picks_its_courier_and_none_picks_the_default() -> None:
    account = settings()
    assert account.courier_for("express") == CourierAccount(
        courier_partner_id=2, account_code="sandbox-express"
    )
    assert account.courier_for(None) == account.default_courier
    assert account.courier_for("no-such-service") is None


def test_switching_courier_is_a_settings_change() -> None:
    account = settings(couriers={"express": {"courier_partner_id": 44, "account_code": "b"}})
    courier = account.courier_for("express")
    assert courier is not None
    assert courier.courier_partner_id == 44


def test_an_account_names_at_least_one_courier() -> None:
    with pytest.raises(ValidationError):
        settings(couriers={}, default_courier=None)


def test_account_code_is_found_by_courier_id() -> None:
    account = settings()
    assert account.account_code_for(3) == "sandbox-economy"
    assert account.account_code_for(99) is None


def test_the_key_is_redacted_plain_and_percent_encoded() -> None:
    account = settings(key=SecretStr("k3y/with+odd=chars&more"))
    redactor = Redactor(account.secret_values())
    url = "http://x/api?" + urllib.parse.urlencode(
        {"username": account.username, "key": account.key.get_secret_value()}
    )
    masked = redactor.text(url) or ""
    assert "k3y" not in masked
    assert MASK in masked
    assert account.username in masked
