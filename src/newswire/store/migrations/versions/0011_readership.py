"""Readership: daily counters per release, language, channel and country; the day's
de-duplication marks (keyed hashes, no addresses); and the two switches that email opens and
clicks need (the issuer's and the recipient's), both off.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "readership_counts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("release_id", sa.String(32), sa.ForeignKey("releases.id"), nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),  # "" = unknown
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.UniqueConstraint(
            "release_id", "language", "channel", "country", "day", name="uq_readership_counts"
        ),
    )
    op.create_table(
        "readership_marks",
        sa.Column("mark", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
    )
    op.create_index("ix_readership_marks_day", "readership_marks", ["day"])
    false = sa.false()
    op.add_column(
        "organizations",
        sa.Column("measure_email", sa.Boolean(), nullable=False, server_default=false),
    )
    op.add_column("recipients", sa.Column("measure_consent_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recipients") as batch:
        batch.drop_column("measure_consent_at")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("measure_email")
    op.drop_index("ix_readership_marks_day", "readership_marks")
    op.drop_table("readership_marks")
    op.drop_table("readership_counts")
