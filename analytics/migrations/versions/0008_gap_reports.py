"""gap reports made by a job and read by the dashboard (the page never groups questions itself);
turns say whether they were a follow-up joined to the question before

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gap_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("council", sa.String(64), nullable=False),
        sa.Column("days", sa.Integer, nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
    )
    op.create_index("ix_gap_reports_council", "gap_reports", ["council"])
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("follow_up", sa.Boolean, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("follow_up")
    op.drop_index("ix_gap_reports_council", "gap_reports")
    op.drop_table("gap_reports")
