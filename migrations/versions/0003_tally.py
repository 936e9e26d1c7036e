"""tally: the one encrypted tally per election and the trustees' decryption shares

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.String(255), nullable=False),
        sa.Column("counted", sa.JSON(), nullable=False),
        sa.Column("layout", sa.JSON(), nullable=False),
        sa.Column("ciphertexts", sa.JSON(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("decrypted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_tallies_election_id_elections", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tallies"),
        sa.UniqueConstraint("election_id", name="uq_tallies_election_id"),
    )
    op.create_table(
        "decryption_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("trustee_index", sa.Integer(), nullable=False),
        sa.Column("share", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name="fk_decryption_shares_election_id_elections",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_decryption_shares"),
        sa.UniqueConstraint(
            "election_id", "trustee_index", name="uq_decryption_shares_election_id_trustee_index"
        ),
    )


def downgrade() -> None:
    op.drop_table("decryption_shares")
    op.drop_table("tallies")
