"""retention: daily aggregates kept after raw turns are deleted; bot conversations flagged

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("is_bot", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "daily_stats",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("council", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(20), primary_key=True),
        sa.Column("turns", sa.Integer, nullable=False),
        sa.Column("helpful", sa.Integer, nullable=False),
        sa.Column("unhelpful", sa.Integer, nullable=False),
        sa.Column("would_have_phoned", sa.Integer, nullable=False),
        sa.Column("would_not_have_phoned", sa.Integer, nullable=False),
        sa.Column("handoffs_used", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("daily_stats")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("is_bot")
