"""Order intake: validate each order, then store the good ones and their jobs at once.

One call answers per order (created / updated / existing / rejected), as Click &
Drop's createdOrders/failedOrders do. A rejected order writes nothing; the rest
are written in one transaction with their outbox jobs and the Idempotency-Key's
stored answer, so a 2xx means everything it reports is on disk.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shipmux import carriers
from shipmux.domain.errors import (
    FieldProblem,
    IdempotencyConflict,
)
from shipmux.domain.limits import CarrierLimits, check_payload, strictest
from shipmux.domain.orders import Order
from shipmux.domain.routing import RoutableAccount, Routed, RoutingPolicy, Unroutable, decide
from shipmux.domain.shipments import EDITABLE, ShipmentStatus
from shipmux.services.outbox import JobKind, job_values
from shipmux.services.problems import problems_from_validation
from shipmux.services.routing import policy_in, routable
from shipmux.services.shipments import move, transition_values
from shipmux.storage.db import Database
from shipmux.storage.ids import new_id
from shipmux.storage.tables import (
    CarrierAccountRow,
    IdempotencyRow,
    JobRow,
    OrderRow,
    ShipmentRow,
    TransitionRow,
)

__all__ = ["IntakeAnswer", "OrderResult", "request_fingerprint", "take_orders"]

Outcome = Literal["created", "updated", "existing", "rejected"]


@dataclass(slots=True)
class OrderResult:
    index: int
    reference: str | None
    outcome: Outcome
    order_id: str | None = None
    status: str | None = None
    problems: list[FieldProblem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "reference": self.reference,
            "outcome": self.outcome,
            "order_id": self.order_id,
            "status": self.status,
            "errors": [
                {"field": p.field, "rule": p.rule, "message": p.message} for p in self.problems
            ],
        }


@dataclass(slots=True)
class IntakeAnswer:
    results: list[OrderResult]
    replayed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"results": [r.to_json() for r in self.results]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IntakeAnswer:
        results = [
            OrderResult(
                index=r["index"],
                reference=r["reference"],
                outcome=r["outcome"],
                order_id=r["order_id"],
                status=r["status"],
                problems=[FieldProblem(e["field"], e["rule"], e["message"]) for e in r["errors"]],
            )
            for r in data["results"]
        ]
        return cls(results=results, replayed=True)


def request_fingerprint(body: Any) -> str:
    """The same JSON, however spaced or ordered, gives the same fingerprint."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(slots=True)
class _Valid:
    index: int
    order: Order
    route: _Route
    payload: dict[str, Any]  # the order as stored: validated JSON

    @property
    def account_id(self) -> str | None:
        return self.route.account.id if self.route.account else None

    @property
    def carrier(self) -> str | None:
        return self.route.account.carrier if self.route.account else None

    @property
    def first_job(self) -> JobKind:
        return JobKind.SUBMIT if self.route.account else JobKind.ROUTE


@dataclass(frozen=True, slots=True)
class _Route:
    """Where an order goes: an account now, or (account None) a quote-based pick later."""

    account: CarrierAccountRow | None
    routed_by: str
    candidates: list[CarrierAccountRow]  # whose limits the order must meet


@dataclass(frozen=True, slots=True)
class _Accounts:
    """A tenant's carrier accounts and its routing policy, read once per request."""

    by_name: dict[str, CarrierAccountRow]
    policy: RoutingPolicy
    by_id: dict[str, CarrierAccountRow] = field(init=False)
    routable: list[RoutableAccount] = field(init=False)
    unpaused: list[CarrierAccountRow] = field(init=False)

    def __post_init__(self) -> None:
        rows = list(self.by_name.values())
        object.__setattr__(self, "by_id", {row.id: row for row in rows})
        object.__setattr__(self, "routable", [routable(row) for row in rows])
        # Quotes pick among unpaused accounts; the order must suit every one of them.
        object.__setattr__(self, "unpaused", [r for r in rows if r.paused_reason is None] or rows)

    def pick(self, order: Order) -> _Route | FieldProblem:
        decision = decide(order, self.policy, self.routable)
        if isinstance(decision, Unroutable):
            return decision.problem
        if isinstance(decision, Routed):
            account = self.by_id[decision.account.id]
            return _Route(account, decision.routed_by, [account])
        routed_by = decision.routed_by
        if routed_by != decision.strategy.value:
            routed_by = f"{routed_by}:{decision.strategy.value}"
        return _Route(None, routed_by, self.unpaused)


@functools.cache
def limits_of(slugs: frozenset[str]) -> CarrierLimits:
    """The strictest limits of these carriers: an order must suit each it may go to."""
    return strictest(*(carriers.registry()[slug].connector.limits for slug in sorted(slugs)))


def _merge(*groups: list[FieldProblem]) -> list[FieldProblem]:
    seen: set[tuple[str, str]] = set()
    merged = []
    for problem in (p for group in groups for p in group):
        if (problem.field, problem.rule) not in seen:
            seen.add((problem.field, problem.rule))
            merged.append(problem)
    return merged


def _raw_limits(raw: Any, accounts: _Accounts) -> list[FieldProblem]:
    """Carrier limits checked on input the model refused, so one answer names everything."""
    if not isinstance(raw, dict) or not accounts.by_name:
        return []
    name = raw.get("carrier_account")
    named = accounts.by_name.get(name) if isinstance(name, str) else None
    chosen = [named] if named is not None else list(accounts.by_name.values())
    limits = limits_of(frozenset(a.carrier for a in chosen))
    return check_payload(raw, limits)


def _validate(index: int, raw: Any, accounts: _Accounts, seen: set[str]) -> _Valid | OrderResult:
    reference = raw.get("reference") if isinstance(raw, dict) else None
    reference = reference if isinstance(reference, str) else None
    try:
        order = Order.model_validate(raw)
    except ValidationError as exc:
        problems = _merge(problems_from_validation(exc), _raw_limits(raw, accounts))
        return OrderResult(index, reference, "rejected", problems=problems)
    route = accounts.pick(order)
    if isinstance(route, FieldProblem):
        return OrderResult(index, order.reference, "rejected", problems=[route])
    limits = limits_of(frozenset(a.carrier for a in route.candidates))
    payload = order.model_dump(mode="json")
    problems = check_payload(payload, limits)
    if order.reference in seen:
        problems.append(
            FieldProblem("reference", "unique", "appears more than once in this request")
        )
    seen.add(order.reference)
    if problems:
        return OrderResult(index, order.reference, "rejected", problems=problems)
    return _Valid(index, order, route, payload)


def _payload(item: _Valid, received_at: datetime) -> dict[str, Any]:
    data = item.payload
    if data.get("order_date") is None:
        data["order_date"] = received_at.isoformat()
    return data


class _Writer:
    """Everything one intake call writes, in one session."""

    def __init__(self, session: Session, tenant_id: str, max_attempts: int, now: datetime):
        self.session, self.tenant_id, self.max_attempts, self.now = (
            session,
            tenant_id,
            max_attempts,
            now,
        )

    def existing(self, references: Sequence[str]) -> dict[str, tuple[OrderRow, ShipmentRow]]:
        if not references:
            return {}
        rows = self.session.execute(
            select(OrderRow, ShipmentRow)
            .join(ShipmentRow, ShipmentRow.order_id == OrderRow.id)
            .where(OrderRow.tenant_id == self.tenant_id, OrderRow.reference.in_(references))
            .with_for_update(of=ShipmentRow)
        ).all()
        return {o.reference: (o, s) for o, s in rows}

    def busy(self, shipment_ids: Sequence[str]) -> set[str]:
        """Shipments a worker is sending right now: too late to edit them."""
        if not shipment_ids:
            return set()
        rows = self.session.execute(
            select(JobRow.shipment_id, JobRow.state)
            .where(JobRow.shipment_id.in_(shipment_ids), JobRow.kind == JobKind.SUBMIT.value)
            .where(JobRow.state.in_(("queued", "running")))
            .with_for_update()
        ).all()
        return {sid for sid, state in rows if state == "running" and sid is not None}

    def create(self, items: list[_Valid]) -> list[OrderResult]:
        orders, shipments, transitions, jobs, results = [], [], [], [], []
        for item in items:
            order_id, shipment_id = new_id("ord"), new_id("shp")
            orders.append(
                {
                    "id": order_id,
                    "tenant_id": self.tenant_id,
                    "reference": item.order.reference,
                    "payload": _payload(item, self.now),
                    "created_at": self.now,
                    "updated_at": self.now,
                }
            )
            shipment = {
                "id": shipment_id,
                "tenant_id": self.tenant_id,
                "order_id": order_id,
                "carrier_account_id": item.account_id,
                "carrier": item.carrier,
                "routed_by": item.route.routed_by,
                "status": ShipmentStatus.ACCEPTED.value,
                "lookup_needed": False,
                "created_at": self.now,
                "updated_at": self.now,
            }
            shipments.append(shipment)
            transitions.append(
                transition_values(
                    {**shipment, "status": None}, ShipmentStatus.ACCEPTED, "received", self.now
                )
            )
            jobs.append(
                job_values(
                    tenant_id=self.tenant_id,
                    kind=item.first_job,
                    shipment_id=shipment_id,
                    account_id=item.account_id,
                    max_attempts=self.max_attempts,
                    now=self.now,
                )
            )
            results.append(
                OrderResult(
                    item.index,
                    item.order.reference,
                    "created",
                    order_id,
                    ShipmentStatus.ACCEPTED.value,
                )
            )
        for table, rows in (
            (OrderRow, orders),
            (ShipmentRow, shipments),
            (TransitionRow, transitions),
            (JobRow, jobs),
        ):
            if rows:
                self.session.execute(insert(table), rows)
        return results

    def update(
        self, item: _Valid, order: OrderRow, shipment: ShipmentRow, busy: set[str]
    ) -> OrderResult:
        editable = ShipmentStatus(shipment.status) in EDITABLE and shipment.id not in busy
        payload = _payload(item, order.created_at)
        payload["order_date"] = (
            item.order.order_date.isoformat()
            if item.order.order_date
            else (order.payload.get("order_date"))
        )
        same = (
            payload == order.payload
            and shipment.routed_by == item.route.routed_by
            and (item.route.account is None or shipment.carrier_account_id == item.account_id)
        )
        if not editable or same:
            return OrderResult(item.index, order.reference, "existing", order.id, shipment.status)
        order.payload, order.updated_at = payload, self.now
        shipment.carrier_account_id, shipment.carrier = item.account_id, item.carrier
        shipment.routed_by = item.route.routed_by
        if item.route.account is None:  # a new quote decides: the last one's choice is void
            shipment.service_code, shipment.quoted_price = None, None
        shipment.problems, shipment.last_error = None, None
        if shipment.status != ShipmentStatus.ACCEPTED:
            move(self.session, shipment, ShipmentStatus.ACCEPTED, self.now, "updated by merchant")
            self.session.add(
                JobRow(
                    **job_values(
                        tenant_id=self.tenant_id,
                        kind=item.first_job,
                        shipment_id=shipment.id,
                        account_id=item.account_id,
                        max_attempts=self.max_attempts,
                        now=self.now,
                    )
                )
            )
        shipment.updated_at = self.now
        return OrderResult(item.index, order.reference, "updated", order.id, shipment.status)


def _load_accounts(session: Session, tenant_id: str) -> _Accounts:
    rows = session.scalars(
        select(CarrierAccountRow).where(CarrierAccountRow.tenant_id == tenant_id)
    )
    return _Accounts({row.name: row for row in rows}, policy_in(session, tenant_id))


def _stored_answer(
    session: Session, tenant_id: str, key: str, fingerprint: str
) -> IntakeAnswer | None:
    row = session.get(IdempotencyRow, (tenant_id, key))
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyConflict(
            "this Idempotency-Key was already used with a different request body"
        )
    return IntakeAnswer.from_json(row.response)


def _check_all(raw_orders: Sequence[Any], accounts: _Accounts) -> list[_Valid | OrderResult]:
    seen: set[str] = set()
    return [_validate(i, raw, accounts, seen) for i, raw in enumerate(raw_orders)]


def _write(
    session: Session,
    tenant_id: str,
    checked: list[_Valid | OrderResult],
    max_attempts: int,
    idempotency: tuple[str, str] | None,
) -> IntakeAnswer:
    if idempotency is not None:
        # Checked again under the write lock: a twin request may have finished meanwhile.
        stored = _stored_answer(session, tenant_id, *idempotency)
        if stored is not None:
            return stored
    now = datetime.now(UTC)
    results = [c for c in checked if isinstance(c, OrderResult)]
    valid = [c for c in checked if isinstance(c, _Valid)]
    writer = _Writer(session, tenant_id, max_attempts, now)
    existing = writer.existing([v.order.reference for v in valid])
    busy = writer.busy([s.id for _, s in existing.values()])
    results += writer.create([v for v in valid if v.order.reference not in existing])
    for v in valid:
        if v.order.reference in existing:
            results.append(writer.update(v, *existing[v.order.reference], busy))
    results.sort(key=lambda r: r.index)
    answer = IntakeAnswer(results)
    if idempotency is not None:
        session.add(
            IdempotencyRow(
                tenant_id=tenant_id,
                key=idempotency[0],
                request_hash=idempotency[1],
                status_code=0,
                response=answer.to_json(),
                created_at=now,
            )
        )
    return answer


def take_orders(
    db: Database,
    tenant_id: str,
    raw_orders: Sequence[Any],
    *,
    max_attempts: int,
    idempotency: tuple[str, str] | None = None,
) -> IntakeAnswer:
    """Validate and store a batch; ``idempotency`` is (key, request fingerprint).

    Validation runs before the write transaction opens, so concurrent requests
    validate side by side and hold the database's write lock only to write.
    """
    with db.reading() as session:
        if idempotency is not None:
            stored = _stored_answer(session, tenant_id, *idempotency)
            if stored is not None:
                return stored
        accounts = _load_accounts(session, tenant_id)
    checked = _check_all(raw_orders, accounts)
    # A concurrent request may insert the same reference or key first; the unique
    # constraints stop it, and a second pass sees its rows and answers from them.
    for attempt in range(3):
        try:
            with db.transaction() as session:
                return _write(session, tenant_id, checked, max_attempts, idempotency)
        except IntegrityError:
            if attempt == 2:
                raise
            # The rejected pass may have changed these results; check afresh.
            checked = _check_all(raw_orders, accounts)
    raise AssertionError("unreachable")
