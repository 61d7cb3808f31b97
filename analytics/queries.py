"""Reading analytics: every query the dashboard, the gap report and the deflection estimate run,
and the look-ups the outbox and follow-ups need. Mixed into :class:`analytics.store.AnalyticsStore`,
so callers ask the store for data and never open a session or write SQL themselves.

Reports cover one council's residents: conversations flagged as bot traffic (crawlers, monitoring,
scripts, by user agent) are left out of them. Rows come back detached from their session, with
their columns loaded."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import selectinload

from analytics.models import (
    Conversation,
    DailyStats,
    Feedback,
    GapReport,
    GapTopic,
    HandoffEvent,
    Turn,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

CHUNK = 500  # ids per IN (...) list
DECLINED = ("no_answer", "out_of_scope", "refused")  # the bot declined to answer
UNANSWERED = ("no_answer", "out_of_scope")  # declined for want of an answer (editors can act)
TOP = 10  # questions in each "top questions" list


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


@dataclass
class ConversationFilter:
    """Which conversations the browser lists and exports: started from ``since`` to ``until``,
    with every one of ``words`` in a question or answer (masked text), and, with ``only``, just
    those conversation ids (a service's, as the deflection estimate attributes them)."""

    since: datetime | None = None
    until: datetime | None = None
    words: tuple[str, ...] = ()
    only: Collection[str] | None = None


@dataclass
class ConversationDetail:
    """One conversation for the dashboard: its row, turns in order, the feedback on each (by
    turn id) and the handoffs used, as (question number, event) oldest first."""

    conversation: Conversation
    turns: list[Turn]
    feedback: dict[str, list[Feedback]]
    handoffs: list[tuple[int, HandoffEvent]]


@dataclass
class TurnRow:
    """One turn of the conversations export."""

    conversation_id: str
    started: datetime
    asked: datetime
    question: str  # masked
    status: str
    confidence: float
    cited: list[str]  # the cited pages' addresses
    handoff_used: bool


@dataclass
class DayCounts:
    """One day of the overview's trend. ``conversations`` is None for a day known only from the
    daily counts kept after the retention period (they do not count conversations)."""

    day: date
    conversations: int | None = 0
    questions: int = 0
    answered: int = 0
    declined: int = 0

    @property
    def other(self) -> int:
        """Neither answered nor declined (urgent signposting, errors)."""
        return self.questions - self.answered - self.declined


@dataclass
class QuestionCount:
    text: str  # the most asked wording (masked)
    count: int


@dataclass
class PeriodSummary:
    """The overview's figures for a period: questions by status, "Did this answer your
    question?" answers (True: yes), a row per day, and the most asked questions, all and
    unanswered (grouped by normalised text)."""

    statuses: dict[str, int]
    helpful: dict[bool, int]
    days: list[DayCounts]
    top: list[QuestionCount]
    top_unanswered: list[QuestionCount]
    retained_questions: int = 0  # of the days' questions, those from the kept daily counts


def normalised(question: str) -> str:
    """The key questions are grouped by: greetings and sign-offs dropped, case and spacing
    ignored, end punctuation dropped."""
    from analytics.clustering import clean

    return " ".join(clean(question).casefold().split()).strip(" ?!.,")


def _top(questions: list[str], limit: int = TOP) -> list[QuestionCount]:
    """The most asked questions, each under its most common wording (the shortest of equals);
    ties in alphabetical order."""
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for q in questions:
        if key := normalised(q):
            groups[key][q.strip()] += 1
    shown = [(min(c, key=lambda w: (-c[w], len(w), w)), c.total()) for c in groups.values()]
    shown.sort(key=lambda tc: (-tc[1], tc[0].casefold()))
    return [QuestionCount(text, n) for text, n in shown[:limit]]


def _day(when: datetime) -> date:
    """The UTC day, as the daily counts kept after retention have it (SQLite gives times back
    without a zone, in UTC; PostgreSQL in the session's zone)."""
    return (when.astimezone(UTC) if when.tzinfo else when).date()


class GapCandidate(NamedTuple):
    """An answered or declined question, as the gap report reads it."""

    id: str  # the message id
    created_at: datetime
    question: str  # masked
    status: str
    confidence: float
    cited: dict[str, Any] | None  # the first citation of an answer
    unhelpful: bool  # a resident answered "No, it did not answer my question"
    earlier: str | None = None  # a follow-up's previous question (masked)


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

    def period_summary(self, council: str, since: datetime, until: datetime,
                       only: Collection[str] | None = None) -> PeriodSummary:
        """The overview's figures for the residents' questions asked in the period (with
        ``only``, in those conversations). Days are UTC days; without ``only``, the daily counts
        kept after the retention period are added to the days (they have no service)."""
        with self._session() as s:
            rows = s.execute(select(Turn.id, Turn.conversation_id, Turn.seq, Turn.created_at,
                                    Turn.status, Turn.question).join(Conversation)
                             .where(*_residents(council), *_asked(since, until))).all()
            answers = s.execute(select(Feedback.turn_id, Feedback.helpful).join(Turn)
                                .join(Conversation)
                                .where(*_residents(council), *_asked(since, until))).all()
            kept = [] if only is not None else list(s.scalars(select(DailyStats).where(
                DailyStats.council == council, DailyStats.day >= _day(since),
                DailyStats.day <= _day(until - timedelta(microseconds=1)))))
        if only is not None:
            wanted = set(only)
            rows = [r for r in rows if r.conversation_id in wanted]
        asked = {r.id for r in rows}
        helpful = Counter(bool(h) for tid, h in dict(answers).items() if tid in asked)
        days = {_day(since) + timedelta(days=i): DayCounts(_day(since) + timedelta(days=i))
                for i in range((_day(until - timedelta(microseconds=1)) - _day(since)).days + 1)}
        for r in rows:
            d = days.setdefault(_day(r.created_at), DayCounts(_day(r.created_at)))
            d.questions += 1
            d.answered += r.status == "answered"
            d.declined += r.status in DECLINED
            if r.seq == 1:
                d.conversations = (d.conversations or 0) + 1
        statuses = Counter(r.status for r in rows)
        for k in kept:
            d = days.setdefault(k.day, DayCounts(k.day))
            if not d.questions:
                d.conversations = None  # the conversations themselves are gone
            d.questions += k.turns
            d.answered += k.turns if k.status == "answered" else 0
            d.declined += k.turns if k.status in DECLINED else 0
        return PeriodSummary(
            statuses=dict(statuses), helpful=dict(helpful),
            days=[days[d] for d in sorted(days)],
            top=_top([r.question for r in rows]),
            top_unanswered=_top([r.question for r in rows if r.status in UNANSWERED]),
            retained_questions=sum(k.turns for k in kept))

    def _conversation_ids(self, s: Session, council: str, where: ConversationFilter,
                          offset: int = 0, limit: int | None = None) -> list[str]:
        q: Select[Any] = select(Conversation.id).where(Conversation.council == council)
        if where.since is not None:
            q = q.where(Conversation.started_at >= where.since)
        if where.until is not None:
            q = q.where(Conversation.started_at < where.until)
        for word in where.words:
            q = q.where(Conversation.id.in_(select(Turn.conversation_id).where(or_(
                Turn.question.icontains(word, autoescape=True),
                Turn.answer.icontains(word, autoescape=True)))))
        q = q.order_by(Conversation.started_at.desc(), Conversation.id)
        end = None if limit is None else offset + limit
        if where.only is None:
            return list(s.scalars(q.offset(offset).limit(limit)))
        wanted = set(where.only)
        return [i for i in s.scalars(q) if i in wanted][offset:end]

    def conversations(self, council: str, offset: int, limit: int,
                      where: ConversationFilter | None = None) -> list[ConversationSummary]:
        """The council's conversations, newest first (bot traffic included and flagged), those
        ``where`` picks."""
        with self._session() as s:
            ids = self._conversation_ids(s, council, where or ConversationFilter(), offset, limit)
            convs = {c.id: c for c in s.scalars(select(Conversation).where(
                Conversation.id.in_(ids)).options(selectinload(Conversation.turns)))}
            return [ConversationSummary(c.id, c.started_at, c.is_bot,
                                        c.turns[0].question if c.turns else "",
                                        [t.status for t in c.turns])
                    for c in (convs[i] for i in ids)]

    def conversation_turns(self, council: str, where: ConversationFilter) -> list[TurnRow]:
        """Every turn of the conversations ``where`` picks, newest conversation first, each
        conversation's turns in order (the masked conversations export)."""
        with self._session() as s:
            ids = self._conversation_ids(s, council, where)
            out: list[TurnRow] = []
            for i in range(0, len(ids), CHUNK):
                part = ids[i:i + CHUNK]
                started = dict(s.execute(select(Conversation.id, Conversation.started_at)
                                         .where(Conversation.id.in_(part))).all())
                used = set(s.scalars(select(HandoffEvent.turn_id).join(Turn).where(
                    Turn.conversation_id.in_(part))))
                turns: dict[str, list[Turn]] = defaultdict(list)
                for t in s.scalars(select(Turn).where(Turn.conversation_id.in_(part))
                                   .order_by(Turn.seq)):
                    turns[t.conversation_id].append(t)
                out += [TurnRow(cid, started[cid], t.created_at, t.question, t.status,
                                t.confidence, [c.get("url", "") for c in t.citations or []],
                                t.id in used) for cid in part for t in turns[cid]]
            return out

    def conversation_detail(self, conversation_id: str) -> ConversationDetail | None:
        """One conversation with its turns, feedback and handoffs used; None if there is none."""
        with self._session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None:
                return None
        turns, feedback = self.conversation(conversation_id)
        seq = {t.id: t.seq for t in turns}
        with self._session() as s:
            events = s.scalars(select(HandoffEvent).where(HandoffEvent.turn_id.in_(list(seq)))
                               .order_by(HandoffEvent.created_at, HandoffEvent.id))
            return ConversationDetail(conv, turns, feedback,
                                      [(seq[e.turn_id], e) for e in events])

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
        """The period's answered and declined questions (only the columns the gap report
        reads, so a county's month fits), each with whether it was marked unhelpful, and for a
        follow-up the question it followed."""
        with self._session() as s:
            rows = s.execute(select(
                Turn.id, Turn.conversation_id, Turn.seq, Turn.created_at, Turn.question,
                Turn.status, Turn.confidence, Turn.follow_up, Turn.citations).join(
                Conversation).where(
                Conversation.council == council, Turn.created_at >= since,
                Turn.created_at < until, Turn.status.in_(["answered", "no_answer"]),
                Conversation.is_bot.is_(False)).order_by(Turn.created_at)).all()
            unhelpful = set(s.scalars(select(Feedback.turn_id).join(Turn).where(
                Feedback.helpful.is_(False), Turn.created_at >= since,
                Turn.created_at < until)))
            follows = [r for r in rows if r.follow_up]
            earlier: dict[tuple[str, int], str] = {}
            for i in range(0, len(follows), CHUNK):
                part = follows[i:i + CHUNK]
                for cid, seq, question in s.execute(select(
                        Turn.conversation_id, Turn.seq, Turn.question).where(
                        Turn.conversation_id.in_({r.conversation_id for r in part}))):
                    earlier[(cid, seq)] = question
            return [GapCandidate(
                r.id, r.created_at, r.question, r.status, r.confidence or 0.0,
                r.citations[0] if r.citations else None, r.id in unhelpful,
                earlier.get((r.conversation_id, r.seq - 1)) if r.follow_up else None)
                for r in rows]

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

    def latest_gap_report(self, council: str, days: int) -> GapReport | None:
        """The gap report the job last made for the council and period length, if any."""
        self.ensure_schema()
        with self._session() as s:
            return s.scalar(select(GapReport).where(
                GapReport.council == council, GapReport.days == days).order_by(
                GapReport.made_at.desc()).limit(1))

    def gap_report_periods(self, council: str) -> list[int]:
        """The period lengths (days) the job has made gap reports for."""
        self.ensure_schema()
        with self._session() as s:
            return sorted(set(s.scalars(select(GapReport.days).where(
                GapReport.council == council))))

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

