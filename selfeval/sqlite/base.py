"""Django's SQLite backend with one queue for the writers of a process, so no save starves.

SQLite lets one connection write at a time. With WAL and `BEGIN IMMEDIATE` (the settings), a
transaction takes the write lock at its first statement and holds it to COMMIT; a connection that
finds the lock taken polls for it until the busy timeout (20 s), sleeping longer and longer between
attempts, with no order among the pollers. Under threaded workers many threads poll at once and
the one that happens to look when the lock is free wins: measured over 4,495 concurrent saves,
one request lost every draw for 20 s and answered 500 "database is locked".

Here the writers of one process queue first, in arrival order, and only the head of the queue asks
SQLite for the lock, so a thread waits for the writes ahead of it and never for luck. A write is a
transaction (from its BEGIN, or the first writing statement of one, to COMMIT, ROLLBACK or close)
or a single writing statement outside one; reads never queue (WAL readers do not block). The busy
timeout then only covers other processes (the demo's `db_worker`, a second gunicorn worker).

Why not retry instead: a request that met the lock error would be re-run. Re-running a view is
safe only if everything it did was rolled back, which needs ATOMIC_REQUESTS; on SQLite with
IMMEDIATE that would make every page, reads included, hold the write lock for its whole duration.
And with IMMEDIATE transactions the error can only come from a transaction's BEGIN or from a
single autocommit statement, where nothing was written yet, so a retry would only be a longer
busy timeout. What a retry cannot fix is the unordered polling; the queue does.

A writer that waits longer than `queue_timeout` (OPTIONS, default the busy timeout) for the queue
gets the same "database is locked" error as one that waits too long for SQLite; the site answers
either with the 503 page (`selfeval.middleware.DatabaseBusyMiddleware`), never with a 500.
"""

from __future__ import annotations

import threading
from collections import deque

from django.db.backends.sqlite3 import base as sqlite3_base
from django.db.backends.sqlite3.base import Database, SQLiteCursorWrapper

# Statements that never take the write lock.
_READS = ("SELECT", "PRAGMA", "EXPLAIN")

LOCKED_MESSAGES = ("database is locked", "database table is locked")


def is_locked_error(exc: BaseException) -> bool:
    """Whether `exc` is SQLite's "database is locked" (or the queue's own, which reads the same)."""
    return any(message in str(exc) for message in LOCKED_MESSAGES)


class WriteQueue:
    """A lock handed to its waiters in the order they asked for it; an acquire may time out.

    Python's own locks let a releasing thread take the lock straight back and wake waiters in no
    set order; here release passes the lock to the longest waiter.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Event] = deque()

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held and not self._waiters:
                self._held = True
                return True
            turn = threading.Event()
            self._waiters.append(turn)
        if turn.wait(timeout):
            return True
        with self._mutex:
            if turn.is_set():  # handed over just as the wait ran out
                return True
            self._waiters.remove(turn)
            return False

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().set()  # stays held: ownership passes to the waiter
            else:
                self._held = False


_queues: dict[str, WriteQueue] = {}
_queues_mutex = threading.Lock()


def queue_for(name: str) -> WriteQueue:
    """The one queue of a database file in this process, shared by all its connections."""
    with _queues_mutex:
        return _queues.setdefault(str(name), WriteQueue())


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    """Django's SQLite wrapper whose writes wait in the process's queue for their database."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.write_queue: WriteQueue | None = None
        self.holds_write_queue = False

    def get_connection_params(self):
        kwargs = super().get_connection_params()
        # sqlite3's own default busy timeout is 5 s.
        busy_timeout = kwargs.get("timeout", 5.0)
        self.queue_timeout = float(kwargs.pop("queue_timeout", busy_timeout))
        return kwargs

    def get_new_connection(self, conn_params):
        # Looked up at connection time: the test runner renames the database after __init__.
        name = str(self.settings_dict["NAME"])
        # A private in-memory database has a single connection: nothing to queue for. Django's
        # test database is a shared in-memory one, whose connections queue like a file's.
        private = name == ":memory:" or ("mode=memory" in name and "cache=shared" not in name)
        self.write_queue = None if private else queue_for(name)
        return super().get_new_connection(conn_params)

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=QueuedCursor)
        cursor.wrapper = self
        return cursor

    def enter_write(self) -> None:
        """Wait for this process's turn to write, or fail as SQLite does when it waited too long."""
        if self.write_queue is None or self.holds_write_queue:
            return
        if not self.write_queue.acquire(self.queue_timeout):
            raise Database.OperationalError("database is locked")
        self.holds_write_queue = True

    def leave_write(self) -> None:
        """Give the turn to the next writer once no transaction is left open on this connection."""
        if not self.holds_write_queue:
            return
        if self.connection is not None and self.connection.in_transaction:
            return
        self.holds_write_queue = False
        self.write_queue.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self.leave_write()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self.leave_write()

    def _close(self):
        try:
            return super()._close()
        finally:
            # A closed connection holds no transaction, whatever state it was left in.
            if self.holds_write_queue:
                self.holds_write_queue = False
                self.write_queue.release()


class QueuedCursor(SQLiteCursorWrapper):
    """A cursor whose writing statements take the connection's turn in the write queue first."""

    wrapper: DatabaseWrapper

    def execute(self, query, params=None):
        if _reads(query):
            return super().execute(query, params)
        self.wrapper.enter_write()
        try:
            return super().execute(query, params)
        finally:
            self.wrapper.leave_write()

    def executemany(self, query, param_list):
        self.wrapper.enter_write()
        try:
            return super().executemany(query, param_list)
        finally:
            self.wrapper.leave_write()


def _reads(query: str) -> bool:
    return query.lstrip()[:7].upper().startswith(_READS)
