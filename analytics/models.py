"""Conversations, turns, feedback and handoff events. Changes go through Alembic migrations
(migrations/)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    council: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # from a crawler, a monitoring check or a script (by its user agent): left out of reports
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # what started it, as a class (bot.chat.agent_class); the user agent itself is never stored
    ua_class: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # the conversation the same browser had before this one (the widget sends it; checked to be
    # one of the same council): the deflection estimate's recontact window reads it
    previous_conversation_id: Mapped[str | None] = mapped_column(String(64), nullable=True,
                                                                 index=True)
    turns: Mapped[list[Turn]] = relationship(back_populates="conversation", order_by="Turn.seq")


class Turn(Base):
    __tablename__ = "turns"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the API's message_id
    conversation_id: Mapped[str] = mapped_column(String(64), ForeignKey("conversations.id",
                                                                        ondelete="CASCADE"),
                                                 index=True)
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 index=True)
    question: Mapped[str] = mapped_column(Text)  # masked
    # the search it was answered with (masked): a follow-up on another replica joins it
    query: Mapped[str | None] = mapped_column(Text, nullable=True)
    answer: Mapped[str] = mapped_column(Text)  # council text only: replies never quote the question
    status: Mapped[str] = mapped_column(String(20), index=True)
    citations: Mapped[list] = mapped_column(JSON, default=list)
    handoff: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    retrieval_scores: Mapped[list] = mapped_column(JSON, default=list)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    latency_ms: Mapped[float] = mapped_column(Float)
    timings_ms: Mapped[dict] = mapped_column(JSON, default=dict)
    # joined to the question before it (the gap report groups the two together)
    follow_up: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    conversation: Mapped[Conversation] = relationship(back_populates="turns")
    feedback: Mapped[list[Feedback]] = relationship(back_populates="turn")


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[str] = mapped_column(ForeignKey("turns.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # masked
    would_have_phoned: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    turn: Mapped[Turn] = relationship(back_populates="feedback")


class HandoffEvent(Base):
    """A resident used a handoff: clicked a phone number, a form, the contact page or a source
    link (reported by the widget). A conversation with one is not "contained"."""

    __tablename__ = "handoff_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[str] = mapped_column(ForeignKey("turns.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))  # phone, form, contact, page, source
    target: Mapped[str | None] = mapped_column(Text, nullable=True)


class DailyStats(Base):
    """What is kept of turns after the retention period: counts per day, council and status."""

    __tablename__ = "daily_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    council: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    helpful: Mapped[int] = mapped_column(Integer, default=0)
    unhelpful: Mapped[int] = mapped_column(Integer, default=0)
    would_have_phoned: Mapped[int] = mapped_column(Integer, default=0)
    would_not_have_phoned: Mapped[int] = mapped_column(Integer, default=0)
    handoffs_used: Mapped[int] = mapped_column(Integer, default=0)


class GapTopic(Base):
    """A gap topic with a stable identity across periods (matched by its centre), the status an
    editor gives it, and the result of re-asking its questions after the page was fixed."""

    __tablename__ = "gap_topics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[str] = mapped_column(String(200))
    centroid: Mapped[list] = mapped_column(JSON)
    questions: Mapped[list] = mapped_column(JSON, default=list)  # masked examples, re-asked
    status: Mapped[str] = mapped_column(String(20), default="new")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                               nullable=True)
    verification: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class GapReport(Base):
    """A gap report as the job made it (``askcouncil report gaps --save``, after each crawl and
    nightly): the dashboard reads the latest for its period and never groups questions itself."""

    __tablename__ = "gap_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(64), index=True)
    days: Mapped[int] = mapped_column(Integer)  # the period's length
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)  # how long it took to make
    report: Mapped[dict] = mapped_column(JSON)
