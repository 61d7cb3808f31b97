"""handoff events (clicks on phone numbers, forms, contact pages and sources)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("turn_id", sa.String(36), sa.ForeignKey("turns.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("target", sa.Text, nullable=True),
    )
    op.create_index("ix_handoff_events_turn_id", "handoff_events", ["turn_id"])


def downgrade() -> None:
    op.drop_index("ix_handoff_events_turn_id", "handoff_events")
    op.drop_table("handoff_events")
