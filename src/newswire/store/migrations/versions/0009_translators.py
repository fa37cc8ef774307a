"""Human translators: a user's languages and trust; an edition's translator and their draft.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("languages", JSON, nullable=False, server_default="{}"))
        users.add_column(
            sa.Column("trusted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("editions") as editions:
        editions.add_column(sa.Column("translated_by", sa.String(length=320), nullable=True))
        editions.add_column(sa.Column("draft", JSON, nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("editions") as editions:
        editions.drop_column("draft")
        editions.drop_column("translated_by")
    with op.batch_alter_table("users") as users:
        users.drop_column("trusted")
        users.drop_column("languages")
