"""Database engine and migrations. SQLite by default; PostgreSQL in production."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI types
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # Bounded waits for a database that is down: the outbox's writer (analytics/outbox.py)
    # then keeps the writes and tries again; readers (a follow-up's history) give up quickly.
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, pool_timeout=5, connect_args={"connect_timeout": 3}
    )


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


# Any fixed number: PostgreSQL advisory locks are keyed by a 64-bit integer.
MIGRATION_LOCK = 0x61736B63  # "askc"


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent). On PostgreSQL an advisory lock
    lets one process migrate while the others (several bot workers starting together) wait."""
    if engine.dialect.name != "postgresql":
        command.upgrade(alembic_config(engine), "head")
        return
    with engine.connect() as lock:
        lock.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
        try:
            command.upgrade(alembic_config(engine), "head")
        finally:
            lock.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
            lock.commit()
