"""The analytics store: the one way into the analytics database. Writes are here (every
resident's text is masked before it reaches the database, whatever called us); the reads every
report runs are in :mod:`analytics.queries`, mixed in, so a caller holds one store and asks it."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from analytics.db import migrate
from analytics.models import (
    Conversation,
    DailyStats,
    Feedback,
    GapReport,
    GapTopic,
    HandoffEvent,
    Turn,
    utcnow,
)
from analytics.queries import StoreReads
from askcouncil.errors import NotFound, StoreUnavailable
from askcouncil.masking import mask
from askcouncil.settings import Settings


@dataclass
class TurnRecord:
    message_id: str
    conversation_id: str
    council: str
    question: str
    answer: str
    status: str
    citations: list[dict[str, Any]]
    handoff: dict[str, Any] | None
    retrieval_scores: list[dict[str, Any]]
    confidence: float
    latency_ms: float
    timings_ms: dict[str, float]
    is_bot: bool = False  # the request came from a crawler or script (left out of reports)
    query: str | None = None  # the search it was answered with (joins a follow-up's question)
    created_at: datetime | None = None  # when it was asked (kept when written late)
    follow_up: bool = False  # joined to the question before it (contextualise)
    ua_class: str | None = None  # the user agent's class (bot.chat.agent_class), never the agent
    # the browser's conversation before this one (kept only if it is one of the same council)
    previous_conversation_id: str | None = None


@dataclass
class TopicSighting:
    """A gap topic as this report found it: the stored topic it is (None: a new one), and what
    to keep of it."""

    id: int | None
    label: str
    centroid: list[float]
    questions: list[dict[str, str]]  # masked examples with their message ids, re-asked


class AnalyticsStore(StoreReads):
    """Writes go through ``ensure_schema`` first: a database that was down when the bot started
    is migrated on the first write after it comes back."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._schema_ready = False

    # Alembic's context is global to the process: one migration at a time, whatever the thread.
    _migrating = threading.Lock()

    def ensure_schema(self) -> None:
        if self._schema_ready:
            return
        with self._migrating:
            if not self._schema_ready:
                migrate(self.engine)
                self._schema_ready = True

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def record_turn(self, rec: TurnRecord) -> None:
        """Store one turn; a turn already stored (the same message id) is left as it is, so a
        write repeated from the outbox is stored once."""
        self.record_turns([rec])

    def record_turns(self, recs: list[TurnRecord]) -> None:
        """Store turns in one transaction with a handful of statements, however many there are
        (the outbox drains in batches, beside the answers, so its writes must be cheap). Turns
        already stored are skipped."""
        self.ensure_schema()
        try:
            with self._session.begin() as s:
                self._insert_turns(s, recs)
        except IntegrityError:
            # another process stored one of these turns, or conversations, a moment ago
            for rec in recs:
                with self._session.begin() as s:
                    self._insert_turns(s, [rec])

    def _insert_turns(self, s: Session, recs: list[TurnRecord]) -> None:
        have = set(s.scalars(select(Turn.id).where(Turn.id.in_([r.message_id for r in recs]))))
        fresh = list({r.message_id: r for r in recs if r.message_id not in have}.values())
        if not fresh:
            return
        conv_ids = {r.conversation_id for r in fresh}
        known = set(s.scalars(select(Conversation.id).where(Conversation.id.in_(conv_ids))))
        seqs: dict[str, int] = dict(s.execute(
            select(Turn.conversation_id, func.count()).where(
                Turn.conversation_id.in_(conv_ids)).group_by(Turn.conversation_id)).all())
        conversations, turns = [], []
        earlier = self._earlier_conversations(s, fresh)
        for rec in fresh:
            when = rec.created_at or utcnow()
            if rec.conversation_id not in known:
                known.add(rec.conversation_id)
                conversations.append({"id": rec.conversation_id, "council": rec.council,
                                      "is_bot": rec.is_bot, "ua_class": rec.ua_class,
                                      "started_at": when,
                                      "previous_conversation_id": _link(rec, earlier)})
                earlier[rec.conversation_id] = rec.council
            seqs[rec.conversation_id] = seqs.get(rec.conversation_id, 0) + 1
            turns.append({
                "id": rec.message_id, "conversation_id": rec.conversation_id,
                "seq": seqs[rec.conversation_id], "created_at": when,
                "question": mask(rec.question) or "", "query": mask(rec.query),
                "answer": rec.answer, "status": rec.status, "citations": rec.citations,
                "handoff": rec.handoff, "retrieval_scores": rec.retrieval_scores,
                "confidence": rec.confidence, "latency_ms": rec.latency_ms,
                "timings_ms": rec.timings_ms, "follow_up": rec.follow_up,
            })
        if conversations:
            s.execute(insert(Conversation), conversations)
        s.execute(insert(Turn), turns)

    @staticmethod
    def _earlier_conversations(s: Session, recs: list[TurnRecord]) -> dict[str, str]:
        """The councils of the conversations these turns name as their browser's previous one,
        that exist (a link to an id that does not, or to another council's, is not kept)."""
        wanted = {r.previous_conversation_id for r in recs if r.previous_conversation_id}
        if not wanted:
            return {}
        return dict(s.execute(select(Conversation.id, Conversation.council).where(
            Conversation.id.in_(wanted))).all())

    def came_back(self, conversation_ids: Sequence[str]) -> list[tuple[str, datetime, bool]]:
        """The conversations that name one of these as their browser's previous one: (that
        previous conversation's id, when the new one started, whether a phone number, form or
        contact link was used in it), for the deflection estimate's recontact window."""
        self.ensure_schema()
        out = []
        with self._session() as s:
            for i in range(0, len(conversation_ids), 500):
                part = list(conversation_ids[i:i + 500])
                later = s.execute(select(Conversation.id, Conversation.previous_conversation_id,
                                         Conversation.started_at).where(
                    Conversation.previous_conversation_id.in_(part),
                    Conversation.is_bot.is_(False))).all()
                used = set(s.scalars(select(Turn.conversation_id).join(
                    HandoffEvent, HandoffEvent.turn_id == Turn.id).where(
                        Turn.conversation_id.in_([c.id for c in later]))))
                out += [(c.previous_conversation_id, c.started_at, c.id in used) for c in later]
        return out

    def record_feedback(
        self, message_id: str, helpful: bool, reason: str | None, would_have_phoned: bool | None,
        at: datetime | None = None,
    ) -> None:
        try:
            self.ensure_schema()
            with self._session.begin() as s:
                if s.get(Turn, message_id) is None:
                    raise NotFound(f"no answer with message_id {message_id!r}")
                # One row per answer: the widget sends "yes" at once and the sampled "would
                # you have phoned?" answer after it, which completes the same row.
                row = s.scalars(select(Feedback).where(Feedback.turn_id == message_id)).first()
                if row is None:
                    s.add(Feedback(turn_id=message_id, helpful=helpful, reason=mask(reason),
                                   would_have_phoned=would_have_phoned,
                                   created_at=at or utcnow()))
                else:
                    row.helpful = helpful
                    if reason is not None:
                        row.reason = mask(reason)
                    if would_have_phoned is not None:
                        row.would_have_phoned = would_have_phoned
        except SQLAlchemyError as exc:
            raise StoreUnavailable("feedback cannot be stored right now") from exc

    def record_event(self, message_id: str, kind: str, target: str | None,
                     at: datetime | None = None) -> None:
        """A handoff the resident used (a phone number, form or contact page clicked). With
        ``at``, the same event already stored is not stored again."""
        try:
            self.ensure_schema()
            with self._session.begin() as s:
                if s.get(Turn, message_id) is None:
                    raise NotFound(f"no answer with message_id {message_id!r}")
                target = mask(target)
                if at is not None and s.scalars(select(HandoffEvent.id).where(
                        HandoffEvent.turn_id == message_id, HandoffEvent.kind == kind,
                        HandoffEvent.target.is_(None) if target is None
                        else HandoffEvent.target == target,
                        HandoffEvent.created_at == at)).first() is not None:
                    return
                s.add(HandoffEvent(turn_id=message_id, kind=kind, target=target,
                                   created_at=at or utcnow()))
        except SQLAlchemyError as exc:
            raise StoreUnavailable("the event cannot be stored right now") from exc

    def erase(self, conversation_id: str) -> int:
        """Delete one conversation with its turns, feedback and events (a resident's request
        under UK GDPR). Returns the number of turns deleted."""
        self.ensure_schema()
        with self._session.begin() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None:
                raise NotFound(f"no conversation {conversation_id!r}")
            turn_ids = list(s.scalars(select(Turn.id).where(
                Turn.conversation_id == conversation_id)))
            texts = set(s.scalars(select(Turn.question).where(
                Turn.conversation_id == conversation_id)))
            s.execute(delete(HandoffEvent).where(HandoffEvent.turn_id.in_(turn_ids)))
            s.execute(delete(Feedback).where(Feedback.turn_id.in_(turn_ids)))
            s.execute(delete(Turn).where(Turn.conversation_id == conversation_id))
            _forget_in_topics(s, conv.council, set(turn_ids), texts)
            _forget_in_reports(s, conv.council, set(turn_ids), texts)
            _unlink(s, [conversation_id])
            s.delete(conv)
            return len(turn_ids)

    def retain(self, cutoff: datetime) -> dict[str, int]:
        """Delete conversations started before ``cutoff``, after adding their turns, feedback
        and handoffs used to ``daily_stats`` (per day, council and status), which stay."""
        self.ensure_schema()
        with self._session.begin() as s:
            old = list(s.scalars(select(Conversation.id).where(Conversation.started_at < cutoff)))
            totals = {"conversations": len(old), "turns": 0}
            for i in range(0, len(old), 500):
                part = old[i:i + 500]
                turns = list(s.scalars(select(Turn).join(Conversation).where(
                    Turn.conversation_id.in_(part), Conversation.is_bot.is_(False))))
                fbs = {f.turn_id: f for f in s.scalars(select(Feedback).where(
                    Feedback.turn_id.in_([t.id for t in turns])))}
                used = set(s.scalars(select(HandoffEvent.turn_id).where(
                    HandoffEvent.turn_id.in_([t.id for t in turns]))))
                councils = dict(s.execute(select(Conversation.id, Conversation.council).where(
                    Conversation.id.in_(part))).all())
                for t in turns:
                    day = t.created_at.date()
                    key = (day, councils[t.conversation_id], t.status)
                    row = s.get(DailyStats, key)
                    if row is None:
                        row = DailyStats(day=day, council=key[1], status=t.status, turns=0,
                                         helpful=0, unhelpful=0, would_have_phoned=0,
                                         would_not_have_phoned=0, handoffs_used=0)
                        s.add(row)
                    row.turns += 1
                    fb = fbs.get(t.id)
                    if fb is not None:
                        row.helpful += int(fb.helpful)
                        row.unhelpful += int(not fb.helpful)
                        row.would_have_phoned += int(fb.would_have_phoned is True)
                        row.would_not_have_phoned += int(fb.would_have_phoned is False)
                    row.handoffs_used += int(t.id in used)
                    s.flush()
                totals["turns"] += len(turns)
                ids = list(s.scalars(select(Turn.id).where(Turn.conversation_id.in_(part))))
                texts = set(s.scalars(select(Turn.question).where(
                    Turn.conversation_id.in_(part))))
                for council in set(councils.values()):
                    _forget_in_topics(s, council, set(ids), texts)
                    _forget_in_reports(s, council, set(ids), texts)
                s.execute(delete(HandoffEvent).where(HandoffEvent.turn_id.in_(ids)))
                s.execute(delete(Feedback).where(Feedback.turn_id.in_(ids)))
                s.execute(delete(Turn).where(Turn.conversation_id.in_(part)))
                _unlink(s, part)
                s.execute(delete(Conversation).where(Conversation.id.in_(part)))
            return totals

    # ---- Gap topics ---------------------------------------------------------------------------

    def save_gap_topics(self, council: str, sightings: Sequence[TopicSighting]
                        ) -> list[GapTopic]:
        """Store the topics a report found: each known one updated, each new one added (status
        "new"), in one transaction. Returns the stored rows, in the same order."""
        self.ensure_schema()
        rows = []
        with self._session.begin() as s:
            for seen in sightings:
                row = s.get(GapTopic, seen.id) if seen.id is not None else None
                if row is None:
                    row = GapTopic(council=council, label=seen.label, centroid=seen.centroid,
                                   questions=[], status="new")
                    s.add(row)
                row.label = seen.label
                row.centroid = seen.centroid
                row.questions = seen.questions
                row.last_seen_at = datetime.now(UTC)
                s.flush()
                rows.append(row)
        return rows

    def save_gap_report(self, council: str, days: int, report: dict[str, Any],
                        seconds: float) -> None:
        """Keep the gap report the job made for the council and period length, in place of the
        one before (the dashboard reads it: ``latest_gap_report``)."""
        self.ensure_schema()
        with self._session.begin() as s:
            s.execute(delete(GapReport).where(GapReport.council == council,
                                              GapReport.days == days))
            s.add(GapReport(council=council, days=days, report=report,
                            seconds=round(seconds, 2)))

    def topics_changed_at(self, council: str) -> datetime | None:
        """When a gap topic of the council last had its status set or checked (a dashboard
        keeping a gap report knows it is stale when this moves)."""
        self.ensure_schema()
        with self._session() as s:
            return s.scalar(select(func.max(GapTopic.status_changed_at)).where(
                GapTopic.council == council))

    def set_gap_topic_status(self, topic_id: int, status: str) -> None:
        """An editor's status for a topic (its last verification is cleared)."""
        self.ensure_schema()
        with self._session.begin() as s:
            row = s.get(GapTopic, topic_id)
            if row is None:
                raise NotFound(f"no gap topic {topic_id}")
            row.status = status
            row.status_changed_at = datetime.now(UTC)
            row.verification = None

    def record_verifications(self, results: Sequence[tuple[int, str, dict[str, Any]]]
                             ) -> None:
        """The results of re-asking topics' questions after a crawl, as (topic id, status,
        verification), in one transaction."""
        with self._session.begin() as s:
            for topic_id, status, verification in results:
                row = s.get(GapTopic, topic_id)
                if row is None:
                    raise NotFound(f"no gap topic {topic_id}")
                row.status = status
                row.verification = verification
                row.status_changed_at = datetime.now(UTC)  # checked: a cached report is stale


def _link(rec: TurnRecord, councils: dict[str, str]) -> str | None:
    """The turn's previous conversation, if it is another stored conversation of its council."""
    prev = rec.previous_conversation_id
    return prev if prev and prev != rec.conversation_id and councils.get(prev) == rec.council \
        else None


def question_text(entry: str | dict[str, str]) -> str:
    """A stored topic question: {"id": message id, "text": masked question}, or the bare text
    reports before 2026-11-29 stored."""
    return entry["text"] if isinstance(entry, dict) else entry


def _unlink(s: Session, conversation_ids: list[str]) -> None:
    """Conversations that named these as their browser's previous one no longer do."""
    s.execute(update(Conversation).where(Conversation.previous_conversation_id.in_(
        conversation_ids)).values(previous_conversation_id=None))


def _forget_in_topics(s: Session, council: str, message_ids: set[str], texts: set[str]) -> None:
    """Remove deleted turns' questions from the council's stored gap topics, and from their last
    verification: by message id, or by their masked text where a question has no id (stored
    before questions carried their ids)."""
    from analytics.clustering import clean

    cleaned = {clean(t) for t in texts}

    def deleted(q: str | dict[str, str]) -> bool:
        mid = q.get("id") if isinstance(q, dict) else None
        return mid in message_ids if mid else question_text(q) in cleaned

    for row in s.scalars(select(GapTopic).where(GapTopic.council == council)):
        kept = [q for q in row.questions if not deleted(q)]
        if len(kept) != len(row.questions):
            row.questions = kept
        if row.verification and any(t in cleaned for t in row.verification.get("statuses", {})):
            statuses = {t: v for t, v in row.verification["statuses"].items() if t not in cleaned}
            row.verification = {**row.verification, "statuses": statuses}


def _forget_in_reports(s: Session, council: str, message_ids: set[str], texts: set[str]
                       ) -> None:
    """Remove deleted turns' questions from the council's stored gap reports: every member
    (by message id) and every example (by its masked text)."""
    from analytics.clustering import clean

    cleaned = {clean(t) for t in texts} | texts

    def scrub(value: Any) -> Any:  # noqa: ANN401 - the report's JSON
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value
                    if not (isinstance(v, dict) and v.get("message_id") in message_ids)
                    and not (isinstance(v, str) and v in cleaned)]
        return value

    for row in s.scalars(select(GapReport).where(GapReport.council == council)):
        row.report = scrub(row.report)


def open_store(settings: Settings) -> AnalyticsStore:
    """The council's analytics database as the settings name it, with its tables in place
    (``StoreUnavailable``, saying so, when it cannot be reached: the commands print it)."""
    from analytics.db import make_engine

    store = AnalyticsStore(make_engine(settings.db_url))
    try:
        store.ensure_schema()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"the analytics database cannot be reached "
                               f"({store.engine.url.render_as_string(hide_password=True)}): "
                               f"{str(getattr(exc, 'orig', None) or exc).splitlines()[0]}"
                               ) from exc
    return store


RETENTION_MONTHS = range(1, 121)


def retain_months(settings: Settings, months: int | None = None) -> tuple[datetime, dict[str, int]]:
    """``askcouncil db retain``: delete the conversations started more than ``months`` months
    ago (default ``ASKCOUNCIL_RETENTION_MONTHS``), keeping their daily counts. Returns the cut-off
    and what was deleted."""
    from datetime import timedelta

    from askcouncil.errors import BadInput

    months = settings.retention_months if months is None else months
    if months not in RETENTION_MONTHS:
        raise BadInput(f"--months must be a whole number of months from 1 to 120, not {months}")
    cutoff = datetime.now(UTC) - timedelta(days=round(months * 30.44))
    return cutoff, open_store(settings).retain(cutoff)
