"""gap topics: stable identity, editor status, verification after a fix

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gap_topics",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("council", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("centroid", sa.JSON, nullable=False),
        sa.Column("questions", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verification", sa.JSON, nullable=True),
    )
    op.create_index("ix_gap_topics_council", "gap_topics", ["council"])


def downgrade() -> None:
    op.drop_index("ix_gap_topics_council", "gap_topics")
    op.drop_table("gap_topics")
