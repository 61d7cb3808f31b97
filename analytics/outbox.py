"""The analytics outbox: every write (a turn, feedback, a handoff used) is first committed to a
small SQLite file on local disk, then written to the analytics database by a background thread,
in the order it was queued.

So a resident's answer never waits on the analytics database, and a database that is down or
restarting loses nothing: the writes wait on disk, surviving a restart of the bot, and go in
when it returns. Every write is idempotent (a turn by its message id, feedback by its answer, a
handoff by its answer, kind, target and time), so a write repeated after a crash between the
database's commit and the outbox's delete is not stored twice.

The file may be shared by the workers of one host (SQLite locks it); a lease lets one process
drain at a time, so writes reach the database in order. Residents' text is masked before it is
queued: the outbox is storage too.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from analytics.store import AnalyticsStore, TurnRecord
from askcouncil.errors import NotFound, StoreUnavailable
from askcouncil.masking import mask

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    message_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    queued_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS pending_message ON pending (message_id);
CREATE TABLE IF NOT EXISTS failed (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    message_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    queued_at REAL NOT NULL,
    failed_at REAL NOT NULL,
    error TEXT
);
CREATE TABLE IF NOT EXISTS lease (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    holder TEXT NOT NULL,
    until REAL NOT NULL
);
INSERT OR IGNORE INTO lease VALUES (1, '', 0);
"""
# A write the database refuses for a reason of its own (not an outage) is tried again with a
# growing pause, then set aside in the `failed` table, where an operator can read it.
MAX_ATTEMPTS = 8
LEASE_S = 30.0
# After a write is queued the drain waits this long for more, then writes them together: one
# database transaction and a few outbox commits for a burst of turns rather than for each turn
# (a drain per turn took a fifth of a busy bot's CPU, beside the answers it slowed).
GATHER_S = 0.25


@dataclass(frozen=True)
class Pending:
    id: int
    kind: str
    message_id: str
    payload: dict[str, Any]
    attempts: int


class Outbox:
    """The queue itself: a SQLite file in WAL mode with full sync, so a write is on disk once
    ``put`` returns."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = self._connect()
        self._lock = threading.Lock()
        self._conn.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def put(self, kind: str, message_id: str, payload: dict[str, Any]) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO pending (kind, message_id, payload, queued_at) "
                         "VALUES (?, ?, ?, ?)", (kind, message_id, json.dumps(payload),
                                                 time.time()))

    def take(self, limit: int) -> list[Pending]:
        """The oldest writes that are due, in the order they were queued."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, kind, message_id, payload, attempts FROM pending "
                "WHERE not_before <= ? ORDER BY id LIMIT ?", (time.time(), limit)).fetchall()
        return [Pending(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    def done(self, item_ids: list[int]) -> None:
        with self._tx() as conn:
            conn.executemany("DELETE FROM pending WHERE id = ?", [(i,) for i in item_ids])

    def retry_later(self, item: Pending, error: str) -> bool:
        """Put a refused write back with a pause; False when it was set aside instead."""
        with self._tx() as conn:
            if item.attempts + 1 >= MAX_ATTEMPTS:
                conn.execute("INSERT INTO failed SELECT id, kind, message_id, payload, queued_at, "
                             "?, ? FROM pending WHERE id = ?", (time.time(), error, item.id))
                conn.execute("DELETE FROM pending WHERE id = ?", (item.id,))
                return False
            conn.execute("UPDATE pending SET attempts = attempts + 1, not_before = ?, "
                         "last_error = ? WHERE id = ?",
                         (time.time() + min(300.0, 2.0 ** (item.attempts + 1)), error, item.id))
            return True

    def holds(self, message_id: str) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM pending WHERE message_id = ? LIMIT 1",
                                      (message_id,)).fetchone() is not None

    def counts(self) -> dict[str, int]:
        with self._lock:
            pending = self._conn.execute("SELECT count(*) FROM pending").fetchone()[0]
            failed = self._conn.execute("SELECT count(*) FROM failed").fetchone()[0]
        return {"pending": int(pending), "failed": int(failed)}

    def lease(self, holder: str, seconds: float = LEASE_S) -> bool:
        """Take or renew the right to drain (one process at a time)."""
        now = time.time()
        with self._tx() as conn:
            cur = conn.execute("UPDATE lease SET holder = ?, until = ? "
                               "WHERE one = 1 AND (until < ? OR holder = ?)",
                               (holder, now + seconds, now, holder))
            return cur.rowcount == 1

    def release(self, holder: str) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE lease SET until = 0 WHERE holder = ?", (holder,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _transient(exc: BaseException) -> bool:
    """The database is down, restarting or unreachable: wait and try the same write again."""
    while exc is not None:
        if isinstance(exc, OperationalError | InterfaceError | DisconnectionError | PoolTimeout
                      | ConnectionError | TimeoutError):
            return True
        exc = exc.__cause__  # type: ignore[assignment]
    return False


class AnalyticsWriter:
    """Queues analytics writes in the outbox and drains them into the store on a daemon
    thread, started on the first write. ``flush`` drains now; ``close`` flushes and stops."""

    def __init__(self, store: AnalyticsStore, outbox: Outbox, retry_s: float = 2.0,
                 gather_s: float = GATHER_S) -> None:
        self.store = store
        self.outbox = outbox
        self.retry_s = retry_s
        self.gather_s = gather_s
        self.holder = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._draining = threading.Lock()  # one thread of this process (the lease: of the host)
        # The last write found the database down: readers (a follow-up's history) skip it
        # rather than wait on it, until a write goes through again.
        self.database_down = False
        self._appliers: dict[str, Callable[[dict[str, Any]], None]] = {
            "turn": self._apply_turn, "feedback": self._apply_feedback,
            "event": self._apply_event,
        }

    # Queueing (on the request's thread; a local disk write of about a millisecond)

    def turn(self, rec: TurnRecord) -> None:
        payload = asdict(rec)
        question = mask(rec.question)  # most turns search with the question as asked
        payload.update(question=question,
                       query=question if rec.query == rec.question else mask(rec.query),
                       created_at=(rec.created_at or datetime.now(UTC)).isoformat())
        self._queue("turn", rec.message_id, payload)

    def feedback(self, message_id: str, helpful: bool, reason: str | None,
                 would_have_phoned: bool | None) -> None:
        self._check_known(message_id)
        self._queue("feedback", message_id, {
            "message_id": message_id, "helpful": helpful, "reason": mask(reason),
            "would_have_phoned": would_have_phoned, "at": datetime.now(UTC).isoformat()})

    def event(self, message_id: str, kind: str, target: str | None) -> None:
        self._check_known(message_id)
        self._queue("event", message_id, {
            "message_id": message_id, "kind": kind, "target": mask(target),
            "at": datetime.now(UTC).isoformat()})

    def _check_known(self, message_id: str) -> None:
        """A 404 for an answer that is neither queued nor stored. While the database cannot
        say, the write is queued and checked when it is written."""
        if self.outbox.holds(message_id):
            return
        try:
            known = self.store.has_turn(message_id)
        except Exception as exc:
            log.warning("cannot check answer %s now (%s): queued unchecked", message_id, exc)
            return
        if not known:
            raise NotFound(f"no answer with message_id {message_id!r}")

    def _queue(self, kind: str, message_id: str, payload: dict[str, Any]) -> None:
        try:
            self.outbox.put(kind, message_id, payload)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"the analytics outbox cannot be written: {exc}") from exc
        self._ensure_thread()
        self._wake.set()

    # Draining (one process at a time, in queue order)

    def drain(self, batch: int = 100) -> int:
        """Write what is due to the database; stops at the first sign of an outage. Returns
        the number of writes stored."""
        return self._drain_locked(batch)[0]

    def _drain_locked(self, batch: int = 100) -> tuple[int, bool]:
        with self._draining:
            return self._drain(batch)

    def _drain(self, batch: int) -> tuple[int, bool]:
        """(writes stored, whether this drain found the database down)."""
        if not self.outbox.lease(self.holder):
            return 0, False
        stored = 0
        try:
            while items := self.outbox.take(batch):
                # consecutive turns in one transaction; anything else one at a time
                for is_turn, run in groupby(items, key=lambda i: i.kind == "turn"):
                    group = list(run)
                    if is_turn and len(group) > 1:
                        try:
                            self.store.record_turns([self._turn_record(i.payload)
                                                     for i in group])
                        except Exception as exc:
                            if _transient(exc):
                                self._waiting(exc)
                                return stored, True
                            # one of them is refused: find it by writing them one at a time
                        else:
                            self.database_down = False
                            self.outbox.done([i.id for i in group])
                            stored += len(group)
                            continue
                    for item in group:
                        try:
                            self._appliers[item.kind](item.payload)
                        except Exception as exc:
                            if _transient(exc):
                                self._waiting(exc)
                                return stored, True
                            kept = self.outbox.retry_later(item, f"{type(exc).__name__}: {exc}")
                            log.error("analytics write %s %s refused (%s)%s", item.kind,
                                      item.message_id, exc,
                                      "" if kept else "; set aside as failed")
                            continue
                        self.database_down = False
                        self.outbox.done([item.id])
                        stored += 1
                if not self.outbox.lease(self.holder):
                    break
        finally:
            self.outbox.release(self.holder)
        return stored, False

    def _waiting(self, exc: BaseException) -> None:
        self.database_down = True
        log.warning("analytics database unavailable; %d writes wait in the outbox: %s",
                    self.outbox.counts()["pending"], exc)

    def flush(self, timeout_s: float = 30.0) -> int:
        """Drain until nothing due is left, the database is found down, or the time is up; the
        number still pending."""
        deadline = time.monotonic() + timeout_s
        while True:
            _stored, outage = self._drain_locked()
            pending = self.outbox.counts()["pending"]
            if pending == 0 or outage or time.monotonic() >= deadline:
                return pending
            time.sleep(0.1)

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the thread after a last drain; what cannot be written now stays on disk."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        try:
            left = self.flush(timeout_s)
        except Exception as exc:  # the database is down at shutdown: the outbox keeps it all
            log.warning("analytics outbox not drained at shutdown: %s", exc)
        else:
            if left:
                log.warning("%d analytics writes left in the outbox %s for the next start",
                            left, self.outbox.path)
        self.outbox.close()

    def _ensure_thread(self) -> None:
        if self._thread is not None or self._stop.is_set():
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="analytics-outbox",
                                                daemon=True)
                self._thread.start()

    def start(self) -> None:
        """Start draining now (at start-up: another process may have left writes behind)."""
        self._ensure_thread()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._wake.wait(self.retry_s) and self.gather_s:
                self._stop.wait(self.gather_s)  # let a burst gather (close() ends the wait)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.drain()
            except Exception:
                log.exception("analytics outbox drain failed")

    # Appliers: idempotent writes to the store

    def _apply_turn(self, p: dict[str, Any]) -> None:
        self.store.record_turn(self._turn_record(p))

    @staticmethod
    def _turn_record(p: dict[str, Any]) -> TurnRecord:
        return TurnRecord(**{**p, "created_at": _time(p["created_at"])})

    def _apply_feedback(self, p: dict[str, Any]) -> None:
        self.store.record_feedback(p["message_id"], p["helpful"], p["reason"],
                                   p["would_have_phoned"], at=_time(p["at"]))

    def _apply_event(self, p: dict[str, Any]) -> None:
        self.store.record_event(p["message_id"], p["kind"], p["target"], at=_time(p["at"]))


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)
