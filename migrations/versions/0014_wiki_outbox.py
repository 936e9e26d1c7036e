"""outbox: wiki announcements — each delivery's ``status`` (pending, sent, failed, skipped,
unknown), the announcement it belongs to (``batch``) and when it was last tried
(``attempted_at``), so that a resumed announcement never sends twice

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=True))
        batch.add_column(sa.Column("batch", sa.String(80), nullable=True))
        batch.add_column(sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_outbox_batch", ["batch"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_batch")
        batch.drop_column("attempted_at")
        batch.drop_column("batch")
        batch.drop_column("status")
