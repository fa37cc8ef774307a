"""Storage: tables, repositories and migrations (SQLAlchemy 2 + Alembic; SQLite or PostgreSQL)."""
