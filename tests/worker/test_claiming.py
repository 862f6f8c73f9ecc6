"""Two real worker processes share the outbox and never take the same job.

On PostgreSQL the claim uses FOR UPDATE SKIP LOCKED; on SQLite the single write
lock makes one claimer at a time. Either way each job is run once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from shipmux.sandboxes.click_and_drop import create_app
from shipmux.services.context import HubContext
from shipmux.storage.tables import AttemptRow, JobRow
from tests.factories import make_order, unique_reference
from tests.support.hub import open_jobs, provision, statuses, submit
from tests.support.live_server import serve


@pytest.fixture
def sandbox() -> Iterator[str]:
    with serve(create_app()) as url:
        httpx.put(f"{url}/_sandbox/settings", json={"rate_limit_per_second": 0})
        yield url


def _start_worker(hub: HubContext, name: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SHIPMUX_DATA_DIR": str(hub.settings.data_dir),
        "SHIPMUX_DATABASE_URL": hub.settings.resolved_database_url,
        "SHIPMUX_WORKER__CLAIM_SIZE": "20",
        "SHIPMUX_WORKER__CONCURRENCY": "4",
        "SHIPMUX_WORKER__IDLE_SLEEP_SECONDS": "0.05",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "shipmux", "worker", "--worker-id", name],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_two_worker_processes_split_the_work(hub: HubContext, sandbox: str) -> None:
    tenant = provision(hub, sandbox, rate_limit_per_second=0)
    # Small batches so that there are many submit jobs to fight over.
    orders = [
        make_order(reference=unique_reference("C")).model_dump(mode="json") for _ in range(200)
    ]
    submit(hub, tenant, orders)
    workers = [_start_worker(hub, "w1"), _start_worker(hub, "w2")]
    try:
        deadline = time.monotonic() + 90
        while open_jobs(hub) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        for w in workers:
            w.terminate()
        errors = [w.communicate(timeout=30)[1].decode() for w in workers]
    assert open_jobs(hub) == 0, errors

    with hub.db.reading() as session:
        per_job = session.execute(
            select(AttemptRow.shipment_id, AttemptRow.operation, func.count()).group_by(
                AttemptRow.shipment_id, AttemptRow.operation
            )
        ).all()
        by_worker = Counter(session.scalars(select(AttemptRow.worker_id)))
        job_attempts = set(session.scalars(select(JobRow.attempts)))
    assert {count for _, _, count in per_job} == {1}, "a job ran twice"
    assert len(per_job) == 400  # one submit and one label per order
    assert set(by_worker) == {"w1", "w2"}, f"both workers should have worked: {by_worker}"
    assert job_attempts == {1}
    assert statuses(hub, tenant) == {"label_ready": 200}
    stored = httpx.get(f"{sandbox}/_sandbox/orders").json()
    rows = stored["orders"] if isinstance(stored, dict) else stored
    assert Counter(o["orderReference"] for o in rows).most_common(1)[0][1] == 1


def test_claims_from_two_threads_are_disjoint(hub: HubContext, sandbox: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from shipmux.worker.outbox import claim

    tenant = provision(hub, sandbox)
    submit(
        hub,
        tenant,
        [make_order(reference=unique_reference("D")).model_dump(mode="json") for _ in range(60)],
    )

    def grab(name: str) -> list[int]:
        got: list[int] = []
        while batch := claim(hub.db, name, 3, 60):
            got += [j.id for j in batch]
        return got

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(grab, ["a", "b", "c", "d"]))
    everything = [i for r in results for i in r]
    assert len(everything) == len(set(everything)) == 60
