"""a conversation keeps the conversation the same browser had before it (sent by the widget), so
the deflection estimate can tell when a resident came back within the recontact window; checked
to be a conversation of the same council before it is stored

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("previous_conversation_id", sa.String(64), nullable=True))
        batch.create_index("ix_conversations_previous_conversation_id",
                           ["previous_conversation_id"])


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_previous_conversation_id")
        batch.drop_column("previous_conversation_id")
