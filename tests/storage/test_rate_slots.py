"""Call slots handed out by the database: in order, spaced, pushed back for everyone."""

from __future__ import annotations

from shipmux.services.context import HubContext
from shipmux.storage.rate_slots import push_slot, take_slot


def test_slots_are_spaced_from_now_and_never_in_the_past(hub: HubContext) -> None:
    now = 1_000_000.0
    slots = [take_slot(hub.db, "account:a", 0.25, now) for _ in range(4)]
    assert slots == [now, now + 0.25, now + 0.5, now + 0.75]
    # Later than every slot taken: the next call may go at once, not "catch up".
    assert take_slot(hub.db, "account:a", 0.25, now + 10) == now + 10
    assert take_slot(hub.db, "account:b", 0.25, now) == now  # accounts do not share


def test_a_push_back_moves_every_later_slot(hub: HubContext) -> None:
    now = 2_000_000.0
    take_slot(hub.db, "account:a", 0.1, now)
    push_slot(hub.db, "account:a", now + 5)
    assert take_slot(hub.db, "account:a", 0.1, now + 0.2) == now + 5
    push_slot(hub.db, "account:a", now + 1)  # never pulls a later slot earlier
    assert take_slot(hub.db, "account:a", 0.1, now + 0.2) == now + 5.1
    push_slot(hub.db, "account:new", now + 3)  # an account's first news is a push
    assert take_slot(hub.db, "account:new", 0.1, now) == now + 3
