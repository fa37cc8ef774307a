"""Alembic environment: the engine comes from newswire.store.migrate, never from a file."""

from __future__ import annotations

from alembic import context

from newswire.store.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    from newswire.config import load_settings
    from newswire.store.db import make_engine

    engine = make_engine(load_settings())

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
