"""The work behind each outbox job: read, call the carrier, write what happened.

Each handler reads in one short transaction, talks to the carrier with no
transaction open, and writes the outcome, the attempts, the exchanges and the
follow-up jobs in one transaction. Creates whose answer was lost are looked up
by our reference before anything is sent again (``lookup_needed``).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shipmux import carriers
from shipmux.carriers.base import Capability, Carrier, CarrierOrder, CreateResult, LabelRequest
from shipmux.carriers.errors import OutcomeUnknown
from shipmux.carriers.http import Exchange, exchange_sink
from shipmux.domain.errors import FieldProblem
from shipmux.domain.orders import Order
from shipmux.domain.shipments import ShipmentStatus
from shipmux.services.context import HubContext
from shipmux.services.outbox import JobKind, job_values
from shipmux.services.shipments import move
from shipmux.storage.tables import (
    AttemptRow,
    CarrierAccountRow,
    ExchangeRow,
    JobRow,
    OrderRow,
    ShipmentRow,
)
from shipmux.worker.outbox import ClaimedJob, finish, release, reschedule
from shipmux.worker.retry import Action, Decision, RetryPolicy

__all__ = ["Breaker", "Dispatcher"]

S = ShipmentStatus


@dataclass(slots=True)
class Breaker:
    """Per-account circuit: after N transient failures in a row, park that account's work."""

    threshold: int
    cooldown: float
    failures: int = 0
    open_until: float = 0.0

    def is_open(self, now: float) -> bool:
        return now < self.open_until

    def record(self, ok: bool, now: float) -> None:
        if ok:
            self.failures = 0
            return
        self.failures += 1
        if self.failures >= self.threshold:
            self.open_until = now + self.cooldown


@dataclass(slots=True)
class _Run:
    """One handler run: its jobs, what the carrier said, what to write."""

    jobs: list[ClaimedJob]
    exchanges: list[Exchange] = field(default_factory=list)
    effects: list[Callable[[Session, list[int]], None]] = field(default_factory=list)


class Dispatcher:
    """Runs claimed jobs for one worker process."""

    def __init__(self, ctx: HubContext, worker_id: str, rng: random.Random | None = None):
        self.ctx = ctx
        self.worker_id = worker_id
        ws = ctx.settings.worker
        self.policy = RetryPolicy(ws.max_attempts, ws.backoff_base_seconds, ws.backoff_cap_seconds)
        self.rng = rng or random.Random()
        self._breakers: dict[str, Breaker] = {}

    def breaker(self, account_id: str) -> Breaker:
        ws = self.ctx.settings.worker
        return self._breakers.setdefault(
            account_id, Breaker(ws.breaker_threshold, ws.breaker_cooldown_seconds)
        )

    def batch_sizes(self) -> dict[str, int]:
        """How many orders each account's carrier takes in one create call."""
        with self.ctx.db.reading() as session:
            rows = session.execute(select(CarrierAccountRow.id, CarrierAccountRow.carrier)).all()
        sizes = {}
        for account_id, slug in rows:
            entry = carriers.registry().get(slug)
            batch = entry.connector.max_batch if entry is not None else 1
            capable = entry is not None and Capability.BATCH_CREATE in entry.connector.capabilities
            sizes[account_id] = batch if capable else 1
        return sizes

    # -- entry point ---------------------------------------------------------------

    async def run(self, jobs: Sequence[ClaimedJob]) -> None:
        """Run jobs of one kind for one account (a batch where the carrier takes batches)."""
        run = _Run(list(jobs))
        loop = asyncio.get_running_loop()
        account_id = jobs[0].account_id
        if account_id is not None and self.breaker(account_id).is_open(loop.time()):
            wait = self.breaker(account_id).open_until - loop.time()
            await asyncio.to_thread(self._write, run, lambda s, ids: self._release(s, run, wait))
            return
        sink: list[Exchange] = []
        token = exchange_sink.set(sink)
        try:
            await self._handle(run)
        finally:
            exchange_sink.reset(token)
            run.exchanges = sink
        await asyncio.to_thread(self._write, run, None)

    async def _handle(self, run: _Run) -> None:
        kind = JobKind(run.jobs[0].kind)
        loaded = await asyncio.to_thread(self._load, run.jobs)
        if loaded is None:
            run.effects.append(self._finish_all(run.jobs, "carrier account is gone"))
            return
        account, items = loaded
        carrier = self.ctx.carriers.get(account)
        handler = {
            JobKind.SUBMIT: self._submit,
            JobKind.LABEL: self._label,
            JobKind.CANCEL: self._cancel,
            JobKind.DESPATCH: self._despatch,
        }[kind]
        try:
            await handler(run, carrier, account, items)
        except Exception as exc:  # a CarrierError, or a bug: retried, then given up
            self._failed(run, account, [j for j, _, _ in items], exc)
        else:
            self.breaker(account.id).record(True, asyncio.get_running_loop().time())

    # -- reading -------------------------------------------------------------------

    def _load(
        self, jobs: Sequence[ClaimedJob]
    ) -> tuple[CarrierAccountRow, list[tuple[ClaimedJob, ShipmentRow, OrderRow]]] | None:
        with self.ctx.db.reading() as session:
            account = session.get(CarrierAccountRow, jobs[0].account_id)
            if account is None:
                return None
            ids = [j.shipment_id for j in jobs]
            rows = session.execute(
                select(ShipmentRow, OrderRow)
                .join(OrderRow, OrderRow.id == ShipmentRow.order_id)
                .where(ShipmentRow.id.in_(ids), ShipmentRow.tenant_id == jobs[0].tenant_id)
            ).all()
            by_id = {s.id: (s, o) for s, o in rows}
        return account, [(j, *by_id[j.shipment_id]) for j in jobs if j.shipment_id in by_id]

    # -- handlers ------------------------------------------------------------------

    async def _submit(
        self,
        run: _Run,
        carrier: Carrier,
        account: CarrierAccountRow,
        items: list[tuple[ClaimedJob, ShipmentRow, OrderRow]],
    ) -> None:
        pending = [(j, s, o) for j, s, o in items if s.status == S.ACCEPTED]
        stale = [j for j, s, _ in items if s.status != S.ACCEPTED]
        if stale:  # cancelled or edited into another state since it was queued
            run.effects.append(self._finish_all(stale, None))
        if not pending:
            return
        adopted: dict[str, CarrierOrder] = {}
        lookup = [o.reference for _, s, o in pending if s.lookup_needed]
        if lookup:
            adopted = await carrier.find_orders(lookup)
        to_create = [(j, s, o) for j, s, o in pending if o.reference not in adopted]
        results: dict[str, CreateResult] = {}
        if to_create:
            orders = [Order.model_validate(o.payload) for _, _, o in to_create]
            try:
                for result in await carrier.create_orders(orders):
                    results[result.reference] = result
            except OutcomeUnknown:
                run.effects.append(self._mark_lookup([s.id for _, s, _ in to_create]))
                raise
        for reference, found in adopted.items():
            results[reference] = CreateResult(reference, created=found, message="adopted")
        run.effects.append(self._submitted(run, carrier, account, pending, results))

    def _submitted(
        self,
        run: _Run,
        carrier: Carrier,
        account: CarrierAccountRow,
        pending: list[tuple[ClaimedJob, ShipmentRow, OrderRow]],
        results: dict[str, CreateResult],
    ) -> Callable[[Session, list[int]], None]:
        wants_label = Capability.LABEL_PDF in carrier.capabilities

        def effect(session: Session, exchange_ids: list[int]) -> None:
            now = datetime.now(UTC)
            for job, stale_shipment, order in pending:
                shipment = session.get(ShipmentRow, stale_shipment.id, with_for_update=True)
                assert shipment is not None
                result = results.get(order.reference)
                if result is None:
                    problem = FieldProblem("reference", "missing", "the carrier did not answer")
                    result = CreateResult(order.reference, problems=[problem])
                self._apply_create(session, job, shipment, result, now, exchange_ids, wants_label)

        return effect

    def _apply_create(
        self,
        session: Session,
        job: ClaimedJob,
        shipment: ShipmentRow,
        result: CreateResult,
        now: datetime,
        exchange_ids: list[int],
        wants_label: bool,
    ) -> None:
        if not finish(session, job, self.worker_id, error=None if result.ok else result.message):
            return  # lost the lease: the new holder decides
        shipment.lookup_needed = False
        if result.created is None:
            shipment.problems = [p.__dict__ for p in _slot_problems(result.problems)]
            shipment.last_error = result.message or "the carrier rejected the order"
            if S(shipment.status) == S.ACCEPTED:
                move(session, shipment, S.NEEDS_ATTENTION, now, shipment.last_error)
            self._attempt(
                session,
                job,
                shipment,
                "rejected",
                "carrier_rejected",
                exchange_ids,
                shipment.last_error,
            )
            return
        shipment.carrier_order_id = result.created.carrier_order_id
        shipment.tracking_number = result.created.tracking_number
        shipment.problems, shipment.last_error = None, None
        outcome = "adopted" if result.message == "adopted" else "ok"
        self._attempt(session, job, shipment, outcome, None, exchange_ids, None)
        if S(shipment.status) == S.CANCELLED:
            # Cancelled while we were creating it: withdraw it at the carrier too.
            self._enqueue(session, job, JobKind.CANCEL, shipment.id)
            return
        move(session, shipment, S.SUBMITTED, now, f"created at {job.kind} by the carrier")
        if wants_label:
            self._enqueue(session, job, JobKind.LABEL, shipment.id)

    async def _label(
        self,
        run: _Run,
        carrier: Carrier,
        account: CarrierAccountRow,
        items: list[tuple[ClaimedJob, ShipmentRow, OrderRow]],
    ) -> None:
        for job, shipment, order in items:
            if shipment.status != S.SUBMITTED or shipment.carrier_order_id is None:
                run.effects.append(self._finish_all([job], None))
                continue
            document = await carrier.fetch_label(_carrier_order(shipment, order), LabelRequest())
            path = await asyncio.to_thread(
                self.ctx.labels.save,
                shipment.tenant_id,
                shipment.id,
                document.content,
                document.media_type,
            )
            run.effects.append(
                self._progress(
                    job,
                    shipment.id,
                    S.LABEL_READY,
                    "label stored",
                    label=(path, document.media_type),
                )
            )

    async def _cancel(
        self,
        run: _Run,
        carrier: Carrier,
        account: CarrierAccountRow,
        items: list[tuple[ClaimedJob, ShipmentRow, OrderRow]],
    ) -> None:
        for job, shipment, order in items:
            if shipment.carrier_order_id is not None:
                await carrier.cancel(_carrier_order(shipment, order))
            run.effects.append(
                self._progress(job, shipment.id, S.CANCELLED, "cancelled at carrier")
            )

    async def _despatch(
        self,
        run: _Run,
        carrier: Carrier,
        account: CarrierAccountRow,
        items: list[tuple[ClaimedJob, ShipmentRow, OrderRow]],
    ) -> None:
        for job, shipment, order in items:
            if Capability.DESPATCH in carrier.capabilities and shipment.carrier_order_id:
                await carrier.despatch(_carrier_order(shipment, order), datetime.now(UTC))
            run.effects.append(self._progress(job, shipment.id, S.DESPATCHED, "despatched"))

    # -- effects (run inside the write transaction) ---------------------------------

    def _progress(
        self,
        job: ClaimedJob,
        shipment_id: str,
        target: ShipmentStatus,
        reason: str,
        label: tuple[str, str] | None = None,
    ) -> Callable[[Session, list[int]], None]:
        def effect(session: Session, exchange_ids: list[int]) -> None:
            if not finish(session, job, self.worker_id):
                return
            shipment = session.get(ShipmentRow, shipment_id, with_for_update=True)
            assert shipment is not None
            if label is not None:
                shipment.label_path, shipment.label_media_type = label
            if S(shipment.status) != target:
                move(session, shipment, target, datetime.now(UTC), reason)
            self._attempt(session, job, shipment, "ok", None, exchange_ids, None)

        return effect

    def _finish_all(
        self, jobs: Sequence[ClaimedJob], error: str | None
    ) -> Callable[[Session, list[int]], None]:
        def effect(session: Session, exchange_ids: list[int]) -> None:
            for job in jobs:
                finish(session, job, self.worker_id, dead=error is not None, error=error)

        return effect

    def _mark_lookup(self, shipment_ids: list[str]) -> Callable[[Session, list[int]], None]:
        def effect(session: Session, exchange_ids: list[int]) -> None:
            for shipment_id in shipment_ids:
                shipment = session.get(ShipmentRow, shipment_id)
                if shipment is not None:
                    shipment.lookup_needed = True

        return effect

    def _release(self, session: Session, run: _Run, wait: float) -> None:
        for job in run.jobs:
            release(session, job, self.worker_id, wait + self.rng.random())

    def _failed(
        self,
        run: _Run,
        account: CarrierAccountRow,
        jobs: list[ClaimedJob],
        exc: BaseException,
    ) -> None:
        decision = self.policy.decide(exc, jobs[0].attempts + 1, self.rng)
        if decision.action is Action.RETRY:
            self.breaker(account.id).record(False, asyncio.get_running_loop().time())
        run.effects.append(self._settle_failure(jobs, account.id, decision))

    def _settle_failure(
        self, jobs: list[ClaimedJob], account_id: str, decision: Decision
    ) -> Callable[[Session, list[int]], None]:
        def effect(session: Session, exchange_ids: list[int]) -> None:
            now = datetime.now(UTC)
            if decision.action is Action.PAUSE_ACCOUNT:
                account = session.get(CarrierAccountRow, account_id)
                if account is not None:
                    account.paused_reason = decision.message
                    account.updated_at = now
            for job in jobs:
                self._settle_one(session, job, decision, now, exchange_ids)

        return effect

    def _settle_one(
        self,
        session: Session,
        job: ClaimedJob,
        decision: Decision,
        now: datetime,
        exchange_ids: list[int],
    ) -> None:
        if decision.action in (Action.RETRY, Action.PAUSE_ACCOUNT):
            settled = reschedule(session, job, self.worker_id, decision.delay, decision.message)
        else:
            settled = finish(session, job, self.worker_id, dead=True, error=decision.message)
        shipment = session.get(ShipmentRow, job.shipment_id)
        if not settled or shipment is None:
            return
        shipment.last_error = decision.message
        self._attempt(
            session,
            job,
            shipment,
            decision.action.value,
            decision.code,
            exchange_ids,
            decision.message,
        )
        if decision.action is Action.GIVE_UP or decision.action is Action.ATTENTION:
            target = (
                S.FAILED
                if decision.action is Action.GIVE_UP and job.kind == JobKind.SUBMIT
                else (S.NEEDS_ATTENTION)
            )
            if S(shipment.status) not in (S.CANCELLED, target):
                move(session, shipment, target, now, decision.message)

    def _attempt(
        self,
        session: Session,
        job: ClaimedJob,
        shipment: ShipmentRow,
        outcome: str,
        code: str | None,
        exchange_ids: list[int],
        message: str | None,
    ) -> None:
        session.add(
            AttemptRow(
                tenant_id=shipment.tenant_id,
                shipment_id=shipment.id,
                job_id=job.id,
                operation=job.kind,
                worker_id=self.worker_id,
                outcome=outcome,
                error_code=code,
                message=message,
                exchange_ids=exchange_ids or None,
                at=datetime.now(UTC),
            )
        )

    def _enqueue(self, session: Session, job: ClaimedJob, kind: JobKind, shipment_id: str) -> None:
        session.add(
            JobRow(
                **job_values(
                    tenant_id=job.tenant_id,
                    kind=kind,
                    shipment_id=shipment_id,
                    account_id=job.account_id,
                    max_attempts=self.ctx.settings.worker.max_attempts,
                )
            )
        )

    # -- writing -------------------------------------------------------------------

    def _write(self, run: _Run, only: Callable[[Session, list[int]], None] | None) -> None:
        with self.ctx.db.transaction() as session:
            exchange_ids = self._store_exchanges(session, run)
            for effect in [only] if only is not None else run.effects:
                effect(session, exchange_ids)

    def _store_exchanges(self, session: Session, run: _Run) -> list[int]:
        keep_all = self.ctx.settings.keep_successful_exchanges
        rows: list[dict[str, Any]] = [
            {
                "tenant_id": run.jobs[0].tenant_id,
                "carrier_account_id": run.jobs[0].account_id,
                "carrier": x.carrier,
                "operation": x.operation,
                "method": x.method,
                "url": x.url,
                "request_headers": x.request_headers,
                "request_body": x.request_body,
                "status": x.status,
                "response_body": x.response_body,
                "error": x.error,
                "duration_ms": x.duration_ms,
                "started_at": x.started_at,
            }
            for x in run.exchanges
            if keep_all or x.error is not None or (x.status or 0) >= 400
        ]
        if not rows:
            return []
        ids = session.scalars(insert(ExchangeRow).returning(ExchangeRow.id), rows)
        return list(ids)


def _carrier_order(shipment: ShipmentRow, order: OrderRow) -> CarrierOrder:
    assert shipment.carrier_order_id is not None
    return CarrierOrder(
        carrier_order_id=shipment.carrier_order_id,
        reference=order.reference,
        tracking_number=shipment.tracking_number,
    )


def _slot_problems(problems: list[FieldProblem]) -> list[FieldProblem]:
    return problems or [FieldProblem("order", "rejected", "the carrier rejected the order")]
