"""SQLite's write-ahead log: copied into the database by a thread, and kept bounded."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from shipmux.storage.db import Database


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _insert(db: Database, rows: int) -> None:
    with db.transaction() as session:
        session.execute(
            text("INSERT INTO blobs (body) VALUES (:body)"), [{"body": "x" * 4000}] * rows
        )


def _database(path: Path) -> Database:
    db = Database(f"sqlite:///{path}")
    with db.transaction() as session:
        session.execute(text("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT)"))
    return db


def test_the_checkpointer_copies_the_log_without_a_commit_doing_it(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    db = _database(path)
    try:
        # About 2.5 MB: under the 1000 pages at which a commit would checkpoint itself.
        for _ in range(3):
            _insert(db, 200)
        deadline = time.monotonic() + 10
        while _size(path) < 2_000_000 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _size(path) >= 2_000_000  # the thread copied the log in
    finally:
        db.dispose()


def test_the_log_stays_bounded_under_a_steady_stream_of_writes(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    db = _database(path)
    try:
        for _ in range(60):  # ~50 MB through the log, in commits of 800 KB
            _insert(db, 200)
        with db.reading() as session:
            assert session.scalar(text("SELECT count(*) FROM blobs")) == 12_000
        # The log starts again from the top instead of growing with every commit.
        assert _size(path.with_name(path.name + "-wal")) < 16_000_000
    finally:
        db.dispose()


def test_a_database_that_never_writes_starts_no_thread(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'read.db'}")
    with db.reading() as session:
        assert session.scalar(text("SELECT 1")) == 1
    assert db._checkpointer is not None
    assert not db._checkpointer.started
    db.dispose()
