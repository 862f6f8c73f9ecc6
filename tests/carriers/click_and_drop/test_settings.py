"""The connector's settings and public surface: what the registry and the contract rely on."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

import shipmux.carriers.click_and_drop as click_and_drop
from shipmux.carriers import registry
from shipmux.carriers.base import Carrier
from shipmux.carriers.click_and_drop import ClickAndDrop, ClickAndDropSettings
from shipmux.carriers.click_and_drop.settings import SANDBOX_BASE_URL


def test_for_sandbox_points_at_the_apps_api_with_a_fresh_guid_key() -> None:
    one = ClickAndDropSettings.for_sandbox("http://127.0.0.1:9000/")
    two = ClickAndDropSettings.for_sandbox("http://127.0.0.1:9000", account_type="OLP")
    assert one.base_url == "http://127.0.0.1:9000/api/v1"
    assert re.fullmatch(r"[0-9a-f-]{36}", one.api_key.get_secret_value())
    assert one.api_key != two.api_key
    assert (two.account_type, one.rate_limit_per_second) == ("OLP", 5)


def test_defaults_point_at_the_local_sandbox_and_the_key_is_required() -> None:
    assert ClickAndDropSettings(api_key="k" * 36).base_url == SANDBOX_BASE_URL
    with pytest.raises(ValidationError):
        ClickAndDropSettings()  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        ClickAndDropSettings.model_validate({"api_key": "k", "auth_scheme": "basic"})


def test_key_is_a_secret_for_redaction() -> None:
    settings = ClickAndDropSettings.for_sandbox("http://x")
    assert settings.secret_values() == [settings.api_key.get_secret_value()]
    assert settings.api_key.get_secret_value() not in repr(settings)


def test_connector_is_registered_and_satisfies_the_protocol() -> None:
    entry = registry()["click-and-drop"]
    assert entry.connector is ClickAndDrop
    assert entry.settings_model is ClickAndDropSettings
    assert isinstance(ClickAndDrop(ClickAndDropSettings.for_sandbox("http://x"), None), Carrier)  # type: ignore[arg-type]
    assert ClickAndDrop.max_batch == 100


def test_public_names_are_exported() -> None:
    for name in click_and_drop.__all__:
        assert hasattr(click_and_drop, name)
    assert set(click_and_drop.__all__) == {"ClickAndDrop", "ClickAndDropSettings", "Manifest"}
