"""Engine and session factory, built from a URL (never at import time)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

__all__ = ["Database", "WalCheckpointer", "normalise_url"]


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given without a driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # The driver's own transaction handling is off; SQLAlchemy's "begin" event below
    # issues BEGIN IMMEDIATE so writers queue on the lock instead of failing mid-way.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk before we answer 2xx (power loss included).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Readers begin deferred (WAL lets them run beside a writer); writers take the
    # write lock up front, so a transaction never fails half-way on lock upgrade.
    deferred = conn.get_execution_options().get("read_only", False)
    conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


class WalCheckpointer:
    """Copies SQLite's write-ahead log into the database file every ``interval`` seconds.

    A thread with its own connection runs PASSIVE checkpoints: they never wait for or
    block readers and writers, and copy what no reader still needs. Without it, the
    commit that takes the log past 1000 pages copies and syncs the megabytes behind
    it while every request in its batch waits. SQLite's own checkpoint on commit stays
    on: under a steady stream of writes the log is rarely fully copied when a writer
    begins, so only a writer's own checkpoint lets the log start again from the top;
    by then the thread has copied nearly all of it.
    """

    def __init__(self, path: str, interval: float = 0.5) -> None:
        self.path = path
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    @property
    def started(self) -> bool:
        return self._thread.ident is not None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        # Opened after the first wait: by then the writer that started us made the file WAL.
        connection: sqlite3.Connection | None = None
        stopping = self._stop.wait(self.interval)
        try:
            while True:
                try:
                    connection = connection or sqlite3.connect(self.path, timeout=30)
                    self.checkpoint(connection)
                except sqlite3.Error:
                    pass  # the file cannot be opened (yet, or any more): next round
                if stopping:
                    return
                stopping = self._stop.wait(self.interval)
        finally:
            if connection is not None:
                connection.close()

    @staticmethod
    def checkpoint(connection: sqlite3.Connection) -> None:
        # Busy (another process checkpointing) is reported in the row, not raised.
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


class Database:
    """One engine and its session factory (and, on SQLite, its log checkpointer)."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        self.engine: Engine = self._build_engine(echo)
        self._write_lock = threading.Lock() if self.dialect == "sqlite" else None
        self._checkpointer = self._checkpointer_for_file()
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(read_only=True), expire_on_commit=False
        )

    def _checkpointer_for_file(self) -> WalCheckpointer | None:
        database = make_url(self.url).database
        if self.dialect != "sqlite" or not database or database == ":memory:":
            return None
        return WalCheckpointer(database)  # started by the first write: no I/O before

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _build_engine(self, echo: bool) -> Engine:
        if self.url.startswith("sqlite"):
            engine = create_engine(
                self.url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        return create_engine(self.url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back."""
        with self._writer_turn(), self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        # SQLite has one writer at a time. Threads of this process queue here, woken the
        # moment the lock frees, instead of in SQLite's busy handler, which polls with
        # sleeps of up to 100 ms. Other processes still meet busy_timeout.
        if self._write_lock is None:
            yield
            return
        with self._write_lock:
            if self._checkpointer is not None and not self._checkpointer.started:
                self._checkpointer.start()  # whoever writes keeps the log short
            yield

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only: on SQLite it does not take the write lock."""
        with self._read_sessions() as session, session.begin():
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()
