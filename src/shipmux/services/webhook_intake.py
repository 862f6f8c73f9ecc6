"""Carrier webhooks in, durably and fast: one group commit for the webhooks that arrive together.

Every webhook request is checked (account, authenticity, parsing) without writing,
then handed to this process's ``WebhookIntake``. It writes all that queued while
the previous commit was on its way to disk in one transaction (group commit, as the
worker's ``Dispatcher._commit``/``_drain`` do) and wakes each request only when the
transaction holding its own receipt has committed: a 200 always means "on disk".

- A repeat of an event id, against the table or earlier in the same batch, is a
  ``duplicate`` (the receipt is flushed, and looked up, one webhook at a time).
- One webhook that fails (a unique-key race with another process, a bug in applying
  it) must not sink the others: the batch is then written again one by one.
- Refusals are written through the same committer (a ``WebhookRejectionRow``: reason,
  carrier, account, remote address) and counted in ``shipmux_webhooks_total``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter
from sqlalchemy.exc import IntegrityError

from shipmux import carriers
from shipmux.carriers.base import WebhookRequest
from shipmux.carriers.settings import CarrierAccountSettings
from shipmux.domain.errors import WebhookReplayed
from shipmux.services.context import HubContext
from shipmux.services.tracking import WebhookOutcome, record_webhooks_in
from shipmux.services.webhooks import (
    AccountCache,
    CheckedWebhook,
    WebhookRefused,
    as_json,
    check_webhook,
    kept_headers,
    load_account,
    raw_text,
)
from shipmux.storage.tables import CarrierAccountRow, WebhookRejectionRow

__all__ = ["WEBHOOKS_TOTAL", "WebhookIntake"]

WEBHOOKS_TOTAL = Counter(
    "shipmux_webhooks",
    "Carrier webhooks by carrier and outcome (accepted, duplicate, rejected:<reason>)",
    ["carrier", "outcome"],
)


@dataclass(frozen=True, slots=True)
class _Receipt:
    checked: CheckedWebhook
    body: dict[str, Any]
    raw_body: str
    headers: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Rejection:
    carrier: str
    account_id: str | None
    reason: str
    remote_addr: str | None
    at: datetime


_Item = _Receipt | _Rejection
_Loaded = tuple[CarrierAccountRow, CarrierAccountSettings] | None
_Queued = tuple[_Item, "asyncio.Future[WebhookOutcome | None]"]


class WebhookIntake:
    """One per API process: checks webhooks and group-commits their receipts."""

    def __init__(self, ctx: HubContext, *, account_ttl: float = 2.0) -> None:
        self.ctx = ctx
        self.accounts = AccountCache(account_ttl)
        self._loading: dict[str, asyncio.Future[_Loaded]] = {}
        self._queued: list[_Queued] = []
        self._committer: asyncio.Task[None] | None = None

    async def receive(
        self,
        carrier: str,
        account_id: str,
        request: WebhookRequest,
        remote_addr: str | None,
    ) -> WebhookOutcome:
        """Check, store and apply one webhook; return once its receipt is committed.

        Raises the error to answer (``NotFound``, ``WebhookNotAuthentic``,
        ``WebhookReplayed``) after the refusal is recorded.
        """
        label = carrier if carrier in carriers.registry() else "unknown"
        try:
            checked = await self._check(carrier, account_id, request)
        except WebhookRefused as refused:
            await self.refuse(label, refused.account_id, refused.reason, remote_addr)
            raise refused.error from None
        receipt = _Receipt(
            checked, as_json(request.body), raw_text(request.body), kept_headers(request.headers)
        )
        outcome = await self._commit(receipt)
        assert outcome is not None
        if outcome.outcome == "duplicate":
            WEBHOOKS_TOTAL.labels(label, "duplicate").inc()
            if checked.refuse_replays:
                raise WebhookReplayed(f"webhook '{checked.webhook.event_id}' was already received")
        else:
            WEBHOOKS_TOTAL.labels(label, "accepted").inc()
        return outcome

    async def _check(
        self, carrier: str, account_id: str, request: WebhookRequest
    ) -> CheckedWebhook:
        cached, fresh = self.accounts.lookup(account_id)
        if cached is not None:
            if not fresh:
                self._load(account_id)  # in the background; this webhook uses what we have
            try:
                return check_webhook(carrier, account_id, cached, request)
            except WebhookRefused:
                pass  # maybe a key set or changed since: judge by the stored account
        return check_webhook(carrier, account_id, await self._load(account_id), request)

    def _load(self, account_id: str) -> asyncio.Future[_Loaded]:
        """The account as stored, read once however many webhooks ask at the same time.

        Without this, each of the webhooks in flight when the cache entry expired would
        read and unseal the account itself, all in the thread pool at once: a stall of
        tens of milliseconds every ``account_ttl``.
        """
        loading = self._loading.get(account_id)
        if loading is None:
            loading = asyncio.ensure_future(self._read_account(account_id))
            self._loading[account_id] = loading
            loading.add_done_callback(lambda done: self._loaded(account_id, done))
        return loading

    def _loaded(self, account_id: str, done: asyncio.Future[_Loaded]) -> None:
        self._loading.pop(account_id, None)
        if not done.cancelled():
            done.exception()  # a failed background read is asked again by the next webhook

    async def _read_account(self, account_id: str) -> _Loaded:
        found = await asyncio.to_thread(load_account, self.ctx, account_id)
        return self.accounts.put(*found) if found is not None else None

    async def refuse(
        self, carrier: str, account_id: str | None, reason: str, remote_addr: str | None
    ) -> None:
        """Record and count a refused webhook (nothing else of it is kept)."""
        WEBHOOKS_TOTAL.labels(carrier, f"rejected:{reason}").inc()
        at = datetime.now(UTC)
        rejection = _Rejection(carrier[:40], account_id, reason[:40], remote_addr, at)
        await self._commit(rejection)

    # -- group commit ----------------------------------------------------------------

    async def _commit(self, item: _Item) -> WebhookOutcome | None:
        done: asyncio.Future[WebhookOutcome | None] = asyncio.get_running_loop().create_future()
        self._queued.append((item, done))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._drain())
        return await done

    async def _drain(self) -> None:
        while self._queued:
            batch, self._queued = self._queued, []
            items = [item for item, _ in batch]
            try:
                outcomes = await asyncio.to_thread(self._write, items)
            except Exception:
                # One bad webhook must not sink the others: write each on its own.
                for queued in batch:
                    await self._write_alone(queued)
            else:
                for (_, done), outcome in zip(batch, outcomes, strict=True):
                    if not done.done():
                        done.set_result(outcome)

    async def _write_alone(self, queued: _Queued) -> None:
        item, done = queued
        try:
            [outcome] = await asyncio.to_thread(self._write, [item])
        except IntegrityError:
            # Another process stored this (account, event id) between our lookup and flush.
            outcome = WebhookOutcome("duplicate") if isinstance(item, _Receipt) else None
            if not done.done():
                done.set_result(outcome)
        except Exception as exc:
            if not done.done():
                done.set_exception(exc)
        else:
            if not done.done():
                done.set_result(outcome)

    def _write(self, items: list[_Item]) -> list[WebhookOutcome | None]:
        receipts = [
            (i.checked.account, i.checked.webhook, i.body, i.raw_body, i.headers)
            for i in items
            if isinstance(i, _Receipt)
        ]
        with self.ctx.db.transaction() as session:
            for item in items:
                if isinstance(item, _Rejection):
                    session.add(
                        WebhookRejectionRow(
                            carrier=item.carrier,
                            carrier_account_id=item.account_id,
                            reason=item.reason,
                            remote_addr=item.remote_addr,
                            received_at=item.at,
                        )
                    )
            taken = iter(record_webhooks_in(session, receipts) if receipts else [])
        return [next(taken) if isinstance(i, _Receipt) else None for i in items]
