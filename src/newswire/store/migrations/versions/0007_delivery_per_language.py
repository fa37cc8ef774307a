"""A delivery per (version, endpoint, language): an edition approved after publication goes out
as its own delivery.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD = ["release_id", "version_number", "endpoint_id"]
NEW = [*OLD, "language"]
CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def _swap(drop_columns: list[str], create_columns: list[str]) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for constraint in sa.inspect(bind).get_unique_constraints("deliveries"):
            if constraint["column_names"] == drop_columns:
                op.drop_constraint(constraint["name"], "deliveries", type_="unique")
        op.create_unique_constraint("uq_deliveries_target", "deliveries", create_columns)
        return
    # SQLite: the table is rebuilt; the old constraint (unnamed) is named by the convention
    with op.batch_alter_table("deliveries", naming_convention=CONVENTION) as batch:
        batch.drop_constraint("uq_deliveries_" + "_".join(drop_columns), type_="unique")
        batch.create_unique_constraint("uq_deliveries_target", create_columns)


def upgrade() -> None:
    _swap(OLD, NEW)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint("uq_deliveries_target", "deliveries", type_="unique")
        op.create_unique_constraint(None, "deliveries", OLD)
        return
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint("uq_deliveries_target", type_="unique")
        batch.create_unique_constraint("uq_deliveries_" + "_".join(OLD), OLD)
