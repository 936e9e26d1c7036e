"""ballots: drop the stored "superseded" flag; a ballot's state is derived from the strike flag
and board order (the counted-set rule), which a stored flag could contradict after a strike

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ballots") as batch:
        batch.drop_column("superseded")


def downgrade() -> None:
    with op.batch_alter_table("ballots") as batch:
        batch.add_column(sa.Column("superseded", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Re-derive: every ballot but the last of its credential (in board order) was superseded.
    op.execute("""
        UPDATE ballots SET superseded = (board_seq < (
            SELECT MAX(b2.board_seq) FROM ballots b2
            WHERE b2.election_id = ballots.election_id AND b2.credential = ballots.credential))
    """)
