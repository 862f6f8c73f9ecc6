"""Intake: orders accepted per second through batched POST /v1/orders on SQLite,
beside the raw rate of inserting the same rows with SQLAlchemy alone, in one run.

    python -m bench.intake [--orders 20000] [--batch 500] [--clients 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.support import bench_hub, bench_tenant, free_port, report, server_process
from shipmux.services import tenants
from shipmux.storage.ids import new_id
from shipmux.storage.tables import JobRow, OrderRow, ShipmentRow, TransitionRow


def make_orders(n: int, run: str) -> list[dict[str, Any]]:
    return [
        {
            "reference": f"{run}-{i:06d}",
            "recipient": {
                "name": "Ada Lovelace",
                "line1": f"{i} Downing Street",
                "city": "London",
                "postcode": "SW1A 2AA",
                "country": "GB",
                "email": "ada@example.com",
            },
            "items": [
                {
                    "name": "Tea towel",
                    "sku": "TT-1",
                    "quantity": 2,
                    "unit_value": "7.50",
                    "unit_weight_grams": 120,
                }
            ],
            "packages": [{"weight_grams": 350, "format": "small_parcel"}],
            "subtotal": "15.00",
            "total": "18.95",
            "service_code": "TPN24",
        }
        for i in range(n)
    ]


def hub_rate(
    data_dir: Path, orders: list[dict[str, Any]], batch: int, clients: int, workers: int
) -> float:
    ctx = bench_hub(data_dir)
    tenant_id, _ = bench_tenant(ctx)
    key = tenants.issue_api_key(ctx.db, tenant_id).secret
    ctx.db.dispose()
    port = free_port()
    env = {"SHIPMUX_DATA_DIR": str(data_dir)}
    batches = [orders[i : i + batch] for i in range(0, len(orders), batch)]
    url = f"http://127.0.0.1:{port}"
    args = ["api", "--port", str(port), "--workers", str(workers)]
    with server_process(args, env, f"{url}/healthz"):
        # Bodies are encoded before the clock starts and sent with the standard library's
        # lean client: the load generator shares the machine's two cores with the server.
        bodies = [json.dumps({"orders": chunk}).encode() for chunk in batches]
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        local = threading.local()

        def send(body: bytes) -> int:
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            local.conn.request("POST", "/v1/orders", body=body, headers=headers)
            response = local.conn.getresponse()
            answer = json.loads(response.read())
            assert response.status == 200, answer
            return int(answer["success_count"])

        send(json.dumps({"orders": make_orders(10, "warm")}).encode())  # first-request costs
        start = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            accepted = sum(pool.map(send, bodies))
        elapsed = time.perf_counter() - start
    assert accepted == len(orders), accepted
    return len(orders) / elapsed


def raw_rate(data_dir: Path, orders: list[dict[str, Any]], batch: int) -> float:
    """The same four rows per order, inserted with SQLAlchemy Core and nothing else."""
    ctx = bench_hub(data_dir)
    tenant_id, account_id = bench_tenant(ctx)
    start = time.perf_counter()
    for i in range(0, len(orders), batch):
        now = datetime.now(UTC)
        rows: dict[type, list[dict[str, Any]]] = {
            OrderRow: [],
            ShipmentRow: [],
            TransitionRow: [],
            JobRow: [],
        }
        for order in orders[i : i + batch]:
            oid, sid = new_id("ord"), new_id("shp")
            rows[OrderRow].append(
                {
                    "id": oid,
                    "tenant_id": tenant_id,
                    "reference": order["reference"],
                    "payload": order,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            rows[ShipmentRow].append(
                {
                    "id": sid,
                    "tenant_id": tenant_id,
                    "order_id": oid,
                    "carrier_account_id": account_id,
                    "carrier": "click-and-drop",
                    "status": "accepted",
                    "lookup_needed": False,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            rows[TransitionRow].append(
                {
                    "tenant_id": tenant_id,
                    "shipment_id": sid,
                    "from_status": None,
                    "to_status": "accepted",
                    "reason": "received",
                    "at": now,
                }
            )
            rows[JobRow].append(
                {
                    "tenant_id": tenant_id,
                    "kind": "submit",
                    "shipment_id": sid,
                    "carrier_account_id": account_id,
                    "state": "queued",
                    "attempts": 0,
                    "max_attempts": 8,
                    "run_after": now,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        with ctx.db.transaction() as session:
            for table, values in rows.items():
                session.execute(insert(table), values)
    elapsed = time.perf_counter() - start
    ctx.db.dispose()
    return len(orders) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="API processes")
    parser.add_argument("--rounds", type=int, default=3, help="raw and hub alternate")
    args = parser.parse_args()
    raws, hubs = [], []
    # The machine is noisy: each round measures both, and the ratio is taken per round.
    for round_ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            orders = make_orders(args.orders, f"bench{round_}")
            raws.append(raw_rate(Path(tmp) / "raw", orders, args.batch))
            hubs.append(hub_rate(Path(tmp) / "hub", orders, args.batch, args.clients, args.workers))
    ratios = [h / r for h, r in zip(hubs, raws, strict=True)]
    figures = {
        "orders_per_round": args.orders,
        "rounds": args.rounds,
        "batch": args.batch,
        "clients": args.clients,
        "api_processes": args.workers,
        "hub_orders_per_second_median": statistics.median(hubs),
        "raw_insert_orders_per_second_median": statistics.median(raws),
        "hub_over_raw_per_round": [round(r, 2) for r in ratios],
        "hub_over_raw_median": statistics.median(ratios),
        "target_hub_over_raw": 0.5,
    }
    print("intake (SQLite):")
    report("intake", figures)


if __name__ == "__main__":
    main()
