"""Alembic environment: the engine is passed in by analytics.db.migrate (no URL in a file)."""

from alembic import context

from analytics.models import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=engine.dialect.name == "sqlite")
    context.run_migrations()
