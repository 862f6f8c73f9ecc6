"""SQLite's write-ahead log is copied into the database by a thread, never by a commit."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from shipmux.storage.db import Database


def _database_bytes(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def test_commits_leave_the_log_and_the_checkpointer_copies_it(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    db = Database(f"sqlite:///{path}")
    try:
        with db.transaction() as session:
            session.execute(text("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT)"))
        # Far past SQLite's automatic checkpoint (1000 pages, about 4 MB).
        for _ in range(12):
            with db.transaction() as session:
                session.execute(
                    text("INSERT INTO blobs (body) VALUES (:body)"),
                    [{"body": "x" * 4000} for _ in range(200)],
                )
        wal = path.with_name(path.name + "-wal")
        assert wal.stat().st_size > 8_000_000  # every commit went to the log...
        deadline = time.monotonic() + 10
        while _database_bytes(path) < 8_000_000 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _database_bytes(path) >= 8_000_000  # ...and the thread copied it in
        with db.reading() as session:
            assert session.scalar(text("SELECT count(*) FROM blobs")) == 2400
    finally:
        db.dispose()


def test_a_database_that_never_writes_starts_no_thread(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'read.db'}")
    with db.reading() as session:
        assert session.scalar(text("SELECT 1")) == 1
    assert db._checkpointer is not None
    assert not db._checkpointer.started
    db.dispose()
