"""eligibility: roll mode, rules and role policy per election; declared jurisdiction and flags
on role assignments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("elections") as batch:
        batch.add_column(sa.Column("roll_mode", sa.String(16), nullable=False, server_default="list"))
        batch.add_column(sa.Column("eligibility_rules", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("role_policy", sa.JSON(), nullable=True))
    with op.batch_alter_table("role_assignments") as batch:
        batch.add_column(sa.Column("jurisdiction", sa.String(64), nullable=True))
        batch.add_column(sa.Column("flags", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("role_assignments") as batch:
        batch.drop_column("flags")
        batch.drop_column("jurisdiction")
    with op.batch_alter_table("elections") as batch:
        batch.drop_column("role_policy")
        batch.drop_column("eligibility_rules")
        batch.drop_column("roll_mode")
