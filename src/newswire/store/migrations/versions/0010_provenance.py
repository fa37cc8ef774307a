"""Provenance: the wire's signatures, the transparency log and its signed tree heads, and the
domains and tickers an organization proves it speaks for.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
APPEND_ONLY = ("signatures", "log_entries", "tree_heads")


def upgrade() -> None:
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("release_id", sa.String(32), sa.ForeignKey("releases.id"), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("edition", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("ninjs", sa.Text(), nullable=False),
        sa.Column("newsml", sa.Text(), nullable=False),
        sa.Column("statement", JSON, nullable=False),
        sa.Column("jws", sa.Text(), nullable=False),
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("release_id", "version_number", "language"),
    )
    op.create_index("ix_signatures_release_id", "signatures", ["release_id"])
    op.create_table(
        "log_entries",
        sa.Column("index", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column(
            "signature_id", sa.Integer(), sa.ForeignKey("signatures.id"), nullable=False,
            unique=True,
        ),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.Column("appended_at", sa.DateTime(), nullable=False),
    )  # fmt: skip
    op.create_table(
        "tree_heads",
        sa.Column("size", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("timestamp", sa.DateTime(), nullable=False),
        sa.Column("jws", sa.Text(), nullable=False),
        sa.Column("kid", sa.String(64), nullable=False),
    )
    op.create_table(
        "organization_domains",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organization_id", sa.Integer(), sa.ForeignKey("organizations.id"), nullable=False
        ),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("token", sa.String(80), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("method", sa.String(20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("verified_by", sa.String(320), nullable=True),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("organization_id", "domain"),
    )
    op.create_index(
        "ix_organization_domains_organization_id", "organization_domains", ["organization_id"]
    )
    op.create_index("ix_organization_domains_domain", "organization_domains", ["domain"])
    op.create_table(
        "organization_tickers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organization_id", sa.Integer(), sa.ForeignKey("organizations.id"), nullable=False
        ),
        sa.Column("symbol", sa.String(40), nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("confirmed_by", sa.String(320), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "ix_organization_tickers_organization_id", "organization_tickers", ["organization_id"]
    )
    for table in APPEND_ONLY:
        _forbid_changes(table)


def _forbid_changes(table: str) -> None:
    """What the wire signed and logged never changes (DESIGN invariant 7), in the database too."""
    message = f"{table} are append-only: what the wire signed and logged never changes"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in APPEND_ONLY:
        if postgres:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP FUNCTION {table}_append_only()")
        else:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
    for table in ("organization_tickers", "organization_domains", *reversed(APPEND_ONLY)):
        op.drop_table(table)
