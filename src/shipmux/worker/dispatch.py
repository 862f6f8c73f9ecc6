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
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from shipmux import carriers
from shipmux.carriers.base import (
    Capability,
    Carrier,
    CarrierOrder,
    CreateResult,
    LabelDocument,
    LabelRequest,
    TrackingEvent,
)
from shipmux.carriers.errors import CarrierError, OutcomeUnknown
from shipmux.carriers.http import Exchange, exchange_sink
from shipmux.domain import tracking_schedule
from shipmux.domain.errors import FieldProblem
from shipmux.domain.orders import Order
from shipmux.domain.routing import QuoteStrategy
from shipmux.domain.shipments import ShipmentStatus
from shipmux.services import routing, tracking
from shipmux.services.context import HubContext
from shipmux.services.exchanges import exchange_values, is_kept, store_exchanges
from shipmux.services.outbox import JobKind, job_values
from shipmux.services.shipments import carrier_order_of, move
from shipmux.storage.label_pages import format_pages
from shipmux.storage.labels import LabelFile
from shipmux.storage.tables import (
    AttemptRow,
    CarrierAccountRow,
    JobRow,
    OrderRow,
    RoutingPolicyRow,
    ShipmentRow,
    TenantRow,
)
from shipmux.worker.outbox import ClaimedJob, finish, release, reschedule
from shipmux.worker.progress import Progress, apply_progress
from shipmux.worker.retry import Action, Decision, RetryPolicy

__all__ = ["Breaker", "Dispatcher"]

log = structlog.get_logger(__name__)

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


Effect = Callable[[Session, list[int]], None]


@dataclass(slots=True)
class _Run:
    """One handler run: its jobs, what the carrier said, what to write."""

    jobs: list[ClaimedJob]
    exchanges: list[Exchange] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)


_Item = tuple[ClaimedJob, ShipmentRow, OrderRow]
# The shipment columns a stored label sets: its path and type, its pages of that
# document when a batch shares it (None: all of it), and a tracking number when the
# carrier gives one only with the label (Sendcloud).
_Label = dict[str, Any]
_Queued = tuple[_Run, Effect | None, "asyncio.Future[None]"]
# The soonest a failed poll is tried again (seconds).
_TRACK_RETRY_MIN = 60.0


class Dispatcher:
    """Runs claimed jobs for one worker process."""

    def __init__(self, ctx: HubContext, worker_id: str, rng: random.Random | None = None):
        self.ctx = ctx
        self.worker_id = worker_id
        ws = ctx.settings.worker
        self.policy = RetryPolicy(ws.max_attempts, ws.backoff_base_seconds, ws.backoff_cap_seconds)
        self.rng = rng or random.Random()
        self._breakers: dict[str, Breaker] = {}
        self._queued: list[_Queued] = []
        self._carrier_slots = asyncio.Semaphore(ws.concurrency)
        self._committer: asyncio.Task[None] | None = None

    def breaker(self, account_id: str) -> Breaker:
        ws = self.ctx.settings.worker
        return self._breakers.setdefault(
            account_id, Breaker(ws.breaker_threshold, ws.breaker_cooldown_seconds)
        )

    def batch_sizes(self) -> dict[tuple[str, str], int]:
        """How many jobs of a kind an account's carrier takes in one call, by (account, kind)."""
        with self.ctx.db.reading() as session:
            rows = session.execute(select(CarrierAccountRow.id, CarrierAccountRow.carrier)).all()
        sizes = {}
        for account_id, slug in rows:
            entry = carriers.registry().get(slug)
            if entry is None:
                continue
            batch, capable = entry.connector.max_batch, entry.connector.capabilities
            if Capability.BATCH_CREATE in capable:
                sizes[(account_id, JobKind.SUBMIT.value)] = batch
            if Capability.LABEL_BATCH in capable:
                sizes[(account_id, JobKind.LABEL.value)] = batch
        return sizes

    # -- entry point ---------------------------------------------------------------

    async def run(self, jobs: Sequence[ClaimedJob]) -> None:
        """Run jobs of one kind for one account.

        Submit jobs form one run (the carrier takes them in one call); other kinds are
        read together but each is its own run, so its attempt names its own exchanges.
        """
        loop = asyncio.get_running_loop()
        account_id = jobs[0].account_id
        if jobs[0].kind == JobKind.ROUTE:
            await asyncio.gather(*(self._route(job) for job in jobs))
            return
        if account_id is not None and self.breaker(account_id).is_open(loop.time()):
            wait = self.breaker(account_id).open_until - loop.time()
            run = _Run(list(jobs))
            await self._commit(run, lambda s, ids: self._release(s, run, wait))
            return
        loaded = await asyncio.to_thread(self._load, jobs)
        if loaded is None:
            run = _Run(list(jobs))
            await self._commit(run, self._finish_all(run.jobs, "carrier account is gone"))
            return
        account, items = loaded
        batched = {JobKind.SUBMIT, JobKind.LABEL} & set(self._batchable(account))
        if jobs[0].kind in batched:
            await self._run_one(account, items)
        else:
            await asyncio.gather(*(self._run_one(account, [item]) for item in items))

    def _batchable(self, account: CarrierAccountRow) -> list[JobKind]:
        capabilities = self.ctx.carriers.get(account).capabilities
        kinds = [JobKind.SUBMIT]  # a carrier without batches gets groups of one
        if Capability.LABEL_BATCH in capabilities:
            kinds.append(JobKind.LABEL)
        return kinds

    async def _run_one(self, account: CarrierAccountRow, items: list[_Item]) -> None:
        run = _Run([job for job, _, _ in items])
        sink: list[Exchange] = []
        token = exchange_sink.set(sink)
        try:
            await self._handle(run, account, items)
        finally:
            exchange_sink.reset(token)
            run.exchanges = sink
        await self._commit(run, None)

    async def _handle(self, run: _Run, account: CarrierAccountRow, items: list[_Item]) -> None:
        carrier = self.ctx.carriers.get(account)
        handler = {
            JobKind.SUBMIT: self._submit,
            JobKind.PAY: self._pay,
            JobKind.LABEL: self._label,
            JobKind.CANCEL: self._cancel,
            JobKind.DESPATCH: self._despatch,
            JobKind.TRACK: self._track,
        }[JobKind(run.jobs[0].kind)]
        try:
            await handler(run, carrier, account, items)
        except Exception as exc:  # a CarrierError, or a bug: retried, then given up
            self._failed(run, account, [j for j, _, _ in items], exc)
        else:
            self.breaker(account.id).record(True, asyncio.get_running_loop().time())

    # -- reading -------------------------------------------------------------------

    def _load(self, jobs: Sequence[ClaimedJob]) -> tuple[CarrierAccountRow, list[_Item]] | None:
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
        items: list[_Item],
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
            async with self._carrier_slots:
                adopted = await carrier.find_orders(lookup)
        to_create = [(j, s, o) for j, s, o in pending if o.reference not in adopted]
        results: dict[str, CreateResult] = {}
        if to_create:
            orders = [_as_routed(s, o) for _, s, o in to_create]
            try:
                async with self._carrier_slots:
                    created = await carrier.create_orders(orders)
                for result in created:
                    results[result.reference] = result
            except OutcomeUnknown:
                run.effects.append(self._mark_lookup([s.id for _, s, _ in to_create]))
                raise
        for reference, found in adopted.items():
            results[reference] = CreateResult(reference, created=found, message="adopted")
        labels = await self._labels_now(carrier, pending, results)
        self._submitted(run, carrier, pending, results, labels)

    async def _labels_now(
        self, carrier: Carrier, pending: list[_Item], results: dict[str, CreateResult]
    ) -> dict[str, _Label]:
        """Fetch the new orders' labels in the same run, as a person would right after.

        Only where the carrier takes labels in batches: one more call for the whole
        batch. If it fails the orders are still created, and their label jobs retry.
        """
        if Capability.LABEL_BATCH not in carrier.capabilities:
            return {}
        made = [
            (shipment, created)
            for _, shipment, order in pending
            if (created := getattr(results.get(order.reference), "created", None)) is not None
        ]
        if not made:
            return {}
        try:
            async with self._carrier_slots:
                documents = await carrier.fetch_labels([c for _, c in made], LabelRequest())
        except CarrierError as exc:
            log.info("worker.labels_deferred", reason=exc.describe())
            return {}
        pairs = [(shipment, created.carrier_order_id) for shipment, created in made]
        saved = await asyncio.to_thread(self._save_labels, pairs, documents)
        return {shipment.id: label for (shipment, _), label in zip(pairs, saved, strict=True)}

    def _submitted(
        self,
        run: _Run,
        carrier: Carrier,
        pending: list[_Item],
        results: dict[str, CreateResult],
        labels: dict[str, _Label],
    ) -> None:
        follow_up = _after_create(carrier)
        for job, shipment, order in pending:
            result = results.get(order.reference)
            if result is None:
                problem = FieldProblem("reference", "missing", "the carrier did not answer")
                result = CreateResult(order.reference, problems=[problem])
            careful = self._create_effect(job, shipment.id, result, follow_up)
            if result.created is None:
                run.effects.append(careful)
                continue
            values = _created_values(result.created) | {
                "lookup_needed": False,
                "problems": None,
                "last_error": None,
            }
            outcome = "adopted" if result.message == "adopted" else "ok"
            label = labels.get(shipment.id)
            if label is None:
                step = Progress(
                    job,
                    shipment.id,
                    S.ACCEPTED,
                    S.SUBMITTED,
                    "created at the carrier",
                    values,
                    follow_up=_after_create(carrier),
                    outcome=outcome,
                    otherwise=careful,
                )
            else:
                values |= label | _first_check(carrier, shipment)
                step = Progress(
                    job,
                    shipment.id,
                    S.ACCEPTED,
                    S.LABEL_READY,
                    "label stored",
                    values,
                    outcome=outcome,
                    otherwise=careful,
                    via=S.SUBMITTED,
                    via_reason="created at the carrier",
                    via_operation=JobKind.LABEL.value,
                )
            run.progress.append(step)

    def _create_effect(
        self, job: ClaimedJob, shipment_id: str, result: CreateResult, follow_up: JobKind | None
    ) -> Effect:
        def effect(session: Session, exchange_ids: list[int]) -> None:
            shipment = session.get(ShipmentRow, shipment_id, with_for_update=True)
            assert shipment is not None
            now = datetime.now(UTC)
            self._apply_create(session, job, shipment, result, now, exchange_ids, follow_up)

        return effect

    def _apply_create(
        self,
        session: Session,
        job: ClaimedJob,
        shipment: ShipmentRow,
        result: CreateResult,
        now: datetime,
        exchange_ids: list[int],
        follow_up: JobKind | None,
    ) -> None:
        if not finish(session, job, self.worker_id, error=None if result.ok else result.message):
            return  # lost the lease: the new holder decides
        shipment.lookup_needed = False
        if result.created is None:
            shipment.problems = [asdict(p) for p in _slot_problems(result.problems)]
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
        for column, value in _created_values(result.created).items():
            setattr(shipment, column, value)
        shipment.problems, shipment.last_error = None, None
        outcome = "adopted" if result.message == "adopted" else "ok"
        self._attempt(session, job, shipment, outcome, None, exchange_ids, None)
        if S(shipment.status) == S.CANCELLED:
            # Cancelled while we were creating it: withdraw it at the carrier too.
            self._enqueue(session, job, JobKind.CANCEL, shipment.id)
            return
        move(session, shipment, S.SUBMITTED, now, f"created at {job.kind} by the carrier")
        if follow_up is not None:
            self._enqueue(session, job, follow_up, shipment.id)

    async def _pay(
        self,
        run: _Run,
        carrier: Carrier,
        account: CarrierAccountRow,
        items: list[_Item],
    ) -> None:
        """Pay for created orders, one by one, never twice.

        A payment whose answer was lost (``payment_unknown``) is read back first: the
        carrier's paid date decides, because paying again would charge again.
        """
        tolerance = await asyncio.to_thread(self._price_tolerance, run.jobs[0].tenant_id)
        for job, shipment, order in items:
            if shipment.status != S.SUBMITTED or shipment.carrier_order_id is None:
                run.effects.append(self._finish_all([job], None))
                continue
            placed = _carrier_order(shipment, order)
            if shipment.paid_at is None and shipment.payment_unknown:
                async with self._carrier_slots:
                    [placed] = await carrier.get_orders([placed]) or [placed]
            if placed.paid_at is not None:
                run.effects.append(self._paid_effect(job, shipment.id, placed, "adopted"))
                continue
            ceiling = _ceiling(shipment, placed, tolerance)
            if await asyncio.to_thread(self._status_now, shipment.id) != S.SUBMITTED:
                # Cancelled (or moved on) since the job was read: never pay for that.
                run.effects.append(self._finish_all([job], None))
                continue
            try:
                async with self._carrier_slots:
                    paid = await carrier.pay(_as_routed(shipment, order), placed, ceiling)
            except OutcomeUnknown:
                run.effects.append(self._mark_payment_unknown(shipment.id))
                raise
            run.effects.append(self._paid_effect(job, shipment.id, paid, "ok"))

    def _status_now(self, shipment_id: str) -> str | None:
        with self.ctx.db.reading() as session:
            return session.scalar(select(ShipmentRow.status).where(ShipmentRow.id == shipment_id))

    def _price_tolerance(self, tenant_id: str) -> Decimal:
        with self.ctx.db.reading() as session:
            tenant = session.get(TenantRow, tenant_id)
        return Decimal(str(tenant.price_tolerance if tenant else 0))

    def _paid_effect(
        self, job: ClaimedJob, shipment_id: str, paid: CarrierOrder, outcome: str
    ) -> Effect:
        def effect(session: Session, exchange_ids: list[int]) -> None:
            if not finish(session, job, self.worker_id):
                return
            shipment = session.get(ShipmentRow, shipment_id, with_for_update=True)
            assert shipment is not None
            shipment.paid_at = paid.paid_at or datetime.now(UTC)
            shipment.payment_unknown = False
            if paid.price is not None:
                shipment.price, shipment.currency = float(paid.price), paid.currency
            shipment.last_error = None
            shipment.updated_at = datetime.now(UTC)
            self._attempt(session, job, shipment, outcome, None, exchange_ids, None)
            if S(shipment.status) == S.SUBMITTED:
                self._enqueue(session, job, JobKind.LABEL, shipment.id)

        return effect

    def _mark_payment_unknown(self, shipment_id: str) -> Effect:
        def effect(session: Session, exchange_ids: list[int]) -> None:
            shipment = session.get(ShipmentRow, shipment_id)
            if shipment is not None:
                shipment.payment_unknown = True

        return effect

    async def _route(self, job: ClaimedJob) -> None:
        """Choose an account for an order by its quotes, then queue its submit there."""
        run = _Run([job])
        sink: list[Exchange] = []
        token = exchange_sink.set(sink)
        try:
            run.effects.append(await self._choose_account(job))
        except Exception as exc:  # a bug in quoting: retried like any carrier failure
            decision = self.policy.decide(exc, job.attempts + 1, self.rng)
            run.effects.append(self._settle_route_failure(job, decision))
        finally:
            exchange_sink.reset(token)
            run.exchanges = sink
        await self._commit(run, None)

    async def _choose_account(self, job: ClaimedJob) -> Effect:
        loaded = await asyncio.to_thread(self._load_route, job)
        if loaded is None:
            return self._finish_all([job], None)
        shipment, order, strategy, timeout = loaded
        # Every account quotes all its services: a service code means one carrier's service.
        open_order = Order.model_validate(order.payload).model_copy(update={"service_code": None})
        choice = await routing.resolve_by_quotes(
            self.ctx, job.tenant_id, open_order, QuoteStrategy(strategy), timeout
        )
        return self._routed_effect(job, shipment.id, strategy, choice)

    def _load_route(self, job: ClaimedJob) -> tuple[ShipmentRow, OrderRow, str, float] | None:
        with self.ctx.db.reading() as session:
            row = session.execute(
                select(ShipmentRow, OrderRow)
                .join(OrderRow, OrderRow.id == ShipmentRow.order_id)
                .where(ShipmentRow.id == job.shipment_id, ShipmentRow.tenant_id == job.tenant_id)
            ).first()
            policy = session.get(RoutingPolicyRow, job.tenant_id)
        if row is None or row[0].status != S.ACCEPTED or row[0].carrier_account_id is not None:
            return None  # cancelled, or routed by hand, since the job was queued
        strategy = (row[0].routed_by or "cheapest").rsplit(":", 1)[-1]
        timeout = policy.quote_timeout_seconds if policy is not None else 10.0
        return row[0], row[1], strategy, timeout

    def _routed_effect(
        self,
        job: ClaimedJob,
        shipment_id: str,
        strategy: str,
        choice: routing.Resolved | routing.NotResolved,
    ) -> Effect:
        def effect(session: Session, exchange_ids: list[int]) -> None:
            failed = choice.reason if isinstance(choice, routing.NotResolved) else None
            if not finish(session, job, self.worker_id, error=failed):
                return
            shipment = session.get(ShipmentRow, shipment_id, with_for_update=True)
            assert shipment is not None
            now = datetime.now(UTC)
            if S(shipment.status) != S.ACCEPTED:
                return
            if isinstance(choice, routing.NotResolved):
                shipment.last_error = f"no carrier could be chosen by {strategy}: {choice.reason}"
                self._attempt(
                    session,
                    job,
                    shipment,
                    "rejected",
                    "no_route",
                    exchange_ids,
                    shipment.last_error,
                )
                move(session, shipment, S.NEEDS_ATTENTION, now, shipment.last_error)
                return
            rate = choice.rate
            shipment.carrier_account_id, shipment.carrier = choice.account_id, choice.carrier
            shipment.service_code = rate.service_code
            shipment.quoted_price, shipment.currency = float(rate.price), rate.currency
            shipment.updated_at = now
            note = f"{strategy}: {choice.account_name} {rate.service_code} at {rate.price}"
            skipped = "; ".join(f"{f.account_name}: {f.reason}" for f in choice.failures)
            message = f"{note} {rate.currency}" + (f" (no rate from {skipped})" if skipped else "")
            self._attempt(session, job, shipment, "ok", None, exchange_ids, message)
            self._enqueue(session, job, JobKind.SUBMIT, shipment.id, choice.account_id)

        return effect

    def _settle_route_failure(self, job: ClaimedJob, decision: Decision) -> Effect:
        def effect(session: Session, exchange_ids: list[int]) -> None:
            self._settle_one(session, job, decision, datetime.now(UTC), exchange_ids)

        return effect

    async def _label(
        self,
        run: _Run,
        carrier: Carrier,
        account: CarrierAccountRow,
        items: list[_Item],
    ) -> None:
        unpaid_ok = Capability.PAYMENT not in carrier.capabilities
        ready = [
            (j, s, o)
            for j, s, o in items
            if s.status == S.SUBMITTED and s.carrier_order_id and (unpaid_ok or s.paid_at)
        ]
        stale = [j for j, s, _ in items if (j, s) not in {(r[0], r[1]) for r in ready}]
        if stale:
            run.effects.append(self._finish_all(stale, None))
        if not ready:
            return
        orders = [_carrier_order(s, o) for _, s, o in ready]
        # Only carrier calls count against ``concurrency``: reading and writing our
        # own database and files must not keep a carrier slot idle.
        async with self._carrier_slots:
            if Capability.LABEL_BATCH in carrier.capabilities and len(orders) > 1:
                documents = await carrier.fetch_labels(orders, LabelRequest())
            else:
                documents = {
                    orders[0].carrier_order_id: await carrier.fetch_label(orders[0], LabelRequest())
                }
        pairs = [(s, o.carrier_order_id) for (_, s, _), o in zip(ready, orders, strict=True)]
        saved = await asyncio.to_thread(self._save_labels, pairs, documents)
        for (job, shipment, _), label in zip(ready, saved, strict=True):
            label |= _first_check(carrier, shipment)  # polling starts with the label
            self._progress(run, job, shipment, S.LABEL_READY, "label stored", label)

    def _save_labels(
        self, pairs: list[tuple[ShipmentRow, str]], documents: dict[str, LabelDocument]
    ) -> list[_Label]:
        """Write each shipment's label (by its carrier order id); the columns to set.

        A document the shipments of a batch share is written once; each shipment
        points at it with its own pages.
        """
        chosen = [documents[carrier_order_id] for _, carrier_order_id in pairs]
        stored = self.ctx.labels.save_many(
            [
                LabelFile(
                    shipment.tenant_id,
                    shipment.id,
                    document.content,
                    document.media_type,
                    document.pages,
                )
                for (shipment, _), document in zip(pairs, chosen, strict=True)
            ]
        )
        saved: list[_Label] = []
        for where, document in zip(stored, chosen, strict=True):
            label: _Label = {
                "label_path": where.path,
                "label_media_type": document.media_type,
                # Always set, so a label stored again whole forgets the pages of the last.
                "label_pages": format_pages(where.pages),
            }
            if document.tracking_number:
                label["tracking_number"] = document.tracking_number
            saved.append(label)
        return saved

    async def _cancel(
        self,
        run: _Run,
        carrier: Carrier,
        account: CarrierAccountRow,
        items: list[_Item],
    ) -> None:
        for job, shipment, order in items:
            if shipment.carrier_order_id is not None:
                async with self._carrier_slots:
                    await carrier.cancel(_carrier_order(shipment, order))
            self._progress(run, job, shipment, S.CANCELLED, "cancelled at carrier")

    async def _despatch(
        self,
        run: _Run,
        carrier: Carrier,
        account: CarrierAccountRow,
        items: list[_Item],
    ) -> None:
        for job, shipment, order in items:
            if Capability.DESPATCH in carrier.capabilities and shipment.carrier_order_id:
                async with self._carrier_slots:
                    await carrier.despatch(_carrier_order(shipment, order), datetime.now(UTC))
            checked = _first_check(carrier, shipment)
            self._progress(run, job, shipment, S.DESPATCHED, "despatched", checked)

    async def _track(
        self,
        run: _Run,
        carrier: Carrier,
        account: CarrierAccountRow,
        items: list[_Item],
    ) -> None:
        """Poll the carrier for a shipment's events (the backup to pushes; worker.polling)."""
        for job, shipment, order in items:
            events: list[TrackingEvent] | None = None
            if shipment.status in tracking.POLLED_STATUSES and shipment.carrier_order_id:
                async with self._carrier_slots:
                    events = await carrier.track(_carrier_order(shipment, order))
            run.effects.append(self._tracked_effect(job, shipment.id, events))

    def _tracked_effect(
        self, job: ClaimedJob, shipment_id: str, events: list[TrackingEvent] | None
    ) -> Effect:
        def effect(session: Session, exchange_ids: list[int]) -> None:
            if not finish(session, job, self.worker_id):
                return
            shipment = session.get(ShipmentRow, shipment_id, with_for_update=True)
            if shipment is None:
                return
            now = datetime.now(UTC)
            if events is None:  # moved out of reach (cancelled, say) since it was queued
                tracking.schedule_next_check(shipment, now)
                return
            shipment.last_checked_at = now
            tracking.apply_events(session, shipment, events, "poll", now)
            tenant = session.get(TenantRow, shipment.tenant_id)
            if tenant is not None:
                tracking.flag_if_stuck(shipment, tenant.stuck_after_hours, now)

        return effect

    def _track_failed(self, jobs: list[ClaimedJob], account_id: str, decision: Decision) -> Effect:
        """A poll that failed is not retried as a job: the shipment is due again later.

        A passing failure brings it back after the retry delay (a minute at least, never
        later than its usual turn); any other waits for its usual turn. The shipment's
        status is left alone: a poll never makes a parcel need attention.
        """

        def effect(session: Session, exchange_ids: list[int]) -> None:
            now = datetime.now(UTC)
            if decision.action is Action.PAUSE_ACCOUNT:
                account = session.get(CarrierAccountRow, account_id)
                if account is not None:
                    account.paused_reason = decision.message
                    account.updated_at = now
            for job in jobs:
                if not finish(session, job, self.worker_id, error=decision.message):
                    continue
                shipment = session.get(ShipmentRow, job.shipment_id)
                if shipment is None:
                    continue
                usual = tracking.next_check_for(shipment, now)
                if decision.action in (Action.RETRY, Action.PARK) and usual is not None:
                    soon = now + timedelta(seconds=max(decision.delay, _TRACK_RETRY_MIN))
                    usual = min(usual, soon)
                shipment.next_check_at = usual
                self._attempt(
                    session,
                    job,
                    shipment,
                    decision.action.value,
                    decision.code,
                    exchange_ids,
                    decision.message,
                )

        return effect

    # -- effects (run inside the write transaction) ---------------------------------

    def _progress(
        self,
        run: _Run,
        job: ClaimedJob,
        shipment: ShipmentRow,
        target: ShipmentStatus,
        reason: str,
        label: _Label | None = None,
    ) -> None:
        """The job worked: move the shipment on, set-based with its peers where it can."""
        careful = self._progress_effect(job, shipment.id, target, reason, label)
        if shipment.status == target:
            run.effects.append(careful)
            return
        values = dict(label or {})
        run.progress.append(
            Progress(
                job, shipment.id, S(shipment.status), target, reason, values, otherwise=careful
            )
        )

    def _progress_effect(
        self,
        job: ClaimedJob,
        shipment_id: str,
        target: ShipmentStatus,
        reason: str,
        label: _Label | None,
    ) -> Effect:
        def effect(session: Session, exchange_ids: list[int]) -> None:
            if not finish(session, job, self.worker_id):
                return
            shipment = session.get(ShipmentRow, shipment_id, with_for_update=True)
            assert shipment is not None
            if label is not None:
                for column, value in label.items():
                    setattr(shipment, column, value)
            if S(shipment.status) != target:
                move(session, shipment, target, datetime.now(UTC), reason)
            self._attempt(session, job, shipment, "ok", None, exchange_ids, None)

        return effect

    def _finish_all(self, jobs: Sequence[ClaimedJob], error: str | None) -> Effect:
        def effect(session: Session, exchange_ids: list[int]) -> None:
            for job in jobs:
                finish(session, job, self.worker_id, dead=error is not None, error=error)

        return effect

    def _mark_lookup(self, shipment_ids: list[str]) -> Effect:
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
        if jobs[0].kind == JobKind.TRACK:
            run.effects.append(self._track_failed(jobs, account.id, decision))
            return
        run.effects.append(self._settle_failure(jobs, account.id, decision))

    def _settle_failure(
        self, jobs: list[ClaimedJob], account_id: str, decision: Decision
    ) -> Effect:
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
        if decision.action is Action.PARK:
            settled = release(session, job, self.worker_id, decision.delay)
        elif decision.action in (Action.RETRY, Action.PAUSE_ACCOUNT):
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

    def _enqueue(
        self,
        session: Session,
        job: ClaimedJob,
        kind: JobKind,
        shipment_id: str,
        account_id: str | None = None,
    ) -> None:
        """Queue the next job for the shipment, at ``job``'s account unless told another."""
        session.add(
            JobRow(
                **job_values(
                    tenant_id=job.tenant_id,
                    kind=kind,
                    shipment_id=shipment_id,
                    account_id=account_id or job.account_id,
                    max_attempts=self.ctx.settings.worker.max_attempts,
                )
            )
        )

    # -- writing -------------------------------------------------------------------

    async def _commit(self, run: _Run, only: Effect | None) -> None:
        """Write a run's outcome; runs finishing together share one transaction.

        While one commit is on its way to disk the next runs queue up, and the
        next commit takes them all (group commit): one fsync for many jobs.
        """
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queued.append((run, only, done))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        while self._queued:
            batch, self._queued = self._queued, []
            try:
                await asyncio.to_thread(self._write, batch)
            except Exception:
                # One bad outcome must not sink the others: write each on its own.
                for item in batch:
                    await self._write_alone(item)
            else:
                for _, _, done in batch:
                    done.set_result(None)

    async def _write_alone(self, item: _Queued) -> None:
        try:
            await asyncio.to_thread(self._write, [item])
        except Exception as exc:
            item[2].set_exception(exc)
        else:
            item[2].set_result(None)

    def _write(self, batch: list[_Queued]) -> None:
        with self.ctx.db.transaction() as session:
            ids_per_run = self._store_exchanges(session, [run for run, _, _ in batch])
            progress: list[Progress] = []
            effects: list[tuple[Effect, list[int]]] = []
            for (run, only, _), exchange_ids in zip(batch, ids_per_run, strict=True):
                if only is not None:
                    effects.append((only, exchange_ids))
                    continue
                effects += [(effect, exchange_ids) for effect in run.effects]
                progress += [replace(p, exchange_ids=tuple(exchange_ids)) for p in run.progress]
            apply_progress(session, self.worker_id, progress, self.ctx.settings.worker.max_attempts)
            for effect, exchange_ids in effects:
                effect(session, exchange_ids)

    def _store_exchanges(self, session: Session, runs: list[_Run]) -> list[list[int]]:
        """Every run's exchanges in one statement; the new ids, run by run."""
        keep_all = self.ctx.settings.keep_successful_exchanges
        rows: list[dict[str, Any]] = []
        owners: list[int] = []
        for index, run in enumerate(runs):
            tenant_id, account_id = run.jobs[0].tenant_id, run.jobs[0].account_id
            for x in run.exchanges:
                if is_kept(x, keep_all):
                    owners.append(index)
                    rows.append(exchange_values(x, tenant_id, account_id))
        per_run: list[list[int]] = [[] for _ in runs]
        for owner, exchange_id in zip(owners, store_exchanges(session, rows), strict=True):
            per_run[owner].append(exchange_id)
        return per_run


def _carrier_order(shipment: ShipmentRow, order: OrderRow) -> CarrierOrder:
    return carrier_order_of(shipment, order.reference)


def _first_check(carrier: Carrier, shipment: ShipmentRow) -> _Label:
    """The ``next_check_at`` a labelled or despatched shipment gets (see tracking_schedule)."""
    capabilities = carrier.capabilities
    when = tracking_schedule.next_check_at(
        shipment.tracking_stage,
        datetime.now(UTC),
        pushes=Capability.PUSH_TRACKING in capabilities,
        polls=Capability.POLL_TRACKING in capabilities,
        last_event_at=shipment.last_event_at,
    )
    return {"next_check_at": when}


def _created_values(created: CarrierOrder) -> dict[str, Any]:
    """The shipment columns a create (or an adopted order) fills in."""
    values: dict[str, Any] = {
        "carrier_order_id": created.carrier_order_id,
        "tracking_number": created.tracking_number,
        "carrier_shipment_ref": created.carrier_shipment_ref,
        "carrier_data": dict(created.carrier_data) or None,
        "paid_at": created.paid_at,
    }
    if created.service_code is not None:
        values["service_code"] = created.service_code
    if created.price is not None:
        values["price"], values["currency"] = float(created.price), created.currency
    return values


def _after_create(carrier: Carrier) -> JobKind | None:
    """What follows a create: payment where the carrier charges per order, else the label."""
    if Capability.PAYMENT in carrier.capabilities:
        return JobKind.PAY
    return JobKind.LABEL if Capability.LABEL_PDF in carrier.capabilities else None


def _as_routed(shipment: ShipmentRow, order: OrderRow) -> Order:
    """The order as the carrier must get it: with the service routing (or the create) chose.

    A service code names one carrier's service, so once quotes picked the account,
    the quoted service replaces whatever preference the order carried.
    """
    parsed = Order.model_validate(order.payload)
    if shipment.service_code:
        return parsed.model_copy(update={"service_code": shipment.service_code})
    return parsed


def _ceiling(shipment: ShipmentRow, placed: CarrierOrder, tolerance: Decimal) -> Decimal | None:
    """The most we pay: the price we were quoted (else the price at create) plus tolerance."""
    quoted = _decimal(shipment.quoted_price)
    if quoted is None and placed.carrier_data.get("quoted_price"):
        quoted = Decimal(placed.carrier_data["quoted_price"])  # the connector's own quote
    if quoted is None:
        quoted = placed.price
    return None if quoted is None else quoted + tolerance


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _slot_problems(problems: list[FieldProblem]) -> list[FieldProblem]:
    return problems or [FieldProblem("order", "rejected", "the carrier rejected the order")]
