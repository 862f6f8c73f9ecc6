"""Intake rules that sit below the API: every problem named at once, edits and busy orders."""

from __future__ import annotations

import secrets

from sqlalchemy import update

from shipmux.services import accounts, tenants
from shipmux.services.context import HubContext
from shipmux.services.intake import take_orders
from shipmux.storage.tables import JobRow
from tests.factories import make_order, unique_reference


def _tenant(hub: HubContext) -> str:
    tenant_id = tenants.create_tenant(hub.db, "t")
    accounts.connect_account(
        hub.db,
        hub.secret_box,
        tenant_id,
        name="cd",
        carrier="click-and-drop",
        settings={"api_key": secrets.token_hex(18)},
        is_default=True,
    )
    return tenant_id


def test_model_errors_and_carrier_limits_are_named_together(hub: HubContext) -> None:
    raw = make_order(reference="R" * 41).model_dump(mode="json")
    raw["recipient"]["country"] = "XX"
    raw["packages"] = [{"weight_grams": 40_000}]
    [result] = take_orders(hub.db, _tenant(hub), [raw], max_attempts=3).results
    assert result.outcome == "rejected"
    assert {(p.field, p.rule) for p in result.problems} == {
        ("recipient.country", "value_error"),
        ("reference", "max_length"),
        ("packages[0].weight_grams", "max_weight"),
    }


def test_an_order_a_worker_is_sending_is_not_edited(hub: HubContext) -> None:
    tenant_id = _tenant(hub)
    raw = make_order(reference=unique_reference()).model_dump(mode="json")
    [first] = take_orders(hub.db, tenant_id, [raw], max_attempts=3).results
    with hub.db.transaction() as session:  # a worker has claimed its submit job
        session.execute(update(JobRow).values(state="running", locked_by="w"))
    changed = {**raw, "notes": "leave at the door"}
    [again] = take_orders(hub.db, tenant_id, [changed], max_attempts=3).results
    assert (again.outcome, again.order_id) == ("existing", first.order_id)


def test_an_edit_before_submission_updates_in_place(hub: HubContext) -> None:
    tenant_id = _tenant(hub)
    raw = make_order(reference=unique_reference()).model_dump(mode="json")
    [first] = take_orders(hub.db, tenant_id, [raw], max_attempts=3).results
    [again] = take_orders(
        hub.db, tenant_id, [{**raw, "notes": "side door"}], max_attempts=3
    ).results
    assert (again.outcome, again.order_id, again.status) == ("updated", first.order_id, "accepted")
    [same] = take_orders(hub.db, tenant_id, [{**raw, "notes": "side door"}], max_attempts=3).results
    assert same.outcome == "existing"
