"""Editions by when they last changed: the feed caches follow edition approvals by this.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_editions_updated_at", "editions", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_editions_updated_at", table_name="editions")
