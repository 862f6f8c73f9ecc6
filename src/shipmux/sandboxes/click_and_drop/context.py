"""Shared state of one Click & Drop sandbox app, and the context each vendor call gets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from starlette.requests import Request

from shipmux.sandboxes.click_and_drop import documents
from shipmux.sandboxes.click_and_drop.settings import ClickAndDropSandboxSettings
from shipmux.sandboxes.click_and_drop.store import Account, AccountType, Order, Store
from shipmux.sandboxes.kit.state import LimitedSandboxState


@dataclass
class SandboxState(LimitedSandboxState[ClickAndDropSandboxSettings]):
    """Everything one sandbox app owns; ``reset()`` returns it to how it was created."""

    store: Store = field(default_factory=Store)

    def reset(self) -> None:
        self.store.reset()
        super().reset()

    def account_for(self, api_key: str) -> Account:
        settings = self.settings
        lowered = api_key.lower()
        olp = bool(settings.olp_key_prefix) and lowered.startswith(settings.olp_key_prefix.lower())
        channel_shipper = bool(settings.channel_shipper_key_prefix) and lowered.startswith(
            settings.channel_shipper_key_prefix.lower()
        )
        return self.store.account(
            api_key,
            default_type=AccountType.OLP if olp else AccountType.OBA,
            channel_shipper=channel_shipper,
            auto_apply_postage=settings.auto_apply_postage,
        )

    @property
    def return_address(self) -> Sequence[str]:
        return self.settings.return_address

    def render_create_label(
        self, order: Order, include_cn: bool, include_returns_label: bool
    ) -> tuple[bytes, list[str]]:
        """The label asked for with ``label.includeLabelInResponse`` at create time."""
        pdf = documents.render_documents(
            [order],
            "postageLabel",
            include_returns_label=include_returns_label,
            include_cn=include_cn,
            return_address=self.return_address,
        )
        names = documents.label_pages(
            order, include_returns_label=include_returns_label, include_cn=include_cn
        )
        return pdf, names


@dataclass
class Call:
    """One authenticated vendor-API call."""

    request: Request
    state: SandboxState
    account: Account
    params: dict[str, str]
    now: datetime

    def query(self, name: str) -> str | None:
        """A query parameter, matched case-insensitively as ASP.NET model binding does."""
        wanted = name.lower()
        for key, value in self.request.query_params.multi_items():
            if key.lower() == wanted:
                return value
        return None
