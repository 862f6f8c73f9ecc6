"""Ids sort by time, and within a process in the order they were made."""

from __future__ import annotations

import threading

from shipmux.storage.ids import new_id


def test_ids_made_in_one_millisecond_keep_their_order() -> None:
    # Thousands in a few milliseconds: without counting on, about half of each
    # millisecond's ids would sort before the one made just before them.
    made = [new_id("whd") for _ in range(5000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert all(i.startswith("whd_") and len(i) == 30 for i in made)


def test_ids_from_many_threads_are_unique_and_each_thread_keeps_order() -> None:
    per_thread: list[list[str]] = [[] for _ in range(4)]

    def make(into: list[str]) -> None:
        into.extend(new_id("t") for _ in range(2000))

    threads = [threading.Thread(target=make, args=(ids,)) for ids in per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for ids in per_thread for i in ids]
    assert len(set(every)) == len(every)
    assert all(ids == sorted(ids) for ids in per_thread)
