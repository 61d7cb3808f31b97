"""Reading analytics: every query the dashboard, the gap report and the deflection estimate run,
and the look-ups the outbox and follow-ups need. Mixed into :class:`analytics.store.AnalyticsStore`,
so callers ask the store for data and never open a session or write SQL themselves.

Reports cover one council's residents: conversations flagged as bot traffic (crawlers, monitoring,
scripts, by user agent) are left out of them. Rows come back detached from their session, with
their columns loaded."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload

from analytics.models import Conversation, DailyStats, Feedback, GapTopic, HandoffEvent, Turn

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

CHUNK = 500  # ids per IN (...) list


@dataclass
class ConversationSummary:
    """One line of the dashboard's conversation browser."""

    id: str
    started: datetime
    bot: bool
    first: str  # the first question (masked), "" when it has no turns
    statuses: list[str]


@dataclass
class ConversationHistory:
    """What the deflection estimate reads of one conversation."""

    conversation: Conversation
    turns: list[Turn]  # in order
    feedback: list[Feedback]
    handoff_used: bool


class GapCandidate(NamedTuple):
    turn: Turn
    unhelpful: bool  # a resident answered "No, it did not answer my question"


def _residents(council: str) -> list[ColumnElement[bool]]:
    return [Conversation.council == council, Conversation.is_bot.is_(False)]


def _asked(since: datetime, until: datetime) -> list[ColumnElement[bool]]:
    return [Turn.created_at >= since, Turn.created_at < until]


class StoreReads:
    """The store's reads (``AnalyticsStore`` provides the engine, sessions and schema)."""

    if TYPE_CHECKING:
        engine: Engine
        _session: sessionmaker[Session]

        def ensure_schema(self) -> None: ...

    # ---- Look-ups while answering ------------------------------------------------------------

    def has_turn(self, message_id: str) -> bool:
        self.ensure_schema()
        with self._session() as s:
            return s.get(Turn, message_id) is not None

    def recent_turns(self, conversation_id: str, limit: int) -> list[Turn]:
        """The conversation's last ``limit`` turns, oldest first (for follow-ups)."""
        self.ensure_schema()
        with self._session() as s:
            rows = s.scalars(select(Turn).where(Turn.conversation_id == conversation_id)
                             .order_by(Turn.created_at.desc(), Turn.seq.desc()).limit(limit))
            return list(reversed(list(rows)))

    # ---- The dashboard -----------------------------------------------------------------------

    def status_counts(self, council: str | None = None, since: datetime | None = None,
                      until: datetime | None = None) -> dict[str, int]:
        """Turns by status: for a council, its residents' questions asked from ``since`` to
        ``until`` (the overview); with no council, every turn stored."""
        q = select(Turn.status, func.count())
        if council is not None:
            assert since is not None and until is not None, "a council's counts need a period"
            q = q.join(Conversation).where(*_residents(council), *_asked(since, until))
        with self._session() as s:
            return {status: n for status, n in s.execute(q.group_by(Turn.status))}

    def helpful_counts(self, council: str, since: datetime, until: datetime) -> dict[bool, int]:
        """Answers to "Did this answer your question?" (True: yes) for the period's questions."""
        with self._session() as s:
            rows = s.execute(select(Feedback.helpful, func.count()).join(Turn).join(Conversation)
                             .where(*_residents(council), *_asked(since, until))
                             .group_by(Feedback.helpful))
            return {bool(helpful): n for helpful, n in rows}

    def conversations(self, council: str, offset: int, limit: int) -> list[ConversationSummary]:
        """The council's conversations, newest first (bot traffic included and flagged)."""
        with self._session() as s:
            convs = s.scalars(select(Conversation).where(Conversation.council == council)
                              .options(selectinload(Conversation.turns))
                              .order_by(Conversation.started_at.desc())
                              .offset(offset).limit(limit))
            return [ConversationSummary(c.id, c.started_at, c.is_bot,
                                        c.turns[0].question if c.turns else "",
                                        [t.status for t in c.turns]) for c in convs]

    def conversation(self, conversation_id: str
                     ) -> tuple[list[Turn], dict[str, list[Feedback]]]:
        """One conversation's turns in order, and the feedback on each (by turn id)."""
        with self._session() as s:
            turns = list(s.scalars(select(Turn).where(Turn.conversation_id == conversation_id)
                                   .order_by(Turn.seq)))
            feedback: dict[str, list[Feedback]] = {}
            for f in s.scalars(select(Feedback).where(
                    Feedback.turn_id.in_([t.id for t in turns]))):
                feedback.setdefault(f.turn_id, []).append(f)
            return turns, feedback

    # ---- The gap report and the deflection estimate ------------------------------------------

    def gap_candidates(self, council: str, since: datetime, until: datetime
                       ) -> list[GapCandidate]:
        """The period's answered and declined questions, each with whether it was marked
        unhelpful (the gap report picks its questions from these)."""
        with self._session() as s:
            rows = s.execute(select(Turn).join(Conversation).where(
                Conversation.council == council, Turn.created_at >= since,
                Turn.created_at < until, Turn.status.in_(["answered", "no_answer"]),
                Conversation.is_bot.is_(False))).scalars().all()
            unhelpful = set(s.scalars(select(Feedback.turn_id).where(
                Feedback.helpful.is_(False))))
            return [GapCandidate(t, t.id in unhelpful) for t in rows]

    def conversation_histories(self, council: str, since: datetime, until: datetime
                               ) -> list[ConversationHistory]:
        """The conversations started in the period, with their turns, feedback and whether a
        handoff was used."""
        with self._session() as s:
            convs = list(s.scalars(select(Conversation).where(
                Conversation.council == council, Conversation.started_at >= since,
                Conversation.started_at < until, Conversation.is_bot.is_(False))))
            ids = [c.id for c in convs]
            turns: dict[str, list[Turn]] = defaultdict(list)
            feedback: dict[str, list[Feedback]] = defaultdict(list)
            used: set[str] = set()
            for i in range(0, len(ids), CHUNK):
                part = ids[i:i + CHUNK]
                for t in s.scalars(select(Turn).where(Turn.conversation_id.in_(part))
                                   .order_by(Turn.seq)):
                    turns[t.conversation_id].append(t)
                rows = s.execute(select(Feedback, Turn.conversation_id).join(Turn).where(
                    Turn.conversation_id.in_(part)))
                for fb, cid in rows:
                    feedback[cid].append(fb)
                used |= set(s.scalars(select(Turn.conversation_id).join(
                    HandoffEvent, HandoffEvent.turn_id == Turn.id).where(
                        Turn.conversation_id.in_(part))))
        return [ConversationHistory(c, turns.get(c.id, []), feedback.get(c.id, []), c.id in used)
                for c in convs]

    def gap_topics(self, council: str, statuses: tuple[str, ...] | None = None
                   ) -> list[GapTopic]:
        """The council's stored gap topics (only those with one of ``statuses``, if given)."""
        self.ensure_schema()
        q = select(GapTopic).where(GapTopic.council == council)
        if statuses is not None:
            q = q.where(GapTopic.status.in_(statuses))
        with self._session() as s:
            return list(s.scalars(q))

    # ---- Everything stored (inspection; retention's daily counts) ----------------------------

    def turns(self, conversation_id: str | None = None) -> list[Turn]:
        with self._session() as s:
            q = select(Turn).order_by(Turn.created_at, Turn.seq)
            if conversation_id:
                q = q.where(Turn.conversation_id == conversation_id)
            return list(s.scalars(q))

    def feedback(self) -> list[Feedback]:
        with self._session() as s:
            return list(s.scalars(select(Feedback).order_by(Feedback.id)))

    def events(self) -> list[HandoffEvent]:
        with self._session() as s:
            return list(s.scalars(select(HandoffEvent).order_by(HandoffEvent.id)))

    def daily_stats(self) -> list[DailyStats]:
        with self._session() as s:
            return list(s.scalars(select(DailyStats).order_by(DailyStats.day,
                                                              DailyStats.status)))

