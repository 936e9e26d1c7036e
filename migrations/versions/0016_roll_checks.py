"""roll_checks: a frozen roll is computed by a worker, not inside the committee's request (a
roll of thousands of users is thousands of wiki look-ups); each check's progress and outcome

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roll_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("requested_by", sa.String(255), nullable=False),
        sa.Column("requested_by_admin", sa.Boolean(), nullable=False),
        sa.Column("usernames", sa.JSON(), nullable=False),
        sa.Column("rules_fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Integer(), nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_roll_checks_election_id_elections", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_roll_checks"),
    )
    op.create_index("ix_roll_checks_election_id", "roll_checks", ["election_id"])
    op.create_index("ix_roll_checks_due", "roll_checks", ["status", "claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_roll_checks_due", table_name="roll_checks")
    op.drop_index("ix_roll_checks_election_id", table_name="roll_checks")
    op.drop_table("roll_checks")
