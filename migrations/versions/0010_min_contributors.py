"""elections: the anonymity guard's k (``min_contributors``): no tally slot summed over fewer
counted ballots is decrypted; stated in the manifests of elections set up from now on.
revote_invitations: the strike's ``reason_code`` (the voter is told its message, never the
private reason text)

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("elections") as batch:
        batch.add_column(sa.Column("min_contributors", sa.Integer(), nullable=False, server_default="5"))
    with op.batch_alter_table("revote_invitations") as batch:
        batch.add_column(sa.Column("reason_code", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("revote_invitations") as batch:
        batch.drop_column("reason_code")
    with op.batch_alter_table("elections") as batch:
        batch.drop_column("min_contributors")
