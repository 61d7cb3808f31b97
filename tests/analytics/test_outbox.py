"""The analytics outbox on SQLite and PostgreSQL: writes wait on disk while the database is down,
survive a restart, go in once and in order, and are masked before they are queued."""

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

import pytest
from sqlalchemy.exc import OperationalError

from analytics.outbox import MAX_ATTEMPTS, AnalyticsWriter, Outbox
from analytics.store import AnalyticsStore, TurnRecord
from askcouncil.errors import NotFound

P = ParamSpec("P")
R = TypeVar("R")


def _turn(message_id: str, conversation_id: str = "c1", question: str = "bin day?",
          query: str | None = None) -> TurnRecord:
    return TurnRecord(
        message_id=message_id, conversation_id=conversation_id, council="kestrelford",
        question=question, answer="Bins are collected on Mondays. [1]", status="answered",
        citations=[{"n": 1, "url": "http://x/bins#when", "title": "Bins", "section": "When",
                    "snippet": "x"}], handoff=None, retrieval_scores=[], confidence=0.7,
        latency_ms=20.0, timings_ms={"total": 20.0}, query=query,
    )


class Switch:
    """The database as the writer sees it: up, or refusing connections."""

    def __init__(self, store: AnalyticsStore) -> None:
        self.up = True
        for name in ("record_turns", "record_feedback", "record_event"):
            real = getattr(store, name)
            setattr(store, name, self._guard(real))

    def _guard(self, real: Callable[P, R]) -> Callable[P, R]:
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            if not self.up:
                raise OperationalError("INSERT", {}, ConnectionRefusedError("down"))
            return real(*args, **kwargs)
        return call


def test_writes_wait_while_the_database_is_down_and_go_in_once_in_order(store, tmp_path) -> None:
    switch = Switch(store)
    writer = AnalyticsWriter(store, Outbox(tmp_path / "outbox.sqlite3"))
    writer.turn(_turn("m1"))
    assert writer.flush() == 0 and store.has_turn("m1")
    switch.up = False
    writer.turn(_turn("m2", question="email me at jo@example.com"))
    writer.feedback("m2", False, "ring 07700 900123", True)  # its turn is only queued
    writer.event("m2", "phone", "tel:01632960101")
    writer.turn(_turn("m3"))
    assert writer.flush(timeout_s=0.3) == 4
    assert not store.has_turn("m2")
    # Nothing personal waits on disk either.
    raw = (tmp_path / "outbox.sqlite3").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("outbox.sqlite3-*"))
    assert b"jo@example.com" not in raw and b"07700" not in raw

    writer.close(timeout_s=0.2)  # the bot stops while the database is still down
    switch.up = True
    restarted = AnalyticsWriter(store, Outbox(tmp_path / "outbox.sqlite3"))
    assert restarted.flush() == 0
    turns = store.turns("c1")
    assert [t.id for t in turns] == ["m1", "m2", "m3"] and [t.seq for t in turns] == [1, 2, 3]
    assert turns[1].question == "email me at [email]"
    [fb] = [f for f in store.feedback() if f.turn_id == "m2"]
    assert (fb.helpful, fb.reason, fb.would_have_phoned) == (False, "ring [phone]", True)
    assert [(e.turn_id, e.kind) for e in store.events()] == [("m2", "phone")]
    restarted.close()


def test_a_write_repeated_after_a_crash_is_stored_once(store, tmp_path) -> None:
    """The database committed but the process died before the outbox forgot the write."""
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    writer = AnalyticsWriter(store, outbox)
    writer._stop.set()  # no background thread: this test plays the drainer by hand
    writer.turn(_turn("m1"))
    writer.event("m1", "form", "https://x/form")
    items = outbox.take(10)
    for item in items:  # written, but not yet marked done
        writer._appliers[item.kind](item.payload)
    assert writer.flush() == 0  # the same writes again
    assert len(store.turns("c1")) == 1 and len(store.events()) == 1


def test_unknown_answers_are_refused_and_refused_writes_set_aside(store, tmp_path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    writer = AnalyticsWriter(store, outbox)
    writer._stop.set()  # no background thread: this test plays the drainer by hand
    with pytest.raises(NotFound):
        writer.feedback("nope", True, None, None)
    # While the database cannot say, feedback is queued and checked when written: an answer
    # that never existed is tried a few times (it may be on its way from another replica),
    # then set aside where an operator can see it.
    outbox.put("feedback", "ghost", {"message_id": "ghost", "helpful": True, "reason": None,
                                     "would_have_phoned": None,
                                     "at": datetime.now(UTC).isoformat()})
    for _ in range(MAX_ATTEMPTS):
        writer.drain()
        with outbox._lock:
            outbox._conn.execute("UPDATE pending SET not_before = 0")
    assert outbox.counts() == {"pending": 0, "failed": 1}


def test_workers_sharing_an_outbox_drain_one_at_a_time(store, tmp_path) -> None:
    path = tmp_path / "outbox.sqlite3"
    writers = [AnalyticsWriter(store, Outbox(path)) for _ in range(3)]
    switch = Switch(store)
    switch.up = False
    for i in range(60):
        writers[i % 3].turn(_turn(f"m{i:02d}", conversation_id=f"c{i % 4}"))
    switch.up = True
    threads = [threading.Thread(target=w.flush) for w in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert writers[0].outbox.counts() == {"pending": 0, "failed": 0}
    turns = store.turns()
    assert len(turns) == 60 and len({t.id for t in turns}) == 60
    for c in range(4):  # each conversation's turns in the order they were asked
        ids = [t.id for t in store.turns(f"c{c}")]
        assert ids == sorted(ids)


def test_history_comes_from_the_database_on_another_replica(store, tmp_path) -> None:
    writer = AnalyticsWriter(store, Outbox(tmp_path / "outbox.sqlite3"))
    writer.turn(_turn("m1", question="How do I apply for a Blue Badge?",
                      query="how do I apply for a blue badge"))
    writer.flush()
    [past] = store.recent_turns("c1", 4)
    assert past.query == "how do I apply for a blue badge"
    assert past.citations[0]["url"] == "http://x/bins#when"


def test_a_refused_write_does_not_hold_up_the_rest_of_its_batch(store, tmp_path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    writer = AnalyticsWriter(store, outbox)
    writer._stop.set()  # no background thread: this test plays the drainer by hand
    writer.turn(_turn("m1"))
    outbox.put("turn", "bad", {"message_id": "bad"})  # not a turn the store can take
    writer.turn(_turn("m2"))
    assert writer.drain() == 2
    assert [t.id for t in store.turns("c1")] == ["m1", "m2"]
    [left] = outbox.take(10) or [None]
    assert left is None and outbox.counts() == {"pending": 1, "failed": 0}  # waiting to retry


def test_the_writer_knows_when_the_database_is_down(store, tmp_path) -> None:
    writer = AnalyticsWriter(store, Outbox(tmp_path / "outbox.sqlite3"))
    writer._stop.set()  # no background thread: this test plays the drainer by hand
    switch = Switch(store)
    switch.up = False
    writer.turn(_turn("m1"))
    writer.drain()
    assert writer.database_down  # a follow-up's history is then not looked up
    switch.up = True
    writer.drain()
    assert not writer.database_down and store.has_turn("m1")


def test_a_burst_of_turns_is_written_in_one_transaction(store, tmp_path) -> None:
    """The background drain waits a moment after a write for the rest of a burst, so a busy
    bot writes its turns together rather than a database transaction for each; close() ends
    that wait at once and writes what came."""
    batches: list[int] = []
    real = store.record_turns

    def counted(recs: list[TurnRecord]) -> None:
        batches.append(len(recs))
        real(recs)

    store.record_turns = counted
    writer = AnalyticsWriter(store, Outbox(tmp_path / "outbox.sqlite3"), gather_s=0.5)
    writer.start()
    for n in range(6):
        writer.turn(_turn(f"m{n}"))
    deadline = time.monotonic() + 10
    while not store.has_turn("m5") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [t.id for t in store.turns("c1")] == [f"m{n}" for n in range(6)]
    assert batches == [6]

    writer.turn(_turn("m6"))
    began = time.monotonic()
    writer.close()
    assert time.monotonic() - began < 0.4 and store.has_turn("m6")
